// Integers of a request read exactly, for operations that compare or store them in an int64
// column: a double holds every integer only up to 2^53, so `9007199254740993` read through
// Number() is 9007199254740992, and a comparison or a value made of it is another integer.
// Requests' JSON numbers are exact when they get here: the gateway refuses an integer that
// a JSON number cannot carry exactly (gateway/exact-request.ts); text carries any integer.

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Whether an integer fits a BIGINT (int64). */
export const fitsInt64 = (v: bigint): boolean => v >= INT64_MIN && v <= INT64_MAX;

// A decimal numeral as Python's float() reads one (underscores between digits, spaces around).
const NUMERAL = /^([-+]?)(\d(?:_?\d)*)?(?:\.(\d(?:_?\d)*)?)?(?:[eE]([-+]?\d(?:_?\d)*))?$/;

// An exponent past this makes any nonzero numeral far beyond int64: not expanded digit by digit.
const MAX_EXPONENT = 40;

/**
 * The integer a decimal numeral stands for exactly (`9007199254740993`, `+7`, `7.0`, `1.5e3`,
 * `1_000`, spaces around), or null when it stands for none: a fraction (`2.5`), no numeral at
 * all (`abc`, `inf`, `nan`, `.`). A numeral of an integer far beyond int64 (`1e300`) gives
 * an integer beyond it too (not its digits: fitsInt64 tells such values apart).
 */
export function integerOfText(text: string): bigint | null {
  const m = NUMERAL.exec(text.trim());
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  const whole = (m[2] ?? '').replaceAll('_', '');
  const fraction = (m[3] ?? '').replaceAll('_', '');
  const exponent = Number((m[4] ?? '0').replaceAll('_', ''));
  let digits = (whole + fraction).replace(/^0+/, '');
  let shift = exponent - fraction.length;
  const sign = m[1] === '-' ? -1n : 1n;
  if (digits === '') return 0n;
  // Trailing zeros absorb a negative shift; what is left of it is a fraction.
  while (shift < 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    shift++;
  }
  if (shift < 0) return null;
  if (shift > MAX_EXPONENT) return sign * 10n ** BigInt(MAX_EXPONENT);
  return sign * BigInt(digits) * 10n ** BigInt(shift);
}

/** The integer a JSON number stands for (a double: exact as the gateway checked it), or null when it is no integer (a fraction, NaN, an infinity). */
export function integerOfNumber(x: number): bigint | null {
  return Number.isInteger(x) ? BigInt(x) : null;
}

// How Python prints and reads the values the original passed through str() and float():
// the names, labels and texts these operations build must read exactly as pandas' did.

export type JsonScalar = string | number | boolean | null;

/** repr(float): shortest round-trip digits, '3.0' for integral values, exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest digits that round-trip
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** str() of a JSON value as the original received it: integers without a point, True/False, None. */
export function pyStr(value: JsonScalar): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e16 ? String(value) : pyFloatRepr(value);
  return value;
}

const FLOAT_TEXT = /^[-+]?((\d(_?\d)*)(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][-+]?\d(_?\d)*)?$/;
const SPECIAL_TEXT = /^([-+]?)(inf|infinity|nan)$/i;

/** float(value), or null where Python raises: numbers, numeric text (with inf/nan), booleans as 1/0. */
export function pyFloat(value: JsonScalar): number | null {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const s = value.trim();
  if (FLOAT_TEXT.test(s)) return Number(s.replaceAll('_', ''));
  const special = SPECIAL_TEXT.exec(s);
  if (!special) return null;
  if (special[2].toLowerCase() === 'nan') return NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/** A DOUBLE literal that reads back as exactly this double (a decimal literal could round differently). */
export function doubleLiteral(x: number): string {
  if (Number.isNaN(x)) return "'NaN'::DOUBLE";
  if (!Number.isFinite(x)) return x > 0 ? "'Infinity'::DOUBLE" : "'-Infinity'::DOUBLE";
  return `'${x.toExponential()}'::DOUBLE`;
}

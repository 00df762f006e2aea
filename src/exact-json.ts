// Numbers in replies that JSON.stringify would otherwise write wrongly: integers beyond
// 2^53 (int64 ids: DuckDB hands them over as bigints, and Number() rounds
// 123456789012345678 to 123456789012345680) and floats beyond 2^53, whose JavaScript text
// looks like an exact integer (123456789012345680) where Python's json writes a float
// (1.2345678901234568e+17).
//
// The way out is V8's JSON.rawJSON (Node 21+): an object JSON.stringify writes as the text
// it holds, so a reply keeps its shape, Socket.IO's encoder (JSON.stringify of the packet)
// writes the digits themselves, every transport carries that text, and a client parses it
// as its JSON parser parses numbers. Such an object survives JSON (stringify, then
// parseExact) but not structured cloning: replies never cross a worker thread.

declare global {
  interface JSON {
    /** A value JSON.stringify writes as `text` (a JSON number, string, boolean or null). */
    rawJSON(text: string): RawJson;
    isRawJSON(value: unknown): value is RawJson;
  }
}

/** What JSON.rawJSON makes: a frozen object without prototype, JSON.stringify'd as `rawJSON`. */
export interface RawJson {
  readonly rawJSON: string;
}

const SAFE = 2n ** 53n;

/** An integer as a reply carries it: a number within ±2^53 (exact there), its exact digits beyond. */
export function exactInteger(v: bigint): number | RawJson {
  return v >= -SAFE && v <= SAFE ? Number(v) : JSON.rawJSON(v.toString());
}

/**
 * A float as a reply carries it: as it is within ±2^53, and beyond as Python's json writes a
 * float (`9007199254740994.0`, `1.2345678901234568e+17`), never as an integer-looking text
 * whose digits past the 17th are zeros JavaScript made up. Null for NaN and infinities
 * (JSON has none).
 */
export function floatJson(x: number): number | RawJson | null {
  if (!Number.isFinite(x)) return null;
  const a = Math.abs(x);
  // From 1e21 on JavaScript writes exponent notation too (1e+21, as Python does).
  if (a <= 2 ** 53 || a >= 1e21) return x;
  // Python's repr: fixed notation below 1e16 (with ".0" on a whole number), shortest digits
  // in exponent notation from there; JavaScript's toExponential() picks the same digits.
  return JSON.rawJSON(a < 1e16 ? `${String(x)}.0` : x.toExponential());
}

/**
 * A DECIMAL as a reply carries it: `value` / 10^`scale` (DuckDB's scaled integer), as a number
 * when that number's JSON text is the decimal's own (1.5, 0.05), else as its exact digits
 * (12345678901234567890123456789012345678, 123456789012345678.25), as DuckDB's to_json
 * writes it for `data` slices.
 */
export function exactDecimal(value: bigint, scale: number): number | RawJson {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = `${negative ? '-' : ''}${digits.slice(0, digits.length - scale)}${scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''}`;
  const canonical = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  const n = Number(text);
  return String(n) === (canonical === '-0' ? '0' : canonical) ? n : JSON.rawJSON(text);
}

/** The text of a reply value: a raw JSON number as its digits, anything else as String() writes it. */
export function textOf(value: unknown): string {
  return JSON.isRawJSON(value) ? value.rawJSON : String(value);
}

/**
 * JSON.parse that keeps the numbers a double does not carry as they were written (as raw
 * JSON of their text): integers beyond 2^53 (int64 ids), floats beyond 2^53 written as Python
 * writes them (floatJson: `2.7345678901234566e+17`, which JavaScript would write back as
 * `273456789012345660`), and decimals with more digits than a double holds (exactDecimal:
 * `198456789012345678.75`, `0.12345678901234567891`). For texts that carry replies from
 * another process (the results channel, an outside worker's notification), so that they are
 * sent on as they came; every other number (`1.5`, `12`, `1.0`, `2.5e300`) is the number
 * JSON.parse makes.
 */
export function parseExact(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
    const source = context?.source;
    if (typeof value !== 'number' || source === undefined || String(value) === source) return value;
    // (9007199254740993 parses as 9007199254740992: the source text decides.)
    if (/^-?\d+$/.test(source)) return Math.abs(value) < 2 ** 53 ? value : exactInteger(BigInt(source));
    // A float JavaScript would write as an integer (2.7345678901234566e+17 as
    // 273456789012345660), or one with more digits than its double: as written. (1.0 and
    // 2.5e300 are the numbers they denote, written back as 1 and 2.5e+300.)
    const integerLooking = Math.abs(value) >= 2 ** 53 && /^-?\d+$/.test(String(value));
    return integerLooking || significantDigits(source) > 17 ? JSON.rawJSON(source) : value;
  });
}

/** Significant digits of a JSON number's text (`0.00120` → 3, `1.5e+17` → 2). */
function significantDigits(source: string): number {
  const mantissa = source.replace(/^-/, '').replace(/[eE].*$/, '').replace('.', '');
  return mantissa.replace(/^0+/, '').replace(/0+$/, '').length;
}

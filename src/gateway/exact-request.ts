// Integers of requests that a JSON number cannot carry exactly. Socket.IO reads a request
// with JSON.parse, whose numbers are doubles: `9007199254740993` arrives as
// 9007199254740992, and findReplace, newCellValue, fillWithCustomValue (or the history that
// records the parameters) would work on another integer than the one sent, without a word.
// Python's json, the original's, reads an integer literal as an exact int and a literal with
// a point or an exponent as a float: here an integer literal is exact or refused, a float
// spelling of a whole number within int64 likewise, and any other float literal is the
// double it always was.
import { fitsInt64, integerOfText } from '../operations/exact-number.ts';

const SAFE = 2 ** 53;

/** An integer literal of a request that its double does not hold (its text as sent). */
export class InexactInteger {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
}

/**
 * JSON.parse's reviver for requests: a number beyond ±2^53 whose text denotes a whole number
 * (`9007199254740993`, `9007199254740993.0`, `9.007199254740993e15`) that its double is not
 * becomes an InexactInteger, for inexactIntegerAt to find; every other value stays as
 * JSON.parse made it (9007199254740994 and 1e17, which doubles hold, too).
 */
export function exactRequestReviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) < SAFE || context?.source === undefined) return value;
  // The integer the text denotes (integerOfText, as operations read a value's text): a float
  // spelling of a whole number (9007199254740993.0) is a float to Python's json, but a client
  // sending it for an int64 id means that integer, and its double is another (trial).
  const whole = integerOfText(context.source);
  if (whole === null) return value;
  // A float spelling beyond int64 (1e300) is the float it reads as: no column holds its integer.
  if (!/^-?\d+$/.test(context.source) && !fitsInt64(whole)) return value;
  return whole === BigInt(value) ? value : new InexactInteger(context.source);
}

/**
 * The reviver a request's JSON text needs: exactRequestReviver only when the text may hold an
 * integer beyond 2^53 (16 digits in a row, a point allowed among them, in a string or not),
 * none otherwise. A reviver costs a call per value, and V8 runs it recursively: a body nested
 * a few thousand levels deep overflowed the stack with it, where JSON.parse alone reads it
 * (and the worker refuses it for its depth, plain-data.ts).
 */
export function reviverFor(text: string): typeof exactRequestReviver | undefined {
  return /(?:\d\.?){16}/.test(text) ? exactRequestReviver : undefined;
}

/**
 * JSON.parse of a request's text with the reviver it needs (reviverFor). A text the reviver
 * cannot get through (nested too deep for its recursion) is read without it: such a body is
 * refused for its depth, whatever its numbers.
 */
export function parseRequestJson(text: string): unknown {
  const reviver = reviverFor(text);
  if (!reviver) return JSON.parse(text);
  try {
    return JSON.parse(text, reviver);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.parse(text);
  }
}

// Deeper than this a body is refused anyway (plain-data.ts: 32 levels): not walked further.
const MAX_DEPTH = 64;

/**
 * The first InexactInteger in a request body, with its path (`toReplace[0]`,
 * `operations[2].parameters.newValue`), or null.
 */
export function inexactIntegerAt(value: unknown, path = '', depth = 0): { path: string; source: string } | null {
  if (value instanceof InexactInteger) return { path: path || 'the body', source: value.source };
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = inexactIntegerAt(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = inexactIntegerAt(item, path ? `${path}.${key}` : key, depth + 1);
    if (found) return found;
  }
  return null;
}

/** The refusal's description of an InexactInteger found at `path`. */
export function inexactIntegerReason({ path, source }: { path: string; source: string }): string {
  const double = BigInt(Number(source)).toString();
  return `${path}: ${source} is an integer beyond ±2^53 that a JSON number does not carry exactly (it would be read as ${double}); send it as text ("${source}"), which findReplace, newCellValue and fillWithCustomValue read exactly`;
}

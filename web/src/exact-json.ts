import { Encoder, Decoder } from 'socket.io-parser';

// The server writes int64 values exactly (123456789012345678, -9223372036854775808: raw JSON
// numbers, see src/exact-json.ts), but JSON.parse makes doubles of them and a double holds
// integers exactly only up to 2^53: 9007199254740993 became 9007199254740992, and the grid,
// the cell editor and the Analyze panel showed (and an edit sent back) a value nobody had.
// Such an integer is read as its digits instead, a string, from the number's source text
// (the third argument JSON.parse gives a reviver in Chromium, Firefox 135+, Safari 18.4+;
// where it is missing the number stays the double it was). A string is what every reader
// already handles: zod's unknown and number-or-string fields, the grid's text, String(),
// JSON.stringify (a bigint would throw there); the column's type says it is a number.

/** The source text JSON.parse hands a reviver of a primitive value (ES2025 "JSON.parse source text access"). */
interface ReviverContext {
  source?: string;
}

/**
 * JSON.parse reviver: an integer a double does not hold exactly comes back as its digits (a
 * string); every other value as JSON.parse made it. 2^53 itself and -0 stay numbers.
 */
export function exactIntegers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  if (source === undefined || !/^-?\d+$/.test(source) || String(value) === source) return value;
  return source;
}

/** JSON.parse keeping integers beyond 2^53 exact (as their digits; see exactIntegers). */
export function parseExact(text: string): unknown {
  return JSON.parse(text, exactIntegers);
}

/**
 * Socket.IO's own parser (socket.io-client's `parser` option) reading packets with
 * exactIntegers: every reply, whatever its operation, carries int64 values exactly.
 */
class ExactDecoder extends Decoder {
  constructor() {
    super(exactIntegers);
  }
}
export const exactParser = { Encoder, Decoder: ExactDecoder };

/** Digits of an integer that a number-or-text field (exactIntegers' strings) holds. */
export const isIntegerText = (v: unknown): v is string => typeof v === 'string' && /^-?\d+$/.test(v);

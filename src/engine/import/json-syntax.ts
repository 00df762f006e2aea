import fs from 'node:fs';
import { ImportError } from './types.ts';

// A strict check of a JSON file's syntax, one streaming pass over its bytes.
//
// Why: DuckDB's JSON reader (yyjson with trailing commas, NaN and infinities allowed) takes
// an array cut off after a comma (`[{"a":1},{"a":2},`) as the records before it, and
// `{"a":1,}` or `[1,2,]` as complete: an upload cut off in transit was imported short, and
// said nothing. Every file that is not complete JSON is refused with where it went wrong.
//
// What is accepted: one JSON value (RFC 8259), or — when the first value is an object —
// JSON Lines: values each beginning on a line after the previous one ended. Beyond RFC 8259,
// the literals NaN, Infinity and -Infinity, which Python's json module writes for floats
// (and reads), so files written from pandas and Python keep importing. The bytes are not
// decoded: every structural character is ASCII, and any byte ≥ 0x80 is allowed within
// strings, so the check holds for UTF-8 and for the other ASCII-based encodings alike
// (whether the bytes are UTF-8 is DuckDB's and the transcoder's business).

// The checker's states (plain numbers: strip-only TypeScript has no enums).
const S = {
  Value: 0, // a value must come (after ':' or a ',' of an array)
  ValueOrClose: 1, // after '[': a value or ']'
  KeyOrClose: 2, // after '{': a key or '}'
  Key: 3, // after a ',' of an object: a key
  Colon: 4,
  After: 5, // after a value inside a container: ',' or its closing character
  Top: 6, // after a top-level value: whitespace, or (JSON Lines) a new line and the next value
  String: 7,
  Escape: 8,
  Hex: 9,
  Minus: 10,
  Zero: 11,
  Int: 12,
  Dot: 13,
  Frac: 14,
  Exp: 15,
  ExpSign: 16,
  ExpDigits: 17,
  Literal: 18,
} as const;
type State = (typeof S)[keyof typeof S];

const BOM = [0xef, 0xbb, 0xbf];
/**
 * Deepest nesting accepted. A dataset's values are never nested so deep (pandas' ujson stops
 * at 1,024); without a bound, a file of a billion `[` would grow the stack of open containers
 * by 9 bytes each, outside the CPU thread's heap limit.
 */
export const MAX_JSON_DEPTH = 10_000;
const OBJECT = 1;
const ARRAY = 2;

/** One problem found, with its byte offset in the file. */
export class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

const show = (b: number): string => (b >= 0x20 && b < 0x7f ? JSON.stringify(String.fromCharCode(b)) : `byte 0x${b.toString(16).padStart(2, '0')}`);

/**
 * Incremental strict JSON syntax checker: feed the file's bytes with `push`, then `end`.
 * Throws JsonSyntaxError at the first problem. `values`: top-level values seen (more than
 * one only as JSON Lines, whose first value is an object).
 */
export class JsonSyntax {
  values = 0;
  private state: State = S.Top;
  private offset = 0; // bytes consumed before the current chunk
  private stack = new Uint8Array(64);
  private opened = new Float64Array(64); // where each open container began
  private depth = 0;
  private hex = 0;
  private literal = '';
  private matched = 0;
  private stringKey = false; // the string being read is a key
  private valueStart = 0; // where the current top-level value began
  private valueEnd = 0; // where the last top-level value ended
  private lineAfterValue = false; // a newline came since the last top-level value ended
  private firstRoot = 0; // the first top-level value's first byte
  private bom = 0; // bytes of a leading UTF-8 byte order mark seen; -1 once past it (or its absence)

  /** Check the next bytes of the file. */
  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    // A UTF-8 byte order mark may precede the value (only at the start: it is whitespace
    // nowhere else), its bytes perhaps in different chunks.
    while (this.bom >= 0 && i < n) {
      if (chunk[i] !== BOM[this.bom]) {
        if (this.bom > 0) throw new JsonSyntaxError(this.offset + i, `${show(chunk[i])} within a byte order mark`);
        this.bom = -1;
        break;
      }
      i++;
      if (++this.bom === BOM.length) this.bom = -1;
    }
    const at = (k: number) => this.offset + k;
    for (; i < n; i++) {
      const b = chunk[i];
      switch (this.state) {
        case S.String: {
          // Most bytes of a file are within strings: run through them.
          let k = i;
          while (k < n) {
            const c = chunk[k];
            if (c === 0x22 || c === 0x5c || c < 0x20) break;
            k++;
          }
          i = k;
          if (k === n) break;
          const c = chunk[k];
          if (c === 0x22) this.closeValue(at(k), this.stringKey);
          else if (c === 0x5c) this.state = S.Escape;
          else throw new JsonSyntaxError(at(k), `a control character (${show(c)}) inside a string: it must be escaped${c === 0x0a ? ' (is a closing quote missing?)' : ''}`);
          break;
        }
        case S.Escape:
          if (b === 0x75) {
            this.state = S.Hex;
            this.hex = 0;
          } else if (b === 0x22 || b === 0x5c || b === 0x2f || b === 0x62 || b === 0x66 || b === 0x6e || b === 0x72 || b === 0x74) this.state = S.String;
          else throw new JsonSyntaxError(at(i), `an invalid escape \\${String.fromCharCode(b)} in a string`);
          break;
        case S.Hex:
          if (!((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))) throw new JsonSyntaxError(at(i), `${show(b)} where a \\u escape needs 4 hexadecimal digits`);
          if (++this.hex === 4) this.state = S.String;
          break;
        case S.Literal:
          if (b !== this.literal.charCodeAt(this.matched)) throw new JsonSyntaxError(at(i), `${show(b)} in what should be ${this.literal}`);
          if (++this.matched === this.literal.length) this.closeValue(at(i), false);
          break;
        case S.Minus:
          if (b === 0x30) this.state = S.Zero;
          else if (b >= 0x31 && b <= 0x39) this.state = S.Int;
          else if (b === 0x49) this.startLiteral('-Infinity', 2);
          else throw new JsonSyntaxError(at(i), `${show(b)} after a minus sign: a digit must follow`);
          break;
        case S.Zero:
        case S.Int:
        case S.Frac:
        case S.ExpDigits:
          if (b >= 0x30 && b <= 0x39) {
            if (this.state === S.Zero) throw new JsonSyntaxError(at(i), 'a number with a leading zero');
            break;
          }
          if ((b === 0x2e) && (this.state === S.Zero || this.state === S.Int)) this.state = S.Dot;
          else if ((b === 0x65 || b === 0x45) && this.state !== S.ExpDigits) this.state = S.Exp;
          else {
            this.closeValue(at(i - 1), false);
            i--; // this byte follows the number: read it in the new state
          }
          break;
        case S.Dot:
          if (b >= 0x30 && b <= 0x39) this.state = S.Frac;
          else throw new JsonSyntaxError(at(i), `${show(b)} after a decimal point: a digit must follow`);
          break;
        case S.Exp:
          if (b === 0x2b || b === 0x2d) this.state = S.ExpSign;
          else if (b >= 0x30 && b <= 0x39) this.state = S.ExpDigits;
          else throw new JsonSyntaxError(at(i), `${show(b)} in a number's exponent: a digit must follow`);
          break;
        case S.ExpSign:
          if (b >= 0x30 && b <= 0x39) this.state = S.ExpDigits;
          else throw new JsonSyntaxError(at(i), `${show(b)} in a number's exponent: a digit must follow`);
          break;
        default:
          if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) {
            if ((b === 0x0a || b === 0x0d) && this.state === S.Top) this.lineAfterValue = true;
            break;
          }
          this.structural(b, at(i));
      }
    }
    this.offset += n;
  }

  /** The file has ended: throws when it ended inside a value. */
  end(): void {
    const at = this.offset;
    switch (this.state) {
      case S.Top:
        return;
      case S.Zero:
      case S.Int:
      case S.Frac:
      case S.ExpDigits:
        this.closeValue(at - 1, false);
        if (this.depth === 0) return;
        break;
      case S.String:
      case S.Escape:
      case S.Hex:
        throw new JsonSyntaxError(at, `the file ends inside a string${this.depth ? `, in the ${this.container()}` : ''}`);
      default:
        if (this.depth === 0) throw new JsonSyntaxError(at, 'the file ends inside a value');
    }
    const inArray = this.stack[this.depth - 1] === ARRAY;
    const last = (this.state === S.Value && inArray) || this.state === S.Key ? ' after a ","' : this.state === S.Value ? ' after a ":"' : '';
    throw new JsonSyntaxError(at, `the file ends${last} inside the ${this.container()}: the file is cut off or incomplete`);
  }

  private container(): string {
    const d = this.depth - 1;
    return `${this.stack[d] === ARRAY ? 'array' : 'object'} opened at byte ${this.opened[d]}`;
  }

  private structural(b: number, at: number): void {
    const state = this.state;
    if (state === S.Top) {
      if (this.values > 0) {
        // JSON Lines: objects, each starting on a line after the previous value ended.
        if (this.firstRoot !== 0x7b) throw new JsonSyntaxError(at, `${show(b)} after the end of the JSON value (which ended at byte ${this.valueEnd}): only whitespace may follow it`);
        if (!this.lineAfterValue) throw new JsonSyntaxError(at, `${show(b)} after the end of the JSON value (which ended at byte ${this.valueEnd}) on the same line: only whitespace may follow it there (JSON Lines: each value starts on a line of its own)`);
      }
      this.valueStart = at;
      if (this.values === 0) this.firstRoot = b;
      this.startValue(b, at);
      return;
    }
    if (state === S.Value || state === S.ValueOrClose) {
      if (b === 0x5d && state === S.ValueOrClose) return this.close(ARRAY, at);
      if (b === 0x5d || b === 0x7d) throw new JsonSyntaxError(at, `${show(b)} where a value must come${state === S.Value && this.stack[this.depth - 1] === ARRAY ? ' (a trailing comma in an array)' : ''}`);
      return this.startValue(b, at);
    }
    if (state === S.KeyOrClose || state === S.Key) {
      if (b === 0x22) {
        this.stringKey = true;
        this.state = S.String;
        return;
      }
      if (b === 0x7d && state === S.KeyOrClose) return this.close(OBJECT, at);
      throw new JsonSyntaxError(at, `${show(b)} where a key (a string in double quotes) must come${b === 0x7d ? ' (a trailing comma in an object)' : ''}`);
    }
    if (state === S.Colon) {
      if (b === 0x3a) {
        this.state = S.Value;
        return;
      }
      throw new JsonSyntaxError(at, `${show(b)} where a ":" must follow the key`);
    }
    // S.After
    const inside = this.stack[this.depth - 1];
    if (b === 0x2c) {
      this.state = inside === ARRAY ? S.Value : S.Key;
      return;
    }
    if (b === 0x5d || b === 0x7d) return this.close(b === 0x5d ? ARRAY : OBJECT, at);
    throw new JsonSyntaxError(at, `${show(b)} where a "," or "${inside === ARRAY ? ']' : '}'}" must come in the ${this.container()}`);
  }

  private startValue(b: number, at: number): void {
    switch (b) {
      case 0x7b:
      case 0x5b:
        if (this.depth === MAX_JSON_DEPTH) throw new JsonSyntaxError(at, `values nested more than ${MAX_JSON_DEPTH.toLocaleString('en-US')} levels deep`);
        if (this.depth === this.stack.length) {
          const stack = new Uint8Array(this.depth * 2);
          stack.set(this.stack);
          this.stack = stack;
          const opened = new Float64Array(this.depth * 2);
          opened.set(this.opened);
          this.opened = opened;
        }
        this.stack[this.depth] = b === 0x7b ? OBJECT : ARRAY;
        this.opened[this.depth++] = at;
        this.state = b === 0x7b ? S.KeyOrClose : S.ValueOrClose;
        return;
      case 0x22:
        this.stringKey = false;
        this.state = S.String;
        return;
      case 0x2d:
        this.state = S.Minus;
        return;
      case 0x30:
        this.state = S.Zero;
        return;
      case 0x74:
        return this.startLiteral('true', 1);
      case 0x66:
        return this.startLiteral('false', 1);
      case 0x6e:
        return this.startLiteral('null', 1);
      case 0x4e:
        return this.startLiteral('NaN', 1);
      case 0x49:
        return this.startLiteral('Infinity', 1);
      default:
        if (b >= 0x31 && b <= 0x39) {
          this.state = S.Int;
          return;
        }
        throw new JsonSyntaxError(at, `${show(b)} where a value must come`);
    }
  }

  private startLiteral(word: string, matched: number): void {
    this.literal = word;
    this.matched = matched;
    this.state = S.Literal;
  }

  private close(kind: number, at: number): void {
    const open = this.stack[this.depth - 1];
    if (open !== kind) throw new JsonSyntaxError(at, `"${kind === ARRAY ? ']' : '}'}" closes the ${this.container()}`);
    this.depth--;
    this.closeValue(at, false);
  }

  /** A value (or a key, when `key`) ended at byte `at`. */
  private closeValue(at: number, key: boolean): void {
    if (key) {
      this.state = S.Colon;
      return;
    }
    if (this.depth > 0) {
      this.state = S.After;
      return;
    }
    this.state = S.Top;
    this.values++;
    this.valueEnd = at;
    this.lineAfterValue = false;
  }
}

/**
 * Line and column (1-based, the column in characters of UTF-8) of byte `offset` of `file`,
 * by reading the file up to it: only for the message of a refused file.
 */
async function lineAndColumn(file: string, offset: number): Promise<{ line: number; column: number }> {
  let line = 1;
  let column = 1;
  let read = 0;
  for await (const chunk of fs.createReadStream(file, { end: Math.max(0, offset - 1), highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length && read < offset; i++, read++) {
      const b = chunk[i];
      if (b === 0x0a) {
        line++;
        column = 1;
      } else if ((b & 0xc0) !== 0x80) column++;
    }
  }
  return { line, column };
}

/**
 * Check that `file` is complete, strict JSON (see JsonSyntax): one value, or JSON Lines of
 * objects. Returns the number of top-level values.
 *
 * @throws ImportError 'invalid JSON' naming the problem and its line, column and byte.
 */
export async function checkJsonFile(file: string): Promise<number> {
  const syntax = new JsonSyntax();
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) syntax.push(chunk);
    syntax.end();
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const { line, column } = await lineAndColumn(file, err.offset);
    throw new ImportError('invalid JSON', `the file is not valid JSON: at line ${line}, column ${column} (byte ${err.offset}): ${err.message}; nothing was imported`);
  }
  return syntax.values;
}

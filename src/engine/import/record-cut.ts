/** The CSV dialect a cut must respect: one-byte quote, escape and delimiter (DuckDB's sniffer gives these). */
export interface CutDialect {
  delim: string;
  quote: string;
  escape: string;
}

// Where the scan stands in the CSV grammar (RFC 4180 as DuckDB reads it; the same states as
// LineEndingNormalizer's, plus an escape inside a quoted field when escape ≠ quote).
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: the field's end, or the first half of `""`. */
const QUOTE_IN_QUOTED = 3;
/** The escape character inside a quoted field (escape ≠ quote): the next byte is literal. */
const ESCAPED = 4;

const CR = 0x0d;
const LF = 0x0a;

/**
 * Finds a byte position where a delimited text file may be cut in two so that each part
 * reads, on its own, as the same records as the whole: just after a line ending that ends
 * a record (outside any quoted field), with a non-blank line after it. Bytes must be given
 * in file order from the first one (header and skipped lines included), each exactly once,
 * to `pass` or `cut`.
 *
 * Bytes without the quote character cannot change whether the scan is inside a quoted
 * field, so such a chunk costs two memchr; only chunks holding quotes are walked byte by
 * byte. Works on bytes: in UTF-8, quote, escape, delimiter and line breaks (all ASCII)
 * never occur inside a multi-byte character.
 *
 * Returns null (from `create`) for a dialect it cannot follow: a quote, escape or delimiter
 * that is not one ASCII byte.
 */
export class RecordCutter {
  private state = FIELD_START;
  /** The bytes taken in so far end with a line ending that ends a record. */
  private pending = false;
  private readonly quote: number;
  private readonly escape: number;
  private readonly delim: number;
  /** The byte that ends a line: `\r` in a file of bare `\r`, else `\n` (also of `\r\n`). */
  private readonly newline: number;

  private constructor(d: CutDialect, newLine: '\n' | '\r\n' | '\r') {
    this.quote = d.quote.charCodeAt(0);
    this.escape = d.escape.charCodeAt(0);
    this.delim = d.delim.charCodeAt(0);
    this.newline = newLine === '\r' ? CR : LF;
  }

  static create(d: CutDialect, newLine: '\n' | '\r\n' | '\r' | undefined): RecordCutter | null {
    const oneByte = (s: string) => s.length === 1 && s.charCodeAt(0) < 0x80;
    if (!newLine || !oneByte(d.quote) || !oneByte(d.escape) || !oneByte(d.delim)) return null;
    return new RecordCutter(d, newLine);
  }

  /** Take in the bytes of `chunk` (the next ones of the file). */
  pass(chunk: Uint8Array): void {
    this.walk(chunk, false);
  }

  /**
   * Take in the bytes of `chunk` up to the first place the file may be cut: returns its
   * offset in `chunk` (the bytes before it were taken in; 0 when the place is just before
   * it), or -1 when there is none in `chunk` (all of it was taken in).
   */
  cut(chunk: Uint8Array): number {
    return this.walk(chunk, true);
  }

  private walk(chunk: Uint8Array, cutting: boolean): number {
    if (chunk.byteLength === 0) return -1;
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // The previous chunk ended with a record's line ending: its next line starts here.
    const pending = this.pending;
    this.pending = false;
    if (pending && cutting && buf[0] !== LF && buf[0] !== CR) return 0;
    const at = this.walkChunk(buf, cutting);
    if (at < 0) this.pending = this.state === FIELD_START && buf[buf.length - 1] === this.newline;
    return at;
  }

  private walkChunk(buf: Buffer, cutting: boolean): number {
    const firstQuote = buf.indexOf(this.quote);
    const end = firstQuote === -1 ? buf.length : firstQuote;
    if (this.state === QUOTED && this.escape === this.quote) {
      // Nothing before the next quote can end the quoted field.
      return firstQuote === -1 ? -1 : this.walkBytes(buf, firstQuote, cutting);
    }
    if (this.state !== FIELD_START && this.state !== UNQUOTED) return this.walkBytes(buf, 0, cutting);
    // Outside quotes, up to the first quote: any line ending ends a record, and the only
    // thing to learn is whether that quote opens a field (comes right after a delimiter or
    // line ending).
    if (cutting) {
      const at = this.cutOutside(buf, end);
      if (at >= 0) {
        this.state = FIELD_START;
        return at;
      }
    }
    if (end > 0) {
      const last = buf[end - 1];
      this.state = last === this.delim || last === LF || last === CR ? FIELD_START : UNQUOTED;
    }
    return firstQuote === -1 ? -1 : this.walkBytes(buf, firstQuote, cutting);
  }

  /** A place to cut among the first `end` bytes of buf, none of them quoted: after a line ending followed by a non-blank line. */
  private cutOutside(buf: Buffer, end: number): number {
    for (let at = buf.indexOf(this.newline); at >= 0 && at < end && at + 1 < buf.length; at = buf.indexOf(this.newline, at + 1)) {
      const next = buf[at + 1];
      if (next !== LF && next !== CR) return at + 1;
    }
    return -1;
  }

  private walkBytes(buf: Buffer, from: number, cutting: boolean): number {
    const { quote, escape, delim, newline } = this;
    const escapes = escape !== quote;
    let state = this.state;
    for (let i = from; i < buf.length; i++) {
      const b = buf[i];
      if (state === QUOTED) {
        if (escapes && b === escape) state = ESCAPED;
        else if (b === quote) state = QUOTE_IN_QUOTED;
        continue;
      }
      if (state === ESCAPED) {
        state = QUOTED;
        continue;
      }
      if (state === QUOTE_IN_QUOTED && b === quote && !escapes) {
        state = QUOTED; // `""`: a literal quote
        continue;
      }
      // Outside quotes (a closing quote falls through here with the byte after it).
      if (b === delim || b === LF || b === CR) {
        state = FIELD_START;
        if (cutting && b === newline && i + 1 < buf.length && buf[i + 1] !== LF && buf[i + 1] !== CR) {
          this.state = state;
          return i + 1;
        }
      } else state = state === FIELD_START && b === quote ? QUOTED : UNQUOTED;
    }
    this.state = state;
    return -1;
  }
}

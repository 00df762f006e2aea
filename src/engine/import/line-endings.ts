import { Transform, type TransformCallback } from 'node:stream';
import { createReadStream } from 'node:fs';

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;

/**
 * Which line endings a text file uses, learnt from its bytes as they stream past (the
 * upload is scanned while it is written to disk, so a file pays no extra read for this).
 *
 * DuckDB's CSV reader wants one kind of line ending per file (`\r\n`, `\n` or `\r`): a
 * file that mixes them stops it with "The CSV Parser state machine reached an invalid
 * state". pandas reads any mix, and such files are common (edited on two systems,
 * concatenated exports), so a file with more than one kind is normalized first
 * (see LineEndingNormalizer). The scan ignores quoting: a line break inside a quoted field
 * of another kind than the file's own (an Excel cell's `\n` in a `\r\n` file) makes the
 * file look mixed, which costs the normalizing pass but changes nothing in the result.
 *
 * Cost: a file without `\r` costs two memchr per chunk; with `\r`, one native regular
 * expression search per chunk, stopped as soon as a second kind is seen.
 */
export class LineEndingScan {
  private crlf = false;
  private lf = false;
  private cr = false;
  /** The previous chunk ended with `\r`: its kind depends on this chunk's first byte. */
  private pendingCr = false;

  update(chunk: Buffer): void {
    if (chunk.length === 0 || this.mixed) return;
    let from = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk[0] === LF) {
        this.crlf = true;
        from = 1;
      } else this.cr = true;
    }
    if (chunk.indexOf(CR, from) === -1) {
      if (chunk.indexOf(LF, from) !== -1) this.lf = true;
      return;
    }
    // A `\r` not followed by `\n` (bare CR) or a `\n` without `\r` before it (bare LF).
    const text = chunk.toString('latin1', from);
    if (text.includes('\r\n')) this.crlf = true;
    for (const m of text.matchAll(/\r(?!\n)|(?<!\r)\n/g)) {
      if (m[0] === '\n') this.lf = true;
      else if (m.index === text.length - 1) this.pendingCr = true;
      else this.cr = true;
      if (this.mixed) return;
    }
  }

  /** The end of the file: a final `\r` is a bare one. */
  end(): void {
    if (this.pendingCr) this.cr = true;
    this.pendingCr = false;
  }

  /** More than one kind of line ending in the file. */
  get mixed(): boolean {
    return Number(this.crlf) + Number(this.lf) + Number(this.cr) > 1;
  }

  /** The file's one kind of line ending; undefined when mixed or when it has none. */
  get only(): '\r\n' | '\n' | '\r' | undefined {
    if (this.mixed) return undefined;
    return this.crlf ? '\r\n' : this.lf ? '\n' : this.cr ? '\r' : undefined;
  }

  get kinds(): { crlf: boolean; lf: boolean; cr: boolean } {
    return { crlf: this.crlf, lf: this.lf, cr: this.cr };
  }
}

/** Scan a whole file (when it did not stream past an upload's LineEndingScan). */
export async function scanLineEndings(file: string): Promise<LineEndingScan> {
  const scan = new LineEndingScan();
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    scan.update(chunk as Buffer);
    if (scan.mixed) break;
  }
  scan.end();
  return scan;
}

// Where the normalizer stands in the CSV grammar (RFC 4180, as pandas and DuckDB read it).
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote inside a quoted field: the field's end, or the first half of `""`. */
const QUOTE_IN_QUOTED = 3;

/**
 * UTF-8 delimited text with every line ending outside quoted fields made `\n` (`\r\n` and a
 * bare `\r` alike); line breaks inside quoted fields stay exactly as they are, so a quoted
 * `"x\r\ny"` is still `x\r\ny` once read. A quote opens a quoted field only at the start of
 * a field, as in pandas' and DuckDB's grammar (`5" pipe` is text). Works on bytes: in UTF-8,
 * `\r`, `\n`, `"` and the delimiters never occur inside a multi-byte character.
 *
 * `delimiter`: the file's delimiter when known (e.g. tab for .tsv); otherwise any of
 * `, ; \t |` counts as one for finding field starts (the dialect is sniffed only after this
 * pass, as DuckDB's sniffer fails on mixed line endings).
 */
export class LineEndingNormalizer extends Transform {
  private state = FIELD_START;
  /** The last byte seen was an unquoted `\r`, already written as `\n`: a `\n` after it goes. */
  private afterCr = false;
  private readonly isDelimiter: Uint8Array;

  constructor(delimiter?: string) {
    super();
    this.isDelimiter = new Uint8Array(256);
    const delimiters = delimiter ? [delimiter] : [',', ';', '\t', '|'];
    for (const d of delimiters) this.isDelimiter[Buffer.from(d)[0]] = 1;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = Buffer.allocUnsafe(chunk.length);
    const isDelimiter = this.isDelimiter;
    let state = this.state;
    let afterCr = this.afterCr;
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (afterCr) {
        afterCr = false;
        if (b === LF) continue;
      }
      if (state === QUOTED) {
        if (b === QUOTE) state = QUOTE_IN_QUOTED;
        out[o++] = b;
        continue;
      }
      if (state === QUOTE_IN_QUOTED && b === QUOTE) {
        state = QUOTED;
        out[o++] = b;
        continue;
      }
      // Outside quotes (a closing quote falls through here with the byte after it).
      if (b === CR) {
        out[o++] = LF;
        afterCr = true;
        state = FIELD_START;
      } else if (b === LF || isDelimiter[b] === 1) {
        out[o++] = b;
        state = FIELD_START;
      } else {
        out[o++] = b;
        state = state === FIELD_START && b === QUOTE ? QUOTED : UNQUOTED;
      }
    }
    this.state = state;
    this.afterCr = afterCr;
    callback(null, out.subarray(0, o));
  }
}

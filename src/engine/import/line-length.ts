import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { ImportError } from './types.ts';

const CR = 0x0d;
const LF = 0x0a;

/**
 * Finds the first line of a text file longer than `maxBytes` bytes, from its bytes as they
 * stream past (an upload is scanned while it is written to disk) or from the file
 * (scanLineLengths). A line is what lies between line breaks (`\n`, `\r\n` or a bare `\r`),
 * the breaks not counted, a UTF-8 byte order mark neither: the measure of DuckDB's
 * `max_line_size` (a line of exactly `maxBytes` bytes is read, one byte more is not;
 * checked with DuckDB 1.5). Quotes are ignored: a quoted field holding line breaks is
 * measured line by line here, and as one record by DuckDB (see csvLineArgs).
 *
 * Why not leave it to DuckDB: past its buffer (`buffer_size`) DuckDB's parallel reader lost
 * such a line without a word (a 40 MB line under the default 2 MB limit: `skippedLines: 0`,
 * the row gone), and it never checks the header line.
 *
 * Cost: one or two backward memchr per `maxBytes` of input (it jumps to the last line
 * break within each window of `maxBytes` bytes), none per line.
 */
export class LineLengthScan {
  readonly maxBytes: number;
  /** The scan for lines longer than DuckDB's parallel reader reads safely (PARALLEL_LINE_BYTES); null in that scan itself. */
  private readonly parallel: LineLengthScan | null;
  /** Bytes seen so far. */
  private position = 0;
  /** Offset in the file of the first byte of the line not yet ended. */
  private lineStart = 0;
  /** Offset in the file where the first line longer than maxBytes starts; null while none is seen. */
  tooLong: number | null = null;

  constructor(maxBytes: number, nested = false) {
    this.maxBytes = maxBytes;
    this.parallel = nested || maxBytes <= PARALLEL_LINE_BYTES ? null : new LineLengthScan(PARALLEL_LINE_BYTES, true);
  }

  /**
   * Some line is longer than PARALLEL_LINE_BYTES: DuckDB must read the file on one thread
   * (csvLineArgs). Known once the scan has ended (or found a line too long).
   */
  get longLines(): boolean {
    return this.parallel !== null && this.parallel.tooLong !== null;
  }

  /** The file's first bytes while fewer than 3 have come (a byte order mark may be cut). */
  private head: Buffer | null = Buffer.alloc(0);

  update(chunk: Buffer): void {
    this.parallel?.update(chunk);
    if (this.tooLong !== null || chunk.length === 0) return;
    if (this.head) {
      chunk = Buffer.concat([this.head, chunk]);
      if (chunk.length < 3) {
        this.head = chunk;
        return;
      }
      this.head = null;
      // DuckDB skips the byte order mark; it is no part of the first line.
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) this.lineStart = 3;
    }
    const hasCr = chunk.indexOf(CR) !== -1;
    const lastBreak = (from: number, to: number): number => {
      // The last break in chunk[from, to), or -1.
      const window = chunk.subarray(from, to);
      const at = Math.max(window.lastIndexOf(LF), hasCr ? window.lastIndexOf(CR) : -1);
      return at < 0 ? -1 : from + at;
    };
    // The current line's start relative to this chunk (negative: it began in an earlier one).
    let start = this.lineStart - this.position;
    // The line starting at `start` is at most maxBytes long when a break lies within the
    // maxBytes bytes from it or right after them; then every line up to the last such break is.
    while (start + this.maxBytes < chunk.length) {
      const from = Math.max(start, 0);
      const brk = lastBreak(from, start + this.maxBytes + 1);
      if (brk < 0) {
        this.tooLong = this.position + start;
        return;
      }
      start = brk + 1;
    }
    const brk = lastBreak(Math.max(start, 0), chunk.length);
    if (brk >= 0) start = brk + 1;
    this.lineStart = this.position + start;
    this.position += chunk.length;
  }

  /** The end of the file: its last line may have no line break after it. */
  end(): void {
    this.parallel?.end();
    if (this.head) {
      const head = this.head;
      this.head = null;
      this.update(head);
    }
    if (this.tooLong === null && this.position - this.lineStart > this.maxBytes) this.tooLong = this.lineStart;
  }
}

/**
 * The longest line DuckDB's parallel CSV reader is left to read: its default max_line_size,
 * with its default buffer_size of 32 MB (16 lines). With longer lines and a buffer only a
 * few lines long the parallel reader lost lines without a word or a rejected line (DuckDB
 * 1.5, 2 threads: 16 MB lines in 32 MB buffers lost 1 of 17; 8 MB lines in 2 × 8 MB + 1000
 * byte buffers lost 22 of 47), where the reader on one thread (`parallel = false`) lost none.
 */
export const PARALLEL_LINE_BYTES = 2_000_000;

/** Scan a whole file (one that did not stream past a LineLengthScan, e.g. a re-encoded one). */
export async function scanLineLengths(file: string, maxBytes: number): Promise<LineLengthScan> {
  const scan = new LineLengthScan(maxBytes);
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    scan.update(chunk as Buffer);
    if (scan.tooLong !== null) return scan;
  }
  scan.end();
  return scan;
}

/**
 * The 1-based number of the line of `file` holding byte `offset` (any byte but the `\n` of a
 * `\r\n`; e.g. a line's start, as LineLengthScan and DuckDB's rejects give), as a person counts lines
 * (an editor's line numbers): every `\n`, `\r\n` and bare `\r` before it ends one line. A
 * re-encoded file has as many lines as its original (encoding.ts keeps every line break),
 * so its numbers are the original's. Read only when a refusal or a report names a line.
 */
export async function lineNumberAt(file: string, offset: number): Promise<number> {
  return (await lineNumbersAt(file, [offset]))[0];
}

/**
 * lineNumberAt for several byte offsets (in any order), in one read of `file` up to the
 * largest: the numbers in the order of `offsets`.
 */
export async function lineNumbersAt(file: string, offsets: readonly number[]): Promise<number[]> {
  const order = offsets.map((_, i) => i).sort((a, b) => offsets[a] - offsets[b]);
  const numbers: number[] = new Array(offsets.length);
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(1024 * 1024);
    let line = 1;
    let afterCr = false;
    let next = 0;
    for (let position = 0; next < order.length; ) {
      // Offsets up to here have their line: every break before them is counted.
      while (next < order.length && offsets[order[next]] <= position) numbers[order[next++]] = line;
      if (next === order.length) break;
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, offsets[order[next]] - position), position);
      if (bytesRead === 0) {
        while (next < order.length) numbers[order[next++]] = line;
        break;
      }
      for (let i = 0; i < bytesRead; i++) {
        const b = buf[i];
        if (b === LF) {
          if (!afterCr) line++;
          afterCr = false;
        } else if (b === CR) {
          line++;
          afterCr = true;
        } else afterCr = false;
      }
      position += bytesRead;
    }
    return numbers;
  } finally {
    await handle.close();
  }
}

/**
 * The refusal of a file with a line longer than `maxBytes` (config MAX_LINE_BYTES): 400
 * `line too long`, naming the line (1-based; null: unknown), the limit and its variable.
 * Lines are measured in UTF-8, as DuckDB reads them: a file in another encoding is
 * measured once re-encoded (a Latin-1 `é` is two bytes).
 */
export function lineTooLong(line: number | null, maxBytes: number): ImportError {
  const which = line === null ? 'a line' : `line ${line}`;
  return new ImportError('line too long', `${which} of the file is longer than ${maxBytes} bytes (in UTF-8), the longest line accepted (MAX_LINE_BYTES)`);
}

/** Refuse `file` (lineTooLong) when `scan`, made of its bytes, found a line longer than its limit. */
export async function assertLineLengths(file: string, scan: LineLengthScan): Promise<void> {
  if (scan.tooLong !== null) throw lineTooLong(await lineNumberAt(file, scan.tooLong), scan.maxBytes);
}

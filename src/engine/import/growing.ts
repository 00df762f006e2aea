import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * An upload still being written to disk, so that the import can start on what has arrived
 * while the rest streams in. The upload calls `grew` after each chunk is on disk, then
 * `complete` or `fail`; the import waits with `atLeast` and `ended`, and `feed` copies the
 * file's bytes into a pipe as they arrive.
 */
export class GrowingFile {
  readonly path: string;
  /** Bytes on disk so far. */
  written = 0;
  /** When the first bytes arrived (performance.now()). */
  private firstAt = 0;
  private state: 'growing' | 'complete' | 'failed' = 'growing';
  private waiters: (() => void)[] = [];

  constructor(file: string) {
    this.path = file;
  }

  grew(bytes: number): void {
    if (this.written === 0) this.firstAt = performance.now();
    this.written += bytes;
    this.wake();
  }
  complete(): void {
    this.state = 'complete';
    this.wake();
  }
  fail(): void {
    if (this.state === 'growing') this.state = 'failed';
    this.wake();
  }
  get isComplete(): boolean {
    return this.state === 'complete';
  }
  get hasEnded(): boolean {
    return this.state !== 'growing';
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
  private change(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Bytes per second since the first bytes arrived (0 before any). */
  rate(): number {
    const seconds = (performance.now() - this.firstAt) / 1000;
    return this.written === 0 ? 0 : this.written / Math.max(seconds, 1e-3);
  }

  /** Resolves once `bytes` are on disk or the upload has ended. */
  async atLeast(bytes: number): Promise<void> {
    while (this.state === 'growing' && this.written < bytes) await this.change();
  }

  /** Resolves when the upload has ended: true when it is complete, false when it failed. */
  async ended(): Promise<boolean> {
    while (this.state === 'growing') await this.change();
    return this.state === 'complete';
  }

  /**
   * Write the file from its first byte into `out` as it arrives, and end `out` once the
   * upload is complete; `out` is destroyed when the upload fails or `stop()` is called.
   * With `split`, the pipe may instead end at a record boundary once the upload is complete
   * (see StreamSplit), the rest being left to a parallel read of the file. Resolves with the
   * bytes written.
   */
  async feed(out: net.Socket, stopped: () => boolean, split?: StreamSplit): Promise<number> {
    const handle = await fsp.open(this.path, 'r');
    // Two buffers used in turn, each read into again once the pipe has taken its bytes: a
    // new buffer for every read made the garbage collector the event loop's largest cost.
    const buffers = [Buffer.allocUnsafe(FEED_BYTES), Buffer.allocUnsafe(FEED_BYTES)];
    const inPipe: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
    let turn = 0;
    let position = 0;
    // Where the pipe ends when the upload was split (null: at the file's end).
    let end: number | null = null;
    try {
      for (;;) {
        if (stopped() || out.destroyed) return position;
        if (split && end === null && this.state === 'complete') {
          end = (await split.cutAfter(handle, position, this.written)) ?? this.written;
          if (stopped() || out.destroyed) return position;
        }
        const limit = end ?? this.written;
        if (position < limit) {
          await inPipe[turn];
          if (stopped() || out.destroyed) return position;
          const length = Math.min(FEED_BYTES, limit - position);
          const { bytesRead } = await handle.read(buffers[turn], 0, length, position);
          split?.fed(buffers[turn].subarray(0, bytesRead), position);
          position += bytesRead;
          inPipe[turn] = taken(out, buffers[turn].subarray(0, bytesRead));
          turn ^= 1;
          continue;
        }
        if (this.state === 'failed') {
          out.destroy();
          return position;
        }
        if (this.state === 'complete' && (split === undefined || end !== null)) {
          await Promise.all(inPipe);
          await new Promise<void>((resolve) => out.end(() => resolve()));
          out.destroy();
          return position;
        }
        await this.change();
      }
    } finally {
      await handle.close();
    }
  }
}

/** Bytes of the upload one read of `feed` moves into the pipe. */
const FEED_BYTES = 1024 * 1024;

const QUOTES = [0x22, 0x27];

/**
 * Where a streamed upload's pipe may end so that the rest of the file, read from the file
 * itself once it has arrived, starts exactly at a record: just after a line ending (the
 * file's one kind, `newLine`), with no quote character of the dialect anywhere before it,
 * so that the line ending cannot be inside a quoted field (whatever the quoting rules, a
 * field is quoted only from a quote on). A file with a quote before the cut is not split.
 * The cut is also at least `minHead` bytes in (the head the dialect, header and initial
 * skip were read from lies wholly before it) and leaves at least `minTail` bytes after it.
 *
 * The reader sets `quote` once it knows the dialect (null: no quoting); until then no cut is
 * made. `cut` is the offset chosen, once `cutAfter` has chosen one.
 */
export class StreamSplit {
  quote: string | null | undefined = undefined;
  cut: number | null = null;
  private readonly newLineByte: number;
  private readonly minHead: number;
  private readonly minTail: number;
  /** Offset of the first `"` and `'` fed to the pipe. */
  private readonly firstQuote = new Map<number, number>();
  /** Resolves with the cut as soon as it is chosen (the pipe is then still being fed up to it). */
  readonly decided: Promise<number>;
  private decide: (cut: number) => void = () => {};

  constructor(newLine: '\n' | '\r\n' | '\r', minHead: number, minTail: number) {
    this.newLineByte = newLine === '\r' ? 0x0d : 0x0a;
    this.decided = new Promise((resolve) => (this.decide = resolve));
    this.minHead = minHead;
    this.minTail = minTail;
  }

  /** `chunk`, at `position` of the file, went into the pipe. */
  fed(chunk: Buffer, position: number): void {
    for (const q of QUOTES) {
      if (this.firstQuote.has(q)) continue;
      const at = chunk.indexOf(q);
      if (at >= 0) this.firstQuote.set(q, position + at);
    }
  }

  /**
   * The offset to end the pipe at, at or after `position` (what was fed so far) in a file of
   * `size` bytes, or null to feed it whole.
   */
  async cutAfter(handle: fsp.FileHandle, position: number, size: number): Promise<number | null> {
    if (this.quote === undefined || (this.quote !== null && this.quote.length !== 1)) return null;
    const quote = this.quote === null ? -1 : this.quote.charCodeAt(0);
    if (quote > 0x7f) return null;
    if (quote >= 0 && (!QUOTES.includes(quote) || this.firstQuote.has(quote))) return null;
    const buf = Buffer.allocUnsafe(FEED_BYTES);
    for (let from = position; size - from >= this.minTail; ) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - from), from);
      if (bytesRead === 0) return null;
      const chunk = buf.subarray(0, bytesRead);
      const skip = Math.max(0, this.minHead - from);
      const nl = skip < bytesRead ? chunk.indexOf(this.newLineByte, skip) : -1;
      const quoteAt = quote >= 0 ? chunk.indexOf(quote) : -1;
      if (quoteAt >= 0 && (nl < 0 || quoteAt < nl)) return null;
      if (nl >= 0) {
        const cut = from + nl + 1;
        if (size - cut < this.minTail) return null;
        this.cut = cut;
        this.decide(cut);
        return cut;
      }
      from += bytesRead;
    }
    return null;
  }
}

/** Resolves once `out` has taken `chunk` (or is closed), so that its buffer may be reused. */
function taken(out: net.Socket, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('close', done);
      resolve();
    };
    out.once('close', done);
    out.write(chunk, done);
  });
}

/**
 * A pipe DuckDB can read a file from while we write it: a FIFO opened read-write and
 * non-blocking (so neither side waits for the other to open it), its name removed at once;
 * DuckDB opens it as /proc/self/fd/N. Destroying `socket` closes our end: DuckDB then sees
 * the end of the file.
 */
export async function readablePipe(scratchDir: string): Promise<{ path: string; socket: net.Socket }> {
  const fifo = path.join(scratchDir, `upload-${crypto.randomBytes(6).toString('hex')}.pipe`);
  await run('mkfifo', ['-m', '600', fifo]);
  let fd: number;
  try {
    fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  } finally {
    await fsp.rm(fifo, { force: true });
  }
  return { path: `/proc/self/fd/${fd}`, socket: new net.Socket({ fd, readable: false, writable: true }) };
}

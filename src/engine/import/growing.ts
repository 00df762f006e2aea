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
   * Resolves with the bytes written.
   */
  async feed(out: net.Socket, stopped: () => boolean): Promise<number> {
    const handle = await fsp.open(this.path, 'r');
    // Two buffers used in turn, each read into again once the pipe has taken its bytes: a
    // new buffer for every read made the garbage collector the event loop's largest cost.
    const buffers = [Buffer.allocUnsafe(FEED_BYTES), Buffer.allocUnsafe(FEED_BYTES)];
    const inPipe: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
    let turn = 0;
    let position = 0;
    try {
      for (;;) {
        if (stopped() || out.destroyed) return position;
        if (position < this.written) {
          await inPipe[turn];
          if (stopped() || out.destroyed) return position;
          const length = Math.min(FEED_BYTES, this.written - position);
          const { bytesRead } = await handle.read(buffers[turn], 0, length, position);
          position += bytesRead;
          inPipe[turn] = taken(out, buffers[turn].subarray(0, bytesRead));
          turn ^= 1;
          continue;
        }
        if (this.state === 'failed') {
          out.destroy();
          return position;
        }
        if (this.state === 'complete') {
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

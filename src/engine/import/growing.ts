import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RecordCutter } from './record-cut.ts';

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
   *
   * With `split`, the file is fed in two parts (see TailSplit): once the upload is complete,
   * the rest past a record boundary a little ahead of what the pipe has taken is copied to
   * `split.path`, and `out` ends at that boundary only once the copy is whole, so that the
   * reader, which opens the tail file when the pipe ends, finds it complete.
   *
   * Resolves with the bytes written: to `out`, and from where the tail starts (the file's
   * length when it has none).
   */
  async feed(out: net.Socket, stopped: () => boolean, split?: TailSplit): Promise<{ piped: number; tailFrom: number }> {
    const handle = await fsp.open(this.path, 'r');
    // Two buffers used in turn, each read into again once the pipe has taken its bytes: a
    // new buffer for every read made the garbage collector the event loop's largest cost.
    const buffers = [Buffer.allocUnsafe(FEED_BYTES), Buffer.allocUnsafe(FEED_BYTES)];
    const inPipe: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
    let turn = 0;
    let position = 0;
    // Until the dialect is known nothing is fed: the reader sniffs the head first anyway.
    const cutter = split ? await split.cutter : null;
    /** Where the pipe's part ends, once decided; the tail copy that must be whole before it ends. */
    let end: number | null = null;
    let tail: Promise<void> | null = null;
    const result = () => ({ piped: position, tailFrom: end ?? position });
    try {
      for (;;) {
        if (stopped() || out.destroyed) return result();
        if (end === null && cutter && split && this.state === 'complete') {
          end = this.written;
          const at = await cutAhead(handle, cutter, position, position + split.aheadBytes, this.written - split.minTailBytes);
          if (at !== null) {
            end = at;
            tail = copyRange(handle, split.path, at, this.written);
            tail.catch(() => {}); // awaited below
          }
        }
        const limit = end ?? this.written;
        if (position < limit) {
          await inPipe[turn];
          if (stopped() || out.destroyed) return result();
          const length = Math.min(FEED_BYTES, limit - position);
          const { bytesRead } = await handle.read(buffers[turn], 0, length, position);
          if (end === null) cutter?.pass(buffers[turn].subarray(0, bytesRead));
          position += bytesRead;
          inPipe[turn] = taken(out, buffers[turn].subarray(0, bytesRead));
          turn ^= 1;
          continue;
        }
        if (this.state === 'failed') {
          out.destroy();
          return result();
        }
        if (this.state === 'complete') {
          await Promise.all(inPipe);
          await tail;
          await new Promise<void>((resolve) => out.end(() => resolve()));
          out.destroy();
          return result();
        }
        await this.change();
      }
    } catch (err) {
      // The reader must not wait on a pipe nobody feeds any more: it sees the end, and the
      // caller, seeing this fail, throws its result away.
      out.destroy();
      throw err;
    } finally {
      await tail?.catch(() => {});
      await handle.close();
    }
  }
}

/**
 * How `feed` splits a file in two parts read one after the other, the first through the
 * pipe as the upload arrives, the rest from a file on disk once it has (which DuckDB can
 * read on all its threads, a pipe only on one).
 */
export interface TailSplit {
  /** The tail file: exists (empty) before the read starts, written in place. */
  path: string;
  /** Resolves once the dialect is known: how to find record boundaries, or null for no split. */
  cutter: Promise<RecordCutter | null>;
  /** How far past what the pipe has taken the cut goes, so that the pipe keeps its reader busy while the tail is copied. */
  aheadBytes: number;
  /** A smaller tail is not split off (the copy would cost more than the threads save). */
  minTailBytes: number;
}

/**
 * The first place at or after `from` + whatever the cutter needs where the file may be
 * cut, looking at bytes [from, …) once each (the cutter must have taken in all before
 * `from`), scanning without cutting up to `ahead`; null when there is none before `last`.
 */
async function cutAhead(handle: fsp.FileHandle, cutter: RecordCutter, from: number, ahead: number, last: number): Promise<number | null> {
  const buf = Buffer.allocUnsafe(FEED_BYTES);
  let position = from;
  while (position < last) {
    const length = Math.min(FEED_BYTES, last - position);
    const { bytesRead } = await handle.read(buf, 0, length, position);
    if (bytesRead === 0) return null;
    const chunk = buf.subarray(0, bytesRead);
    if (position + bytesRead <= ahead) cutter.pass(chunk);
    else if (position >= ahead) {
      const at = cutter.cut(chunk);
      if (at >= 0) return position + at;
    } else {
      cutter.pass(chunk.subarray(0, ahead - position));
      const at = cutter.cut(chunk.subarray(ahead - position));
      if (at >= 0) return ahead + at;
    }
    position += bytesRead;
  }
  return null;
}

/** Copy bytes [from, to) of an open file into `target` (which exists; written from its start). */
async function copyRange(handle: fsp.FileHandle, target: string, from: number, to: number): Promise<void> {
  const out = await fsp.open(target, 'r+');
  try {
    const buf = Buffer.allocUnsafe(COPY_BYTES);
    for (let position = from; position < to; ) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(COPY_BYTES, to - position), position);
      if (bytesRead === 0) throw new Error(`the upload ended at ${position} bytes, before the ${to} it had`);
      await out.write(buf.subarray(0, bytesRead), 0, bytesRead, position - from);
      position += bytesRead;
    }
  } finally {
    await out.close();
  }
}

/** Bytes one read of the tail copy moves. */
const COPY_BYTES = 4 * 1024 * 1024;

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

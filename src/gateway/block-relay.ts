import type { ServerResponse } from 'node:http';
import type { ExportStream } from '../engine/export.ts';

/** Bytes of one block written to the response. */
export const BLOCK_BYTES = 1024 * 1024;
/**
 * Blocks written or waiting, not yet taken by the response, past which the pipe is no longer
 * read (and DuckDB waits). The socket's own high-water mark (16 KB) would stop the reading at
 * every 64 KB the pipe holds, and DuckDB's writers with it each time the client is late.
 */
export const MAX_BLOCKS = 4;
/** A block not full after this long is written as it is, so that slow bytes never wait (ms). */
export const FLUSH_AFTER_MS = 20;

/**
 * DuckDB's bytes of an export carried to an HTTP response in blocks of BLOCK_BYTES: each
 * chunk read from the pipe is copied into the current block, written once full (or after
 * FLUSH_AFTER_MS, or at the end). Blocks are reused once the response has taken them, so a
 * download allocates a few blocks instead of a buffer every 64 KB, whose garbage collection
 * was the largest cost of a download, and makes one write per MB instead of per 64 KB.
 * Until `start(res)` the blocks wait, and the pipe pauses likewise once MAX_BLOCKS wait.
 */
export class BlockRelay {
  private readonly exp: ExportStream;
  private res: ServerResponse | null = null;
  private readonly free: Buffer[] = [];
  private block: Buffer | null = null;
  private used = 0;
  /** Blocks handed out (waiting for `start`, or written and not yet taken). */
  private out = 0;
  private readonly waiting: { view: Buffer; block: Buffer }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private closed = false;
  private onFirst!: () => void;
  /** Resolves at DuckDB's first byte, or at the end of its part when it wrote none. */
  readonly first: Promise<void> = new Promise((resolve) => (this.onFirst = resolve));
  private onEnd!: () => void;
  /** Resolves once every byte of DuckDB's part has been handed to the response (after `start`). */
  readonly ended: Promise<void> = new Promise((resolve) => (this.onEnd = resolve));
  private pipeEnded = false;

  constructor(exp: ExportStream) {
    this.exp = exp;
    exp.stream.once('end', () => {
      this.pipeEnded = true;
      this.onFirst();
      this.emit();
      this.finishIfDone();
    });
    exp.receive((buffer, length) => this.take(buffer, length));
  }

  /** Write the blocks that waited, and every later one, to `res`. */
  start(res: ServerResponse): void {
    this.res = res;
    res.once('close', () => this.close());
    for (const { view, block } of this.waiting.splice(0)) this.write(view, block);
    this.finishIfDone();
  }

  /** The response is gone: bytes still to come are dropped, the pipe flows on. */
  private close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.exp.stream.resume();
  }

  private take(chunk: Buffer, length: number): void {
    this.onFirst();
    if (this.closed) return;
    for (let at = 0; at < length; ) {
      if (!this.block) {
        this.block = this.free.pop() ?? Buffer.allocUnsafe(BLOCK_BYTES);
        this.used = 0;
      }
      const copied = chunk.copy(this.block, this.used, at, length);
      this.used += copied;
      at += copied;
      if (this.used === BLOCK_BYTES) this.emit();
    }
    if (this.used > 0 && !this.timer) this.timer = setTimeout(() => this.emit(), FLUSH_AFTER_MS);
  }

  /** Hand the current block's bytes on (or to the waiting list before `start`). */
  private emit(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.block || this.used === 0 || this.closed) return;
    const view = this.block.subarray(0, this.used);
    const block = this.block;
    this.block = null;
    this.used = 0;
    this.out++;
    if (this.res) this.write(view, block);
    else this.waiting.push({ view, block });
    if (this.out >= MAX_BLOCKS && !this.paused) {
      this.paused = true;
      this.exp.stream.pause();
    }
  }

  private write(view: Buffer, block: Buffer): void {
    this.res!.write(view, () => {
      this.out--;
      this.free.push(block);
      if (this.paused && this.out < MAX_BLOCKS && !this.closed) {
        this.paused = false;
        this.exp.stream.resume();
      }
      this.finishIfDone();
    });
  }

  private finishIfDone(): void {
    if (this.pipeEnded && this.res && this.waiting.length === 0) this.onEnd();
  }
}

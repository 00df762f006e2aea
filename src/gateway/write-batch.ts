import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one write to disk (see WriteBatch). */
export const UPLOAD_WRITE_BYTES = 1024 * 1024;

/**
 * The upload's chunks written to disk in batches of about UPLOAD_WRITE_BYTES with one
 * writev each: the parser hands over chunks of a few dozen KB, and one write (a thread-pool
 * request and a promise) per chunk cost the event loop more CPU than the bytes themselves,
 * CPU a streamed import's DuckDB threads were waiting for. `written` is told each batch's
 * size once it is on disk.
 */
export class WriteBatch {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private readonly sink: Pick<FileHandle, 'write' | 'writev'>;
  private readonly written: (bytes: number) => void;

  constructor(sink: Pick<FileHandle, 'write' | 'writev'>, written: (bytes: number) => void) {
    this.sink = sink;
    this.written = written;
  }

  async add(chunk: Buffer): Promise<void> {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= UPLOAD_WRITE_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.bytes === 0) return;
    const chunks = this.chunks;
    const bytes = this.bytes;
    this.chunks = [];
    this.bytes = 0;
    const { bytesWritten } = await this.sink.writev(chunks);
    // writev may write less than asked (a signal, a nearly full disk): the rest goes after it.
    const rest = bytesWritten < bytes ? Buffer.concat(chunks).subarray(bytesWritten) : null;
    for (let at = 0; rest && at < rest.length; ) {
      const wrote = (await this.sink.write(rest, at)).bytesWritten;
      if (wrote === 0) throw new Error('the upload could not be written to disk (no byte written)');
      at += wrote;
    }
    this.written(bytes);
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WriteBatch, UPLOAD_WRITE_BYTES } from './write-batch.ts';

const chunk = (size: number, byte: number) => Buffer.alloc(size, byte);

test('chunks reach the file whole and in order, reported once each batch is on disk', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'write-batch-'));
  const file = path.join(dir, 'upload');
  const handle = await fsp.open(file, 'w');
  const reported: number[] = [];
  try {
    const batch = new WriteBatch(handle, (bytes) => reported.push(bytes));
    const chunks = Array.from({ length: 70 }, (_, i) => chunk(40_000 + i, i));
    for (const c of chunks) await batch.add(c);
    // Under the batch size nothing is written yet; a whole batch was.
    assert.ok(reported.length >= 2, `batches written so far: ${reported.length}`);
    assert.ok(reported.every((b) => b >= UPLOAD_WRITE_BYTES));
    await batch.flush();
    await batch.flush(); // nothing left: no empty write reported
    const expected = Buffer.concat(chunks);
    assert.equal(reported.reduce((a, b) => a + b, 0), expected.length);
    assert.ok(reported.length < chunks.length / 10, `one write for several chunks, got ${reported.length} writes`);
    await handle.close();
    assert.ok((await fsp.readFile(file)).equals(expected));
  } finally {
    await handle.close().catch(() => {});
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

test('a short writev is completed by further writes; a write of nothing fails', async () => {
  const out: Buffer[] = [];
  const sink = {
    // Writes only half of what it is given, as a signal or a nearly full disk can make it.
    writev: async (buffers: Buffer[]) => {
      const all = Buffer.concat(buffers);
      out.push(all.subarray(0, all.length >> 1));
      return { bytesWritten: all.length >> 1, buffers };
    },
    write: async (buffer: Buffer, offset = 0) => {
      const part = buffer.subarray(offset, offset + 1000);
      out.push(part);
      return { bytesWritten: part.length, buffer };
    },
  };
  const reported: number[] = [];
  const batch = new WriteBatch(sink as never, (bytes) => reported.push(bytes));
  const data = Buffer.from(Array.from({ length: UPLOAD_WRITE_BYTES + 12_345 }, (_, i) => i % 251));
  await batch.add(data);
  assert.ok(Buffer.concat(out).equals(data));
  assert.deepEqual(reported, [data.length]);

  const stuck = new WriteBatch({ writev: async (b: Buffer[]) => ({ bytesWritten: 0, buffers: b }), write: async (b: Buffer) => ({ bytesWritten: 0, buffer: b }) } as never, () => {});
  await stuck.add(chunk(10, 1));
  await assert.rejects(stuck.flush(), /could not be written to disk/);
});

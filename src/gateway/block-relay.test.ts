import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { BlockRelay, BLOCK_BYTES, MAX_BLOCKS } from './block-relay.ts';
import type { ExportStream } from '../engine/export.ts';
import type { ServerResponse } from 'node:http';

/** An export whose pipe is driven by the test: `send` delivers bytes through one reused buffer. */
function fakeExport() {
  const stream = Object.assign(new EventEmitter(), { paused: false, pause() { this.paused = true; }, resume() { this.paused = false; } });
  let to: (buffer: Buffer, length: number) => void = () => {};
  const reused = Buffer.alloc(64 * 1024);
  const send = (bytes: Buffer) => {
    for (let at = 0; at < bytes.length; at += reused.length) {
      const n = bytes.copy(reused, 0, at, Math.min(bytes.length, at + reused.length));
      to(reused, n);
      reused.fill(0xee); // what the relay kept must be a copy
    }
  };
  const exp = { stream, receive: (f: typeof to) => (to = f), head: '', tail: '', finished: Promise.resolve(), abort() {} } as unknown as ExportStream;
  return { exp, stream, send };
}

/** A response that takes its writes only when the test says so. */
function fakeResponse() {
  const res = Object.assign(new EventEmitter(), {
    got: [] as Buffer[],
    pending: [] as (() => void)[],
    write(view: Buffer, done: () => void) {
      res.got.push(Buffer.from(view));
      res.pending.push(done);
      return false;
    },
    takeAll() {
      for (const done of res.pending.splice(0)) done();
    },
  });
  return res;
}

const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) % 256));

test('bytes reach the response whole, in order, in blocks, after waiting for start; the pipe pauses while blocks are not taken', async () => {
  const { exp, stream, send } = fakeExport();
  const relay = new BlockRelay(exp);
  const data = bytes(BLOCK_BYTES * (MAX_BLOCKS + 2) + 12_345);
  let first = false;
  void relay.first.then(() => (first = true));
  send(data.subarray(0, BLOCK_BYTES * MAX_BLOCKS));
  await Promise.resolve();
  assert.ok(first, 'the first byte is announced');
  assert.ok(stream.paused, `paused with ${MAX_BLOCKS} blocks waiting for start`);
  const res = fakeResponse();
  relay.start(res as unknown as ServerResponse);
  assert.equal(res.got.length, MAX_BLOCKS, 'the waiting blocks are written at start');
  assert.ok(stream.paused, 'still paused: the response has taken none');
  res.takeAll();
  assert.ok(!stream.paused, 'resumed once the response took them');
  send(data.subarray(BLOCK_BYTES * MAX_BLOCKS));
  let ended = false;
  void relay.ended.then(() => (ended = true));
  stream.emit('end');
  await Promise.resolve();
  assert.ok(ended);
  assert.ok(Buffer.concat(res.got).equals(data));
  assert.ok(res.got.every((b) => b.length <= BLOCK_BYTES));
});

test('a closed response drops what still comes and lets the pipe flow', async () => {
  const { exp, stream, send } = fakeExport();
  const relay = new BlockRelay(exp);
  const res = fakeResponse();
  relay.start(res as unknown as ServerResponse);
  send(bytes(BLOCK_BYTES * MAX_BLOCKS));
  assert.ok(stream.paused);
  res.emit('close');
  assert.ok(!stream.paused);
  const written = res.got.length;
  send(bytes(BLOCK_BYTES * 3));
  assert.equal(res.got.length, written, 'nothing written after close');
});

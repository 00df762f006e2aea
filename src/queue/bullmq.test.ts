import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partitionOf, resultMessageSchema } from './bullmq.ts';
import { loadConfig } from '../config.ts';
import { newSessionId } from '../store/session-id.ts';

test('partitionOf: the same partition for a session on every process, in range, spread evenly', () => {
  assert.equal(partitionOf('0123456789abcdef0123456789abcd', 16), partitionOf('0123456789abcdef0123456789abcd', 16));
  const counts = new Array(16).fill(0);
  for (let i = 0; i < 16_000; i++) counts[partitionOf(newSessionId(), 16)]++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, `partition sizes ${counts.join(',')}`);
  assert.equal(partitionOf('abc', 1), 0);
});

test('a result message is validated on arrival', () => {
  const job = { operation: 'metadata', sessionID: '0123456789abcdef0123456789abcd', requestID: 'r1', body: {}, jobId: 'j1' };
  assert.equal(resultMessageSchema.safeParse({ jobId: 'j1', job, result: { message: { success: true }, dataChanged: false } }).success, true);
  assert.equal(resultMessageSchema.safeParse({ jobId: 'j1', job, result: { message: { success: true } } }).success, false);
  assert.equal(resultMessageSchema.safeParse({ job, result: { message: {}, dataChanged: false } }).success, false);
});

test('config: REDIS_URL selects the BullMQ queue; QUEUE=bullmq without it is refused', () => {
  assert.equal(loadConfig({}).QUEUE, 'embedded');
  const c = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PARTITIONS: '8' });
  assert.equal(c.QUEUE, 'bullmq');
  assert.equal(c.QUEUE_PARTITIONS, 8);
  assert.equal(c.REDIS_PREFIX, 'willow');
  assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE: 'embedded' }).QUEUE, 'embedded');
  assert.throws(() => loadConfig({ QUEUE: 'bullmq' }), /QUEUE=bullmq needs REDIS_URL/);
  assert.throws(() => loadConfig({ REDIS_URL: 'localhost:6379' }), /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  assert.throws(() => loadConfig({ REDIS_URL: 'redis://x', QUEUE_PARTITIONS: '0' }), /QUEUE_PARTITIONS/);
});

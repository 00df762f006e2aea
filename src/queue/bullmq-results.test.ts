import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { BullmqQueue, partitionName, resultsChannel } from './bullmq.ts';
import { requireRedis, deleteKeys } from '../../test/helpers/cluster.ts';
import { createLogger } from '../log.ts';
import type { Job, JobResult } from './job.ts';

// Every gateway receives every result over Redis (to reach its own clients of the session);
// each must tell its own jobs from the others', or its per-session bound on outstanding
// requests (MAX_QUEUED_PER_SESSION) is lowered by jobs it never counted.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

test('a result reaches every gateway, marked as its own only on the gateway that submitted the job', async () => {
  await requireRedis(REDIS_URL);
  const prefix = `willow-test-results-${crypto.randomBytes(4).toString('hex')}`;
  const settings = { redisUrl: REDIS_URL, prefix, partitions: 1, log: createLogger('silent') };
  const seen: { gateway: string; mine: boolean | undefined; requestID: unknown }[] = [];
  const listener = (gateway: string) => (job: Job, _result: JobResult, mine?: boolean) => seen.push({ gateway, mine, requestID: job.requestID });
  const one = await BullmqQueue.open(settings, listener('one'));
  const two = await BullmqQueue.open(settings, listener('two'));
  const publisher = new Redis(REDIS_URL);
  try {
    const sessionID = 'a'.repeat(30);
    await two.submit({ operation: 'metadata', sessionID, requestID: 'r1', body: { sessionID } });
    // No worker runs: the job waits in Redis; its id is what a worker would publish with.
    const partition = new Queue(partitionName(0), { connection: publisher, prefix });
    const [waiting] = await partition.getJobs(['wait']);
    await partition.close();
    assert.ok(waiting, 'the job is queued');
    const job = { ...waiting.data, jobId: String(waiting.id) };
    const result = { message: { operation: 'metadata', sessionID, requestID: 'r1', success: true }, dataChanged: false };
    await publisher.publish(resultsChannel(prefix), JSON.stringify({ jobId: job.jobId, job, result }));
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      seen.sort((a, b) => a.gateway.localeCompare(b.gateway)),
      [
        { gateway: 'one', mine: false, requestID: 'r1' },
        { gateway: 'two', mine: true, requestID: 'r1' },
      ],
    );
  } finally {
    publisher.disconnect();
    await one.close();
    await two.close();
    await deleteKeys(REDIS_URL, prefix);
  }
});

test('a result carries integers beyond 2^53 exactly from the worker to the gateway (the results channel is JSON text)', async () => {
  await requireRedis(REDIS_URL);
  const prefix = `willow-test-results-${crypto.randomBytes(4).toString('hex')}`;
  const settings = { redisUrl: REDIS_URL, prefix, partitions: 1, log: createLogger('silent') };
  const delivered: JobResult[] = [];
  const gateway = await BullmqQueue.open(settings, (_job, result) => delivered.push(result));
  const publisher = new Redis(REDIS_URL);
  try {
    const sessionID = 'b'.repeat(30);
    const job = { operation: 'analyze', sessionID, requestID: 'r2', body: { sessionID }, jobId: 'exact-1' };
    // As a worker publishes it: JSON.stringify of a reply whose values are JSON.rawJSON.
    const data = { min: JSON.rawJSON('-9223372036854775808'), max: JSON.rawJSON('123456789012345678'), mode: [JSON.rawJSON('9007199254740993')], frequencies: [[JSON.rawJSON('9007199254740993'), 2]], mean: 1.5 };
    const result = { message: { operation: 'analyze', sessionID, requestID: 'r2', success: true, data }, dataChanged: false };
    await publisher.publish(resultsChannel(prefix), JSON.stringify({ jobId: job.jobId, job, result }));
    for (let i = 0; i < 100 && delivered.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(delivered.length, 1);
    // What the gateway hands to Socket.IO, written as its encoder writes it.
    assert.equal(
      JSON.stringify(delivered[0].message.data),
      '{"min":-9223372036854775808,"max":123456789012345678,"mode":[9007199254740993],"frequencies":[[9007199254740993,2]],"mean":1.5}',
    );
  } finally {
    publisher.disconnect();
    await gateway.close();
    await deleteKeys(REDIS_URL, prefix);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { runShutdown } from './shutdown.ts';

const log = pino({ level: 'silent' });
const never = () => new Promise<void>(() => undefined);

test('a shutdown step that never ends is abandoned at the deadline; later local steps still run, others are reported', async () => {
  const ran: string[] = [];
  const started = performance.now();
  const abandoned = await runShutdown(
    [
      { name: 'http', run: () => void ran.push('http') },
      { name: 'redis', run: never },
      { name: 'adapter', run: () => void ran.push('adapter') },
      { name: 'registry', local: true, run: () => void ran.push('registry') },
      { name: 'queue', run: async () => 'dropped 2 unanswered jobs' },
    ],
    200,
    log,
  );
  assert.ok(performance.now() - started < 1000);
  assert.deepEqual(ran, ['http', 'registry']);
  assert.deepEqual(abandoned, ['redis (not closed within SHUTDOWN_TIMEOUT_MS)', 'adapter', 'queue']);
});

test('a clean shutdown abandons nothing but what steps report; a failing step does not stop the others', async () => {
  const abandoned = await runShutdown(
    [
      { name: 'a', run: async () => 'not connected: dropped' },
      { name: 'b', run: () => Promise.reject(new Error('boom')) },
      { name: 'c', run: () => undefined },
    ],
    Infinity,
    log,
  );
  assert.deepEqual(abandoned, ['a: not connected: dropped', 'b (failed: boom)']);
});

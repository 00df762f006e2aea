import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedQueue } from './embedded.ts';
import type { Job, JobResult } from './job.ts';

// The lane rules: jobs of a session start in arrival order; consecutive reads run side by
// side; any other job runs alone (after what came before it, before what comes after).

function harness(concurrency = 8) {
  const events: string[] = [];
  const gates = new Map<string, () => void>();
  const queue = new EmbeddedQueue(
    (job) =>
      new Promise<JobResult>((resolve) => {
        const id = String(job.requestID);
        events.push(`start ${id}`);
        gates.set(id, () => {
          events.push(`end ${id}`);
          resolve({ message: {}, dataChanged: false });
        });
      }),
    () => {},
    concurrency,
    (job) => job.operation === 'data',
  );
  const submit = (id: string, operation: string, sessionID = 's1') => queue.submit({ operation, sessionID, requestID: id, body: {} } satisfies Job);
  const finish = async (id: string) => {
    gates.get(id)!();
    await new Promise((r) => setImmediate(r));
  };
  return { queue, events, submit, finish };
}

test('consecutive reads of a session run side by side; a change waits for them, and later reads wait for the change', async () => {
  const h = harness();
  await h.submit('r1', 'data');
  await h.submit('r2', 'data');
  await h.submit('c1', 'renameColumn');
  await h.submit('r3', 'data');
  assert.deepEqual(h.events, ['start r1', 'start r2']);
  await h.finish('r2');
  assert.deepEqual(h.events, ['start r1', 'start r2', 'end r2']);
  await h.finish('r1');
  assert.deepEqual(h.events.slice(3), ['end r1', 'start c1']);
  await h.finish('c1');
  assert.deepEqual(h.events.slice(5), ['end c1', 'start r3']);
  await h.finish('r3');
  await h.queue.idle();
});

test('changes of a session run one at a time in arrival order; other sessions do not wait', async () => {
  const h = harness();
  await h.submit('c1', 'deleteRows');
  await h.submit('c2', 'undo');
  await h.submit('x1', 'deleteRows', 's2');
  assert.deepEqual(h.events, ['start c1', 'start x1']);
  await h.finish('c1');
  assert.deepEqual(h.events.slice(2), ['end c1', 'start c2']);
  await h.finish('c2');
  await h.finish('x1');
  await h.queue.idle();
});

test('the concurrency limit holds across sessions and reads', async () => {
  const h = harness(2);
  await h.submit('r1', 'data');
  await h.submit('r2', 'data');
  await h.submit('r3', 'data', 's2');
  assert.deepEqual(h.events, ['start r1', 'start r2']);
  await h.finish('r1');
  assert.deepEqual(h.events.slice(2), ['end r1', 'start r3']);
  await h.finish('r2');
  await h.finish('r3');
  await h.queue.idle();
});

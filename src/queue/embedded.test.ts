import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedQueue, type EmbeddedOptions } from './embedded.ts';
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
    { isRead: (job) => job.operation === 'data' },
  );
  const submit = (id: string, operation: string, sessionID = 's1', client?: string) => queue.submit({ operation, sessionID, requestID: id, body: {} } satisfies Job, { client });
  const finish = async (id: string) => {
    gates.get(id)!();
    await new Promise((r) => setImmediate(r));
  };
  return { queue, events, submit, finish };
}

// Snapshot reads: a read runs on the version current when it starts, so only its own
// client's earlier changes (and changes of clients without identity) hold it back.

test("a read of client B runs beside client A's running change", async () => {
  const h = harness();
  await h.submit('a1', 'renameColumn', 's1', 'A');
  await h.submit('b1', 'data', 's1', 'B');
  assert.deepEqual(h.events, ['start a1', 'start b1']);
  await h.finish('b1');
  await h.finish('a1');
  await h.queue.idle();
});

test("a read of client A waits for A's earlier change, while B's read goes ahead", async () => {
  const h = harness();
  await h.submit('a1', 'renameColumn', 's1', 'A');
  await h.submit('a2', 'data', 's1', 'A');
  await h.submit('b1', 'data', 's1', 'B');
  assert.deepEqual(h.events, ['start a1', 'start b1']);
  await h.finish('a1');
  assert.deepEqual(h.events.slice(2), ['end a1', 'start a2']);
  await h.finish('a2');
  await h.finish('b1');
  await h.queue.idle();
});

test("a change of client A waits for A's earlier read, not for B's", async () => {
  const h = harness();
  await h.submit('b1', 'data', 's1', 'B');
  await h.submit('a1', 'data', 's1', 'A');
  await h.submit('a2', 'renameColumn', 's1', 'A');
  assert.deepEqual(h.events, ['start b1', 'start a1']);
  await h.finish('a1');
  assert.deepEqual(h.events.slice(2), ['end a1', 'start a2']);
  await h.finish('a2');
  await h.finish('b1');
  await h.queue.idle();
});

test('changes stay in arrival order across clients; reads of a third client pass them all', async () => {
  const h = harness();
  await h.submit('a1', 'renameColumn', 's1', 'A');
  await h.submit('b1', 'deleteRows', 's1', 'B');
  await h.submit('a2', 'undo', 's1', 'A');
  await h.submit('c1', 'data', 's1', 'C');
  await h.submit('b2', 'data', 's1', 'B');
  assert.deepEqual(h.events, ['start a1', 'start c1']);
  await h.finish('a1');
  assert.deepEqual(h.events.slice(2), ['end a1', 'start b1']);
  await h.finish('b1');
  // b2 waited for B's change; a2, a change, waits for nothing but earlier changes.
  assert.deepEqual(h.events.slice(4), ['end b1', 'start a2', 'start b2']);
  await h.finish('a2');
  await h.finish('b2');
  await h.finish('c1');
  await h.queue.idle();
});

test('a job without a client keeps the strict order against identified ones', async () => {
  const h = harness();
  await h.submit('x1', 'renameColumn'); // no client: later reads of everyone wait for it
  await h.submit('b1', 'data', 's1', 'B');
  assert.deepEqual(h.events, ['start x1']);
  await h.finish('x1');
  assert.deepEqual(h.events.slice(1), ['end x1', 'start b1']);
  await h.submit('x2', 'data'); // beside b1, a read
  await h.submit('a1', 'renameColumn', 's1', 'A'); // waits for x2, a read without client
  assert.deepEqual(h.events.slice(3), ['start x2']);
  await h.finish('x2');
  assert.deepEqual(h.events.slice(4), ['end x2', 'start a1']);
  await h.submit('x3', 'data'); // waits for a1, an earlier change
  assert.deepEqual(h.events.slice(6), []);
  await h.finish('a1');
  assert.deepEqual(h.events.slice(6), ['end a1', 'start x3']);
  await h.finish('x3');
  await h.finish('b1');
  await h.queue.idle();
});

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
  const h = harness(4);
  for (const id of ['r1', 'r2', 'r3']) await h.submit(id, 'data');
  for (const id of ['x1', 'x2', 'x3']) await h.submit(id, 'data', 's2');
  // Two of each session (half the slots each), the rest waiting for a slot.
  assert.deepEqual(h.events, ['start r1', 'start r2', 'start x1', 'start x2']);
  await h.finish('r1');
  assert.deepEqual(h.events.slice(4), ['end r1', 'start r3']);
  for (const id of ['r2', 'r3', 'x1', 'x2', 'x3']) await h.finish(id);
  await h.queue.idle();
});

test('a session with many reads waiting takes half the slots: a session coming later starts at once', async () => {
  const h = harness(6);
  for (let k = 1; k <= 12; k++) await h.submit(`a${k}`, 'data', 'busy');
  assert.deepEqual(h.events, ['start a1', 'start a2', 'start a3']);
  // Another session's read does not wait for one of those long reads to end.
  await h.submit('b1', 'data', 'other');
  assert.deepEqual(h.events.slice(3), ['start b1']);
  // When one of its reads ends, the busy session takes that slot again, not more.
  await h.finish('a1');
  assert.deepEqual(h.events.slice(4), ['end a1', 'start a4']);
  for (let k = 2; k <= 12; k++) await h.finish(`a${k}`);
  await h.finish('b1');
  await h.queue.idle();
});

// A queue whose reads may wait `readWaitMs` on a clock the test moves, with every answer
// recorded; `options` adds to the queue's, `client` names each job's client by its session.
function timedHarness(readWaitMs: number, concurrency = 1, options: EmbeddedOptions = {}, client?: (sessionID: string) => string) {
  let clock = 0;
  const events: string[] = [];
  const answers: { id: string; message: Record<string, unknown> }[] = [];
  const dropped: string[] = [];
  const gates = new Map<string, () => void>();
  const gone = new Set<string>();
  const queue = new EmbeddedQueue(
    (job) =>
      new Promise<JobResult>((resolve) => {
        const id = String(job.requestID);
        events.push(`start ${id}`);
        gates.set(id, () => resolve({ message: { requestID: id, success: true }, dataChanged: false }));
      }),
    (job, result) => answers.push({ id: String(job.requestID), message: result.message }),
    concurrency,
    { isRead: (job) => job.operation === 'data', readWaitMs, onDropped: (job) => dropped.push(String(job.requestID)), now: () => clock, ...options },
  );
  const submit = (id: string, operation: string, sessionID = 's1') =>
    queue.submit({ operation, sessionID, requestID: id, body: {} } satisfies Job, { abandoned: () => gone.has(id), client: client?.(sessionID) });
  const finish = async (id: string) => {
    gates.get(id)!();
    await new Promise((r) => setImmediate(r));
  };
  const advance = (ms: number) => (clock += ms);
  return { queue, events, answers, dropped, gone, submit, finish, advance };
}

test('a read that waited past readWaitMs is answered busy once, without running; a change is never retired', async () => {
  const h = timedHarness(1000);
  await h.submit('c1', 'renameColumn');
  await h.submit('r1', 'data');
  await h.submit('c2', 'renameColumn');
  await h.submit('r2', 'data');
  h.advance(1500);
  await h.finish('c1');
  // r1 and r2 waited 1500 ms: answered busy, never started (r2 at once, not once c2 is
  // done); c2 (a change) runs however long it waited.
  assert.deepEqual(h.events, ['start c1', 'start c2']);
  assert.deepEqual(h.answers.map((a) => a.id), ['c1', 'r1', 'r2']);
  assert.equal(h.answers[1].message.success, false);
  assert.equal(h.answers[1].message.error, 'busy');
  assert.match(String(h.answers[1].message.errorDescription), /waited 1500 ms for its turn, more than 1000 ms \(READ_WAIT_MS\)/);
  await h.finish('c2');
  assert.deepEqual(h.events, ['start c1', 'start c2']);
  assert.deepEqual(h.answers.map((a) => a.id), ['c1', 'r1', 'r2', 'c2']);
  await h.submit('r3', 'data'); // a fresh read runs
  assert.deepEqual(h.events.at(-1), 'start r3');
  await h.finish('r3');
  assert.equal(h.answers.length, 5);
  await h.queue.close();
});

test('reads held behind a long change are answered busy by the sweep, while the change still runs', async () => {
  const h = timedHarness(40);
  await h.submit('c1', 'fillDown');
  await h.submit('r1', 'data');
  h.advance(100);
  await new Promise((r) => setTimeout(r, 120)); // the sweep runs every 10 ms here
  assert.deepEqual(h.answers.map((a) => [a.id, a.message.error]), [['r1', 'busy']]);
  assert.deepEqual(h.events, ['start c1']);
  await h.finish('c1');
  assert.deepEqual(h.answers.map((a) => a.id), ['r1', 'c1']);
  await h.queue.close();
});

// A client's read waits for that client's change (it must see it) however long the change
// runs; only its wait for a turn after that counts: a client that sent reads during its own
// change of a minute got them all answered `busy`. Another client's read runs beside it.
test("a client's read held behind its own long change is not retired; it runs once the change is done", async () => {
  const clients = new Map([['s1', 'A']]);
  const h = timedHarness(40, 2, {}, (sessionID) => clients.get(sessionID) ?? 'B');
  await h.submit('c1', 'fillDown');
  await h.submit('r1', 'data');
  h.advance(100);
  await new Promise((r) => setTimeout(r, 120)); // sweeps, every 10 ms here
  assert.equal(h.answers.length, 0, 'not busy while its change runs');
  await h.finish('c1');
  assert.deepEqual(h.events, ['start c1', 'start r1']);
  await h.finish('r1');
  assert.deepEqual(h.answers.map((a) => [a.id, a.message.success]), [['c1', true], ['r1', true]]);
  await h.queue.close();
});

test('a read whose client disconnected is dropped without running or answering; its change still runs', async () => {
  const h = timedHarness(0);
  await h.submit('c1', 'renameColumn');
  await h.submit('r1', 'data');
  await h.submit('c2', 'renameColumn');
  h.gone.add('r1');
  h.gone.add('c2'); // a change runs even so: it changes the session for everyone
  await h.finish('c1');
  assert.deepEqual(h.dropped, ['r1']);
  assert.deepEqual(h.events, ['start c1', 'start c2']);
  await h.finish('c2');
  assert.deepEqual(h.answers.map((a) => a.id), ['c1', 'c2']);
  await h.queue.close();
});

test('a session whose waiting reads were all retired by the sweep leaves no trace in the queue', async () => {
  const h = timedHarness(40, 1);
  await h.submit('c1', 'fillDown');
  await h.submit('r1', 'data', 's2'); // s2 waits for the only slot
  h.advance(100);
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(h.answers.map((a) => a.id), ['r1']);
  await h.finish('c1');
  await h.submit('r2', 'data', 's2');
  assert.deepEqual(h.events, ['start c1', 'start r2']);
  await h.finish('r2');
  assert.deepEqual(h.answers.map((a) => a.id), ['r1', 'c1', 'r2']);
  await h.queue.close();
});

// Jobs that take a command process (EmbeddedOptions.capped): at most `max` run at once, and
// the others wait in the queue, leaving its slots to every other session.
function cappedHarness(max: number, waitMs: number, concurrency = 3) {
  const capped = {
    matches: (job: Job) => job.operation === 'executeCommand',
    max,
    waitMs,
    busy: (job: Job, waited: number) => ({ message: { requestID: job.requestID, success: false, error: 'busy', waited }, dataChanged: false }),
  };
  return timedHarness(0, concurrency, { capped }, (sessionID) => `${sessionID}-client`);
}

test('capped jobs run at most max at once; the ones waiting leave the slots to other sessions', async () => {
  const h = cappedHarness(1, 60_000);
  await h.submit('x1', 'executeCommand', 's1');
  await h.submit('x2', 'executeCommand', 's2');
  await h.submit('x3', 'executeCommand', 's3');
  // x2 and x3 wait for x1's process, not in the queue's other two slots: s4's edit and read run.
  await h.submit('e4', 'renameColumn', 's4');
  await h.submit('r5', 'data', 's5');
  assert.deepEqual(h.events, ['start x1', 'start e4', 'start r5']);
  // The session's own later jobs keep their order behind its waiting command.
  await h.submit('r2', 'data', 's2');
  await h.finish('e4');
  await h.finish('r5');
  assert.deepEqual(h.events, ['start x1', 'start e4', 'start r5']);
  await h.finish('x1');
  assert.deepEqual(h.events.slice(3), ['start x2']);
  await h.finish('x2');
  assert.deepEqual(h.events.slice(4), ['start r2', 'start x3']);
  await h.finish('r2');
  await h.finish('x3');
  assert.deepEqual(h.answers.map((a) => a.id), ['e4', 'r5', 'x1', 'x2', 'r2', 'x3']);
  await h.queue.close();
});

test('a capped job that waited past waitMs while every capped slot was taken is answered busy without running', async () => {
  const h = cappedHarness(1, 1000);
  await h.submit('x1', 'executeCommand', 's1');
  await h.submit('x2', 'executeCommand', 's2');
  h.advance(1500);
  await new Promise((r) => setTimeout(r, 300)); // the sweep
  assert.deepEqual(h.answers.map((a) => [a.id, a.message.error, a.message.waited]), [['x2', 'busy', 1500]]);
  await h.finish('x1');
  assert.deepEqual(h.events, ['start x1']);
  // A capped job that waits for its own session (not for a process) is not refused.
  await h.submit('e1', 'renameColumn', 's1');
  await h.submit('x3', 'executeCommand', 's1');
  h.advance(5000);
  await new Promise((r) => setTimeout(r, 300));
  await h.finish('e1');
  assert.deepEqual(h.events.slice(1), ['start e1', 'start x3']);
  await h.finish('x3');
  await h.queue.close();
});

test("a capped job's wait counts from when only the cap held it, not from its arrival", async () => {
  const h = cappedHarness(1, 1000);
  await h.submit('e1', 'renameColumn', 's1'); // a long change of s1
  await h.submit('x1', 'executeCommand', 's1'); // waits for e1, not for a process
  h.advance(5000);
  await h.submit('x2', 'executeCommand', 's2'); // takes the one process
  await h.finish('e1');
  assert.deepEqual(h.events, ['start e1', 'start x2']);
  await new Promise((r) => setTimeout(r, 300)); // a sweep: x1 has waited 0 ms for a process
  assert.deepEqual(h.answers.map((a) => a.id), ['e1']);
  h.advance(1500);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(h.answers.map((a) => [a.id, a.message.error, a.message.waited]), [['e1', undefined, undefined], ['x1', 'busy', 1500]]);
  await h.finish('x2');
  await h.queue.close();
});

test('capped jobs take the capped slots first come, first served across sessions', async () => {
  const h = cappedHarness(1, 60_000);
  // s1 and s2 keep a second command queued behind each running one; s3 sends one meanwhile.
  await h.submit('a1', 'executeCommand', 's1');
  await h.submit('a2', 'executeCommand', 's1');
  await h.submit('b1', 'executeCommand', 's2');
  await h.submit('c1', 'executeCommand', 's3');
  await h.finish('a1'); // a2 came before c1 but after b1, which waited longest
  await h.submit('b2', 'executeCommand', 's2');
  await h.finish('b1');
  await h.finish('c1');
  await h.finish('a2');
  await h.finish('b2');
  assert.deepEqual(h.events.filter((e) => e.startsWith('start')), ['start a1', 'start b1', 'start c1', 'start a2', 'start b2']);
  await h.queue.close();
});

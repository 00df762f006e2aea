import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uploadOk } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';
import { readTable } from './helpers/wire.ts';
import { sendOrderedSteps } from './helpers/ordered-steps.ts';

// Over the wire: requests of one session are applied one at a time in arrival order, every
// client of the session hears every result; sessions do not wait for each other.

const rows = async (client: WillowClient, id: string) => (await readTable(client, id)).rows;

test('many changes to one session from two clients at once: applied in arrival order, none lost, both clients told', async () => {
  const server = await startServer();
  const a = await connect(server.url, 4);
  const b = await connect(server.url, 2); // the original front end's client
  try {
    const id = await uploadOk(server.url, 'n.csv', 'n,trail\n0,start\n');
    // Joining the session's room happens with a client's first request.
    assert.equal((await a.request('metadata', id)).success, true);
    assert.equal((await b.request('metadata', id)).success, true);

    const perClient = 10;
    const { order, stepByRequest, requestIDs: sent } = await sendOrderedSteps(a, b, id, { perClient, pauseMs: 3 });

    // Both clients hear every result and every dataChanged, whoever asked.
    const requestIDs = [...sent].sort();
    for (const client of [a, b]) {
      const changed = await client.waitFor('dataChanged', 2 * perClient);
      assert.deepEqual(changed.map((m) => m.requestID).sort(), requestIDs);
      for (const m of changed) assert.equal(m.sessionID, id);
      const results = client.received('executeCommand');
      assert.deepEqual(results.map((m) => m.requestID).sort(), requestIDs);
      // Results arrive in the order the steps ran.
      assert.deepEqual(
        results.map((m) => stepByRequest.get(m.requestID)),
        order,
      );
    }
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('operations on two sessions run in parallel: one session never waits for the other', async () => {
  // A command that can only end by hitting its time limit holds its session's lane for
  // COMMAND_TIMEOUT_MS; the other session's operations complete meanwhile.
  const server = await startServer({ COMMAND_TIMEOUT_MS: 4000, QUEUE_CONCURRENCY: 4 });
  const a = await connect(server.url);
  const b = await connect(server.url);
  try {
    const slow = await uploadOk(server.url, 'slow.csv', 'n\n1\n');
    const fast = await uploadOk(server.url, 'fast.csv', 'n\n1\n');
    const runaway = a.request('executeCommand', slow, { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' });
    const queuedBehind = a.request('executeCommand', slow, { command: 'UPDATE df SET n = n + 100' });
    for (let k = 1; k <= 3; k++) {
      const res = await b.request('executeCommand', fast, { command: `UPDATE df SET n = n * 10 + ${k}` });
      assert.equal(res.success, true, JSON.stringify(res));
    }
    assert.deepEqual(await rows(b, fast), [[1123]]);
    assert.deepEqual(a.received('executeCommand'), [], 'the slow session is still busy');

    const stopped = await runaway;
    assert.equal(stopped.success, false);
    assert.equal(stopped.error, 'command timed out');
    assert.equal((await queuedBehind).success, true);
    assert.deepEqual(await rows(a, slow), [[101]]);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('commands waiting for a command process leave the queue to other sessions', async () => {
  // One process and two queue slots: the first command holds the process until its time
  // limit; the next command and a recipe with a command step wait for it in the queue, not
  // in the second slot, so another session's edits and reads are answered meanwhile.
  const server = await startServer({ COMMAND_TIMEOUT_MS: 3000, COMMAND_PROCESSES: 1, COMMAND_WAIT_MS: 60_000, QUEUE_CONCURRENCY: 2 });
  const a = await connect(server.url);
  const b = await connect(server.url);
  try {
    const [s1, s2, s3, s4] = await Promise.all(['1', '2', '3', '4'].map((k) => uploadOk(server.url, `s${k}.csv`, 'n\n1\n')));
    const runaway = a.request('executeCommand', s1, { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' });
    const second = a.request('executeCommand', s2, { command: 'UPDATE df SET n = n + 1' });
    const recipe = a.request('applyOperations', s3, { operations: [{ operation: 'executeCommand', parameters: { command: 'UPDATE df SET n = n + 2' } }] });
    for (let k = 1; k <= 3; k++) {
      const res = await b.request('renameColumn', s4, { column: k === 1 ? 'n' : `n${k - 1}`, newName: `n${k}` });
      assert.equal(res.success, true, JSON.stringify(res));
    }
    assert.deepEqual(await rows(b, s4), [[1]]);
    assert.deepEqual([...a.received('executeCommand'), ...a.received('applyOperations')], [], 'no command has been answered yet');
    assert.equal((await runaway).error, 'command timed out');
    assert.equal((await second).success, true);
    assert.equal((await recipe).success, true);
    assert.deepEqual(await rows(a, s2), [[2]]);
    assert.deepEqual(await rows(a, s3), [[3]]);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

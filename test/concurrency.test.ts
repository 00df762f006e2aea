import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uploadOk } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';

// Over the wire: requests of one session are applied one at a time in arrival order, every
// client of the session hears every result; sessions do not wait for each other.

async function rows(client: WillowClient, id: string): Promise<unknown[][]> {
  const meta = await client.request('metadata', id);
  const res = await client.request('data', id, { rowIndexFrom: 0, rowIndexTo: meta.dataSize.rows - 1, columnIndexFrom: 0, columnIndexTo: meta.dataSize.columns - 1 });
  assert.equal(res.success, true, JSON.stringify(res));
  return JSON.parse(res.data).data;
}

test('many changes to one session from two clients at once: applied in arrival order, none lost, both clients told', async () => {
  const server = await startServer();
  const a = await connect(server.url, 4);
  const b = await connect(server.url, 2); // the original front end's client
  try {
    const id = await uploadOk(server.url, 'n.csv', 'n,trail\n0,start\n');
    // Joining the session's room happens with a client's first request.
    assert.equal((await a.request('metadata', id)).success, true);
    assert.equal((await b.request('metadata', id)).success, true);

    // Step k doubles n and adds k, and appends k to trail: trail spells the order the steps
    // ran in, n checks that each step saw the result of the one before (no lost update).
    const step = (k: number) => `UPDATE df SET n = n * 2 + ${k}, trail = trail || ' ' || ${k}`;
    const perClient = 10;
    const sentByA = Array.from({ length: perClient }, (_, i) => 2 * i + 1);
    const sentByB = Array.from({ length: perClient }, (_, i) => 2 * i + 2);
    const pending: Promise<Record<string, any>>[] = [];
    const stepOf: number[] = []; // the step each pending request carries
    // A short pause between sends lets the two connections' requests interleave on arrival
    // (nothing below depends on how they interleave, only on the order they arrived in).
    const pause = () => new Promise((resolve) => setTimeout(resolve, 3));
    for (let i = 0; i < perClient; i++) {
      pending.push(a.request('executeCommand', id, { command: step(sentByA[i]) }));
      stepOf.push(sentByA[i]);
      await pause();
      pending.push(b.request('executeCommand', id, { command: step(sentByB[i]) }));
      stepOf.push(sentByB[i]);
      await pause();
    }
    const responses = await Promise.all(pending);
    for (const res of responses) assert.equal(res.success, true, JSON.stringify(res));

    const [[n, trail]] = (await rows(a, id)) as [[number, string]];
    const order = trail.split(' ').slice(1).map(Number);
    assert.equal(order.length, 2 * perClient, 'every step applied exactly once');
    assert.deepEqual([...order].sort((x, y) => x - y), [...sentByA, ...sentByB].sort((x, y) => x - y));
    // Each client's requests keep the order it sent them in.
    assert.deepEqual(order.filter((k) => k % 2 === 1), sentByA);
    assert.deepEqual(order.filter((k) => k % 2 === 0), sentByB);
    assert.equal(n, order.reduce((acc, k) => acc * 2 + k, 0), 'n is the steps applied one after the other in that order');

    // The operation log is the same order.
    const history = await b.request('history', id);
    assert.deepEqual(
      history.operations.map((o: any) => o.parameters.command),
      order.map(step),
    );

    // Both clients hear every result and every dataChanged, whoever asked.
    const requestIDs = responses.map((r) => r.requestID).sort();
    for (const client of [a, b]) {
      const changed = await client.waitFor('dataChanged', 2 * perClient);
      assert.deepEqual(changed.map((m) => m.requestID).sort(), requestIDs);
      for (const m of changed) assert.equal(m.sessionID, id);
      const results = client.received('executeCommand');
      assert.deepEqual(results.map((m) => m.requestID).sort(), requestIDs);
      // Results arrive in the order the steps ran.
      const stepByRequest = new Map(responses.map((r, i) => [r.requestID, stepOf[i]]));
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

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startCluster, jobsStarted, waitUntil } from './helpers/cluster.ts';
import { partitionOf } from '../src/queue/bullmq.ts';
import { uploadOk } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';
import { readTable } from './helpers/wire.ts';
import { sendOrderedSteps } from './helpers/ordered-steps.ts';
import { eventBody, rawSocket } from './helpers/raw-socket.ts';

// Distributed mode on the real Redis: two gateway processes and two worker processes sharing
// DATA_DIR. Clients on different gateways work on one session.

const cluster = await startCluster({ gateways: 2, workers: 2 });
after(() => cluster.close());
const [g1, g2] = cluster.gateways;

const rows = async (client: WillowClient, id: string) => (await readTable(client, id)).rows;

/** Sessions of a one-column table `v` = 1, one in each of `n` different partitions (of the cluster's 4). */
async function sessionsInPartitions(n: number): Promise<string[]> {
  const byPartition = new Map<number, string>();
  while (byPartition.size < n) {
    const id = await uploadOk(g1.url, 's.csv', 'v\n1\n');
    byPartition.set(partitionOf(id, 4), id);
  }
  return [...byPartition.values()];
}

/** Stop every worker and start one with `env`: the only one left to run jobs. */
async function soloWorker(env: Record<string, string>) {
  for (const w of cluster.workers.filter((w) => w.child.exitCode === null)) {
    w.child.kill('SIGTERM');
    await w.exited;
  }
  return cluster.startWorker(env);
}

test('healthz: gateways report Redis and the queue depth, workers their readiness', async () => {
  for (const g of cluster.gateways) {
    const res = await fetch(`${g.url}/healthz`);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.status, 'ok');
    assert.equal(body.queue, 'bullmq');
    assert.equal(body.redis, 'ready');
    assert.equal(typeof body.waiting, 'number');
  }
  for (const w of cluster.workers) {
    const res = await fetch(`${w.url}/healthz`);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200);
    assert.equal(body.status, 'ok');
    assert.equal(body.role, 'worker');
  }
});

test('two clients on two gateways, one session: both see the data and every dataChanged', async () => {
  const a = await connect(g1.url);
  const b = await connect(g2.url);
  try {
    const id = await uploadOk(g1.url, 'ab.csv', 'x,y\n1,a\n2,b\n3,c\n');
    // Uploaded through gateway 1, readable through gateway 2: one shared store.
    assert.equal((await b.request('metadata', id)).dataSize.rows, 3);
    assert.equal((await a.request('metadata', id)).success, true);

    const r1 = await a.request('newCellValue', id, { rowIndex: 0, columnIndex: 1, newValue: 'A' });
    assert.equal(r1.success, true, JSON.stringify(r1));
    const r2 = await b.request('renameColumn', id, { column: 0, newName: 'n' });
    assert.equal(r2.success, true, JSON.stringify(r2));

    // Each client hears the other's reply and both dataChanged events.
    for (const client of [a, b]) {
      const changed = await client.waitFor('dataChanged', 2);
      assert.deepEqual(changed.map((m) => m.requestID), [r1.requestID, r2.requestID]);
      assert.deepEqual(client.received('newCellValue').map((m) => m.requestID), [r1.requestID]);
      assert.deepEqual(client.received('renameColumn').map((m) => m.requestID), [r2.requestID]);
    }
    // A change then a read from the same client: the read sees the change.
    const r3 = a.request('newCellValue', id, { rowIndex: 2, columnIndex: 1, newValue: 'C' });
    const meta = a.request('data', id, { rowIndexFrom: 0, rowIndexTo: 2, columnIndexFrom: 0, columnIndexTo: 1 });
    assert.equal((await r3).success, true);
    assert.deepEqual(JSON.parse((await meta).data).data, [[1, 'A'], [2, 'b'], [3, 'C']]);
    assert.deepEqual(await rows(b, id), [[1, 'A'], [2, 'b'], [3, 'C']]);
  } finally {
    a.close();
    b.close();
  }
});

test('POST /celeryTaskCompleted on one gateway reaches the session\'s clients on the other (Redis adapter)', async () => {
  const b = await connect(g2.url);
  try {
    const id = await uploadOk(g1.url, 'n.csv', 'v\n1\n');
    assert.equal((await b.request('metadata', id)).success, true); // joins the room on gateway 2
    const secret = (await fs.readFile(path.join(cluster.dataDir, 'internal-secret'), 'utf8')).trim();
    const res = await fetch(`${g1.url}/celeryTaskCompleted`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-willow-secret': secret },
      body: JSON.stringify({ sessionID: id, operation: 'outsideTask', requestID: 'outside-1', success: true, changed: true }),
    });
    assert.equal(res.status, 200);
    const [msg] = await b.waitFor('outsideTask', 1, 10_000);
    assert.equal(msg.requestID, 'outside-1');
    const changed = await b.waitFor('dataChanged', 1, 10_000);
    assert.equal(changed[0].requestID, 'outside-1');
  } finally {
    b.close();
  }
});

test('30 concurrent edits from both gateways: none lost, each client’s order kept, one result stream', async () => {
  const a = await connect(g1.url);
  const b = await connect(g2.url, 2); // the original front end's client
  try {
    const id = await uploadOk(g2.url, 'n.csv', 'n,trail\n0,start\n');
    assert.equal((await a.request('metadata', id)).success, true);
    assert.equal((await b.request('metadata', id)).success, true);
    const perClient = 15;
    const { order, stepByRequest } = await sendOrderedSteps(a, b, id, { perClient, timeoutMs: 60_000 });

    // Both clients hear every result and dataChanged exactly once, in the order the steps ran.
    for (const client of [a, b]) {
      const changed = await client.waitFor('dataChanged', 2 * perClient);
      await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive by now
      assert.deepEqual(client.received('dataChanged').map((m) => stepByRequest.get(m.requestID)), order);
      assert.deepEqual(client.received('executeCommand').map((m) => stepByRequest.get(m.requestID)), order);
      assert.equal(changed.length, 2 * perClient);
    }
  } finally {
    a.close();
    b.close();
  }
});

test('sessions spread over both workers', async () => {
  const a = await connect(g1.url);
  try {
    // A session in each of the 4 partitions, two slow jobs each: all partitions are busy at
    // once, and one worker runs at most two jobs at a time (WORKER_CONCURRENCY=2).
    const ids = await sessionsInPartitions(4);
    const before = new Set((await jobsStarted(cluster.markDir)).map((j) => j.jobId));
    const slow = 'SELECT v + 1 AS v, (SELECT sum(x) FROM range(30000000) t(x)) AS c FROM df';
    const res = await Promise.all([...ids, ...ids].map((id) => a.request('executeCommand', id, { command: slow })));
    for (const r of res) assert.equal(r.success, true, JSON.stringify(r));
    for (const id of ids) assert.equal((await rows(a, id))[0][0], 3, 'both jobs of the session applied, one after the other');
    const started = (await jobsStarted(cluster.markDir)).filter((j) => !before.has(j.jobId));
    const pids = new Set(started.map((j) => j.pid));
    assert.deepEqual([...pids].sort(), cluster.workers.map((w) => w.pid).sort(), 'both workers ran jobs');
  } finally {
    a.close();
  }
});

test('a gateway restarts: its clients reconnect and carry on with their sessions', async () => {
  const a = await connect(g1.url);
  const b = await connect(g2.url);
  try {
    const id = await uploadOk(g1.url, 'r.csv', 'v\n1\n');
    assert.equal((await a.request('metadata', id)).success, true);
    assert.equal((await b.request('executeCommand', id, { command: 'UPDATE df SET v = v + 1' })).success, true);

    g2.child.kill('SIGTERM');
    assert.equal(await g2.exited, 0, 'graceful stop');
    const g2again = await cluster.startGateway({ PORT: String(g2.port) });
    assert.equal(g2again.port, g2.port);
    // The client reconnects by itself; its next request rejoins the session's room.
    const res = await b.request('executeCommand', id, { command: 'UPDATE df SET v = v * 10' }, 30_000);
    assert.equal(res.success, true, JSON.stringify(res));
    assert.deepEqual(await rows(a, id), [[20]]);
    const changed = await a.waitFor('dataChanged', 2);
    assert.equal(changed.at(-1)!.requestID, res.requestID, 'the client on the other gateway hears it');
  } finally {
    a.close();
    b.close();
  }
});

test('SIGTERM on a worker: it finishes the job it is running and answers, then exits', async () => {
  const a = await connect(g1.url);
  try {
    const id = await uploadOk(g1.url, 't.csv', 'v\n1\n');
    const before = new Set((await jobsStarted(cluster.markDir)).map((j) => j.jobId));
    const reply = a.request('executeCommand', id, { command: 'UPDATE df SET v = v + 1 WHERE (SELECT sum(x) FROM range(200000000) t(x)) > 0' }, 60_000);
    const started = await waitUntil('the job to start', async () => (await jobsStarted(cluster.markDir)).find((j) => !before.has(j.jobId)));
    const worker = cluster.workers.find((w) => w.pid === started.pid)!;
    worker.child.kill('SIGTERM');
    const res = await reply;
    assert.equal(res.success, true, JSON.stringify(res));
    assert.equal(await worker.exited, 0);
    const runs = (await jobsStarted(cluster.markDir)).filter((j) => j.jobId === started.jobId);
    assert.deepEqual(runs.map((r) => r.pid), [worker.pid], 'run once, by the worker that was stopping');
    assert.deepEqual(await rows(a, id), [[2]]);
  } finally {
    a.close();
  }
});

test('WORKER_CONCURRENCY bounds the jobs a worker runs at once across partitions', async () => {
  const solo = await soloWorker({ WORKER_CONCURRENCY: '1' });
  const a = await connect(g1.url);
  try {
    // Sessions in three different partitions, each with a slow job.
    const ids = await sessionsInPartitions(3);
    const res = await Promise.all(ids.map((id) => a.request('executeCommand', id, { command: 'UPDATE df SET v = v + 1 WHERE (SELECT sum(x) FROM range(50000000) t(x)) > 0' }, 60_000)));
    for (const r of res) assert.equal(r.success, true, JSON.stringify(r));
    for (const id of ids) assert.deepEqual(await rows(a, id), [[2]]);
    const health = (await (await fetch(`${solo.url}/healthz`)).json()) as Record<string, unknown>;
    assert.equal(health.peakJobs, 1);
    assert.equal(health.concurrency, 1);
  } finally {
    a.close();
  }
});

test('a worker runs at most COMMAND_PROCESSES command jobs at once; the others wait without taking its slots', async () => {
  await soloWorker({ WORKER_CONCURRENCY: '2', COMMAND_PROCESSES: '1', COMMAND_TIMEOUT_MS: '3000', COMMAND_WAIT_MS: '60000' });
  const a = await connect(g1.url);
  const b = await connect(g2.url);
  try {
    // Three sessions in three partitions: a command that runs until its time limit, a
    // command waiting for the one process, and edits that must not wait for either.
    const ids = await sessionsInPartitions(3);
    const [slow, waiting, free] = ids;
    const runaway = a.request('executeCommand', slow, { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' }, 60_000);
    await waitUntil('the runaway command to start', async () => (await jobsStarted(cluster.markDir)).some((j) => j.operation === 'executeCommand'));
    const second = a.request('executeCommand', waiting, { command: 'UPDATE df SET v = v + 1' }, 60_000);
    for (let k = 1; k <= 3; k++) {
      const res = await b.request('renameColumn', free, { column: k === 1 ? 'v' : `v${k - 1}`, newName: `v${k}` });
      assert.equal(res.success, true, JSON.stringify(res));
    }
    assert.deepEqual(a.received('executeCommand'), [], 'no command has been answered yet');
    assert.equal((await runaway).error, 'command timed out');
    assert.equal((await second).success, true);
    assert.deepEqual(await rows(a, waiting), [[2]]);
  } finally {
    a.close();
    b.close();
  }
});

test('integers beyond 2^53 reach a client on another gateway exactly (worker → results channel → gateway → socket)', async () => {
  const id = await uploadOk(g1.url, 'ids.csv', 'id\n123456789012345678\n-9223372036854775808\n123456789012345678\n9007199254740993\n');
  const socket = await rawSocket(g2.url);
  try {
    const text = await socket.request('analyze', id, { column: 'id' });
    const { body } = eventBody(text);
    assert.equal(body.success, true, text);
    assert.deepEqual([body.data.min, body.data.max, body.data.mode], ['-9223372036854775808', '123456789012345678', ['123456789012345678']]);
    assert.match(text, /"frequencies":\[\[123456789012345678,2\],\[-9223372036854775808,1\],\[9007199254740993,1\]\]/);
  } finally {
    socket.close();
  }
});

test('POST /celeryTaskCompleted on one gateway: integers beyond 2^53 reach the other gateway\'s clients exactly (Redis adapter)', async () => {
  const id = await uploadOk(g1.url, 'n.csv', 'v\n1\n');
  const socket = await rawSocket(g2.url);
  try {
    await socket.request('metadata', id); // joins the room on gateway 2
    const secret = (await fs.readFile(path.join(cluster.dataDir, 'internal-secret'), 'utf8')).trim();
    const data = '{"min":-9223372036854775808,"max":123456789012345678,"mode":[9007199254740993],"frequencies":[[9007199254740993,2]],"mean":1.5}';
    const res = await fetch(`${g1.url}/celeryTaskCompleted`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-willow-secret': secret },
      body: `{"sessionID":"${id}","operation":"outsideStats","requestID":"outside-exact","success":true,"data":${data}}`,
    });
    assert.equal(res.status, 200);
    const relayed = await socket.waitFor((f) => f.includes('"outside-exact"'), 10_000);
    assert.ok(relayed.includes(`"data":${data}`), relayed);
  } finally {
    socket.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, jobsStarted, waitUntil, requireRedis, freePort, startRedis, type Cluster } from './helpers/cluster.ts';
import { uploadOk } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';
import { readTable } from './helpers/wire.ts';

// Faults in distributed mode: workers killed with SIGKILL, Redis restarting (and losing its
// data: the local Redis keeps nothing on disk). Every check is on the data and the replies.

const rows = async (client: WillowClient, id: string) => (await readTable(client, id)).rows;

// A change that takes a second or two of DuckDB work before it writes anything: long enough
// to kill its worker in the middle, deterministically.
const SLOW_PLUS = (k: number) => `UPDATE df SET n = n + ${k} WHERE (SELECT sum(x) FROM range(300000000) t(x)) > 0`;

test('a worker killed with SIGKILL mid-operation: the job runs again on another worker, applied once, one reply', async () => {
  const cluster = await startCluster({ gateways: 1, workers: 1 });
  const client = await connect(cluster.gateways[0].url);
  try {
    const [w1] = cluster.workers;
    const id = await uploadOk(cluster.gateways[0].url, 'n.csv', 'n\n1\n2\n');
    const reply = client.request('executeCommand', id, { command: SLOW_PLUS(10) }, 60_000);
    const started = await waitUntil('the job to start', async () => (await jobsStarted(cluster.markDir)).find((j) => j.operation === 'executeCommand'));
    assert.equal(started.pid, w1.pid);
    await new Promise((r) => setTimeout(r, 300));
    w1.child.kill('SIGKILL');
    assert.equal(await w1.exited, 'SIGKILL');
    const w2 = await cluster.startWorker();

    const res = await reply;
    assert.equal(res.success, true, JSON.stringify(res));
    const runs = (await jobsStarted(cluster.markDir)).filter((j) => j.jobId === started.jobId);
    assert.deepEqual(runs.map((r) => r.pid).sort(), [w1.pid, w2.pid].sort(), 'started on the killed worker, finished on the other');
    assert.deepEqual(await rows(client, id), [[11], [12]], 'applied once');
    const history = await client.request('history', id);
    assert.equal(history.operations.length, 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(client.received('executeCommand').filter((m) => m.requestID === res.requestID).length, 1, 'one reply');
    assert.equal(client.received('dataChanged').filter((m) => m.requestID === res.requestID).length, 1);
  } finally {
    client.close();
    await cluster.close();
  }
});

/**
 * A renameColumn of a → z on a new session `a,b`, run by a worker that dies (SIGKILL) right
 * after its commit, before it answers; another worker is then started. Returns the session
 * and the pending reply.
 */
async function renameKilledAfterCommit(cluster: Cluster, client: WillowClient): Promise<{ id: string; reply: Promise<Record<string, any>> }> {
  const w1 = await cluster.startWorker({ WILLOW_TEST_EXIT_BEFORE_REPLY: 'renameColumn' });
  const id = await uploadOk(cluster.gateways[0].url, 'ab.csv', 'a,b\n1,2\n');
  const reply = client.request('renameColumn', id, { column: 'a', newName: 'z' }, 60_000);
  assert.equal(await w1.exited, 'SIGKILL');
  await cluster.startWorker();
  return { id, reply };
}

test('a worker killed after its commit, before answering: the re-run answers as the first run would have, nothing applied twice', async () => {
  const cluster = await startCluster({ gateways: 1, workers: 0 });
  const client = await connect(cluster.gateways[0].url);
  try {
    const { id, reply } = await renameKilledAfterCommit(cluster, client);
    // The first run renamed a to z and committed; a naive re-run would not find column a.
    const res = await reply;
    assert.equal(res.success, true, JSON.stringify(res));
    const meta = await client.request('metadata', id);
    assert.deepEqual(meta.columns.map((c: any) => c.name ?? c), ['z', 'b']);
    const history = await client.request('history', id);
    assert.deepEqual(history.operations.map((o: any) => o.operation), ['renameColumn']);
    // Undo goes back to the upload: there is exactly one version on top of it.
    assert.equal((await client.request('undo', id)).success, true);
    assert.equal((await client.request('undo', id)).success, false);
  } finally {
    client.close();
    await cluster.close();
  }
});


test('Redis restarting empty mid-run: gateways and workers reconnect, unanswered jobs are submitted again, applied once each, in order', async () => {
  const port = await freePort();
  const redisUrl = `redis://127.0.0.1:${port}`;
  let redis = startRedis(port);
  await waitUntil('the test Redis', () => requireRedis(redisUrl).then(() => true, () => false));
  const cluster = await startCluster({ gateways: 1, workers: 1, redisUrl });
  const client = await connect(cluster.gateways[0].url);
  try {
    const id = await uploadOk(cluster.gateways[0].url, 'n.csv', 'n,trail\n0,start\n');
    const step = (k: number) => `UPDATE df SET n = n * 2 + ${k}, trail = trail || ' ' || ${k}`;
    assert.equal((await client.request('executeCommand', id, { command: step(1) })).success, true);

    // A slow step is running when Redis dies; another is sent while Redis is away.
    const slow = client.request('executeCommand', id, { command: `${step(2)} WHERE (SELECT sum(x) FROM range(300000000) t(x)) > 0` }, 90_000);
    await waitUntil('the slow job to start', async () => (await jobsStarted(cluster.markDir)).length >= 2);
    redis.child.kill('SIGKILL');
    await redis.exited;
    const whileDown = client.request('executeCommand', id, { command: step(3) }, 90_000);
    const health = await fetch(`${cluster.gateways[0].url}/healthz`);
    assert.equal(health.status, 503, 'not ready without Redis');
    await new Promise((r) => setTimeout(r, 1000));
    redis = startRedis(port);

    for (const res of [await slow, await whileDown]) assert.equal(res.success, true, JSON.stringify(res));
    const [[n, trail]] = (await rows(client, id)) as [[number, string]];
    assert.equal(trail, 'start 1 2 3', 'each step once, in the order sent');
    assert.equal(n, ((0 * 2 + 1) * 2 + 2) * 2 + 3);
    await waitUntil('healthz to recover', async () => (await fetch(`${cluster.gateways[0].url}/healthz`)).status === 200);
    assert.equal((await fetch(`${cluster.workers[0].url}/healthz`)).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    for (const r of [await slow, await whileDown]) assert.equal(client.received('executeCommand').filter((m) => m.requestID === r.requestID).length, 1, 'one reply per request');
  } finally {
    client.close();
    await cluster.close();
    redis.child.kill('SIGTERM');
    await redis.exited;
  }
});

test('a job whose workers keep dying fails with a clear reply after the last attempt', async () => {
  // JOB_MAX_STALLS=0: no second run. The job had committed before its worker died, and the
  // reply says so (and dataChanged follows).
  const cluster = await startCluster({ gateways: 1, workers: 0, env: { JOB_MAX_STALLS: '0' } });
  const client = await connect(cluster.gateways[0].url);
  try {
    const { id, reply } = await renameKilledAfterCommit(cluster, client);
    const res = await reply;
    assert.equal(res.success, false);
    assert.equal(res.error, 'worker lost');
    assert.match(res.errorDescription, /it had been applied/);
    const changed = await client.waitFor('dataChanged', 1);
    assert.equal(changed[0].requestID, res.requestID);
    const meta = await client.request('metadata', id);
    assert.deepEqual(meta.columns.map((c: any) => c.name ?? c), ['z', 'b']);
  } finally {
    client.close();
    await cluster.close();
  }
});

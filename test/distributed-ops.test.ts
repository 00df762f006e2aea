import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { startCluster, startProcess, deleteKeys, jobsStarted, waitUntil, requireRedis, freePort, startRedis, type Proc } from './helpers/cluster.ts';
import { uploadOk } from './helpers/server.ts';
import { connect } from './helpers/client.ts';
import { MARKER_FILE, deploymentKey } from '../src/queue/deployment.ts';

// What an operator's trial of the distributed mode found: processes of one deployment that
// disagree (DATA_DIR, QUEUE_PARTITIONS, REDIS_PREFIX) started and failed silently; SIGTERM
// with Redis down never finished; Redis down at start meant no /healthz and a flood of
// raw stack traces.


/** The process's exit and output when it must refuse to start. */
async function refused(starting: Promise<Proc>): Promise<string> {
  const err = await starting.then(
    (p) => {
      p.child.kill('SIGKILL');
      throw new Error(`started, but should have refused:\n${p.output()}`);
    },
    (e: Error) => e,
  );
  assert.match(err.message, /ended \(1\) before it was ready/, err.message);
  return err.message;
}

/** Log lines (JSON) a process wrote so far; throws on a line that is not JSON (a raw stack trace). */
function logLines(p: Proc): Record<string, any>[] {
  return p
    .output()
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`a line that is not a JSON log line: ${l}\n---\n${p.output().slice(0, 4000)}`);
      }
    });
}

test('processes disagreeing with the deployment (another DATA_DIR, QUEUE_PARTITIONS, REDIS_PREFIX) refuse to start, naming both values', async () => {
  const cluster = await startCluster({ gateways: 1, workers: 1 });
  const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-empty-'));
  const otherPrefix = `${cluster.prefix}-other`;
  try {
    const marker = JSON.parse(await fs.readFile(path.join(cluster.dataDir, MARKER_FILE), 'utf8'));
    assert.equal(marker.partitions, 4);
    assert.equal(marker.redisPrefix, cluster.prefix);
    const r = new Redis(cluster.redisUrl);
    try {
      assert.equal(JSON.parse((await r.get(deploymentKey(cluster.prefix)))!).id, marker.id, 'the same identity in Redis');
    } finally {
      r.disconnect();
    }

    // A worker whose DATA_DIR is an empty directory (an unmounted mount point).
    const noMount = await refused(cluster.startWorker({ DATA_DIR: empty }));
    assert.ok(noMount.includes(`DATA_DIR ${empty} is not this deployment's`), noMount);
    assert.ok(noMount.includes(marker.id), noMount);
    assert.deepEqual(await fs.readdir(empty).then((n) => n.filter((x) => x !== 'internal-secret')), [], 'nothing created there');

    // Another deployment's DATA_DIR: both ids named.
    const other = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-other-'));
    await fs.writeFile(path.join(other, MARKER_FILE), JSON.stringify({ id: 'other-deployment', redisPrefix: cluster.prefix, partitions: 4, createdAt: new Date().toISOString() }));
    const wrongDir = await refused(cluster.startWorker({ DATA_DIR: other }));
    assert.match(wrongDir, /DATA_DIR and Redis belong to different deployments/);
    assert.ok(wrongDir.includes('other-deployment') && wrongDir.includes(marker.id), wrongDir);
    await fs.rm(other, { recursive: true, force: true });

    const partitions = await refused(cluster.startWorker({ QUEUE_PARTITIONS: '8' }));
    assert.match(partitions, /QUEUE_PARTITIONS differs: this process has 8, deployment \S+ uses 4/);
    const gwPartitions = await refused(cluster.startGateway({ QUEUE_PARTITIONS: '2' }));
    assert.match(gwPartitions, /QUEUE_PARTITIONS differs: this process has 2, deployment \S+ uses 4/);

    const prefix = await refused(cluster.startGateway({ REDIS_PREFIX: otherPrefix }));
    assert.ok(prefix.includes(`REDIS_PREFIX differs: this process has '${otherPrefix}'`) && prefix.includes(`uses '${cluster.prefix}'`), prefix);

    // The deployment itself is unaffected: a well-configured worker joins and jobs run.
    await cluster.startWorker();
    const client = await connect(cluster.gateways[0].url);
    try {
      const id = await uploadOk(cluster.gateways[0].url, 'ab.csv', 'a,b\n1,2\n');
      assert.equal((await client.request('renameColumn', id, { column: 'a', newName: 'z' })).success, true);
    } finally {
      client.close();
    }
  } finally {
    await cluster.close();
    await deleteKeys(cluster.redisUrl, otherPrefix).catch(() => undefined);
    await fs.rm(empty, { recursive: true, force: true });
  }
});

test('Redis restarting empty: the DATA_DIR marker is published again, and a worker on another DATA_DIR is still refused', async () => {
  const port = await freePort();
  const redisUrl = `redis://127.0.0.1:${port}`;
  let redis = startRedis(port);
  await waitUntil('the test Redis', () => requireRedis(redisUrl).then(() => true, () => false));
  const cluster = await startCluster({ gateways: 1, workers: 1, redisUrl });
  const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-empty-'));
  try {
    const marker = JSON.parse(await fs.readFile(path.join(cluster.dataDir, MARKER_FILE), 'utf8'));
    redis.child.kill('SIGKILL');
    await redis.exited;
    redis = startRedis(port);
    await waitUntil('the test Redis', () => requireRedis(redisUrl).then(() => true, () => false));
    const r = new Redis(redisUrl);
    try {
      const published = await waitUntil('the identity to be published again', async () => r.get(deploymentKey(cluster.prefix)));
      assert.equal(JSON.parse(published).id, marker.id);
    } finally {
      r.disconnect();
    }
    const msg = await refused(cluster.startWorker({ DATA_DIR: empty }));
    assert.ok(msg.includes(`DATA_DIR ${empty} is not this deployment's`), msg);
    await cluster.startWorker();
    await waitUntil('healthz', async () => (await fetch(`${cluster.gateways[0].url}/healthz`)).status === 200);
  } finally {
    await cluster.close();
    redis.child.kill('SIGTERM');
    await redis.exited;
    await fs.rm(empty, { recursive: true, force: true });
  }
});

test('SIGTERM while Redis is down: gateway and worker exit within SHUTDOWN_TIMEOUT_MS, saying what they abandoned', async () => {
  const port = await freePort();
  const redisUrl = `redis://127.0.0.1:${port}`;
  let redis = startRedis(port);
  await waitUntil('the test Redis', () => requireRedis(redisUrl).then(() => true, () => false));
  const cluster = await startCluster({ gateways: 1, workers: 1, redisUrl, env: { SHUTDOWN_TIMEOUT_MS: '2000' } });
  const client = await connect(cluster.gateways[0].url);
  try {
    const id = await uploadOk(cluster.gateways[0].url, 'n.csv', 'n\n1\n');
    // A job running on the worker when Redis goes away.
    void client.request('executeCommand', id, { command: 'UPDATE df SET n = n + 1 WHERE (SELECT sum(x) FROM range(300000000) t(x)) > 0' }, 60_000).catch(() => undefined);
    await waitUntil('the job to start', async () => (await jobsStarted(cluster.markDir)).length > 0);
    redis.child.kill('SIGKILL');
    await redis.exited;
    await new Promise((r) => setTimeout(r, 300));
    const [gw] = cluster.gateways;
    const [w] = cluster.workers;
    const t0 = performance.now();
    gw.child.kill('SIGTERM');
    w.child.kill('SIGTERM');
    const timeout = new Promise((r) => setTimeout(() => r('still running'), 8000));
    assert.notEqual(await Promise.race([gw.exited, timeout]), 'still running', `gateway did not exit:\n${gw.output().slice(-5000)}`);
    assert.notEqual(await Promise.race([w.exited, timeout]), 'still running', `worker did not exit:\n${w.output().slice(-5000)}`);
    assert.ok(performance.now() - t0 < 6000, `exited after ${Math.round(performance.now() - t0)} ms`);
    for (const p of [gw, w]) {
      const line = logLines(p).find((l) => /abandoning what could not be closed/.test(l.msg));
      assert.ok(line, `no line saying what was abandoned:\n${p.output()}`);
      assert.ok(line.abandoned.some((a: string) => /redis|Redis/.test(a)), JSON.stringify(line));
    }
  } finally {
    client.close();
    // Back, so that the cluster's keys can be deleted (its helper waits for Redis).
    if (redis.child.exitCode !== null || redis.child.signalCode !== null) redis = startRedis(port);
    await waitUntil('the test Redis', () => requireRedis(redisUrl).then(() => true, () => false));
    await cluster.close();
    redis.child.kill('SIGKILL');
    await redis.exited;
  }
});

test('Redis unreachable at start: gateway and worker listen, /healthz answers 503 naming Redis, errors are logged as JSON, once each; they start once Redis comes', async () => {
  const port = await freePort();
  const redisUrl = `redis://127.0.0.1:${port}`;
  const prefix = `willow-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-dist-'));
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info', QUEUE_PARTITIONS: '4', DUCKDB_THREADS: '1', CPU_WORKERS: '1', SHUTDOWN_TIMEOUT_MS: '2000' };
  const procs: Proc[] = [];
  let redis: ReturnType<typeof startRedis> | null = null;
  try {
    const gw = await startProcess('src/main.ts', { ...env, PORT: '0' }, 'http server up: /healthz answers; waiting for Redis and the deployment check');
    procs.push(gw);
    const w = await startProcess('src/main-worker.ts', { ...env, WORKER_PORT: '0', WORKER_CONCURRENCY: '2' }, 'worker health server up: waiting for Redis and the deployment check');
    procs.push(w);
    await new Promise((r) => setTimeout(r, 3000));
    for (const p of [gw, w]) {
      const res = await fetch(`${p.url}/healthz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as Record<string, any>;
      assert.equal(body.status, 'unavailable');
      assert.match(body.reason, /^Redis is not reachable/, JSON.stringify(body));
    }
    const upload = await fetch(`${gw.url}/api/operations`);
    assert.equal(upload.status, 503);
    assert.equal(((await upload.json()) as Record<string, any>).error, 'unavailable');
    for (const p of [gw, w]) {
      const errors = logLines(p).filter((l) => l.level >= 40);
      const distinct = new Set(errors.map((l) => `${l.msg}|${l.err}`));
      assert.equal(errors.length, distinct.size, `one line per distinct error:\n${errors.map((l) => JSON.stringify(l)).join('\n')}`);
      assert.ok(errors.length >= 1 && errors.length <= 4, `${errors.length} error lines in 3 s`);
    }

    redis = startRedis(port);
    await waitUntil('the gateway to start', async () => logLines(gw).some((l) => l.msg === 'willow listening')).catch((e: Error) => assert.fail(`${e.message}:\n${gw.output()}`));
    await waitUntil('the worker to start', async () => logLines(w).some((l) => l.msg === 'worker ready'));
    for (const p of [gw, w]) assert.equal((await fetch(`${p.url}/healthz`)).status, 200);
    const client = await connect(gw.url);
    try {
      const id = await uploadOk(gw.url, 'ab.csv', 'a,b\n1,2\n');
      assert.equal((await client.request('renameColumn', id, { column: 'a', newName: 'z' })).success, true);
    } finally {
      client.close();
    }
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 10_000))])));
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    redis?.child.kill('SIGKILL');
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});

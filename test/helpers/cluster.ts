import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';

// Real gateway and worker processes on loopback ports, sharing one DATA_DIR and one Redis
// under a key prefix of their own (parallel runs on one Redis do not see each other).

const root = path.resolve(import.meta.dirname, '../..');
const node = process.execPath;

export interface Proc {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
}

/** Redis must be there: fail with a clear message, never skip. */
export async function requireRedis(url: string): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // reported by connect() below
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${url} (${(err as Error).message}); start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`);
  } finally {
    probe.disconnect();
  }
}

/** Start `script` and wait for its JSON log line `readyMsg` carrying the port it listens on. */
export function startProcess(script: string, env: Record<string, string>, readyMsg: string, timeoutMs = 30_000): Promise<Proc> {
  const child = spawn(node, [path.join(root, script)], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const rec = JSON.parse(line);
          if (rec.msg === readyMsg) {
            clearTimeout(timer);
            resolve({ child, pid: child.pid!, port: rec.port, url: `http://127.0.0.1:${rec.port}`, exited, output: () => out });
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} ended (${code}) before it was ready:\n${out}`));
    });
  });
}

export interface Cluster {
  redisUrl: string;
  prefix: string;
  dataDir: string;
  markDir: string;
  gateways: Proc[];
  workers: Proc[];
  startGateway(env?: Record<string, string>): Promise<Proc>;
  startWorker(env?: Record<string, string>): Promise<Proc>;
  /** SIGTERM everything still running, delete the prefix's keys and the folders. */
  close(): Promise<void>;
}

// Short lock and stall check so that a killed worker's job is re-run within seconds.
const FAST_STALLS = { JOB_LOCK_MS: '2000', JOB_STALLED_INTERVAL_MS: '1000', JOB_MAX_STALLS: '2' };

export async function startCluster(opts: { gateways: number; workers: number; redisUrl?: string; env?: Record<string, string> }): Promise<Cluster> {
  const redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379';
  await requireRedis(redisUrl);
  const prefix = `willow-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-dist-'));
  const markDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-marks-'));
  const base = {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info', // the ready lines are info lines
    QUEUE_PARTITIONS: '4',
    DUCKDB_THREADS: '1',
    CPU_WORKERS: '1',
    WILLOW_TEST_MARK_DIR: markDir,
    ...FAST_STALLS,
    ...opts.env,
  };
  const cluster: Cluster = {
    redisUrl,
    prefix,
    dataDir,
    markDir,
    gateways: [],
    workers: [],
    async startGateway(env = {}) {
      const p = await startProcess('src/main.ts', { ...base, PORT: '0', ...env }, 'willow listening');
      cluster.gateways.push(p);
      return p;
    },
    async startWorker(env = {}) {
      const p = await startProcess('src/main-worker.ts', { ...base, WORKER_PORT: '0', WORKER_CONCURRENCY: '2', ...env }, 'worker ready');
      cluster.workers.push(p);
      return p;
    },
    async close() {
      const all = [...cluster.gateways, ...cluster.workers].filter((p) => p.child.exitCode === null && p.child.signalCode === null);
      for (const p of all) p.child.kill('SIGTERM');
      await Promise.all(all.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 10_000))])));
      for (const p of all) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await deleteKeys(redisUrl, prefix).catch(() => undefined);
      await fs.rm(dataDir, { recursive: true, force: true });
      await fs.rm(markDir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < opts.gateways; i++) await cluster.startGateway();
  for (let i = 0; i < opts.workers; i++) await cluster.startWorker();
  return cluster;
}

/** Every key under `prefix` (BullMQ's and Willow's). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Which worker (pid) started each job so far, from the workers' marker files. */
export async function jobsStarted(markDir: string): Promise<{ jobId: string; pid: number; operation: string }[]> {
  const names = await fs.readdir(markDir);
  return Promise.all(
    names.map(async (n) => {
      const dot = n.lastIndexOf('.');
      return { jobId: n.slice(0, dot), pid: Number(n.slice(dot + 1)), operation: await fs.readFile(path.join(markDir, n), 'utf8') };
    }),
  );
}

export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A TCP port free on 127.0.0.1 a moment ago (for a server a test starts itself). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** A Redis of the test's own on `port` (nothing on disk), to stop and restart at will; `exited` settles when it stops. */
export function startRedis(port: number): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, exited };
}

// npm run bench -- --only distributed
//
// Small operations (metadata and single-cell edits) on a 100k-row dataset in 50 sessions:
// latency of one client and throughput of 50 clients at once, for the embedded queue and for
// the BullMQ queue with 1, 2 and 4 worker processes (one gateway). All runs share one
// DATA_DIR with the same 50 sessions, uploaded once.
import { spawn, type ChildProcess } from 'node:child_process';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { benchCsv, BENCH_COLUMNS } from './generate.ts';
import { startServer, type BenchServer } from './server.ts';
import { uploadFile } from './http.ts';
import { BenchClient } from './socket.ts';
import { Table, fmtMs, percentile } from './report.ts';
import { deleteKeys } from '../test/helpers/cluster.ts';

const ROWS = 100_000;
const SESSIONS = 50;
const LATENCY_SAMPLES = 100; // per operation, one client, one request at a time
const OPS_PER_SESSION = 20; // throughput: every session's client does this many, alternating
const WORKER_COUNTS = [1, 2, 4];
/** The Redis hop may add at most this much to the p50 of a small operation. */
const HOP_TARGET_MS = 5;

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function startWorker(repoRoot: string, env: Record<string, string>): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['src/main-worker.ts'], { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn', ...env, WORKER_PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'inherit', 'inherit'] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`a worker exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('a worker was not ready within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * One client per server, one request at a time, alternating between the embedded server
 * and the distributed gateway so that both see the same machine load (other processes on
 * this machine come and go): metadata, then single-cell edits, each on a session of its own.
 */
async function pairedLatency(embedded: Target, distributed: Target, column: number): Promise<{ embedded: Samples; distributed: Samples }> {
  const clients = await Promise.all([BenchClient.connect(embedded.url), BenchClient.connect(distributed.url)]);
  const out = [{ metadata: [], edit: [], failures: 0 }, { metadata: [], edit: [], failures: 0 }] as Samples[];
  const targets = [embedded, distributed];
  try {
    for (let k = 0; k < 2; k++) for (let i = 0; i < 5; i++) await clients[k].request('metadata', targets[k].session); // warm-up
    for (const kind of ['metadata', 'edit'] as const) {
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        for (let k = 0; k < 2; k++) {
          const t = kind === 'metadata' ? await clients[k].request('metadata', targets[k].session) : await clients[k].request('newCellValue', targets[k].session, { rowIndex: (i * 997) % ROWS, columnIndex: column, newValue: `edit ${i}` });
          if (t.ok) out[k][kind].push(t.ms);
          else out[k].failures++;
        }
      }
    }
  } finally {
    for (const c of clients) c.close();
  }
  return { embedded: out[0], distributed: out[1] };
}

interface Target {
  url: string;
  session: string;
}

interface Samples {
  metadata: number[];
  edit: number[];
  failures: number;
}

/** Every session's own client sends OPS_PER_SESSION requests one after the other (metadata, edit, metadata…); all sessions at once. */
async function throughput(url: string, sessions: string[], column: number): Promise<{ opsPerSecond: number; failures: number }> {
  const clients = await Promise.all(sessions.map(() => BenchClient.connect(url)));
  let failures = 0;
  try {
    const started = performance.now();
    await Promise.all(
      sessions.map(async (session, s) => {
        for (let i = 0; i < OPS_PER_SESSION; i++) {
          const t = i % 2 === 0 ? await clients[s].request('metadata', session) : await clients[s].request('newCellValue', session, { rowIndex: (i * 7919 + s) % ROWS, columnIndex: column, newValue: `t${i}` });
          if (!t.ok) failures++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { opsPerSecond: (sessions.length * OPS_PER_SESSION) / seconds, failures };
  } finally {
    for (const c of clients) c.close();
  }
}

export async function distributedSection(repoRoot: string, outDir: string, log: (line: string) => void): Promise<Table> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
  } catch (err) {
    throw new Error(`the distributed section needs Redis at ${redisUrl} (REDIS_URL): ${(err as Error).message}`);
  } finally {
    probe.disconnect();
  }

  const csv = await benchCsv(outDir, ROWS);
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'willow-bench-dist-'));
  const column = BENCH_COLUMNS.findIndex((c) => c.role === 'text');
  const table = new Table(`distributed: small operations, ${ROWS.toLocaleString('en-US')} rows, ${SESSIONS} sessions`, [
    'Queue',
    'metadata p50 / p95',
    'newCellValue p50 / p95',
    'embedded alongside: metadata / newCellValue p50',
    'p50 added by the Redis hop (metadata / edit)',
    `throughput, ${SESSIONS} clients (ops/s)`,
    'Status',
  ]);
  const fmtPair = (a: number[]) => `${fmtMs(percentile(a, 50))} / ${fmtMs(percentile(a, 95))}`;
  // The embedded server uploads the sessions into the shared DATA_DIR and stays up: its
  // latency is measured again alongside every distributed run.
  log(`  uploading ${SESSIONS + 1} sessions of ${ROWS.toLocaleString('en-US')} rows`);
  const embedded = await startServer(repoRoot, { DATA_DIR: dataDir });
  try {
    const sessions: string[] = [];
    for (let i = 0; i <= SESSIONS; i++) {
      const up = await uploadFile(embedded.url, csv.file);
      if (up.status !== 200 || !up.body.success) throw new Error(`upload failed: HTTP ${up.status} ${JSON.stringify(up.body)}`);
      sessions.push(String(up.body.sessionID));
    }
    const embeddedOwn = sessions.pop()!; // the embedded server's latency session, never touched by the others
    log('  embedded: throughput');
    const base = await throughput(embedded.url, sessions, column);
    table.add('embedded', '(alongside each run →)', '', '', '—', base.opsPerSecond.toFixed(0), base.failures ? `FAIL (${base.failures} failed requests)` : '');

    for (const count of WORKER_COUNTS) {
      const label = `BullMQ, ${count} worker${count > 1 ? 's' : ''}`;
      const prefix = `willow-bench-${crypto.randomBytes(4).toString('hex')}`;
      const env = { DATA_DIR: dataDir, REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
      const gateway = await startServer(repoRoot, env);
      const workers: ChildProcess[] = [];
      try {
        for (let i = 0; i < count; i++) workers.push(await startWorker(repoRoot, env));
        log(`  ${label}: latency, alternating with the embedded server`);
        const lat = await pairedLatency({ url: embedded.url, session: embeddedOwn }, { url: gateway.url, session: sessions[0] }, column);
        log(`  ${label}: throughput`);
        const thr = await throughput(gateway.url, sessions, column);
        const added = [percentile(lat.distributed.metadata, 50) - percentile(lat.embedded.metadata, 50), percentile(lat.distributed.edit, 50) - percentile(lat.embedded.edit, 50)];
        const failures = lat.distributed.failures + lat.embedded.failures + thr.failures;
        const status = failures > 0 ? `FAIL (${failures} failed requests)` : added.every((ms) => ms <= HOP_TARGET_MS) ? 'pass' : 'FAIL';
        table.add(
          label,
          fmtPair(lat.distributed.metadata),
          fmtPair(lat.distributed.edit),
          `${fmtMs(percentile(lat.embedded.metadata, 50))} / ${fmtMs(percentile(lat.embedded.edit, 50))}`,
          `${fmtMs(added[0])} / ${fmtMs(added[1])}`,
          thr.opsPerSecond.toFixed(0),
          status,
        );
      } finally {
        await Promise.all(workers.map(stopProcess));
        await gateway.stop();
        await deleteKeys(redisUrl, prefix);
      }
    }
  } finally {
    await embedded.stop();
    await fsp.rm(dataDir, { recursive: true, force: true });
  }
  table.note(
    `Latency: ${LATENCY_SAMPLES} requests of each kind one at a time on one session, alternating request by request with the same requests to the embedded server (on a session of its own), so both meet the same machine load; target: the Redis hop adds ≤ ${HOP_TARGET_MS} ms to the p50. ` +
      `Throughput: ${SESSIONS} clients, one per session, ${OPS_PER_SESSION} requests each one after the other (metadata and newCellValue alternating), all at once; one gateway; ` +
      `each worker runs WORKER_CONCURRENCY (default: 3 per core, at least 4) jobs at once. Every process shares this machine's ${os.availableParallelism()} cores.`,
  );
  return table;
}

// npm run load [-- --seconds 60 --warmup 30 --clients 500 --sessions 50 --rows 100000 --timeout 10000 --think 100 --env KEY=VALUE…]
//
// A load test on loopback: the server runs as a child process with the embedded defaults;
// `sessions` uploads of a generated `rows`-row CSV; `clients` Socket.IO v4 clients, client i
// on session i mod sessions, each in a closed loop (request, answer, think 0…2·think ms) for
// `warmup` + `seconds`; the report's table counts the requests sent in the last `seconds`
// (after the warm-up, in which every session's cells, views and statistics are made for the
// first time), and a line of its own the warm-up's (a request never answered is reported
// wherever it falls). Client i < sessions is its session's editor (newCellValue, fillWithCustomValue,
// renameColumn followed by undo, so the names the readers use stay valid); every other
// client reads (metadata, data slices plain / sorted / filtered, analyze). Every request
// has a timeout and is counted: answered, failed, or unanswered. Prints throughput, latency
// p50/p99 per kind, and the server's RSS over time (from /proc), and writes the report to
// bench/out/load.md.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCsv } from './generate.ts';
import { startServer, cpuMs, threadCpuMs, threadCpuDelta } from './server.ts';
import os from 'node:os';
import { uploadFile } from './http.ts';
import { BenchClient, type Timed } from './socket.ts';
import { Table, fmtMs, fmtBytes, percentile, shortProblem } from './report.ts';
import { mulberry32 } from './prng.ts';
import { readRequest, editRequests } from './load-mix.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const log = (line: string) => process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    clients: { type: 'string' },
    sessions: { type: 'string' },
    rows: { type: 'string' },
    timeout: { type: 'string' },
    think: { type: 'string' },
    // Server settings for this run, e.g. --env QUEUE_CONCURRENCY=8 (repeatable).
    env: { type: 'string', multiple: true },
  },
});
const serverEnv = Object.fromEntries(
  (values.env ?? []).map((kv) => {
    const at = kv.indexOf('=');
    if (at <= 0) throw new Error(`--env must be KEY=VALUE (got ${JSON.stringify(kv)})`);
    return [kv.slice(0, at), kv.slice(at + 1)];
  }),
);
const int = (v: string | undefined, d: number, name: string, min: number, max: number) => {
  const n = v === undefined ? d : Number(v.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}] (got ${v})`);
  return n;
};
const seconds = int(values.seconds, 60, 'seconds', 1, 3600);
const warmupS = int(values.warmup, 30, 'warmup', 0, 3600);
const clients = int(values.clients, 500, 'clients', 1, 5000);
const sessions = Math.min(clients, int(values.sessions, 50, 'sessions', 1, 1000));
const rows = int(values.rows, 100_000, 'rows', 200, 10_000_000);
const timeoutMs = int(values.timeout, 10_000, 'timeout', 100, 600_000);
const thinkMs = int(values.think, 100, 'think', 0, 60_000);


interface KindStats {
  ms: number[];
  errors: number;
  unanswered: number;
  problems: Map<string, number>;
}

const stats = new Map<string, KindStats>();
/** The warm-up's requests, all kinds together. */
const warm: KindStats = { ms: [], errors: 0, unanswered: 0, problems: new Map() };
let measureStart = Infinity;
/** Reads by the WINDOW_S-second window of the run they ended in: latencies answered, and failures. */
const WINDOW_S = 10;
const windows: { ms: number[]; failed: number }[] = [];
let runStart = 0;
const EDITS = new Set(editRequests(() => 0, 1000).map((r) => r.kind));
function record(kind: string, t: Timed, sentAt: number): void {
  if (runStart > 0 && !EDITS.has(kind)) {
    const w = Math.floor((performance.now() - runStart) / 1000 / WINDOW_S);
    const slot = (windows[w] ??= { ms: [], failed: 0 });
    if (t.ok) slot.ms.push(t.ms);
    else slot.failed++;
  }
  let s = sentAt < measureStart ? warm : stats.get(kind);
  if (!s) stats.set(kind, (s = { ms: [], errors: 0, unanswered: 0, problems: new Map() }));
  if (t.timedOut) s.unanswered++;
  else if (!t.ok) s.errors++;
  else s.ms.push(t.ms);
  if (!t.ok) {
    // Grouped by wording: the numbers in it (ms waited, counts) vary from request to request.
    const p = shortProblem(t.problem, 80).replace(/\d+/g, 'N');
    s.problems.set(p, (s.problems.get(p) ?? 0) + 1);
  }
}

const { file } = await benchCsv(outDir, rows);
const server = await startServer(repoRoot, serverEnv);
process.on('exit', () => server.killNow());
const rss: { at: number; bytes: number }[] = [];
try {
  log(`uploading ${sessions} sessions of ${rows} rows…`);
  const ids: string[] = [];
  const started = performance.now();
  for (let k = 0; k < sessions; k += 4) {
    const batch = await Promise.all(Array.from({ length: Math.min(4, sessions - k) }, () => uploadFile(server.url, file)));
    for (const up of batch) {
      if (!up.body.success) throw new Error(`upload failed: ${up.status} ${JSON.stringify(up.body)}`);
      ids.push(up.body.sessionID as string);
    }
  }
  log(`uploaded in ${fmtMs(performance.now() - started)}; connecting ${clients} clients…`);
  const sockets: BenchClient[] = [];
  for (let k = 0; k < clients; k += 50) sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, clients - k) }, () => BenchClient.connect(server.url)))));

  const runT0 = performance.now();
  runStart = runT0;
  const t0 = runT0 + warmupS * 1000;
  measureStart = t0;
  // The measured period's CPU counters start when it does.
  let serverCpu0 = cpuMs(server.pid);
  let threads0 = threadCpuMs(server.pid);
  let ownCpu0 = process.cpuUsage();
  const startMeasuring = setTimeout(() => {
    serverCpu0 = cpuMs(server.pid);
    threads0 = threadCpuMs(server.pid);
    ownCpu0 = process.cpuUsage();
  }, warmupS * 1000);
  const deadline = t0 + seconds * 1000;
  const sampler = setInterval(() => {
    server.rss.sample();
    rss.push({ at: (performance.now() - runT0) / 1000, bytes: server.rss.current });
  }, 1000);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(
    sockets.map(async (client, i) => {
      const r = mulberry32(i + 1); // the same mix of requests run to run
      const sessionID = ids[i % sessions];
      const editor = i < sessions;
      // Clients start as they would go on, a think time apart, not all in the same instant.
      if (thinkMs > 0) await sleep(r() * 2 * thinkMs);
      while (performance.now() < deadline) {
        const batch = editor ? editRequests(r, rows) : [readRequest(r, rows)];
        for (const req of batch) {
          const sentAt = performance.now();
          const t = await client.request(req.operation, sessionID, req.params, timeoutMs);
          record(req.kind, t, sentAt);
        }
        if (thinkMs > 0) await sleep(r() * 2 * thinkMs);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  // Cores busy on average: the server's, and this process's (the clients must not be what limits).
  const serverCores = (cpuMs(server.pid) - serverCpu0) / 1000 / elapsed;
  const threads = threadCpuDelta(threads0, threadCpuMs(server.pid));
  const own = process.cpuUsage(ownCpu0);
  const clientCores = (own.user + own.system) / 1e6 / elapsed;
  clearInterval(sampler);
  clearTimeout(startMeasuring);
  // Answers still on their way to requests that timed out: counted for a moment, then the clients close.
  await sleep(Math.min(timeoutMs, 3000));
  const late = sockets.reduce((n, s) => n + s.late, 0);
  for (const s of sockets) s.close();

  const settings = Object.entries(serverEnv).map(([k, v]) => `, ${k}=${v}`).join('');
  const table = new Table(`Load: ${clients} clients, ${sessions} sessions of ${rows} rows, ${seconds} s after ${warmupS} s of warm-up (timeout ${timeoutMs} ms, think ≈${thinkMs} ms${settings})`, ['kind', 'answered', 'req/s', 'p50', 'p99', 'max', 'errors', 'unanswered']);
  let total = 0;
  let errors = 0;
  let unanswered = 0;
  for (const [kind, s] of [...stats].sort()) {
    const sorted = [...s.ms].sort((a, b) => a - b);
    total += s.ms.length + s.errors + s.unanswered;
    errors += s.errors;
    unanswered += s.unanswered;
    table.add(kind, s.ms.length, (s.ms.length / elapsed).toFixed(1), fmtMs(percentile(sorted, 50)), fmtMs(percentile(sorted, 99)), fmtMs(sorted[sorted.length - 1] ?? NaN), s.errors, s.unanswered);
  }
  table.note(`${total} requests in ${elapsed.toFixed(1)} s (${(total / elapsed).toFixed(0)} req/s); ${errors} errors, ${unanswered} unanswered.`);
  const warmSorted = [...warm.ms].sort((a, b) => a - b);
  table.note(
    `warm-up (first ${warmupS} s, not in the table): ${warm.ms.length + warm.errors + warm.unanswered} requests, p50 ${fmtMs(percentile(warmSorted, 50))}, p99 ${fmtMs(percentile(warmSorted, 99))}, ${warm.errors} errors, ${warm.unanswered} unanswered` +
      `${[...warm.problems].map(([p, n]) => ` (${n} × ${p})`).join('')}. Of all unanswered, ${late} answered later, after the client had given up.`,
  );
  table.note(`CPU (cores busy on average, of ${os.availableParallelism()}): server ${serverCores.toFixed(2)}, load generator ${clientCores.toFixed(2)}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}.`);
  table.note(`server CPU by thread (main: JavaScript; libuv-worker: DuckDB and file I/O): ${threads}.`);
  for (const [kind, s] of stats) for (const [p, n] of s.problems) table.note(`- ${kind}: ${n} × ${p}`);
  // Warm-up (every session's blocks and views made for the first time) against steady state.
  const timeline = windows.map((w, k) => {
    const sorted = w ? [...w.ms].sort((a, b) => a - b) : [];
    return `${k * WINDOW_S}–${(k + 1) * WINDOW_S} s: ${((sorted.length) / WINDOW_S).toFixed(0)}/s p50 ${fmtMs(percentile(sorted, 50))} p99 ${fmtMs(percentile(sorted, 99))}${w?.failed ? `, ${w.failed} failed` : ''}`;
  });
  table.note(`reads by ${WINDOW_S}-second window (answered per second, latency, failures): ${timeline.join('; ')}`);
  const every = Math.max(1, Math.round(rss.length / 12));
  table.note(`server RSS (s → MB): ${rss.filter((_, k) => k % every === 0 || k === rss.length - 1).map((p) => `${p.at.toFixed(0)}→${(p.bytes / 1e6).toFixed(0)}`).join(', ')}; peak ${fmtBytes(server.rss.peak)}`);
  const report = table.markdown();
  process.stdout.write(`\n${report}\n`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'load.md'), report + '\n');
} finally {
  await server.stop();
}

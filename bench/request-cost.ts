// npm run bench:cost [-- --rows 100000 --repeat 40 --sessions 10 --mix 1000]
//
// What one request costs the server, request kind by kind: the server runs as a child
// process with the embedded defaults, one session of a generated `rows`-row CSV, and one
// Socket.IO client sends `repeat` requests of each kind one after the other (no overlap).
// For each kind it prints the latency p50/p99 and the server's CPU time per request (user +
// system, from /proc/<pid>/stat), which — unlike latency — does not depend much on what else
// the machine is doing. The load test's throughput is bounded by cores / CPU per request.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchCsv } from './generate.ts';
import { startServer, cpuMs } from './server.ts';
import { uploadFile } from './http.ts';
import { BenchClient } from './socket.ts';
import { Table, fmtMs, percentile } from './report.ts';
import { mulberry32 } from './prng.ts';
import { readRequest, editRequests } from './load-mix.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const outDir = path.join(repoRoot, 'bench', 'out');

const { values } = parseArgs({ options: { rows: { type: 'string' }, repeat: { type: 'string' }, sessions: { type: 'string' }, mix: { type: 'string' } } });
const mixSessions = Number(values.sessions ?? 10);
const mixRequests = Number(values.mix ?? 1000);
if (!Number.isInteger(mixSessions) || mixSessions < 1) throw new Error(`--sessions must be a positive integer (got ${values.sessions})`);
if (!Number.isInteger(mixRequests) || mixRequests < 0) throw new Error(`--mix must be an integer ≥ 0 (got ${values.mix})`);
const rows = Number(values.rows ?? 100_000);
const repeat = Number(values.repeat ?? 40);
if (!Number.isInteger(rows) || rows < 200) throw new Error(`--rows must be an integer ≥ 200 (got ${values.rows})`);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a positive integer (got ${values.repeat})`);

const { file } = await benchCsv(outDir, rows);
// One client sends everything back to back: the per-connection rate limit would answer most
// of it `rate limited` (costing nothing), which is not what is measured here.
const server = await startServer(repoRoot, { SOCKET_RATE_LIMIT: '0' });
process.on('exit', () => server.killNow());
try {
  const up = await uploadFile(server.url, file);
  if (!up.body.success) throw new Error(`upload failed: ${up.status} ${JSON.stringify(up.body)}`);
  const sessionID = up.body.sessionID as string;
  const client = await BenchClient.connect(server.url);
  const r = mulberry32(1);
  const byKind = new Map<string, { operation: string; params: Record<string, unknown> }[]>();
  // Draw from the load test's own mix until every kind has `repeat` requests.
  while ([...byKind.values()].filter((l) => l.length >= repeat).length < 9) {
    for (const req of [readRequest(r, rows), ...editRequests(r, rows)]) {
      const list = byKind.get(req.kind) ?? [];
      if (list.length < repeat) list.push(req);
      byKind.set(req.kind, list);
    }
  }
  const table = new Table(`Cost per request: one client, one session of ${rows} rows, ${repeat} requests per kind in sequence`, ['kind', 'p50', 'p99', 'server CPU / request', 'errors']);
  // The edits run as the load test's editor sends them (rename, then undo), kind by kind.
  for (const [kind, list] of [...byKind].sort()) {
    const ms: number[] = [];
    let errors = 0;
    const problems = new Set<string>();
    const cpu0 = cpuMs(server.pid);
    for (const req of list) {
      const t = await client.request(req.operation, sessionID, req.params, 60_000);
      if (t.ok) ms.push(t.ms);
      else {
        errors++;
        problems.add(t.problem ?? 'failed');
      }
      if (req.operation === 'renameColumn' && t.ok) await client.request('undo', sessionID, {}, 60_000);
    }
    const perRequest = (cpuMs(server.pid) - cpu0) / list.length;
    for (const p of problems) table.note(`- ${kind}: ${p}`);
    table.add(kind === 'renameColumn' ? 'renameColumn (+ undo)' : kind, fmtMs(percentile(ms, 50)), fmtMs(percentile(ms, 99)), fmtMs(perRequest), errors);
  }
  // The load test's editor makes a new version between most reads of its session, so reads
  // there rarely find the version they read before. Each read kind again, each read right
  // after a cell edit (newCellValue on price, as the editor sends): CPU of the pair minus the
  // CPU of such an edit alone (measured the same way, edits in a row).
  const fresh = new Table(`Cost per read after an edit (the load test's case): ${repeat} pairs per kind, the edit's own CPU subtracted`, ['kind', 'p50', 'p99', 'server CPU / read', 'errors']);
  const edit = () => ({ columnIndex: 1, rowIndex: Math.floor(r() * rows), newValue: String(Math.floor(r() * 1e6) / 100) });
  const editCpu0 = cpuMs(server.pid);
  for (let k = 0; k < repeat; k++) await client.request('newCellValue', sessionID, edit(), 60_000);
  const editCpu = (cpuMs(server.pid) - editCpu0) / repeat;
  fresh.note(`a newCellValue alone: ${fmtMs(editCpu)} of server CPU`);
  for (const [kind, list] of [...byKind].sort()) {
    if (!['metadata', 'analyze'].includes(list[0].operation) && list[0].operation !== 'data') continue;
    const ms: number[] = [];
    let errors = 0;
    const cpu0 = cpuMs(server.pid);
    for (const req of list) {
      await client.request('newCellValue', sessionID, edit(), 60_000);
      const t = await client.request(req.operation, sessionID, req.params, 60_000);
      if (t.ok) ms.push(t.ms);
      else errors++;
    }
    fresh.add(kind, fmtMs(percentile(ms, 50)), fmtMs(percentile(ms, 99)), fmtMs((cpuMs(server.pid) - cpu0) / list.length - editCpu), errors);
  }
  // The load test's mix itself, one request at a time: `mixSessions` sessions, each with its
  // editor's requests (in their order) between its readers' (one edit for nine reads, as the
  // load test's 50 editors and 450 readers), sessions in turn. Its CPU per request is what
  // bounds the load test's throughput, warm-up included, without the noise of contention.
  const mixTable = new Table(`The load test's mix in sequence: ${mixSessions} sessions of ${rows} rows, ${mixRequests} requests (1 edit : 9 reads)`, ['requests', 'p50', 'p99', 'server CPU / request', 'errors']);
  const mixIds = [sessionID];
  while (mixIds.length < mixSessions) {
    const more = await uploadFile(server.url, file);
    if (!more.body.success) throw new Error(`upload failed: ${more.status} ${JSON.stringify(more.body)}`);
    mixIds.push(more.body.sessionID as string);
  }
  const rm = mulberry32(7);
  const edits = mixIds.map(() => [] as { operation: string; params: Record<string, unknown> }[]);
  const mixMs: number[] = [];
  let mixErrors = 0;
  const mixCpu0 = cpuMs(server.pid);
  for (let k = 0; k < mixRequests; k++) {
    const s = k % mixIds.length;
    let req: { operation: string; params: Record<string, unknown> };
    if (Math.floor(k / mixIds.length) % 10 === 9) {
      if (edits[s].length === 0) edits[s] = editRequests(rm, rows);
      req = edits[s].shift()!;
    } else req = readRequest(rm, rows);
    const t = await client.request(req.operation, mixIds[s], req.params, 60_000);
    if (t.ok) mixMs.push(t.ms);
    else mixErrors++;
  }
  mixTable.add(mixRequests, fmtMs(percentile(mixMs, 50)), fmtMs(percentile(mixMs, 99)), fmtMs((cpuMs(server.pid) - mixCpu0) / mixRequests), mixErrors);
  client.close();
  const report = `${table.markdown()}\n\n${fresh.markdown()}\n\n${mixTable.markdown()}`;
  process.stdout.write(`\n${report}\n`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'request-cost.md'), report + '\n');
} finally {
  await server.stop();
}

// npm run bench:wide [-- --columns N] [--rows N] [--formats csv,json,xlsx] [--skip-ops]
//
// Wide inputs: generates a deterministic CSV, JSON (records) and XLSX file of N columns
// (default 10,000) × rows (default 1,000), starts the server as a child process, uploads
// each, and times metadata, a full-row data slice and one operation of each kind, with the
// server's peak RSS (sampled from /proc). Targets: import ≤ 10 s, metadata ≤ 1 s, a full
// row ≤ 1 s, peak RSS ≤ 1.5 GB. Each step also gives the server's CPU time (all its threads;
// not executeCommand's child process), steadier than the time under a machine's other load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import XLSX from 'xlsx';
import { startServer, cpuMs } from './server.ts';
import { uploadFile, download } from './http.ts';
import { BenchClient } from './socket.ts';
import { Table, fmtMs, fmtBytes, shortProblem } from './report.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const log = (line: string) => process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: { columns: { type: 'string' }, rows: { type: 'string' }, formats: { type: 'string' }, 'skip-ops': { type: 'boolean' } },
});
const columns = Number(values.columns ?? 10_000);
const rows = Number(values.rows ?? 1_000);
const formats = (values.formats ?? 'csv,json,xlsx').split(',');

/** Cell (r, c): column c mod 4 is an integer, a float, a text or an integer with gaps. */
function cell(r: number, c: number): string | number | null {
  switch (c % 4) {
    case 0:
      return r * 7 + c;
    case 1:
      return (r * 13 + c) / 4;
    case 2:
      return `t${(r + c) % 97}`;
    default:
      return (r + c) % 10 === 0 ? null : r - c;
  }
}

function generate(dir: string, format: string): string {
  const file = path.join(dir, `wide-${columns}x${rows}.${format}`);
  if (fs.existsSync(file)) return file;
  const names = Array.from({ length: columns }, (_, c) => `col ${c}`);
  if (format === 'csv') {
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, names.join(',') + '\n');
    for (let r = 0; r < rows; r++) fs.writeSync(fd, names.map((_, c) => cell(r, c) ?? '').join(',') + '\n');
    fs.closeSync(fd);
  } else if (format === 'json') {
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, '[');
    for (let r = 0; r < rows; r++) fs.writeSync(fd, (r ? ',\n' : '') + JSON.stringify(Object.fromEntries(names.map((n, c) => [n, cell(r, c)]))));
    fs.writeSync(fd, ']');
    fs.closeSync(fd);
  } else {
    const aoa = [names, ...Array.from({ length: rows }, (_, r) => names.map((_, c) => cell(r, c)))];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), 'data');
    XLSX.writeFile(wb, file);
  }
  return file;
}

const dir = path.join(os.tmpdir(), 'willow-bench-wide');
fs.mkdirSync(dir, { recursive: true });
const server = await startServer(repoRoot);
process.on('exit', () => server.killNow());
const client = await BenchClient.connect(server.url);
const table = new Table(`Wide inputs: ${columns} columns × ${rows} rows`, ['format', 'step', 'time', 'server CPU', 'result', 'peak RSS so far']);
let cpuMark = cpuMs(server.pid);
const row = (format: string, step: string, ms: number, result: string) => {
  const cpu = cpuMs(server.pid) - cpuMark;
  table.add(format, step, fmtMs(ms), fmtMs(cpu), result, fmtBytes(server.rss.peak));
  log(`${format} ${step}: ${fmtMs(ms)} (server CPU ${fmtMs(cpu)}) ${result}`);
  cpuMark = cpuMs(server.pid);
};
try {
  for (const format of formats) {
    const started = performance.now();
    const file = generate(dir, format);
    log(`${format}: ${fmtBytes(fs.statSync(file).size)} generated in ${fmtMs(performance.now() - started)}`);
    cpuMark = cpuMs(server.pid);
    const up = await uploadFile(server.url, file);
    row(format, 'upload', up.totalMs, up.body.success ? `${up.body.rows} × ${up.body.columns}` : `${up.status} ${up.body.errorDescription}`);
    if (!up.body.success) continue;
    const sid = up.body.sessionID as string;
    const timed = async (step: string, op: string, params: Record<string, unknown>, describe: (r: Record<string, any>) => string = () => 'ok') => {
      const t = await client.request(op, sid, params, 300_000);
      row(format, step, t.ms, t.ok ? describe(t.response) : shortProblem(t.problem));
      return t;
    };
    await timed('metadata', 'metadata', {}, (r) => `${r.dataSize.rows} × ${r.dataSize.columns}`);
    await timed('metadata (again)', 'metadata', {});
    await timed('data: a full row', 'data', { rowIndexFrom: 500 % rows, rowIndexTo: 500 % rows, columnIndexFrom: 0, columnIndexTo: columns - 1 }, (r) => `${JSON.parse(r.data).data[0].length} values`);
    await timed('data: 50 rows × 20 columns', 'data', { rowIndexFrom: 0, rowIndexTo: 49, columnIndexFrom: columns - 20, columnIndexTo: columns - 1 });
    await timed('data: sorted page', 'data', { rowIndexFrom: 0, rowIndexTo: 49, columnIndexFrom: 0, columnIndexTo: 19, sortColumnIndex: 1 });
    if (values['skip-ops']) continue;
    await timed('standardize (column op)', 'standardize', { columnIndex: 1 });
    await timed('metadata after a change', 'metadata', {});
    await timed('deleteRows', 'deleteRows', { rowIndices: [0, 1, 2] });
    await timed('generateDummies', 'generateDummies', { columnIndex: 2, inplace: false });
    // Filtered and sorted queries of every column (after deleteRows: df has deleted rows).
    await timed('executeCommand WHERE', 'executeCommand', { command: 'SELECT * FROM df WHERE "col 17" > 5' });
    await timed('undo', 'undo', {});
    await timed('executeCommand ORDER BY LIMIT', 'executeCommand', { command: 'SELECT * FROM df ORDER BY "col 3" LIMIT 10' });
    await timed('undo', 'undo', {});
    await timed('executeCommand', 'executeCommand', { command: 'SELECT * FROM df LIMIT 900' });
    await timed('analyze', 'analyze', { column: `col ${columns - 1}` });
    await timed('visualize', 'visualize', { type: 'histogram', columnIndices: [0] });
    await timed('undo', 'undo', {});
    const d0 = performance.now();
    const dl = await download(`${server.url}/downloadCSV/${sid}`);
    row(format, 'downloadCSV', performance.now() - d0, `${dl.status} ${fmtBytes(dl.bytes)}`);
  }
} finally {
  client.close();
  await server.stop();
}
table.note(`peak server RSS: ${fmtBytes(server.rss.peak)}`);
process.stdout.write(`\n${table.markdown()}\n`);

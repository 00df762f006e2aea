// npm run bench:store [-- --columns 1000 --versions 200 --commits 20 --reads 200]
//
// What the store layer alone costs the server, in CPU time (user + system of this process,
// thread pool included): a commit as the executor makes it (the session quota check, then
// SessionStore.commit with its sweep) on a wide session with a long history, and a read's
// snapshot() + release() on the same session and on a narrow one (the load test's 8 columns).
// No DuckDB, no Parquet: the column files are 1-byte placeholders, the store never opens them.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SessionStore } from '../src/store/session-store.ts';
import { checkSessionQuota } from '../src/store/quota.ts';
import { newSessionId } from '../src/store/session-id.ts';
import type { ColumnEntry } from '../src/store/manifest.ts';

const { values } = parseArgs({ options: { columns: { type: 'string' }, versions: { type: 'string' }, commits: { type: 'string' }, reads: { type: 'string' } } });
const columns = Number(values.columns ?? 1000);
const versions = Number(values.versions ?? 200);
const commits = Number(values.commits ?? 20);
const reads = Number(values.reads ?? 200);

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-store-cost-'));
// The server's defaults: unlimited undo, MAX_SESSION_BYTES 20 GB (so every commit counts the session).
const store = new SessionStore(dataDir, { maxVersions: 0, maxHistoryBytes: 0 });
const quota = { maxSessionBytes: 20_000_000_000, maxDataBytes: 0 };

async function newFile(id: string): Promise<string> {
  const { file, path: p } = store.newFile(id);
  await fs.writeFile(p, 'x');
  return file;
}

/** A session of `width` columns (100 per import file) and `history` versions, each replacing one column. */
async function session(width: number, history: number): Promise<{ id: string; cols: ColumnEntry[] }> {
  const id = newSessionId();
  await store.prepare(id);
  const cols: ColumnEntry[] = [];
  let file = '';
  for (let i = 0; i < width; i++) {
    if (i % 100 === 0) file = await newFile(id);
    cols.push({ name: `column_${i}`, file, field: `c${i % 100}`, type: i % 3 ? 'VARCHAR' : 'DOUBLE' });
  }
  await store.create(id, { rows: 100_000, columns: cols, operations: [], bytesWritten: 1 });
  for (let v = 1; v < history; v++) await commit(id, cols, v);
  return { id, cols };
}

/** CPU of the commits, and of the first read after each (the load test's case). */
async function commits_(id: string, cols: ColumnEntry[], from: number): Promise<{ commit: number; read: number }> {
  let commitMs = 0;
  let readMs = 0;
  for (let k = 0; k < commits; k++) {
    const c0 = cpu();
    await commit(id, cols, from + k);
    const c1 = cpu();
    await (await store.snapshot(id)).release();
    commitMs += c1 - c0;
    readMs += cpu() - c1;
  }
  return { commit: commitMs / commits, read: readMs / commits };
}

async function commit(id: string, cols: ColumnEntry[], n: number): Promise<void> {
  const i = n % cols.length;
  cols[i] = { ...cols[i], file: await newFile(id), field: 'c0' };
  const staged = { rows: 100_000, columns: cols.slice(), bytesWritten: 1 };
  await checkSessionQuota(store, id, staged, quota);
  await store.commit(id, { ...staged, operations: [{ operation: 'newCellValue', parameters: { n }, appliedAt: new Date().toISOString() }] });
}

/** CPU of a read, long enough after the last change that state.json is not read again. */
async function readCost(id: string): Promise<number> {
  for (let k = 0; k < 20; k++) await (await store.snapshot(id)).release();
  await new Promise((resolve) => setTimeout(resolve, 250));
  const c0 = cpu();
  for (let k = 0; k < reads; k++) await (await store.snapshot(id)).release();
  return (cpu() - c0) / reads;
}

try {
  const wide = await session(columns, versions);
  const wideCommit = await commits_(wide.id, wide.cols, versions);
  const wideRead = await readCost(wide.id);
  const narrow = await session(8, versions);
  const narrowCommit = await commits_(narrow.id, narrow.cols, versions);
  const narrowRead = await readCost(narrow.id);
  const f = (ms: number) => `${ms.toFixed(ms < 1 ? 3 : 1)} ms`;
  process.stdout.write(
    [
      `store CPU (user + system) per operation, sessions of ${versions} versions, ${commits} commits, ${reads} reads:`,
      `| | ${columns} columns | 8 columns |`,
      '| --- | --- | --- |',
      `| commit (quota check + commit + sweep) | ${f(wideCommit.commit)} | ${f(narrowCommit.commit)} |`,
      `| read (snapshot + release) right after a commit | ${f(wideCommit.read)} | ${f(narrowCommit.read)} |`,
      `| read (snapshot + release), no change for 250 ms | ${f(wideRead)} | ${f(narrowRead)} |`,
      '',
    ].join('\n'),
  );
} finally {
  await fs.rm(dataDir, { recursive: true, force: true });
}

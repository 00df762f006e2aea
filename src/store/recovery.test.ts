import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SessionStore } from './session-store.ts';
import { spawnSync } from 'node:child_process';
import { recoverDataDir, spillOwner, sweepSharedLeftovers } from './recovery.ts';
import { spillDirectory } from '../worker/runtime.ts';
import { loadConfig } from '../config.ts';
import { newSessionId } from './session-id.ts';
import { createLogger } from '../log.ts';

test('restart recovery keeps the files of deleted rows that committed versions name, and removes orphans', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-recovery-'));
  try {
    const store = new SessionStore(dataDir);
    const id = newSessionId();
    await store.prepare(id);
    const write = async () => {
      const { file, path: p } = store.newFile(id);
      await fs.writeFile(p, 'x');
      return file;
    };
    const data = await write();
    await store.create(id, { rows: 3, columns: [{ name: 'a', file: data, field: 'c0', type: 'BIGINT' }], operations: [], bytesWritten: 1 });
    // deleteRows: the column keeps its file and names the file of its deleted rows
    const deleted = await write();
    await store.commit(id, { rows: 2, columns: [{ name: 'a', file: data, field: 'c0', type: 'BIGINT', deleted: { file: deleted, count: 1 } }], operations: [], bytesWritten: 1 });
    const orphan = await write(); // a job that died before its commit
    const report = await recoverDataDir(dataDir, createLogger('silent'));
    assert.deepEqual((await fs.readdir(store.filesDir(id))).sort(), [data, deleted].sort());
    assert.equal(report.files, 1);
    assert.ok(!(await fs.readdir(store.filesDir(id))).includes(orphan));
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});

test('in a shared DATA_DIR, only leftovers untouched for the age given, and spill folders of processes gone, are removed', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-shared-'));
  try {
    const now = Date.now();
    const HOUR = 3_600_000;
    const made = async (rel: string, ageMs: number, dir = false) => {
      const p = path.join(dataDir, rel);
      await fs.mkdir(dir ? p : path.dirname(p), { recursive: true });
      if (!dir) await fs.writeFile(p, 'x');
      const t = new Date(now - ageMs);
      await fs.utimes(p, t, t);
      return p;
    };
    // Uploads: one a killed gateway left two hours ago, one arriving now.
    await made('incoming/upload-old', 2 * HOUR);
    await made('incoming/upload-new', 1000);
    // Imports that never committed: one old, one whose folder is old but a file in it is being written.
    const oldImport = newSessionId();
    const liveImport = newSessionId();
    await made(`sessions/${oldImport}/files/a.parquet`, 2 * HOUR);
    await made(`sessions/${oldImport}/files`, 2 * HOUR, true);
    await made(`sessions/${oldImport}`, 2 * HOUR, true);
    await made(`sessions/${liveImport}`, 2 * HOUR, true);
    await made(`sessions/${liveImport}/files/b.parquet`, 1000);
    // A committed session: its state stays whatever its age; of its scratch entries only the old one goes.
    const committed = newSessionId();
    await made(`sessions/${committed}/state.json`, 10 * HOUR);
    await made(`sessions/${committed}/tmp/command-old/result.parquet`, 2 * HOUR);
    await made(`sessions/${committed}/tmp/command-old`, 2 * HOUR, true);
    await made(`sessions/${committed}/tmp/command-new/result.parquet`, 1000);
    // Spill folders: this process's, a process of this host that has exited, one of another
    // host untouched for hours, and one of another host in use.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const host = os.hostname();
    const self = { host, owner: `${host}-${process.pid}` };
    await made(`duckdb-tmp/${self.owner}`, 5 * HOUR, true);
    await made(`duckdb-tmp/${self.owner}-small`, 5 * HOUR, true);
    await made(`duckdb-tmp/${host}-${dead}/duckdb_temp_storage-0.tmp`, 1000);
    await made(`duckdb-tmp/${host}-${dead}-small`, 1000, true);
    await made(`duckdb-tmp/elsewhere-7`, 2 * HOUR, true);
    await made(`duckdb-tmp/elsewhere-8/duckdb_temp_storage-0.tmp`, 1000);
    const report = await sweepSharedLeftovers(dataDir, HOUR, createLogger('silent'), self, now);
    assert.deepEqual(await fs.readdir(path.join(dataDir, 'incoming')), ['upload-new']);
    assert.deepEqual((await fs.readdir(path.join(dataDir, 'sessions'))).sort(), [liveImport, committed].sort());
    assert.deepEqual(await fs.readdir(path.join(dataDir, 'sessions', committed, 'tmp')), ['command-new']);
    assert.deepEqual((await fs.readdir(path.join(dataDir, 'duckdb-tmp'))).sort(), [self.owner, `${self.owner}-small`, 'elsewhere-8'].sort());
    assert.deepEqual(report, { uploads: 1, sessions: 1, files: 4 });
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});

test('processes sharing DATA_DIR spill in folders of their own; the embedded server in DATA_DIR/duckdb-tmp', () => {
  const dataDir = '/data';
  const config = (QUEUE: 'embedded' | 'bullmq') => ({ ...loadConfig({ DATA_DIR: dataDir, QUEUE, ...(QUEUE === 'bullmq' ? { REDIS_URL: 'redis://127.0.0.1:6379' } : {}) }) });
  assert.equal(spillDirectory(config('embedded')), path.join(loadConfig({ DATA_DIR: dataDir }).dataDir, 'duckdb-tmp'));
  const shared = spillDirectory(config('bullmq'));
  assert.equal(path.basename(shared), spillOwner());
  assert.ok(shared.endsWith(`-${process.pid}`), shared);
  assert.notEqual(spillOwner('h', 1), spillOwner('h', 2));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SessionStore } from './session-store.ts';
import { recoverDataDir } from './recovery.ts';
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

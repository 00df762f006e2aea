import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SessionStore, StaleJobError, RECENT_JOBS } from './session-store.ts';
import { newSessionId } from './session-id.ts';
import type { ColumnEntry } from './manifest.ts';

// Commits and moves of queued jobs (distributed mode) are idempotent per job ID: a job run
// twice applies once, and a job that read a version someone else has since replaced is refused.

let dataDir: string;
let store: SessionStore;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-jobs-'));
  store = new SessionStore(dataDir);
});
afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const col = (name: string, file: string): ColumnEntry => ({ name, file, field: 'c0', type: 'BIGINT' });
const draft = (file: string, n: number) => ({ rows: 1, columns: [col('a', file)], operations: [{ operation: 'executeCommand', parameters: { n }, appliedAt: '2024-01-01T00:00:00.000Z' }], bytesWritten: 1 });

async function newFile(id: string): Promise<string> {
  const { file, path: p } = store.newFile(id);
  await fs.writeFile(p, 'x');
  return file;
}

async function session(): Promise<{ id: string; v0: string }> {
  const id = newSessionId();
  await store.prepare(id);
  const v0 = (await store.create(id, draft(await newFile(id), 0))).id;
  return { id, v0 };
}

test('a version records the job that made it and its base; the same job committing again changes nothing', async () => {
  const { id, v0 } = await session();
  const v1 = await store.commit(id, draft(await newFile(id), 1), { jobId: 'job-1', base: v0 });
  assert.deepEqual(v1.job, { id: 'job-1', from: v0 });
  assert.equal(await store.appliedFrom(id, 'job-1'), v0);
  assert.equal(await store.appliedFrom(id, 'job-2'), null);

  // The re-run (its worker died after the commit) stages again from v0 and commits: the
  // version the first run made comes back, nothing new is written.
  const again = await store.commit(id, draft(await newFile(id), 1), { jobId: 'job-1', base: v0 });
  assert.deepEqual(again, v1);
  const state = await store.state(id);
  assert.deepEqual(state.versions, [v0, v1.id]);
  assert.equal(state.current, 1);
});

test('a late duplicate is refused: its base is no longer current', async () => {
  const { id, v0 } = await session();
  const v1 = await store.commit(id, draft(await newFile(id), 1), { jobId: 'job-1', base: v0 });
  await assert.rejects(store.commit(id, draft(await newFile(id), 2), { jobId: 'job-2', base: v0 }), StaleJobError);
  await assert.rejects(store.move(id, -1, { jobId: 'job-3', base: v0 }), StaleJobError);
  assert.deepEqual((await store.state(id)).versions, [v0, v1.id]);
  // Commits without a job (embedded queue) are not checked.
  const v2 = await store.commit(id, draft(await newFile(id), 2));
  assert.equal(v2.job, undefined);
});

test('a job re-run after later jobs of its session still applies once', async () => {
  const { id, v0 } = await session();
  const v1 = await store.commit(id, draft(await newFile(id), 1), { jobId: 'job-1', base: v0 });
  const v2 = await store.commit(id, draft(await newFile(id), 2), { jobId: 'job-2', base: v1.id });
  assert.deepEqual(await store.commit(id, draft(await newFile(id), 1), { jobId: 'job-1', base: v0 }), v1);
  const state = await store.state(id);
  assert.deepEqual(state.versions, [v0, v1.id, v2.id]);
  assert.equal(state.current, 2);
});

test('undo and redo of a job are idempotent too', async () => {
  const { id, v0 } = await session();
  const v1 = await store.commit(id, draft(await newFile(id), 1), { jobId: 'job-1', base: v0 });
  assert.deepEqual(await store.move(id, -1, { jobId: 'undo-1', base: v1.id }), (await store.all(id)).manifests[0]);
  assert.equal((await store.state(id)).current, 0);
  // The undo runs again: it must not step back past the first version (null) nor move twice.
  assert.equal((await store.move(id, -1, { jobId: 'undo-1', base: v1.id }))?.id, v0);
  assert.equal((await store.state(id)).current, 0);
  assert.equal((await store.move(id, 1, { jobId: 'redo-1', base: v0 }))?.id, v1.id);
  assert.equal((await store.move(id, 1, { jobId: 'redo-1', base: v0 }))?.id, v1.id);
  assert.equal((await store.state(id)).current, 1);
});

test(`the session remembers its last ${RECENT_JOBS} jobs`, async () => {
  const { id, v0 } = await session();
  let base = v0;
  for (let n = 1; n <= RECENT_JOBS + 5; n++) base = (await store.commit(id, draft(await newFile(id), n), { jobId: `job-${n}`, base })).id;
  const { recentJobs } = await store.state(id);
  assert.equal(recentJobs?.length, RECENT_JOBS);
  assert.equal(recentJobs?.[0].id, 'job-6');
  assert.equal(recentJobs?.at(-1)?.to, base);
});

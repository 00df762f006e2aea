import { test, describe, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SessionStore, SessionNotFoundError, SessionExpiredError, type StoreLimits } from './session-store.ts';
import { pauseRemoval } from '../../test/helpers/pause-removal.ts';
import { newSessionId } from './session-id.ts';
import { writeFileAtomic } from './atomic.ts';
import type { AppliedOperation, ColumnEntry, Manifest } from './manifest.ts';

// The store does not read its Parquet files, so these tests write files of known sizes
// with arbitrary content and check the bookkeeping exactly.

let dataDir: string;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-store-'));
});
afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

function open(limits: StoreLimits = { maxVersions: 0, maxHistoryBytes: 0 }): SessionStore {
  return new SessionStore(dataDir, limits);
}

/** A new column file of `bytes` bytes; returns its name. */
async function file(store: SessionStore, id: string, bytes: number): Promise<string> {
  const { file, path: p } = store.newFile(id);
  await fs.writeFile(p, Buffer.alloc(bytes, 1));
  return file;
}

const op = (n: number): AppliedOperation => ({ operation: 'executeCommand', parameters: { command: `step ${n}` }, appliedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString() });

function draft(columns: ColumnEntry[], operations: AppliedOperation[] = [], bytesWritten = 0) {
  return { rows: 10, columns, operations, bytesWritten };
}

const col = (name: string, file: string, field = 'c0'): ColumnEntry => ({ name, file, field, type: 'BIGINT' });

async function listDir(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).sort();
}

/** Files and manifests on disk are exactly those the kept versions name. */
async function assertSwept(store: SessionStore, id: string): Promise<void> {
  const { state, manifests } = await store.all(id);
  const files = [...new Set(manifests.flatMap((m) => m.columns.map((c) => c.file)))].sort();
  assert.deepEqual(await listDir(store.filesDir(id)), files);
  assert.deepEqual(await listDir(path.join(store.dir(id), 'versions')), state.versions.map((v) => `${v}.json`).sort());
}

/** Session with a first version of two columns a, b in one file of 1000 bytes. */
async function session(store: SessionStore): Promise<{ id: string; f0: string; first: Manifest }> {
  const id = newSessionId();
  await store.prepare(id);
  const f0 = await file(store, id, 1000);
  const first = await store.create(id, draft([col('a', f0, 'c0'), col('b', f0, 'c1')], [], 1000));
  return { id, f0, first };
}

describe('SessionStore', () => {
  test('create, commit, move: the state names the versions and the current one', async () => {
    const store = open();
    const { id, f0, first } = await session(store);
    assert.equal(await store.exists(id), true);
    assert.deepEqual((await store.current(id)).manifest, first);
    const f1 = await file(store, id, 100);
    const second = await store.commit(id, draft([col('a', f1), col('b', f0, 'c1')], [op(1)], 100));
    const state = await store.state(id);
    assert.deepEqual(state.versions, [first.id, second.id]);
    assert.equal(state.current, 1);
    assert.deepEqual((await store.current(id)).manifest, second);

    assert.deepEqual(await store.move(id, -1), first);
    assert.equal((await store.state(id)).current, 0);
    assert.equal(await store.move(id, -1), null, 'nothing before the first version');
    assert.deepEqual(await store.move(id, 1), second);
    assert.equal(await store.move(id, 1), null, 'nothing after the last version');
    assert.deepEqual((await store.current(id)).manifest, second);
    await assertSwept(store, id);
  });

  test('a commit after undo discards the redo branch, its manifests and its files', async () => {
    const store = open();
    const { id, f0, first } = await session(store);
    const f1 = await file(store, id, 100);
    const v1 = await store.commit(id, draft([col('a', f1), col('b', f0, 'c1')], [op(1)]));
    const f2 = await file(store, id, 100);
    const v2 = await store.commit(id, draft([col('a', f2), col('b', f0, 'c1')], [op(2)]));
    await store.move(id, -1);
    await store.move(id, -1);
    assert.deepEqual((await store.current(id)).manifest, first);
    const f3 = await file(store, id, 100);
    const v3 = await store.commit(id, draft([col('a', f0), col('c', f3)], [op(3)]));
    const { state, manifests } = await store.all(id);
    assert.deepEqual(state.versions, [first.id, v3.id]);
    assert.equal(state.current, 1);
    assert.deepEqual(manifests, [first, v3]);
    assert.deepEqual(await listDir(store.filesDir(id)), [f0, f3].sort());
    for (const gone of [v1.id, v2.id]) await assert.rejects(store.manifest(id, gone), { code: 'ENOENT' });
    for (const gone of [f1, f2]) await assert.rejects(fs.access(store.filePath(id, gone)), { code: 'ENOENT' });
    await assertSwept(store, id);
  });

  test('MAX_VERSIONS: the oldest versions go, their files are swept, their operations stay in the log', async () => {
    const store = open({ maxVersions: 3, maxHistoryBytes: 0 });
    const { id, f0 } = await session(store);
    const files = [f0];
    const ids = [];
    for (let n = 1; n <= 5; n++) {
      // every step replaces column b; a stays in the first file
      files.push(await file(store, id, 100));
      ids.push((await store.commit(id, draft([col('a', f0), col('b', files[n])], [op(n)]))).id);
    }
    const { state, manifests } = await store.all(id);
    assert.deepEqual(state.versions, ids.slice(2));
    assert.equal(state.current, 2);
    assert.deepEqual(manifests.map((m) => m.operations), [[op(3)], [op(4)], [op(5)]]);
    assert.deepEqual(state.earlier, [op(1), op(2)], 'operations of dropped versions, oldest first');
    // f0 is still used by every kept version (column a); b's files of versions 1 and 2 are gone
    assert.deepEqual(await listDir(store.filesDir(id)), [f0, files[3], files[4], files[5]].sort());
    await assertSwept(store, id);
    assert.ok(await store.move(id, -1));
    assert.ok(await store.move(id, -1));
    assert.equal(await store.move(id, -1), null, 'undo stops at the oldest kept version');
  });

  test("the imported file's name outlives the first version: kept in state.json; taken from that version for sessions made before", async () => {
    const store = open({ maxVersions: 2, maxHistoryBytes: 0 });
    const id = newSessionId();
    await store.prepare(id);
    const f0 = await file(store, id, 10);
    await store.create(id, { ...draft([col('a', f0)]), source: { filename: 'sales 2023.csv', skippedLines: 0, paddedLines: 0 } });
    for (let n = 1; n <= 3; n++) await store.commit(id, draft([col('a', await file(store, id, 10))], [op(n)]));
    const { state, manifests } = await store.all(id);
    assert.equal(manifests.some((m) => m.source), false, 'the first version was dropped');
    assert.equal(state.filename, 'sales 2023.csv');
    assert.equal(await store.filename(id, state), 'sales 2023.csv');

    // A session whose state.json was written before it kept the name (another store reads it from disk).
    const old = newSessionId();
    await store.prepare(old);
    const g0 = await file(store, old, 10);
    await store.create(old, { ...draft([col('a', g0)]), source: { filename: 'old.csv', skippedLines: 0, paddedLines: 0 } });
    const statePath = path.join(store.dir(old), 'state.json');
    const { filename: _, ...before } = JSON.parse(await fs.readFile(statePath, 'utf8'));
    await writeFileAtomic(statePath, JSON.stringify(before));
    const later = open({ maxVersions: 1, maxHistoryBytes: 0 });
    assert.equal(await later.filename(old, (await later.all(old)).state), 'old.csv', 'from the first version');
    await later.commit(old, draft([col('a', await file(later, old, 10))], [op(1)]));
    const after = (await later.all(old)).state;
    assert.equal(after.filename, 'old.csv', 'kept in state.json as the first version was dropped');
    assert.equal(await later.filename(old, after), 'old.csv');
  });

  test('MAX_HISTORY_BYTES counts only files the current version does not need', async () => {
    const store = open({ maxVersions: 0, maxHistoryBytes: 150 });
    const { id, f0, first } = await session(store);
    // v1 replaces a (100 bytes): undoing needs f0, which the current version uses anyway → free
    const f1 = await file(store, id, 100);
    const v1 = await store.commit(id, draft([col('a', f1), col('b', f0, 'c1')], [op(1)], 100));
    assert.deepEqual((await store.state(id)).versions, [first.id, v1.id]);
    // v2: history needs f1 (100 bytes) ≤ 150
    const f2 = await file(store, id, 100);
    const v2 = await store.commit(id, draft([col('a', f2), col('b', f0, 'c1')], [op(2)], 100));
    assert.deepEqual((await store.state(id)).versions, [first.id, v1.id, v2.id]);
    // v3: keeping v1 would cost f1 + f2 = 200 > 150, so v0 and v1 go (v0 alone costs nothing,
    // but dropping only it would not bring history under the cap)
    const f3 = await file(store, id, 100);
    const v3 = await store.commit(id, draft([col('a', f3), col('b', f0, 'c1')], [op(3)], 100));
    let state = await store.state(id);
    assert.deepEqual(state.versions, [v2.id, v3.id]);
    assert.deepEqual(state.earlier, [op(1)]);
    assert.deepEqual(await listDir(store.filesDir(id)), [f0, f2, f3].sort());
    // v4 rewrites the whole table: every older file would be history only (f0 alone is 1000)
    const f4 = await file(store, id, 500);
    const v4 = await store.commit(id, draft([col('a', f4, 'c0'), col('b', f4, 'c1')], [op(4)], 500));
    state = await store.state(id);
    assert.deepEqual(state.versions, [v4.id], 'the current version always stays, even over the cap');
    assert.deepEqual(state.earlier, [op(1), op(2), op(3)]);
    assert.deepEqual(await listDir(store.filesDir(id)), [f4]);
    await assertSwept(store, id);
  });

  test('crash mid-commit: orphans are ignored, the previous version stays current, the next commit sweeps them', async () => {
    const store = open();
    const { id, f0, first } = await session(store);
    // A commit that died after writing its file and manifest but before state.json…
    const orphanFile = await file(store, id, 100);
    const orphanManifest: Manifest = { id: 'zz-orphan', createdAt: new Date().toISOString(), ...draft([col('a', orphanFile), col('b', f0, 'c1')], [op(9)]) };
    await writeFileAtomic(path.join(store.dir(id), 'versions', `${orphanManifest.id}.json`), JSON.stringify(orphanManifest));
    // …and one that died while writing state.json and a manifest (half-written temp files).
    await fs.writeFile(path.join(store.dir(id), 'state.json.0badc0ffee00.tmp'), '{"versions": ["zz-orp');
    await fs.writeFile(path.join(store.dir(id), 'versions', 'zz-half.json.0badc0ffee01.tmp'), '{"id": "zz');
    // A new store on the same folder (a restarted process) opens the session at the last commit.
    const reopened = open();
    assert.deepEqual(await reopened.current(id), { state: { versions: [first.id], current: 0, createdAt: first.createdAt }, manifest: first });
    assert.deepEqual((await reopened.all(id)).manifests, [first]);
    assert.equal(await reopened.move(id, 1), null, 'an orphan is not a redo step');
    // The next commit makes its own version current and sweeps every orphan.
    const f1 = await file(reopened, id, 100);
    const v1 = await reopened.commit(id, draft([col('a', f1), col('b', f0, 'c1')], [op(1)]));
    assert.deepEqual((await reopened.state(id)).versions, [first.id, v1.id]);
    assert.deepEqual(await listDir(reopened.filesDir(id)), [f0, f1].sort());
    assert.deepEqual(await listDir(path.join(reopened.dir(id), 'versions')), [`${first.id}.json`, `${v1.id}.json`].sort());
    assert.deepEqual((await listDir(reopened.dir(id))).filter((n) => n.endsWith('.tmp')), []);
  });

  test('unknown and malformed session ids', async () => {
    const store = open();
    const unknown = newSessionId();
    assert.equal(await store.exists(unknown), false);
    await assert.rejects(store.state(unknown), SessionNotFoundError);
    await assert.rejects(store.current(unknown), SessionNotFoundError);
    for (const bad of ['../etc', 'ABCDEF0123456789abcdef01234567', '', 'a'.repeat(31)]) {
      assert.equal(await store.exists(bad), false);
      assert.throws(() => store.dir(bad), SessionNotFoundError);
      await assert.rejects(store.state(bad), SessionNotFoundError);
    }
  });
});

describe('snapshot reads keep what they use', () => {
  test('a version dropped by MAX_VERSIONS while a read holds it keeps its files and manifest until the read ends', async () => {
    const store = open({ maxVersions: 1, maxHistoryBytes: 0 });
    const { id, f0, first } = await session(store);
    const read = await store.snapshot(id);
    assert.equal(read.manifest.id, first.id);
    const f1 = await file(store, id, 10);
    const second = await store.commit(id, draft([col('a', f1)]));
    // The read may still open f0 and the first manifest; the commit did not delete them.
    assert.deepEqual(await listDir(store.filesDir(id)), [f0, f1].sort());
    assert.deepEqual(await listDir(path.join(store.dir(id), 'versions')), [`${first.id}.json`, `${second.id}.json`].sort());
    assert.deepEqual((await store.manifest(id, first.id)).columns, first.columns);
    await read.release();
    await assertSwept(store, id);
    assert.deepEqual(await listDir(store.filesDir(id)), [f1]);
  });

  test('a redo branch dropped by a new change while a read holds its version is deleted when the read ends, and only then', async () => {
    const store = open();
    const { id, f0 } = await session(store);
    const f1 = await file(store, id, 10);
    const second = await store.commit(id, draft([col('a', f1), col('b', f0, 'c1')]));
    const r1 = await store.snapshot(id); // reads the second version
    assert.equal(r1.manifest.id, second.id);
    await store.move(id, -1);
    const r2 = await store.snapshot(id); // the first version: holds none of f1
    const f2 = await file(store, id, 10);
    await store.commit(id, draft([col('a', f2), col('b', f0, 'c1')])); // drops the second version
    assert.ok((await listDir(store.filesDir(id))).includes(f1));
    await r1.release();
    // r2 still runs, but on a version without f1: f1 and the second manifest go now.
    await assertSwept(store, id);
    await r2.release();
    await assertSwept(store, id);
  });

  test('a read that has not read state.json yet holds everything a commit drops meanwhile', async () => {
    const store = open({ maxVersions: 1, maxHistoryBytes: 0 });
    const { id, first } = await session(store);
    const f1 = await file(store, id, 10);
    const reading = store.snapshot(id); // its lease is taken now, state.json read later
    await store.commit(id, draft([col('a', f1)]));
    const read = await reading;
    // Whichever version it found (the first or the one committed), it can open it.
    assert.ok(read.manifest.id === first.id || read.manifest.columns[0].file === f1);
    for (const c of read.manifest.columns) await fs.access(store.filePath(id, c.file));
    await fs.access(path.join(store.dir(id), 'versions', `${read.manifest.id}.json`));
    await read.release();
    await assertSwept(store, id);
  });

  test('a snapshot of an unknown session holds nothing', async () => {
    const store = open();
    const id = newSessionId();
    await assert.rejects(store.snapshot(id), SessionNotFoundError);
    assert.equal(store.isHeld(id), false);
  });
});

describe('session expiry and work in progress exclude each other (hold, removeIfIdle)', () => {
  const exists = (p: string) => fs.access(p).then(() => true, () => false);

  test('a held session is not removed; each holder releases once, and once none holds it, it is', async () => {
    const store = open();
    const { id } = await session(store);
    const job = store.hold(id);
    const download = store.hold(id);
    assert.equal(await store.removeIfIdle(id), false);
    job();
    job(); // a second release of the same hold does not end the other one
    assert.equal(store.isHeld(id), true);
    assert.equal(await store.removeIfIdle(id), false);
    assert.equal(await exists(store.dir(id)), true);
    await assert.doesNotReject(store.current(id));
    download();
    assert.equal(store.isHeld(id), false);
    assert.equal(await store.removeIfIdle(id), true);
    assert.equal(await exists(store.dir(id)), false);
    await assert.rejects(store.current(id), SessionNotFoundError);
    assert.equal(await store.removeIfIdle(id), false, 'nothing left to remove');
  });

  test('while a session is being removed it cannot be held: the job is told it expired, never given a half-deleted folder', async () => {
    const store = open();
    const { id } = await session(store);
    // The removal stops at its deletion until the test lets it go on.
    const { deleting, proceed } = pauseRemoval();
    try {
      const removal = store.removeIfIdle(id);
      await deleting;
      assert.throws(() => store.hold(id), (err: Error) => {
        assert.ok(err instanceof SessionExpiredError);
        assert.ok(err instanceof SessionNotFoundError, 'answered like an unknown session');
        assert.match(err.message, /has expired: it was not used for longer than the idle limit \(SESSION_TTL_DAYS\)/);
        return true;
      });
      await assert.rejects(store.snapshot(id), SessionExpiredError);
      assert.equal(await store.removeIfIdle(id), false, 'one removal at a time');
      proceed();
      assert.equal(await removal, true);
    } finally {
      proceed();
      mock.restoreAll();
    }
    assert.equal(await exists(store.dir(id)), false);
    // Removed: the mark is gone with it (holding is possible, reading finds nothing).
    const release = store.hold(id);
    await assert.rejects(store.current(id), (err: Error) => err instanceof SessionNotFoundError && !(err instanceof SessionExpiredError));
    release();
    assert.equal(store.isHeld(id), false);
  });

  test('a snapshot read in flight holds its session until it is released', async () => {
    const store = open();
    const { id } = await session(store);
    const read = await store.snapshot(id);
    assert.equal(store.isHeld(id), true);
    assert.equal(await store.removeIfIdle(id), false);
    await read.release();
    await read.release();
    assert.equal(store.isHeld(id), false);
    assert.equal(await store.removeIfIdle(id), true);
  });

  test('removeIfIdle(id, usedBefore): a session used since (its folder touched) stays', async () => {
    const store = open();
    const { id } = await session(store);
    const old = new Date(Date.now() - 10 * 86_400_000);
    await fs.utimes(store.dir(id), old, old);
    const cutoff = Date.now() - 7 * 86_400_000;
    const fresh = await session(store);
    assert.equal(await store.removeIfIdle(fresh.id, cutoff), false);
    assert.equal(await exists(store.dir(fresh.id)), true);
    const release = store.hold(id);
    assert.equal(await store.removeIfIdle(id, cutoff), false, 'held');
    release();
    assert.equal(await store.removeIfIdle(id, cutoff), true);
    assert.equal(await exists(store.dir(id)), false);
    assert.equal(await store.removeIfIdle('not-a-session', cutoff), false);
  });
});

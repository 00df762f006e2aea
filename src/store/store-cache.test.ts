import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SessionStore, SessionNotFoundError, type StoreLimits } from './session-store.ts';
import { checkSessionQuota } from './quota.ts';
import { newSessionId } from './session-id.ts';
import { writeFileAtomic } from './atomic.ts';
import { columnFiles, type ColumnEntry, type Manifest } from './manifest.ts';
import { Lru, stateKey } from './store-cache.ts';
import type { BigIntStats } from 'node:fs';

/** Record the manifests (files under versions/) read with fs.readFile until restore(). */
function recordManifestReads(): { manifestReads: string[]; restore: () => void } {
  const readFile = fs.readFile;
  const manifestReads: string[] = [];
  fs.readFile = (async (...args: Parameters<typeof readFile>) => {
    if (String(args[0]).includes(`${path.sep}versions${path.sep}`)) manifestReads.push(String(args[0]));
    return readFile(...args);
  }) as typeof readFile;
  return { manifestReads, restore: () => (fs.readFile = readFile) };
}

// What SessionStore keeps in memory (store-cache.ts) changes what it costs, never what it
// answers: each test checks the store against what the files on disk say, read afresh.

let dataDir: string;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-cache-'));
});
afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

const open = (limits: StoreLimits = { maxVersions: 0, maxHistoryBytes: 0 }) => new SessionStore(dataDir, limits);
const col = (name: string, file: string, field = 'c0'): ColumnEntry => ({ name, file, field, type: 'BIGINT' });
const draft = (columns: ColumnEntry[], n = 0) => ({ rows: 10, columns, operations: [{ operation: 'executeCommand', parameters: { n }, appliedAt: '2024-01-01T00:00:00.000Z' }], bytesWritten: 1 });
/** Deterministic numbers in [0, 1) (a 32-bit LCG): the same sequence at every run. */
const random = (seed: number) => () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Longer than the window within which state.json is read again at every use (store-cache.ts RACY_NS). */
const PAST_RACY_WINDOW_MS = 150;

async function file(store: SessionStore, id: string, bytes: number): Promise<string> {
  const { file, path: p } = store.newFile(id);
  await fs.writeFile(p, Buffer.alloc(bytes, 1));
  return file;
}

async function session(store: SessionStore, width = 2): Promise<{ id: string; cols: ColumnEntry[] }> {
  const id = newSessionId();
  await store.prepare(id);
  const f0 = await file(store, id, 1000);
  const cols = Array.from({ length: width }, (_, i) => col(`c${i}`, f0, `c${i}`));
  await store.create(id, draft(cols));
  return { id, cols };
}

/** What the files on disk say, read without any store: state.json and the manifests it names. */
async function onDisk(store: SessionStore, id: string): Promise<{ versions: string[]; current: number; manifests: Manifest[] }> {
  const state = JSON.parse(await fs.readFile(path.join(store.dir(id), 'state.json'), 'utf8'));
  const manifests = await Promise.all(state.versions.map(async (v: string) => JSON.parse(await fs.readFile(path.join(store.dir(id), 'versions', `${v}.json`), 'utf8')) as Manifest));
  return { versions: state.versions, current: state.current, manifests };
}

/** Count JSON.parse calls (and the manifests among them, by id) while `fn` runs. */
async function countingParses<T>(fn: () => Promise<T>): Promise<{ result: T; parses: number; manifests: string[] }> {
  const parse = JSON.parse;
  let parses = 0;
  const manifests: string[] = [];
  JSON.parse = function (text: string, reviver?: Parameters<typeof parse>[1]) {
    parses++;
    const value = parse(text, reviver);
    if (value && typeof value === 'object' && Array.isArray(value.columns) && typeof value.id === 'string') manifests.push(value.id);
    return value;
  } as typeof JSON.parse;
  try {
    return { result: await fn(), parses, manifests };
  } finally {
    JSON.parse = parse;
  }
}

describe('a commit no longer reads every version', () => {
  test('quota check and commit on a session of 40 versions parse no manifest but the new one, and read none', async () => {
    const store = open();
    const { id, cols } = await session(store, 50);
    for (let n = 1; n < 40; n++) {
      cols[n % 50] = col(`c${n % 50}`, await file(store, id, 10));
      await store.commit(id, draft(cols.slice(), n));
    }
    cols[7] = col('c7', await file(store, id, 10));
    let manifestCalls = 0;
    const manifest = store.manifest.bind(store);
    store.manifest = (...args) => {
      manifestCalls++;
      return manifest(...args);
    };
    const { manifestReads, restore } = recordManifestReads();
    let counted;
    try {
      counted = await countingParses(async () => {
        await checkSessionQuota(store, id, { columns: cols, bytesWritten: 10 }, { maxSessionBytes: 1e9, maxDataBytes: 0 });
        return store.commit(id, draft(cols.slice(), 40));
      });
    } finally {
      restore();
    }
    assert.equal(manifestCalls, 0, 'no version\'s manifest looked at, even in memory');
    assert.deepEqual(manifestReads, [], 'no manifest read from disk');
    assert.deepEqual(counted.manifests, [counted.result.id], 'only the new manifest parsed (as written, to keep it)');
    // The new manifest, the new state.json as written: nothing that grows with the history.
    assert.ok(counted.parses <= 3, `${counted.parses} parses`);
    assert.equal((await onDisk(store, id)).versions.length, 41);
  });

  test('with undo unlimited, a commit looks at the versions it changes, not at the history: no folder listed, no file measured again', async () => {
    const store = open();
    const { id, cols } = await session(store, 8);
    const commitWith = async (n: number) => {
      cols[n % 8] = col(`c${n % 8}`, await file(store, id, 10 + n));
      const staged = { columns: cols.slice(), bytesWritten: 10 };
      await checkSessionQuota(store, id, staged, { maxSessionBytes: 1e9, maxDataBytes: 0 });
      return store.commit(id, draft(staged.columns, n));
    };
    for (let n = 1; n <= 200; n++) await commitWith(n);
    // Undo twice and commit: the redo branch's files go, found without listing a folder.
    await store.move(id, -1);
    await store.move(id, -1);
    cols.splice(0, 8, ...(await store.current(id)).manifest.columns.map((c) => ({ ...c })));
    const dropped = (await onDisk(store, id)).manifests.slice(-2).flatMap((m) => m.columns.map((c) => c.file));
    let versionFiles = 0;
    const listed: string[] = [];
    let measured = 0;
    const original = { versionFiles: store.versionFiles.bind(store), readdir: fs.readdir, stat: fs.stat };
    store.versionFiles = (...args) => {
      versionFiles++;
      return original.versionFiles(...args);
    };
    fs.readdir = (async (...args: Parameters<typeof fs.readdir>) => {
      listed.push(String(args[0]));
      return original.readdir(...args);
    }) as typeof fs.readdir;
    fs.stat = (async (...args: Parameters<typeof fs.stat>) => {
      measured++;
      return original.stat(...args);
    }) as typeof fs.stat;
    try {
      await commitWith(201);
      await commitWith(202);
    } finally {
      Object.assign(fs, { readdir: original.readdir, stat: original.stat });
    }
    // Per commit: the new version, the staged file and the redo branch's two versions (once).
    assert.ok(versionFiles <= 8, `${versionFiles} versions' files looked at for 2 commits over 200 versions`);
    // Each new file once (staged, then named by the version), the redo branch's again.
    assert.ok(measured <= 10, `${measured} files measured for 2 commits`);
    assert.deepEqual(listed, [], 'no folder listed');
    await assertSwept(store, id);
    const kept = new Set((await onDisk(store, id)).manifests.flatMap((m) => m.columns.map((c) => c.file)));
    assert.ok(dropped.some((f) => !kept.has(f)), 'the redo branch had files of its own, and they are gone');
  });

  test('a restarted process reads each manifest once, at its first commit, then no more', async () => {
    const first = open();
    const { id, cols } = await session(first, 5);
    for (let n = 1; n < 20; n++) await first.commit(id, draft(cols, n));
    const store = open();
    const { manifestReads, restore } = recordManifestReads();
    try {
      await checkSessionQuota(store, id, { columns: cols, bytesWritten: 10 }, { maxSessionBytes: 1e9, maxDataBytes: 0 });
      await store.commit(id, draft(cols, 20));
      assert.equal(manifestReads.length, 20);
      assert.equal(new Set(manifestReads).size, 20);
      manifestReads.length = 0;
      await checkSessionQuota(store, id, { columns: cols, bytesWritten: 10 }, { maxSessionBytes: 1e9, maxDataBytes: 0 });
      await store.commit(id, draft(cols, 21));
      assert.deepEqual(manifestReads, []);
    } finally {
      restore();
    }
  });
});

describe('the sweep and the quota answer as the files on disk say', () => {
  for (const limits of [
    { maxVersions: 0, maxHistoryBytes: 0 },
    { maxVersions: 5, maxHistoryBytes: 0 },
    { maxVersions: 0, maxHistoryBytes: 400 },
  ]) {
    test(`random changes, undos, redos, deletions, orphans and reads in flight (${JSON.stringify(limits)})`, async () => {
      const store = open(limits);
      const r = random(limits.maxVersions * 7 + limits.maxHistoryBytes + 1);
      const { id, cols } = await session(store, 6);
      let current = cols;
      const reads: { release(): Promise<void> }[] = [];
      for (let step = 0; step < 60; step++) {
        const x = r();
        if (x < 0.15) await store.move(id, -1);
        else if (x < 0.25) await store.move(id, 1);
        else if (x < 0.3) {
          await file(store, id, 7); // a job that wrote a file and never committed
          store.expectOrphans(id); // as the executor says of a job given up (timed out)
        } else if (x < 0.38) {
          reads.push(await store.snapshot(id));
        } else if (x < 0.45 && reads.length) {
          await reads.splice(Math.floor(r() * reads.length), 1)[0].release();
        } else {
          current = (await store.current(id)).manifest.columns.slice();
          const i = Math.floor(r() * current.length);
          if (r() < 0.2) {
            // deleteRows: every column gets a file of deleted rows
            const deleted = { file: await file(store, id, 5 + Math.floor(r() * 50)), count: 1 };
            current = current.map((c) => ({ ...c, deleted }));
          } else {
            current[i] = { name: current[i].name, file: await file(store, id, 10 + Math.floor(r() * 100)), field: 'c0', type: 'BIGINT' };
          }
          const staged = { columns: current, bytesWritten: 10 };
          // The quota counts every file the versions up to the current one and the staged one
          // read (columnFiles: deleted-rows files too), as a recount from the manifests on disk.
          const disk = await onDisk(store, id);
          const counted = new Set([...disk.manifests.slice(0, disk.current + 1), staged].flatMap((m) => m.columns.flatMap(columnFiles)));
          let bytes = 0;
          for (const f of counted) bytes += (await fs.stat(store.filePath(id, f))).size;
          await assert.rejects(checkSessionQuota(store, id, staged, { maxSessionBytes: bytes - 1, maxDataBytes: 0 }), (err: Error) => {
            assert.match(err.message, new RegExp(`keep ${bytes} bytes`));
            return true;
          });
          await checkSessionQuota(store, id, staged, { maxSessionBytes: bytes, maxDataBytes: 0 });
          await store.commit(id, draft(current, step));
        }
        if (reads.length === 0 && x >= 0.45) await assertSwept(store, id);
      }
      for (const read of reads) await read.release();
      // A commit with no read in flight leaves exactly what the kept versions name.
      await store.commit(id, draft((await store.current(id)).manifest.columns.slice(), 99));
      await assertSwept(store, id);
      // A store that knows nothing yet (a restarted process) sees the same.
      const fresh = open(limits);
      assert.deepEqual(await fresh.all(id), await store.all(id));
    });
  }
});

/** Files and manifests on disk are exactly those the versions state.json names refer to. */
async function assertSwept(store: SessionStore, id: string): Promise<void> {
  const disk = await onDisk(store, id);
  const files = [...new Set(disk.manifests.flatMap((m) => m.columns.flatMap(columnFiles)))].sort();
  assert.deepEqual((await fs.readdir(store.filesDir(id))).sort(), files);
  assert.deepEqual((await fs.readdir(path.join(store.dir(id), 'versions'))).sort(), disk.versions.map((v) => `${v}.json`).sort());
}

describe('another process changing the session is seen at once', () => {
  for (const wait of [0, PAST_RACY_WINDOW_MS]) {
    test(`undo and redo by another store (same size of state.json)${wait ? ', long after the last read' : ''}`, async () => {
      const a = open();
      const b = open(); // another process on the same DATA_DIR
      const { id, cols } = await session(a);
      const v1 = await a.commit(id, draft([col('x', await file(a, id, 1)), ...cols.slice(1)], 1));
      await sleep(wait);
      for (let k = 0; k < 3; k++) assert.equal((await a.current(id)).manifest.id, v1.id);
      const before = (await fs.stat(path.join(a.dir(id), 'state.json'))).size;
      const undone = await b.move(id, -1);
      assert.equal((await fs.stat(path.join(a.dir(id), 'state.json'))).size, before, 'the same size: only the times and inode tell');
      assert.equal((await a.state(id)).current, 0);
      assert.equal((await a.current(id)).manifest.id, undone!.id);
      await sleep(wait);
      assert.equal((await a.current(id)).manifest.id, undone!.id);
      await b.move(id, 1);
      assert.equal((await a.current(id)).manifest.id, v1.id);
      // A commit by the other one, then one here on top of it: nothing of either is lost.
      const v2 = await b.commit(id, draft([col('y', await file(b, id, 1)), ...cols.slice(1)], 2));
      await sleep(wait);
      const v3 = await a.commit(id, draft([col('z', await file(a, id, 1)), ...cols.slice(1)], 3));
      assert.deepEqual((await b.state(id)).versions, [(await onDisk(a, id)).versions[0], v1.id, v2.id, v3.id]);
      assert.deepEqual(await a.state(id), await b.state(id));
      await assertSwept(a, id);
    });
  }

  test('state.json replaced directly (as a worker of another machine would) and a session removed', async () => {
    const store = open();
    const { id, cols } = await session(store);
    const v1 = await store.commit(id, draft(cols, 1));
    await sleep(PAST_RACY_WINDOW_MS);
    const state = await store.state(id);
    await store.state(id);
    await writeFileAtomic(path.join(store.dir(id), 'state.json'), JSON.stringify({ ...state, current: 0 }));
    assert.equal((await store.state(id)).current, 0);
    await writeFileAtomic(path.join(store.dir(id), 'state.json'), JSON.stringify({ ...state, current: 1 }));
    assert.equal((await store.current(id)).manifest.id, v1.id);
    await fs.rm(store.dir(id), { recursive: true, force: true }); // expired meanwhile
    await assert.rejects(store.state(id), SessionNotFoundError);
    await assert.rejects(store.snapshot(id), SessionNotFoundError);
  });

  test('an unchanged state.json is not read again once past the window, nor parsed again', async () => {
    const store = open();
    const { id, cols } = await session(store);
    await store.commit(id, draft(cols, 1));
    await sleep(PAST_RACY_WINDOW_MS);
    await store.state(id);
    const probe = await fs.open(path.join(store.dir(id), 'state.json'), 'r');
    const proto = Object.getPrototypeOf(probe) as Record<'read' | 'readFile', (...args: unknown[]) => Promise<unknown>>;
    await probe.close();
    const { read, readFile } = proto;
    let reads = 0;
    proto.read = function (this: unknown, ...args: unknown[]) {
      reads++;
      return read.apply(this, args);
    };
    proto.readFile = function (this: unknown, ...args: unknown[]) {
      reads++;
      return readFile.apply(this, args);
    };
    try {
      const { parses } = await countingParses(async () => {
        for (let k = 0; k < 10; k++) await store.current(id);
      });
      assert.equal(reads, 0);
      assert.equal(parses, 0);
    } finally {
      Object.assign(proto, { read, readFile });
    }
  });
});

describe('what the store hands out is shared, so frozen', () => {
  test('a manifest or a state cannot be changed by the caller', async () => {
    const store = open();
    const { id } = await session(store);
    const { state, manifest } = await store.current(id);
    assert.throws(() => (manifest.columns as ColumnEntry[]).push(col('z', 'z')), TypeError);
    assert.throws(() => {
      manifest.columns[0].name = 'renamed';
    }, TypeError);
    assert.throws(() => {
      state.current = 5;
    }, TypeError);
    assert.equal((await store.current(id)).manifest.columns[0].name, 'c0');
  });

  test('the draft given to commit stays the caller\'s to change', async () => {
    const store = open();
    const { id, cols } = await session(store);
    const d = draft(cols.map((c) => ({ ...c })), 1);
    await store.commit(id, d);
    d.columns[0].name = 'mine';
    assert.equal((await store.current(id)).manifest.columns[0].name, 'c0');
  });
});

test('Lru forgets the least recently used entries past its bound, never the one just set', () => {
  const lru = new Lru<string, number>(10, (v) => v);
  lru.set('a', 4);
  lru.set('b', 4);
  assert.equal(lru.get('a'), 4); // a is now the most recently used
  lru.set('c', 4);
  assert.equal(lru.get('b'), undefined, 'b went first');
  assert.equal(lru.get('a'), 4);
  lru.set('d', 20);
  assert.equal(lru.size, 1, 'one entry over the bound alone stays');
  assert.equal(lru.get('d'), 20);
  lru.set('d', 1);
  lru.set('e', 2);
  lru.delete('d');
  assert.equal(lru.size, 1);
});

test('stateKey: a file changed within the last 100 ms has no key; a reused inode with other times has another key', () => {
  const now = 1_700_000_000_000;
  const ns = (ms: number) => BigInt(ms) * 1_000_000n;
  const st = (ino: number, size: number, atMs: number) => ({ dev: 1n, ino: BigInt(ino), size: BigInt(size), mtimeNs: ns(atMs), ctimeNs: ns(atMs) }) as BigIntStats;
  assert.equal(stateKey(st(5, 100, now - 50), now), null, 'too recent to tell from the next change');
  assert.equal(stateKey(st(5, 100, now + 5_000), now), null, 'a server clock ahead of ours: never trusted');
  const old = stateKey(st(5, 100, now - 1_000), now);
  assert.ok(old);
  assert.notEqual(stateKey(st(5, 100, now - 400), now), old, 'same inode and size, later times');
  assert.notEqual(stateKey(st(6, 100, now - 1_000), now), old);
  assert.notEqual(stateKey(st(5, 101, now - 1_000), now), old);
  assert.equal(stateKey(st(5, 100, now - 1_000), now + 60_000), old, 'the same file later: the same key');
});

describe('a sole writer (the embedded queue) trusts the state it wrote or read', () => {
  /** Count fs.open calls of state.json while `fn` runs. */
  async function stateOpens(fn: () => Promise<unknown>): Promise<number> {
    const openFile = fs.open;
    let opens = 0;
    fs.open = (async (...args: Parameters<typeof openFile>) => {
      if (String(args[0]).endsWith(`${path.sep}state.json`)) opens++;
      return openFile(...args);
    }) as typeof openFile;
    try {
      await fn();
    } finally {
      fs.open = openFile;
    }
    return opens;
  }

  test('commits, moves and reads open state.json only for a session it does not hold, and answer what the files say', async () => {
    const sole = new SessionStore(dataDir, { maxVersions: 0, maxHistoryBytes: 0 }, { soleWriter: true });
    const { id, cols } = await session(sole);
    await sleep(PAST_RACY_WINDOW_MS);
    const opens = await stateOpens(async () => {
      for (let n = 1; n <= 5; n++) {
        cols[0] = col('c0', await file(sole, id, 10));
        await sole.commit(id, draft(cols.slice(), n));
        await sole.snapshot(id).then((s) => s.release());
      }
      await sole.move(id, -1);
      for (let i = 0; i < 20; i++) await sole.current(id);
    });
    assert.equal(opens, 0, 'state.json is never opened: this store wrote every version of it');
    const disk = await onDisk(sole, id);
    const state = await sole.state(id);
    assert.deepEqual([state.versions, state.current], [disk.versions, disk.current]);
    assert.deepEqual((await sole.current(id)).manifest, disk.manifests[disk.current]);

    // A new process (a restart) reads it once, then holds it.
    const restarted = new SessionStore(dataDir, { maxVersions: 0, maxHistoryBytes: 0 }, { soleWriter: true });
    assert.equal(await stateOpens(async () => {
      for (let i = 0; i < 5; i++) assert.equal((await restarted.state(id)).current, disk.current);
    }), 1);
    // Removed by the expiry sweeper: forgotten at once, not answered from memory.
    assert.equal(await restarted.removeIfIdle(id), true);
    await assert.rejects(restarted.state(id), SessionNotFoundError);
  });

  test('a store that is not the sole writer sees state.json replaced by another process', async () => {
    const shared = open();
    const sole = new SessionStore(dataDir, { maxVersions: 0, maxHistoryBytes: 0 }, { soleWriter: true });
    const { id, cols } = await session(shared);
    assert.equal((await shared.state(id)).versions.length, 1);
    assert.equal((await sole.state(id)).versions.length, 1);
    // Another process (here a third store) commits.
    cols[1] = col('c1', await file(shared, id, 10));
    await open().commit(id, draft(cols.slice(), 1));
    await sleep(PAST_RACY_WINDOW_MS);
    assert.equal((await shared.state(id)).versions.length, 2, 'opened and found replaced');
    // What soleWriter trades away, and why only the embedded queue sets it.
    assert.equal((await sole.state(id)).versions.length, 1, 'a sole writer does not look');
  });
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { writeFileAtomic } from '../../store/atomic.ts';
import { FULL_SWEEP_COMMITS } from '../../store/session-store.ts';

// Changes are made with executeCommand (one SQL statement over df), so these tests do not
// depend on the other changing operations.

const sql = (h: EngineHarness, id: string, command: string) => h.ok(id, 'executeCommand', { command });

async function flags(h: EngineHarness, id: string): Promise<[boolean, boolean]> {
  const meta = await h.ok(id, 'metadata');
  return [meta.undoAvailable, meta.redoAvailable];
}

async function filesOnDisk(h: EngineHarness, id: string): Promise<string[]> {
  return (await fs.readdir(h.rt.store.filesDir(id))).sort();
}

async function referencedFiles(h: EngineHarness, id: string): Promise<string[]> {
  const { manifests } = await h.rt.store.all(id);
  return [...new Set(manifests.flatMap((m) => m.columns.map((c) => c.file)))].sort();
}

const FIVE_CHANGES = [
  'UPDATE df SET n = n + 1',
  'ALTER TABLE df ADD COLUMN m VARCHAR',
  "UPDATE df SET m = 'x' || n",
  'DELETE FROM df WHERE n = 2',
  'ALTER TABLE df RENAME COLUMN m TO label',
];
// The table after each of FIVE_CHANGES, starting from 'n\n1\n2\n'.
const FIVE_TABLES = [
  { columns: ['n'], types: ['int'], rows: [[1], [2]] },
  { columns: ['n'], types: ['int'], rows: [[2], [3]] },
  { columns: ['n', 'm'], types: ['int', 'string'], rows: [[2, null], [3, null]] },
  { columns: ['n', 'm'], types: ['int', 'string'], rows: [[2, 'x2'], [3, 'x3']] },
  { columns: ['n', 'm'], types: ['int', 'string'], rows: [[3, 'x3']] },
  { columns: ['n', 'label'], types: ['int', 'string'], rows: [[3, 'x3']] },
];

describe('undo, redo, history', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
  });
  after(async () => {
    await h.close();
  });

  test('five changes, undone five times and redone five times, exact tables at every step', async () => {
    const id = await h.load('n\n1\n2\n');
    assert.deepEqual(await flags(h, id), [false, false]);
    for (const [i, change] of FIVE_CHANGES.entries()) {
      await sql(h, id, change);
      assert.deepEqual(await h.table(id), FIVE_TABLES[i + 1], change);
      assert.deepEqual(await flags(h, id), [true, false]);
    }
    for (let step = 5; step >= 1; step--) {
      const res = await h.run(id, 'undo');
      assert.equal(res.success, true);
      assert.equal(res.changed, true, 'undo is followed by dataChanged');
      assert.deepEqual(await h.table(id), FIVE_TABLES[step - 1], `after undo to version ${step - 1}`);
      assert.deepEqual(await flags(h, id), [step - 1 > 0, true]);
    }
    const none = await h.run(id, 'undo');
    assert.equal(none.success, false);
    assert.equal(none.error, 'nothing to undo');
    assert.equal(none.changed, false);
    assert.deepEqual(await h.table(id), FIVE_TABLES[0]);
    for (let step = 1; step <= 5; step++) {
      const res = await h.run(id, 'redo');
      assert.equal(res.success, true);
      assert.equal(res.changed, true);
      assert.deepEqual(await h.table(id), FIVE_TABLES[step], `after redo to version ${step}`);
      assert.deepEqual(await flags(h, id), [true, step < 5]);
    }
    const noRedo = await h.run(id, 'redo');
    assert.equal(noRedo.success, false);
    assert.equal(noRedo.error, 'nothing to redo');
    assert.deepEqual(await h.table(id), FIVE_TABLES[5]);
  });

  test('a change after undo discards the redo branch and deletes its files', async () => {
    const id = await h.load('n,s\n1,a\n2,b\n');
    await sql(h, id, 'UPDATE df SET n = n * 10');
    await sql(h, id, "UPDATE df SET s = s || '!'");
    await sql(h, id, 'INSERT INTO df VALUES (3, \'c\')');
    const { state: full, manifests } = await h.rt.store.all(id);
    await h.ok(id, 'undo');
    await h.ok(id, 'undo');
    // what only the two undone versions use
    const keptFiles = new Set([...manifests[0].columns, ...manifests[1].columns].map((c) => c.file));
    const branchFiles = [...new Set([...manifests[2].columns, ...manifests[3].columns].map((c) => c.file))].filter((f) => !keptFiles.has(f));
    assert.equal(branchFiles.length, 2);
    assert.deepEqual(await filesOnDisk(h, id), [...keptFiles, ...branchFiles].sort(), 'undo keeps the redo branch');

    await sql(h, id, 'UPDATE df SET n = -n');
    assert.deepEqual((await h.table(id)).rows, [[-10, 'a'], [-20, 'b']]);
    const { state } = await h.rt.store.all(id);
    assert.deepEqual(state.versions.slice(0, 2), full.versions.slice(0, 2));
    assert.equal(state.versions.length, 3);
    assert.equal(state.current, 2);
    assert.deepEqual(await flags(h, id), [true, false]);
    assert.equal((await h.run(id, 'redo')).error, 'nothing to redo');
    for (const f of branchFiles) assert.ok(!(await filesOnDisk(h, id)).includes(f), `${f} of the discarded branch is deleted`);
    assert.deepEqual(await filesOnDisk(h, id), await referencedFiles(h, id));
    const versionFiles = (await fs.readdir(path.join(h.rt.store.dir(id), 'versions'))).sort();
    assert.deepEqual(versionFiles, state.versions.map((v) => `${v}.json`).sort());
    const history = (await h.ok(id, 'history')).operations;
    assert.deepEqual(
      history.map((o: any) => [o.parameters.command, o.undone]),
      [
        ['UPDATE df SET n = n * 10', false],
        ['UPDATE df SET n = -n', false],
      ],
    );
  });

  test('history: changing operations oldest first, parameters without the envelope, ISO times, undone flags', async () => {
    const id = await h.load('n\n1\n2\n');
    assert.deepEqual((await h.ok(id, 'history')).operations, []);
    await sql(h, id, FIVE_CHANGES[0]);
    await h.ok(id, 'metadata'); // reads are not history
    assert.equal((await h.run(id, 'executeCommand', { command: 'SELECT nope FROM df' })).success, false); // nor failures
    await sql(h, id, FIVE_CHANGES[1]);
    await sql(h, id, FIVE_CHANGES[2]);
    await h.ok(id, 'undo');
    const res = await h.ok(id, 'history');
    assert.equal(res.changed, false);
    const ops = res.operations as Record<string, unknown>[];
    assert.deepEqual(
      ops.map(({ appliedAt: _t, ...rest }) => rest),
      [
        { operation: 'executeCommand', parameters: { command: FIVE_CHANGES[0] }, undone: false },
        { operation: 'executeCommand', parameters: { command: FIVE_CHANGES[1] }, undone: false },
        { operation: 'executeCommand', parameters: { command: FIVE_CHANGES[2] }, undone: true },
      ],
    );
    const times = ops.map((o) => String(o.appliedAt));
    for (const t of times) assert.equal(new Date(t).toISOString(), t, `${t} is an ISO time`);
    assert.deepEqual([...times].sort(), times, 'oldest first');
    // Redo clears the undone flag again.
    await h.ok(id, 'redo');
    assert.deepEqual(
      (await h.ok(id, 'history')).operations.map((o: any) => o.undone),
      [false, false, false],
    );
  });

  test('a one-column change on a wide dataset writes one small file', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const lines = Array.from({ length: 300 }, (_, r) => names.map((_, c) => (r * 31 + c * 7) % 1000).join(','));
    const id = await h.load([names.join(','), ...lines].join('\n') + '\n');
    const first = (await h.rt.store.current(id)).manifest;
    const before = await filesOnDisk(h, id);
    assert.equal(before.length, 1);
    await sql(h, id, 'UPDATE df SET c7 = c7 + 1');
    const { manifest } = await h.rt.store.current(id);
    const after = await filesOnDisk(h, id);
    assert.equal(after.length, 2, 'one new file');
    const added = after.filter((f) => !before.includes(f));
    assert.deepEqual(added, [manifest.columns[7].file]);
    assert.equal(manifest.bytesWritten, (await fs.stat(h.rt.store.filePath(id, added[0]))).size);
    assert.ok(manifest.bytesWritten * 10 < first.bytesWritten, `${manifest.bytesWritten} bytes for one column vs ${first.bytesWritten} for thirty`);
    manifest.columns.forEach((c, i) => {
      if (i !== 7) assert.deepEqual(c, first.columns[i], `column ${c.name} still points at the first file`);
    });
    assert.deepEqual((await h.column(id, 'c7')).slice(0, 3), [50, 81, 112]);
    assert.deepEqual((await h.column(id, 'c8')).slice(0, 3), [56, 87, 118]);
  });
});

describe('applyOperations', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
  });
  after(async () => {
    await h.close();
  });

  const RECIPE = ['UPDATE df SET price = price * 2', 'DELETE FROM df WHERE qty = 0', 'ALTER TABLE df ADD COLUMN total DOUBLE', 'UPDATE df SET total = price * qty'];

  test('a history replayed on another session gives the same result as the same steps one by one', async () => {
    const source = await h.load('item,price,qty\napple,1.5,2\npear,2.0,0\nplum,0.5,4\n');
    for (const change of RECIPE) await sql(h, source, change);
    await sql(h, source, "UPDATE df SET item = 'undone'");
    await h.ok(source, 'undo');
    const recipe = (await h.ok(source, 'history')).operations;
    assert.deepEqual(
      recipe.map((o: any) => o.undone),
      [false, false, false, false, true],
    );

    const csv = 'item,price,qty\nfig,3.0,1\nkiwi,1.25,0\nlime,0.75,8\ndate,2.5,2\n';
    const target = await h.load(csv);
    const byHand = await h.load(csv);
    const versionsBefore = (await h.rt.store.state(target)).versions.length;
    const res = await h.run(target, 'applyOperations', { operations: recipe });
    assert.equal(res.success, true, JSON.stringify(res));
    assert.equal(res.changed, true);
    assert.equal(res.applied, 4, 'the undone entry is skipped');
    for (const change of RECIPE) await sql(h, byHand, change);
    const expected = {
      columns: ['item', 'price', 'qty', 'total'],
      types: ['string', 'float', 'int', 'float'],
      rows: [
        ['fig', 6, 1, 6],
        ['lime', 1.5, 8, 12],
        ['date', 5, 2, 10],
      ],
    };
    assert.deepEqual(await h.table(byHand), expected);
    assert.deepEqual(await h.table(target), expected);

    // One step: one version, one undo reverts all of it.
    assert.equal((await h.rt.store.state(target)).versions.length, versionsBefore + 1);
    const history = (await h.ok(target, 'history')).operations;
    assert.deepEqual(
      history.map((o: any) => [o.operation, o.parameters, o.undone]),
      RECIPE.map((command) => ['executeCommand', { command }, false]),
    );
    await h.ok(target, 'undo');
    assert.deepEqual((await h.table(target)).rows, [
      ['fig', 3, 1],
      ['kiwi', 1.25, 0],
      ['lime', 0.75, 8],
      ['date', 2.5, 2],
    ]);
    assert.equal((await h.run(target, 'undo')).error, 'nothing to undo');
    await h.ok(target, 'redo');
    assert.deepEqual(await h.table(target), expected);
  });

  test('a failing entry: nothing is applied and the error names the entry (1-based, as sent) and why', async () => {
    const id = await h.load('item,price,qty\nfig,3.0,1\nkiwi,1.25,0\n');
    const state = await h.rt.store.state(id);
    const table = await h.table(id);
    const entry = (command: string, undone = false) => ({ operation: 'executeCommand', parameters: { command }, undone });
    const cases: [unknown[], RegExp][] = [
      [[entry(RECIPE[0]), entry(RECIPE[1]), entry('UPDATE df SET nope = 1')], /^operation 3 of 3 \(executeCommand\) failed, so none was applied: command failed: Binder error: .*nope/],
      [[entry(RECIPE[0]), entry('SELECT broken', true), entry('COPY df TO \'/tmp/x.csv\'')], /^operation 3 of 3 \(executeCommand\) failed, so none was applied: command refused: COPY statements are not allowed/],
      [[{ operation: 'noSuchOperation', parameters: {} }, entry(RECIPE[0])], /^operation 1 of 2 \(noSuchOperation\) failed, so none was applied: unknown operation/],
      [[entry(RECIPE[0]), { operation: 'undo' }], /^operation 2 of 2 \(undo\) failed, so none was applied: unknown operation: "undo" is not a changing operation/],
      [[entry(RECIPE[0]), { operation: 'executeCommand', parameters: {} }], /^operation 2 of 2 \(executeCommand\) failed, so none was applied: invalid parameters: command/],
    ];
    for (const [operations, description] of cases) {
      const res = await h.run(id, 'applyOperations', { operations });
      assert.equal(res.success, false);
      assert.equal(res.error, 'operation failed');
      assert.match(res.errorDescription, description);
      assert.equal(res.changed, false);
    }
    for (const operations of [[], [entry(RECIPE[0], true)]]) {
      const res = await h.run(id, 'applyOperations', { operations });
      assert.equal(res.error, 'nothing to apply');
    }
    assert.equal((await h.run(id, 'applyOperations', {})).error, 'invalid parameters');
    assert.equal((await h.run(id, 'applyOperations', { operations: [{ parameters: {} }] })).error, 'invalid parameters');
    assert.deepEqual(await h.rt.store.state(id), state);
    assert.deepEqual(await h.table(id), table);
    assert.deepEqual((await h.ok(id, 'history')).operations, []);
    // Files staged by the entries that did run are orphans: the next commit sweeps them.
    await sql(h, id, 'UPDATE df SET qty = qty + 1');
    assert.deepEqual(await filesOnDisk(h, id), await referencedFiles(h, id));
  });

  test('recorded parameters never carry an envelope', async () => {
    const id = await h.load('n\n1\n');
    await h.ok(id, 'applyOperations', {
      operations: [{ operation: 'executeCommand', parameters: { command: 'UPDATE df SET n = 5', sessionID: 'x', requestID: 'y', operation: 'z' } }],
    });
    assert.deepEqual((await h.ok(id, 'history')).operations.map((o: any) => o.parameters), [{ command: 'UPDATE df SET n = 5' }]);
    assert.deepEqual(await h.column(id, 'n'), [5]);
  });

  test('recorded parameters are those the operation reads, as sent: keys it does not know are not kept', async () => {
    const id = await h.load('n,t\n1,a\n');
    const junk = { j0: 'x'.repeat(1000), j1: [1, 2, 3] };
    await h.ok(id, 'renameColumn', { column: 't', newName: 'u', ...junk });
    // combineColumns' schema is an object behind a transform; its defaults are not recorded.
    await h.ok(id, 'combineColumns', { columnsToCombine: ['n', 'u'], seperator: '-', ...junk });
    await h.ok(id, 'applyOperations', { operations: [{ operation: 'renameColumn', parameters: { column: 'u', newName: 'v', ...junk } }] });
    // A change that finds nothing to do records nothing; one that does records the known keys.
    const history = (await h.ok(id, 'history')).operations.map((o: any) => o.parameters);
    assert.deepEqual(history, [
      { column: 't', newName: 'u' },
      { columnsToCombine: ['n', 'u'], seperator: '-' },
      { column: 'u', newName: 'v' },
    ]);
    // Replayed, the recipe does the same.
    const other = await h.load('n,t\n1,a\n');
    await h.ok(other, 'applyOperations', { operations: (await h.ok(id, 'history')).operations });
    assert.deepEqual(await h.table(other), await h.table(id));
  });
});

describe('history caps', () => {
  test('MAX_VERSIONS: oldest versions dropped, files swept, history keeps the whole log', async () => {
    const h = await engineHarness({ MAX_VERSIONS: 3 });
    try {
      const id = await h.load('n\n1\n2\n');
      for (const change of FIVE_CHANGES) await sql(h, id, change);
      const { state } = await h.rt.store.all(id);
      assert.equal(state.versions.length, 3);
      assert.deepEqual(await filesOnDisk(h, id), await referencedFiles(h, id));
      assert.deepEqual(
        (await h.ok(id, 'history')).operations.map((o: any) => [o.parameters.command, o.undone]),
        FIVE_CHANGES.map((c) => [c, false]),
      );
      await h.ok(id, 'undo');
      assert.deepEqual(await h.table(id), FIVE_TABLES[4]);
      await h.ok(id, 'undo');
      assert.deepEqual(await h.table(id), FIVE_TABLES[3]);
      assert.deepEqual(await flags(h, id), [false, true]);
      assert.equal((await h.run(id, 'undo')).error, 'nothing to undo');
      assert.deepEqual(
        (await h.ok(id, 'history')).operations.map((o: any) => o.undone),
        [false, false, false, true, true],
      );
    } finally {
      await h.close();
    }
  });

  test('MAX_HISTORY_BYTES: a column change sharing the imported file costs nothing, a rewrite drops history', async () => {
    const h = await engineHarness({ MAX_HISTORY_BYTES: 1 });
    try {
      const id = await h.load('n,s\n1,a\n2,b\n');
      // Undoing this needs only the imported file, which the new version still uses for s.
      await sql(h, id, 'UPDATE df SET n = n + 1');
      assert.equal((await h.rt.store.state(id)).versions.length, 2);
      // Undoing this would need files the new version does not use: over the 1-byte cap. (A
      // query's result is a new table; a DELETE, or a query that only filters rows, would
      // only record the rows it deletes.)
      await sql(h, id, 'SELECT * FROM df WHERE n <> 2 ORDER BY n');
      assert.equal((await h.rt.store.state(id)).versions.length, 1);
      assert.deepEqual(await flags(h, id), [false, false]);
      assert.deepEqual(await filesOnDisk(h, id), await referencedFiles(h, id));
      assert.equal((await filesOnDisk(h, id)).length, 1);
      assert.deepEqual(await h.table(id), { columns: ['n', 's'], types: ['int', 'string'], rows: [[3, 'b']] });
      assert.equal((await h.ok(id, 'history')).operations.length, 2);
    } finally {
      await h.close();
    }
  });
});

describe('durability', () => {
  test('a crash mid-commit leaves the previous version current; the next commit sweeps the orphans', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-crash-'));
    const crashed = await engineHarness({ dataDir });
    let h = crashed;
    try {
      const id = await h.load('n,s\n1,a\n2,b\n');
      await sql(h, id, 'UPDATE df SET n = n * 3');
      const table = await h.table(id);
      const state = await h.rt.store.state(id);
      const { manifest } = await h.rt.store.current(id);
      // What a commit that died before its state.json leaves behind: a new column file, the
      // manifest naming it, and a half-written replacement of state.json.
      const orphan = h.rt.store.newFile(id);
      await fs.copyFile(h.rt.store.filePath(id, manifest.columns[0].file), orphan.path);
      const orphanManifest = { ...manifest, id: 'zzzz-orphan', columns: [{ ...manifest.columns[0], file: orphan.file }, manifest.columns[1]] };
      await writeFileAtomic(path.join(h.rt.store.dir(id), 'versions', 'zzzz-orphan.json'), JSON.stringify(orphanManifest));
      await fs.writeFile(path.join(h.rt.store.dir(id), 'state.json.deadbeef0000.tmp'), '{"versions":[');
      // The process that crashed is gone; the next one finds the leftovers (its first commit
      // on the session lists the folders; later ones sweep only what they drop, see sweepAfter).
      await crashed.close();
      h = await engineHarness({ dataDir });

      assert.deepEqual(await h.table(id), table);
      assert.deepEqual(await flags(h, id), [true, false]);
      assert.deepEqual(await h.rt.store.state(id), state);
      assert.equal((await h.ok(id, 'history')).operations.length, 1);

      await sql(h, id, 'UPDATE df SET n = n + 1');
      assert.deepEqual(await h.column(id, 'n'), [4, 7]);
      assert.deepEqual(await filesOnDisk(h, id), await referencedFiles(h, id));
      assert.ok(!(await filesOnDisk(h, id)).includes(orphan.file));
      const versionsDir = await fs.readdir(path.join(h.rt.store.dir(id), 'versions'));
      assert.ok(!versionsDir.includes('zzzz-orphan.json'));
      assert.ok(!(await fs.readdir(h.rt.store.dir(id))).some((n) => n.endsWith('.tmp')));
      await h.ok(id, 'undo');
      assert.deepEqual(await h.table(id), table);
    } finally {
      if (h !== crashed) await h.close();
      else await crashed.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  test('leftovers of a job that died in another process are swept by this one within FULL_SWEEP_COMMITS commits', async () => {
    const h = await engineHarness();
    try {
      const id = await h.load('n\n1\n2\n');
      await sql(h, id, 'UPDATE df SET n = n * 3');
      const orphan = h.rt.store.newFile(id);
      await fs.writeFile(orphan.path, 'left by a worker that died');
      for (let k = 0; k < FULL_SWEEP_COMMITS; k++) await sql(h, id, 'UPDATE df SET n = n + 1');
      assert.ok(!(await filesOnDisk(h, id)).includes(orphan.file));
      assert.deepEqual(await filesOnDisk(h, id), await referencedFiles(h, id));
    } finally {
      await h.close();
    }
  });

  test('sessions, their history and undo survive a restart on the same DATA_DIR', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-restart-'));
    try {
      const first = await engineHarness({ dataDir });
      let id: string;
      try {
        id = await first.load('n\n1\n2\n');
        for (const change of FIVE_CHANGES.slice(0, 3)) await sql(first, id, change);
        await first.ok(id, 'undo');
      } finally {
        await first.close();
      }
      const second = await engineHarness({ dataDir });
      try {
        assert.deepEqual(await second.table(id), FIVE_TABLES[2]);
        assert.deepEqual(await flags(second, id), [true, true]);
        assert.deepEqual(
          (await second.ok(id, 'history')).operations.map((o: any) => [o.parameters.command, o.undone]),
          [
            [FIVE_CHANGES[0], false],
            [FIVE_CHANGES[1], false],
            [FIVE_CHANGES[2], true],
          ],
        );
        await second.ok(id, 'redo');
        assert.deepEqual(await second.table(id), FIVE_TABLES[3]);
        await second.ok(id, 'undo');
        await second.ok(id, 'undo');
        await second.ok(id, 'undo');
        assert.deepEqual(await second.table(id), FIVE_TABLES[0]);
        await sql(second, id, 'UPDATE df SET n = 0');
        assert.deepEqual(await second.column(id, 'n'), [0, 0]);
      } finally {
        await second.close();
      }
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

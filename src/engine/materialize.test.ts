import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../test/helpers/engine.ts';
import { Dataset } from './dataset.ts';
import fs from 'node:fs/promises';
import { materialize } from './materialize.ts';
import type { ColumnPlan } from '../operations/types.ts';

const LIMITS = { maxCellBytes: 1_000_000 };

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

// Computed columns read only the files their expressions name: rows must stay aligned
// whichever files of a many-file version an operation reads.
test('computed columns over a version of several files stay aligned with their rows', async () => {
  const id = await h.load('a,B,"q""x",d\n1,x,10,\n2,y,,5\n3,z,30,\n4,w,40,7\n');
  // Each change writes its column to a file of its own.
  await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: 0, newValue: 'X' });
  await h.ok(id, 'fillWithCustomValue', { columnIndex: 2, newValue: 0 });
  await h.ok(id, 'newCellValue', { columnIndex: 0, rowIndex: 3, newValue: 9 });
  await h.ok(id, 'fillDown', { columnFrom: 3, columnTo: 3, method: 'ffill' });
  await h.ok(id, 'combineColumns', { columnsToCombine: ['B', 'q"x'], seperator: '-', newName: 'c', insertIndex: 4 });
  await h.ok(id, 'interpolate', { columnIndex: 3, method: 'linear' });
  assert.deepEqual(await h.table(id), {
    columns: ['a', 'B', 'q"x', 'd', 'c'],
    types: ['int', 'string', 'int', 'float', 'string'],
    rows: [
      [1, 'X', 10, null, 'X-10'],
      [2, 'y', 0, 5, 'y-0'],
      [3, 'z', 30, 5, 'z-30'],
      [9, 'w', 40, 7, 'w-40'],
    ],
  });
  // Rows removed from a many-file version: every column loses the same rows.
  await h.ok(id, 'deleteRows', { rowIndices: [1] });
  await h.ok(id, 'deleteRowsWithNA', { columnIndex: 3 });
  assert.deepEqual((await h.table(id)).rows, [
    [3, 'z', 30, 5, 'z-30'],
    [9, 'w', 40, 7, 'w-40'],
  ]);
});

// A join (a FROM item in row order, here a subquery) is read beside the columns row by row;
// one shorter than the dataset is padded with NULL, one longer is refused (rows would be
// added).
test('a computed column reads a joined subquery row by row; a longer one is refused', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n3,z\n');
  const { manifest } = await h.rt.store.current(id);
  const ds = new Dataset(manifest, h.rt.store.filesDir(id));
  const write = (join: string) =>
    h.rt.duck.withConnection(async (db) => {
      for (const statement of ds.viewStatements()) await db.run(statement);
      return materialize(db, h.rt.store, id, ds, { kind: 'columns', columns: [{ name: 'a', keep: 0 }, { name: 'b', expr: `coalesce(j.v, -1.0) + ${ds.ref(0)}` }], joins: [join] }, LIMITS);
    });
  const done = await write('(SELECT * FROM (VALUES (10.5::DOUBLE), (20.5::DOUBLE)) AS t(v)) AS j');
  assert.equal(done.rows, 3);
  assert.equal(done.columns[0].file, manifest.columns[0].file, 'the kept column keeps its file');
  const values = await h.rt.duck.withConnection((db) => db.rows(`SELECT ${done.columns[1].field} AS v FROM read_parquet('${h.rt.store.filesDir(id)}/${done.columns[1].file}')`));
  assert.deepEqual(values.map((r) => r.v), [11.5, 22.5, 2]);
  await assert.rejects(write('(SELECT * FROM range(4) AS t(v)) AS j'), /column change produced 4 rows for a dataset of 3/);
});

// dictionary: false (a column known to be about as many values as rows) writes no
// dictionary; without it a column of few values gets one. Values are the same either way.
test('a computed column marked dictionary: false is written without a dictionary, the same values', async () => {
  const id = await h.loadSql('SELECT i % 3 AS k FROM range(50000) r(i)');
  const { manifest } = await h.rt.store.current(id);
  const ds = new Dataset(manifest, h.rt.store.filesDir(id));
  const expr = `'k' || CAST(${ds.ref(0)} AS VARCHAR)`;
  const written = (dictionary: boolean) =>
    h.rt.duck.withConnection(async (db) => {
      for (const statement of ds.viewStatements()) await db.run(statement);
      const done = await materialize(db, h.rt.store, id, ds, { kind: 'columns', columns: [{ name: 'k', expr, ...(dictionary ? {} : { dictionary: false as const }) }] }, LIMITS);
      const path = `${h.rt.store.filesDir(id)}/${done.columns[0].file}`;
      const pages = Number(await db.scalar(`SELECT count(*) FILTER (WHERE dictionary_page_offset IS NOT NULL) FROM parquet_metadata('${path}')`));
      const wrong = Number(await db.scalar(`SELECT count(*) FROM read_parquet('${path}', file_row_number = true) WHERE c0 IS DISTINCT FROM 'k' || CAST(file_row_number % 3 AS VARCHAR)`));
      return { pages, wrong };
    });
  const plain = await written(false);
  const usual = await written(true);
  assert.equal(plain.pages, 0);
  assert.ok(usual.pages > 0);
  assert.equal(plain.wrong, 0);
  assert.equal(usual.wrong, 0);
});

// A field of a file the operation wrote is adopted as it is: the file moves into the
// session's files once for all its fields; one of another row count, one without the field,
// or one outside the session's tmp folder is refused before anything moves.
test('adopted fields: the file is moved once for its fields; a wrong one is refused', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n3,z\n');
  const { manifest } = await h.rt.store.current(id);
  const ds = new Dataset(manifest, h.rt.store.filesDir(id));
  const tmp = h.rt.store.tmpDir(id);
  await fs.mkdir(tmp, { recursive: true });
  const written = async (name: string, select: string) => {
    const path = `${tmp}/${name}.parquet`;
    await h.rt.duck.withConnection((db) => db.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`));
    return path;
  };
  const adopt = (columns: ColumnPlan[]) =>
    h.rt.duck.withConnection(async (db) => {
      for (const statement of ds.viewStatements()) await db.run(statement);
      return materialize(db, h.rt.store, id, ds, { kind: 'columns', columns }, LIMITS);
    });
  const good = await written('good', 'SELECT range * 1.5::DOUBLE AS c1, range::VARCHAR AS c2 FROM range(3)');
  const done = await adopt([{ name: 'a', keep: 0 }, { name: 'half', adopt: { path: good, field: 'c1' } }, { name: 'text', adopt: { path: good, field: 'c2' } }]);
  assert.equal(done.columns[0].file, manifest.columns[0].file);
  assert.equal(done.columns[1].file, done.columns[2].file, 'one file for both fields');
  assert.deepEqual(done.columns.slice(1).map((c) => [c.field, c.type]), [['c1', 'DOUBLE'], ['c2', 'VARCHAR']]);
  assert.equal(await fs.stat(good).then(() => true, () => false), false, 'moved, not copied');
  const values = await h.rt.duck.withConnection((db) => db.rows(`SELECT c1, c2 FROM read_parquet('${h.rt.store.filesDir(id)}/${done.columns[1].file}')`));
  assert.deepEqual(values, [{ c1: 0, c2: '0' }, { c1: 1.5, c2: '1' }, { c1: 3, c2: '2' }]);

  const short = await written('short', 'SELECT range AS c1 FROM range(2)');
  await assert.rejects(adopt([{ name: 'x', adopt: { path: short, field: 'c1' } }]), /has 2 rows for a dataset of 3/);
  const other = await written('other', 'SELECT range AS c0 FROM range(3)');
  await assert.rejects(adopt([{ name: 'x', adopt: { path: other, field: 'c1' } }]), /has no field c1/);
  await assert.rejects(adopt([{ name: 'x', adopt: { path: '/etc/passwd', field: 'c1' } }]), /not in the session's tmp folder/);
  for (const path of [short, other]) assert.equal(await fs.stat(path).then(() => true, () => false), true, `${path} stays where it was`);
});

// A computed column's type is taken from the query when it reads back from Parquet as itself
// (readBackTypes), without describing the written file: the manifest must still say what the
// file holds, for each of the dataset's types.
test("a changed column's type in the manifest is the written file's, whichever type it is", async () => {
  const id = await h.load('i,f,s,b,t\n1,1.5,x,true,2024-01-02 03:04:05\n2,,y,false,2024-02-03 04:05:06\n');
  for (let c = 0; c < 5; c++) await h.ok(id, 'newCellValue', { columnIndex: c, rowIndex: 1, newValue: null });
  const { manifest } = await h.rt.store.current(id);
  const ds = new Dataset(manifest, h.rt.store.filesDir(id));
  const described = await h.rt.duck.withConnection(async (db) =>
    Promise.all(manifest.columns.map(async (c) => (await db.describe(`SELECT ${c.field} FROM read_parquet('${ds.filePath(c.file)}')`))[0].type)),
  );
  assert.deepEqual(manifest.columns.map((c) => c.type), described);
  assert.deepEqual(manifest.columns.slice(0, 5).map((c) => c.type), ['BIGINT', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'TIMESTAMP']);
});

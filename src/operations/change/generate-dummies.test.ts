import { test, before, after } from 'node:test';
import fs from 'node:fs/promises';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { MAX_DUMMIES } from './generate-dummies.ts';
import { Dataset } from '../../engine/dataset.ts';
import { writeGroupSize } from '../../engine/column-groups.ts';
import { rowGroupRows } from '../../engine/parquet-layout.ts';
import { literal } from '../../engine/sql.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

test('generateDummies: one sorted 0/1 column per value right after the column; missing is all zeros', async () => {
  const id = await h.load('id,color,n\n1,red,10\n2,blue,20\n3,,30\n4,red,40\n5,Grün,50\n');
  const res = await h.ok(id, 'generateDummies', { columnIndex: 1, inplace: false });
  assert.equal(res.changed, true);
  // sorted by code point as Python sorts strings: 'G' < 'b' < 'r'
  assert.deepEqual(await h.table(id), {
    columns: ['id', 'color', 'color_Grün', 'color_blue', 'color_red', 'n'],
    types: ['int', 'string', 'int', 'int', 'int', 'int'],
    rows: [
      [1, 'red', 0, 0, 1, 10],
      [2, 'blue', 0, 1, 0, 20],
      [3, null, 0, 0, 0, 30],
      [4, 'red', 0, 0, 1, 40],
      [5, 'Grün', 1, 0, 0, 50],
    ],
  });
});

test('generateDummies: names print the value as Python does (ints plain, floats with a point, True/False)', async () => {
  const ints = await h.load('n\n3\n1\n\n3\n');
  await h.ok(ints, 'generateDummies', { columnIndex: 0, inplace: 'true' });
  assert.deepEqual(await h.table(ints), { columns: ['n_1', 'n_3'], types: ['int', 'int'], rows: [[0, 1], [1, 0], [0, 0], [0, 1]] });
  const floats = await h.load('x,y\n2.5,a\n1.0,b\n,c\n-0.001,d\n');
  await h.ok(floats, 'generateDummies', { columnIndex: 0, inplace: true });
  assert.deepEqual(await h.table(floats), {
    columns: ['x_-0.001', 'x_1.0', 'x_2.5', 'y'],
    types: ['int', 'int', 'int', 'string'],
    rows: [[0, 0, 1, 'a'], [0, 1, 0, 'b'], [0, 0, 0, 'c'], [1, 0, 0, 'd']],
  });
  const bools = await h.load('b\nTrue\nFalse\nTrue\n');
  await h.ok(bools, 'generateDummies', { columnIndex: 0 });
  assert.deepEqual(await h.table(bools), { columns: ['b', 'b_False', 'b_True'], types: ['bool', 'int', 'int'], rows: [[true, 0, 1], [false, 1, 0], [true, 0, 1]] });
  const dates = await h.load('d\n2021-03-04\n2020-01-02\n');
  await h.ok(dates, 'generateDummies', { columnIndex: 0, inplace: true });
  assert.deepEqual((await h.table(dates)).columns, ['d_2020-01-02 00:00:00', 'd_2021-03-04 00:00:00']);
});

test('generateDummies: single row, empty dataset, all missing', async () => {
  const one = await h.load('s\nx\n');
  await h.ok(one, 'generateDummies', { columnIndex: 0 });
  assert.deepEqual(await h.table(one), { columns: ['s', 's_x'], types: ['string', 'int'], rows: [['x', 1]] });
  const empty = await h.load('s,t\nx,y\n');
  await h.ok(empty, 'deleteRows', { rowIndices: [0] });
  assert.equal((await h.ok(empty, 'generateDummies', { columnIndex: 0 })).changed, false);
  // inplace with no values: the column just goes, as get_dummies gives no columns
  await h.ok(empty, 'generateDummies', { columnIndex: 0, inplace: true });
  assert.deepEqual(await h.table(empty), { columns: ['t'], types: ['string'], rows: [] });
  const missing = await h.load('s,t\n,1\n,2\n');
  assert.equal((await h.ok(missing, 'generateDummies', { columnIndex: 0 })).changed, false);
});

test('generateDummies: errors', async () => {
  const values = Array.from({ length: MAX_DUMMIES + 1 }, (_, i) => `v${i}`);
  const many = await h.load(`s\n${values.join('\n')}\n`);
  let res = await h.run(many, 'generateDummies', { columnIndex: 0 });
  assert.equal(res.error, 'too many values');
  assert.match(res.errorDescription, /more than 1000 distinct values/);
  const clash = await h.load('a,a_1\n1,2\n');
  res = await h.run(clash, 'generateDummies', { columnIndex: 0 });
  assert.equal(res.error, 'duplicate column name');
  res = await h.run(clash, 'generateDummies', { columnIndex: 2 });
  assert.equal(res.error, 'index out of range');
  res = await h.run(clash, 'generateDummies', { columnIndex: 0, inplace: 'maybe' });
  assert.equal(res.error, 'invalid parameters');
});

test('generateDummies: undo restores exactly the previous table, redo the dummies', async () => {
  const id = await h.load('k,v\na,1\nb,2\na,3\n');
  const before = await h.table(id);
  await h.ok(id, 'generateDummies', { columnIndex: 0, inplace: true });
  const after1 = await h.table(id);
  assert.deepEqual(after1, { columns: ['k_a', 'k_b', 'v'], types: ['int', 'int', 'int'], rows: [[1, 0, 1], [0, 1, 2], [1, 0, 3]] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after1);
});

// Many dummies of many rows are written in files of a few columns each (column-groups.ts,
// writeGroupSize): 1,000 dummies of 2M rows in one file ran DuckDB out of memory. Every
// file must hold the same rows in the same order, under the right names.
test('generateDummies: 300 values of 200k rows, written in several files, each row 1 in its own column only', async () => {
  const rows = 200_000;
  const id = await h.loadSql(`SELECT i AS id, 'k' || (i * 7 % 300) AS cat, i * 2 AS n FROM range(${rows}) t(i)`);
  await h.ok(id, 'generateDummies', { columnIndex: 1, inplace: false });
  const { manifest } = await h.rt.store.current(id);
  const ds = new Dataset(manifest, h.rt.store.filesDir(id));
  const values = Array.from({ length: 300 }, (_, k) => `k${k}`).sort();
  assert.deepEqual(ds.names, ['id', 'cat', ...values.map((v) => `cat_${v}`), 'n']);
  const dummies = ds.columns.slice(2, -1);
  const files = new Set(dummies.map((c) => c.file));
  assert.ok(files.size > 1, 'written in several files');
  for (const file of files) assert.ok(dummies.filter((c) => c.file === file).length <= writeGroupSize(rows, rowGroupRows(rows)));
  // Each row: its own value's column 1, the others 0 (they sum to 1); id and n unchanged.
  const own = dummies.map((_, k) => ds.ref(k + 2));
  const wrong = await h.rt.duck.withConnection(async (db) =>
    db.scalar(`SELECT count(*) FROM (${ds.select({ withPosition: true })}) WHERE ${ds.ref(0)} <> __pos OR ${ds.ref(ds.columns.length - 1)} <> 2 * __pos OR ${own.join(' + ')} <> 1 OR [${own.join(', ')}][list_position([${values.map((v) => literal(v)).join(', ')}], ${ds.ref(1)})] <> 1`),
  );
  assert.equal(Number(wrong), 0);
  assert.ok(dummies.every((c) => c.type === 'BIGINT'));
});

// MAX_WRITE_CELLS: a change is refused before it writes anything when its new columns would
// hold more cells (2M rows × 1,000 dummies took 22–46 s; 10M rows would take minutes).
test('generateDummies: more cells than MAX_WRITE_CELLS is refused up front, naming the limit; nothing changes', async () => {
  const small = await engineHarness({ MAX_WRITE_CELLS: 10 });
  try {
    const fits = await small.load('k\na\nb\nc\n'); // 3 columns × 3 rows
    await small.ok(fits, 'generateDummies', { columnIndex: 0 });
    assert.deepEqual((await small.table(fits)).columns, ['k', 'k_a', 'k_b', 'k_c']);
    const id = await small.load('k\na\nb\nc\na\n'); // 3 columns × 4 rows
    const before = await small.table(id);
    const files = await fs.readdir(small.rt.store.filesDir(id));
    const res = await small.run(id, 'generateDummies', { columnIndex: 0 });
    assert.equal(res.error, 'too many cells');
    assert.equal(res.errorDescription, 'generateDummies would write 3 columns of 4 rows, 12 cells; the limit is 10 (MAX_WRITE_CELLS); the dataset is unchanged');
    assert.deepEqual(await small.table(id), before);
    assert.deepEqual(await fs.readdir(small.rt.store.filesDir(id)), files, 'no file written');
    assert.equal((await small.ok(id, 'metadata')).undoAvailable, false);
  } finally {
    await small.close();
  }
});

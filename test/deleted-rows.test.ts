import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from './helpers/engine.ts';
import { operations } from '../src/operations/index.ts';
import { uploadOk, serverWithClient } from './helpers/server.ts';

// A version made by deleting rows keeps its columns' files and records the rows each column
// lost (ColumnEntry.deleted). Every read and every operation on such a version must give
// what it gives on the same rows written out plainly: each case here runs on both and compares.

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

// f float with gaps, s text, c constant int, n int with a gap, d datetime, b bool. Rows 1, 4 and 6 are deleted.
const HEADER = 'f,s,c,n,d,b';
const ROWS = [
  '1.5,x y,7,1,2020-01-01,true',
  '9.0,gone,7,9,2020-09-09,false',
  ',a b,7,2,2020-01-02,false',
  '3.5,y,7,,,true',
  '8.0,gone too,7,8,2020-08-08,true',
  ',x,7,4,2020-01-04 10:30:00,',
  '7.0,third,7,7,2020-07-07,false',
  '6.5,y z,7,5,2020-01-05,true',
  '2.0,,7,6,2020-01-06,false',
];
const DELETED = [1, 4, 6];
const full = [HEADER, ...ROWS].join('\n') + '\n';
const kept = [HEADER, ...ROWS.filter((_, i) => !DELETED.includes(i))].join('\n') + '\n';

type Params = Record<string, unknown>;
// A change of every changing operation, on the kept rows (positions after deletion).
const CHANGES: Record<string, Params[]> = {
  renameColumn: [{ column: 'f', newName: 'F' }],
  newCellValue: [{ columnIndex: 1, rowIndex: 3, newValue: 'q' }, { columnIndex: 0, rowIndex: 5, newValue: '4.25' }],
  emptyStringToNaN: [{ columnIndex: 1 }],
  deleteRows: [{ rowIndices: [0, 4] }],
  deleteColumns: [{ columnIndices: [0] }],
  changeColumnDataType: [{ column: 'n', newDataType: 'str' }, { column: 'd', newDataType: 'str' }, { column: 'f', newDataType: 'int64' }],
  fillDown: [{ columnFrom: 0, columnTo: 3, method: 'ffill' }, { columnFrom: 0, columnTo: 0, method: 'bfill' }],
  fillWithCustomValue: [{ columnIndex: 0, newValue: 0 }],
  fillWithAverage: [{ columnIndex: 0, metric: 'mean' }, { columnIndex: 3, metric: 'median' }],
  normalize: [{ columnIndex: 0 }],
  standardize: [{ columnIndex: 3 }],
  deleteRowsWithNA: [{ columnIndex: 0 }, { columnIndex: 4 }],
  insertDuplicateColumn: [{ columnIndex: 1 }],
  interpolate: [{ columnIndex: 0, method: 'linear' }, { columnIndex: 0, method: 'pchip' }],
  findReplace: [
    { columnIndex: 1, toReplace: ['x'], replaceWith: ['q'], matchRegex: false },
    { columnIndex: 1, toReplace: ['^y'], replaceWith: ['Y'], matchRegex: true },
  ],
  generateDummies: [{ columnIndex: 1, inplace: false }],
  splitColumn: [{ columnIndex: 1, delimiter: ' ' }],
  combineColumns: [{ columnsToCombine: ['s', 'n'], seperator: '-', newName: 'sn', insertIndex: 0 }],
  discretize: [
    { columnIndex: 0, cutMode: 'discretization', numberOfBins: 2 },
    { columnIndex: 3, cutMode: 'quantiles', numberOfBins: 2 },
  ],
  executeCommand: [{ command: 'SELECT * FROM df' }, { command: 'SELECT *, n * 2 AS z FROM df' }, { command: "UPDATE df SET s = 'u' WHERE n > 1" }, { command: 'DELETE FROM df WHERE n = 2' }],
};

// What metadata says of the data (not of the session or request).
async function metadata(id: string, view: Params = {}): Promise<unknown> {
  const { dataSize, columns, columnInfo } = await h.ok(id, 'metadata', view);
  return { dataSize, columns, columnInfo };
}

async function deletedVersion(): Promise<string> {
  const id = await h.load(full);
  await h.ok(id, 'deleteRows', { rowIndices: DELETED });
  const { manifest } = await h.rt.store.current(id);
  assert.ok(manifest.columns.every((c) => c.deleted?.count === DELETED.length), 'deleteRows records the deleted rows, it does not rewrite the columns');
  return id;
}

test('every changing operation on a version made by deleteRows gives what it gives on the same rows', async () => {
  const changing = operations.filter((op) => op.kind === 'change').map((op) => op.name);
  assert.deepEqual(changing.filter((name) => !CHANGES[name]).sort(), [], 'a changing operation without a case here');
  for (const [operation, cases] of Object.entries(CHANGES)) {
    for (const params of cases) {
      const deleted = await deletedVersion();
      const plain = await h.load(kept);
      assert.deepEqual(await h.table(deleted), await h.table(plain));
      const a = await h.run(deleted, operation, params);
      const b = await h.run(plain, operation, params);
      const what = `${operation} ${JSON.stringify(params)}`;
      assert.equal(a.success, b.success, `${what}: ${a.errorDescription ?? ''} / ${b.errorDescription ?? ''}`);
      assert.equal(a.changed, b.changed, what);
      assert.deepEqual(await h.table(deleted), await h.table(plain), what);
      assert.deepEqual(await metadata(deleted), await metadata(plain), what);
    }
  }
});

test('undo and redo across deletions; applyOperations with two deletes then a column change', async () => {
  const id = await h.load(full);
  const before = await h.table(id);
  await h.ok(id, 'deleteRows', { rowIndices: [1] });
  await h.ok(id, 'deleteRowsWithNA', { columnIndex: 0 });
  await h.ok(id, 'deleteRows', { rowIndices: [2] });
  const after = await h.table(id);
  assert.deepEqual(after.rows.map((r) => r[1]), ['x y', 'y', 'third', 'y z', null]);
  await h.ok(id, 'undo');
  await h.ok(id, 'undo');
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  await h.ok(id, 'redo');
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);

  const recipe = [
    { operation: 'deleteRows', parameters: { rowIndices: [1] } },
    { operation: 'deleteRows', parameters: { rowIndices: [3] } },
    { operation: 'fillDown', parameters: { columnFrom: 0, columnTo: 0, method: 'ffill' } },
    { operation: 'deleteRows', parameters: { rowIndices: [0] } },
  ];
  const replayed = await h.load(full);
  await h.ok(replayed, 'applyOperations', { operations: recipe });
  const oneByOne = await h.load(full);
  for (const { operation, parameters } of recipe) await h.ok(oneByOne, operation, parameters);
  const plain = await h.load([HEADER, ROWS[0], ROWS[2], ROWS[3], ROWS[5], ROWS[6], ROWS[7], ROWS[8]].join('\n') + '\n');
  await h.ok(plain, 'fillDown', { columnFrom: 0, columnTo: 0, method: 'ffill' });
  await h.ok(plain, 'deleteRows', { rowIndices: [0] });
  assert.deepEqual(await h.table(replayed), await h.table(plain));
  assert.deepEqual(await h.table(oneByOne), await h.table(plain));
  await h.ok(replayed, 'undo');
  assert.deepEqual(await h.table(replayed), before);
});

// Several row groups (122,880 rows each by default in DuckDB's writer): slices, sorted,
// filtered and searched views, metadata, of versions whose deletions fall in several groups.
test('reads of a large version with deletions equal reads of the same rows written plainly', async () => {
  const n = 300_000;
  const source = (where: string) => `SELECT range AS i, CASE WHEN range % 7 = 0 THEN NULL ELSE (range * 37) % 1001 END AS v, 'r' || (range % 13) AS t FROM range(${n}) WHERE ${where}`;
  const deleted = await h.loadSql(source('true'));
  const first = Array.from({ length: 500 }, (_, k) => (k * 7919) % n).sort((a, b) => a - b);
  await h.ok(deleted, 'deleteRows', { rowIndices: first });
  // Then the rows missing v: positions of the version, mapped through the first deletion.
  await h.ok(deleted, 'deleteRowsWithNA', { columnIndex: 1 });
  // And a run of 1000 rows across a row-group boundary.
  const run = Array.from({ length: 1000 }, (_, k) => 105_000 + k);
  await h.ok(deleted, 'deleteRows', { rowIndices: run });
  const gone = new Set(first);
  const plainRows = Array.from({ length: n }, (_, i) => i).filter((i) => !gone.has(i) && i % 7 !== 0);
  const dropped = new Set(run.map((p) => plainRows[p]));
  const keptRows = plainRows.filter((i) => !dropped.has(i));
  const plain = await h.loadSql(`SELECT * FROM (${source('true')}) WHERE i IN (SELECT unnest([${keptRows.join(',')}]))`);
  assert.deepEqual(await metadata(deleted), await metadata(plain));
  const { manifest } = await h.rt.store.current(deleted);
  assert.ok(manifest.bytesWritten < 1_000_000, `a deletion writes what it deleted (${manifest.bytesWritten} bytes)`);
  const slice = async (id: string, from: number, to: number, view: Params = {}) => {
    const r = await h.run(id, 'data', { rowIndexFrom: from, rowIndexTo: to, columnIndexFrom: 0, columnIndexTo: 2, ...view });
    return r.success ? JSON.parse(r.data) : r.errorDescription;
  };
  const views: Params[] = [
    {},
    { sortColumnIndex: 1, sortAscending: false },
    { sortColumnIndex: 2 },
    { filterType: 'duplicates', filterColumnIndices: [1, 2] },
    { filterType: 'outliers', filterColumnIndices: [1], outliersStdDev: 1 },
    { searchQuery: 'r1', searchColumnIndices: [2] },
  ];
  for (const view of views) {
    for (const [from, to] of [[0, 99], [104_000, 105_100], [keptRows.length - 50, keptRows.length + 10], [122_800, 123_000]]) {
      const a = await slice(deleted, from, to, view);
      const b = await slice(plain, from, to, view);
      assert.deepEqual(a, b, `${JSON.stringify(view)} [${from}, ${to}]`);
    }
    assert.deepEqual(await metadata(deleted, view), await metadata(plain, view), JSON.stringify(view));
  }
  // A whole-column rewrite writes the column without its deletions; the rest keep theirs.
  await h.ok(deleted, 'normalize', { columnIndex: 1 });
  await h.ok(plain, 'normalize', { columnIndex: 1 });
  const after = (await h.rt.store.current(deleted)).manifest;
  assert.equal(after.columns[1].deleted, undefined);
  assert.ok(after.columns[0].deleted);
  for (const [from, to] of [[0, 9], [200_000, 200_500]]) assert.deepEqual(await slice(deleted, from, to), await slice(plain, from, to));
  assert.deepEqual(await h.column(deleted, 'v'), await h.column(plain, 'v'));
});

test('downloads of a version made by deleting rows', async () => {
  const { server, client } = await serverWithClient();
  const deleted = await uploadOk(server.url, 'in.csv', full);
  const r = await client.request('deleteRows', deleted, { rowIndices: DELETED });
  assert.equal(r.success, true);
  const plain = await uploadOk(server.url, 'in.csv', kept);
  for (const kind of ['CSV', 'JSON']) {
    const get = async (id: string) => (await fetch(`${server.url}/download${kind}/${id}`)).text();
    assert.equal(await get(deleted), await get(plain), kind);
  }
});

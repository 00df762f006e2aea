import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditLineage, addChanged, columnIdentity, type CellEdit } from './edit-lineage.ts';
import { SelectionCache, viewColumnKey } from './selection-cache.ts';
import { Dataset } from './dataset.ts';
import type { ColumnEntry } from '../store/manifest.ts';

/** A version of `rows` rows whose columns are `columns` (files named by the test; nothing is read). */
function version(id: string, columns: Partial<ColumnEntry>[], rows = 100, dir = '/sessions/a/files'): Dataset {
  const entries = columns.map((c, k) => ({ name: `n${k}`, file: `f${k}.parquet`, field: `c${k}`, type: 'BIGINT', ...c }));
  return new Dataset({ id, rows, columns: entries, operations: [], bytesWritten: 0, createdAt: '2026-01-01T00:00:00Z' }, dir);
}

/** `ds` with column `i` in a new file (an edit of it), or otherwise changed by `change`. */
function edited(ds: Dataset, i: number, file: string, change: Partial<ColumnEntry> = {}): Dataset {
  const columns = ds.columns.map((c, k) => (k === i ? { ...c, file, ...change } : c));
  return new Dataset({ ...ds.manifest, id: `${ds.manifest.id}+`, columns }, ds.filesDir);
}

test('an edit is found by the column it made, with its positions ascending and once, and what it knew of them in their order', () => {
  const lineage = new EditLineage();
  const v1 = version('v1', [{}, {}]);
  const v2 = edited(v1, 1, 'g1.parquet');
  lineage.record(v2, 1, v1, 1, [7, 3], { cells: ['"seven"', '"three"'], values: ["'7'", "'3'"] });
  const edit = lineage.edit(columnIdentity(v2, 1));
  assert.deepEqual(edit?.positions, [3, 7]);
  assert.deepEqual(edit?.cells, ['"three"', '"seven"']);
  assert.deepEqual(edit?.values, ["'3'", "'7'"]);
  assert.deepEqual([edit?.at, edit?.from], [1, 1]);
  assert.deepEqual(edit?.base, columnIdentity(v1, 1));
  // Column 0 was kept (the same file as before): no edit made it; nor did one make column 1 of v1.
  assert.equal(lineage.edit(columnIdentity(v2, 0)), undefined);
  assert.equal(lineage.edit(columnIdentity(v1, 1)), undefined);
  // A column of another session with the same file name is another column.
  assert.equal(lineage.edit(columnIdentity(new Dataset(v2.manifest, '/sessions/b/files'), 1)), undefined);
  // Nor is the column once rows were deleted from it (another file of deleted rows, other rows).
  assert.equal(lineage.edit(columnIdentity(edited(v2, 1, 'g1.parquet', { deleted: { file: 'd.parquet', count: 1 } }), 1)), undefined);
  assert.equal(lineage.size, 1);
});

test('what an edit knew is kept only with one value per position listed once; edits that change the type or the row count are not recorded', () => {
  const lineage = new EditLineage();
  const v1 = version('v1', [{}]);
  const twice = edited(v1, 0, 'twice.parquet');
  lineage.record(twice, 0, v1, 0, [5, 2, 5], { cells: ['1', '2', '3'], values: ['1', '2', '3'] });
  const t = lineage.edit(columnIdentity(twice, 0))!;
  assert.deepEqual(t.positions, [2, 5]);
  assert.equal(t.cells, undefined);
  assert.equal(t.values, undefined);

  const short = edited(v1, 0, 'short.parquet');
  lineage.record(short, 0, v1, 0, [1, 2], { cells: ['1'], values: ['1', '2'] });
  const s = lineage.edit(columnIdentity(short, 0))!;
  assert.equal(s.cells, undefined);
  assert.deepEqual(s.values, ['1', '2']);

  const retyped = edited(v1, 0, 'retyped.parquet', { type: 'DOUBLE' });
  lineage.record(retyped, 0, v1, 0, [1]);
  assert.equal(lineage.edit(columnIdentity(retyped, 0)), undefined);
  const fewer = new Dataset({ ...edited(v1, 0, 'fewer.parquet').manifest, rows: 99 }, v1.filesDir);
  lineage.record(fewer, 0, v1, 0, [1]);
  assert.equal(lineage.edit(columnIdentity(fewer, 0)), undefined);
  assert.equal(lineage.size, 2);
});

test('a chain of edits is followed newest first, as far as they are remembered and no further than asked', () => {
  const lineage = new EditLineage();
  const versions = [version('v0', [{}, {}])];
  // v1: row 4 of column 1 set to 40; v2: rows 4 and 9 to 41, 90; v3: row 2 to 20 (values not given).
  const edits: [number[], string[] | undefined][] = [
    [[4], ['40']],
    [[9, 4], ['90', '41']],
    [[2], undefined],
  ];
  for (const [k, [positions, values]] of edits.entries()) {
    const next = edited(versions[k], 1, `e${k}.parquet`);
    lineage.record(next, 1, versions[k], 1, positions, values ? { values } : {});
    versions.push(next);
  }
  const newest = columnIdentity(versions[3], 1);
  const chain = [...lineage.chain(newest, 10)];
  assert.deepEqual(
    chain.map((e) => e.column),
    [3, 2, 1].map((k) => columnIdentity(versions[k], 1)),
  );
  assert.deepEqual(chain.at(-1)?.base, columnIdentity(versions[0], 1));
  assert.equal([...lineage.chain(newest, 2)].length, 2);
  assert.equal([...lineage.chain(columnIdentity(versions[3], 0), 10)].length, 0);

  // The value each position holds now: the newest edit of it.
  const moved = new Map<number, string | null>();
  for (const e of chain) addChanged(moved, e.positions, e.values);
  assert.deepEqual([...moved].sort((a, b) => a[0] - b[0]), [
    [2, null],
    [4, '41'],
    [9, '90'],
  ]);
  // Within a range of positions only (a block of cells).
  const within = new Map<number, string | null>();
  for (const e of chain) addChanged(within, e.positions, e.values, 4, 9);
  assert.deepEqual([...within], [[4, '41']]);
});

test('the oldest edits go first once more than maxEdits are remembered, which ends chains through them', () => {
  const lineage = new EditLineage(3);
  const versions = [version('v0', [{}])];
  for (let k = 0; k < 5; k++) {
    versions.push(edited(versions[k], 0, `e${k}.parquet`));
    lineage.record(versions[k + 1], 0, versions[k], 0, [k]);
  }
  assert.equal(lineage.size, 3);
  assert.equal(lineage.edit(columnIdentity(versions[1], 0)), undefined);
  assert.equal(lineage.edit(columnIdentity(versions[2], 0)), undefined);
  const chain: CellEdit[] = [...lineage.chain(columnIdentity(versions[5], 0), 64)];
  assert.deepEqual(
    chain.map((e) => e.positions[0]),
    [4, 3, 2],
  );
});

test('views follow the edits that kept the column at its index, to the view keys of their bases; every cache of the lineage sees them', () => {
  const lineage = new EditLineage();
  const views = [new SelectionCache(lineage), new SelectionCache(lineage)];
  const v1 = version('v1', [{}, {}]);
  const v2 = edited(v1, 1, 'a.parquet');
  lineage.record(v2, 1, v1, 1, [3], { values: ['3'] });
  // Column 1 of v3 is made from column 0 of v2 (another index): a view's SQL names its column by index.
  const v3 = edited(v2, 1, 'b.parquet');
  lineage.record(v3, 1, v2, 0, [5], { values: ['5'] });
  const v4 = edited(v3, 1, 'c.parquet');
  lineage.record(v4, 1, v3, 1, [6, 6], { values: ['6', '7'] });
  for (const cache of views) {
    assert.deepEqual([...cache.edits(v2, 1, 16)], [{ base: viewColumnKey(v1, 1), positions: [3], values: ['3'] }]);
    // v4's edit does not say its values (row 6 listed twice), and the one before moved the column.
    assert.deepEqual([...cache.edits(v4, 1, 16)], [{ base: viewColumnKey(v3, 1), positions: [6] }]);
    assert.deepEqual([...cache.edits(v3, 1, 16)], []);
  }
});

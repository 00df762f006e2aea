import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from '../../../test/helpers/engine.ts';

// `data` and `metadata` results are cached by what their columns hold (Dataset.contentKey),
// not by version: a result must come back after changes of other columns, an undo or a
// rename back, and never once the columns it shows (or its view reads) changed.

const csv = 'a,b,c\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 4 === 0 ? '' : i * 10},t${i % 3}`).join('\n') + '\n';

test('a cached slice survives edits of other columns and never outlives edits, renames or deletions of its own', async () => {
  const h = await engineHarness();
  try {
    const id = await h.load(csv);
    const reads = h.rt.reads;
    const slice = async (params: Record<string, unknown> = {}) => JSON.parse((await h.ok(id, 'data', { rowIndexFrom: 0, rowIndexTo: 3, columnIndexFrom: 0, columnIndexTo: 1, ...params })).data);
    const first = await slice();
    assert.deepEqual(first, { columns: ['a', 'b'], index: [0, 1, 2, 3], data: [[0, null], [1, 10], [2, 20], [3, 30]] });

    // Column c is not shown: the edit keeps the cached slice.
    await h.ok(id, 'newCellValue', { columnIndex: 2, rowIndex: 0, newValue: 'x' });
    let hits = reads.hits;
    assert.deepEqual(await slice(), first);
    assert.equal(reads.hits, hits + 1, 'an edit of another column keeps the slice');

    // Column b is shown: the edit is seen.
    await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: 1, newValue: '11' });
    assert.deepEqual((await slice()).data[1], [1, 11]);
    // Undo: the slice of before is found again, and is what the dataset holds.
    await h.ok(id, 'undo');
    hits = reads.hits;
    assert.deepEqual(await slice(), first);
    assert.equal(reads.hits, hits + 1, 'after the undo the earlier slice is found again');

    // A rename shows, and its undo finds the slice again.
    await h.ok(id, 'renameColumn', { column: 'a', newName: 'A' });
    assert.deepEqual((await slice()).columns, ['A', 'b']);
    await h.ok(id, 'undo');
    assert.deepEqual(await slice(), first);

    // Deleted rows move the slice.
    await h.ok(id, 'deleteRows', { rowIndices: [1] });
    assert.deepEqual(await slice(), { columns: ['a', 'b'], index: [0, 1, 2, 3], data: [[0, null], [2, 20], [3, 30], [4, null]] });
    await h.ok(id, 'undo');
    assert.deepEqual(await slice(), first);

    // A view reads its own columns: an edit of the sort column c changes the order, even though c is not shown.
    const sorted = await slice({ sortColumnIndex: 2, sortAscending: false });
    assert.deepEqual(sorted.index, [0, 2, 5, 8]); // 'x' first, then the t2 rows
    await h.ok(id, 'newCellValue', { columnIndex: 2, rowIndex: 3, newValue: 'y' });
    assert.deepEqual((await slice({ sortColumnIndex: 2, sortAscending: false })).index, [3, 0, 2, 5]);
    // A filter on a column not shown, likewise.
    assert.deepEqual((await slice({ filterType: 'invalid', filterColumnIndices: [1], columnIndexFrom: 0, columnIndexTo: 0 })).index, [0, 4, 8, 12]);
    await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: 4, newValue: '5' });
    assert.deepEqual((await slice({ filterType: 'invalid', filterColumnIndices: [1], columnIndexFrom: 0, columnIndexTo: 0 })).index, [0, 8, 12, 16]);
  } finally {
    await h.close();
  }
});

test('cached metadata follows names, missing counts and deleted rows, and comes back after an undo', async () => {
  const h = await engineHarness();
  try {
    const id = await h.load(csv);
    const reads = h.rt.reads;
    const meta = async () => {
      const m = await h.ok(id, 'metadata');
      return { rows: m.dataSize.rows, columns: m.columns, missing: m.columns.map((c: string) => m.columnInfo[c].invalidValues), undo: m.undoAvailable };
    };
    const first = await meta();
    assert.deepEqual(first, { rows: 40, columns: ['a', 'b', 'c'], missing: [0, 10, 0], undo: false });
    await h.ok(id, 'renameColumn', { column: 'c', newName: 'C' });
    assert.deepEqual(await meta(), { ...first, columns: ['a', 'b', 'C'], undo: true });
    await h.ok(id, 'undo');
    const hits = reads.hits;
    assert.deepEqual(await meta(), first);
    assert.equal(reads.hits, hits + 1, 'the metadata of before the rename is found again');
    await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: 0, newValue: '1' });
    assert.deepEqual(await meta(), { ...first, missing: [0, 9, 0], undo: true });
    await h.ok(id, 'deleteRows', { rowIndices: [4, 5] });
    assert.deepEqual(await meta(), { ...first, rows: 38, missing: [0, 8, 0], undo: true });
    await h.ok(id, 'undo');
    await h.ok(id, 'undo');
    assert.deepEqual(await meta(), first);
  } finally {
    await h.close();
  }
});

test('bad slice parameters get the same errors as without a cache', async () => {
  const h = await engineHarness();
  try {
    const id = await h.load(csv);
    const res = await h.run(id, 'data', { rowIndexFrom: 0, rowIndexTo: 3, columnIndexFrom: 7, columnIndexTo: 9 });
    assert.equal(res.error, 'index out of range');
    const sort = await h.run(id, 'data', { rowIndexFrom: 0, rowIndexTo: 3, columnIndexFrom: 0, columnIndexTo: 1, sortColumnIndex: 9 });
    assert.equal(sort.success, false);
    assert.match(sort.errorDescription, /sortColumnIndex/);
  } finally {
    await h.close();
  }
});

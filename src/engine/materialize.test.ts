import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../test/helpers/engine.ts';

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

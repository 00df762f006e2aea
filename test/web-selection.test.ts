import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carryGridRange, carrySelection, rowsStillPlaced, selectedRows, type RowPlace, type SelectionLayout } from '../web/src/selection.ts';

// The grid's selection is made of view positions (web/src/selection.ts): its rows hold only
// while the view and the row layout are those it was made in; its columns follow their names.

const layout: SelectionLayout = { view: '{}', rowEpoch: 4, columns: ['id', 'name', 'city', 'score'] };

test('rows are kept only in the same view and row layout', () => {
  assert.equal(carrySelection(layout, { ...layout }).rows, true, 'another tab edited a cell: same rows');
  assert.equal(carrySelection(layout, { ...layout, view: '{"searchQuery":"Ann"}' }).rows, false, 'a search');
  assert.equal(carrySelection(layout, { ...layout, view: '{"sortColumnIndex":1,"sortAscending":true}' }).rows, false, 'a sort');
  assert.equal(carrySelection(layout, { ...layout, rowEpoch: 5 }).rows, false, 'rows deleted (renumbered)');
  assert.equal(carrySelection(layout, { ...layout, columns: ['id', 'city', 'score'] }).rows, true, 'a column deleted: the rows stay');
});

test('columns follow their names; a column that is gone is dropped', () => {
  const carry = carrySelection(layout, { ...layout, columns: ['id', 'new', 'name', 'score'] });
  assert.deepEqual([0, 1, 2, 3].map(carry.column), [0, 2, undefined, 3]);
  // Grid columns: 0 is the row positions, data column i is i + 1.
  assert.equal(carryGridRange(0, 1, carry.column), 0, 'the row-position column never moves');
  assert.equal(carryGridRange(2, 1, carry.column), 3, 'name moved right');
  assert.equal(carryGridRange(1, 2, carry.column), undefined, 'id and name are no longer side by side');
  assert.equal(carryGridRange(0, 2, carry.column), 0, 'row positions and id');
  assert.equal(carryGridRange(3, 1, carry.column), undefined, 'city is gone');
});

test('selected rows resolve to dataset positions all together, or not at all', () => {
  // A view (a search) whose rows 0..2 are the dataset's rows 7, 12, 40, read in layout 4.
  const blocks = new Map<number, RowPlace>([
    [0, { index: 7, rowEpoch: 4 }],
    [1, { index: 12, rowEpoch: 4 }],
    [2, { index: 40, rowEpoch: 4 }],
  ]);
  const at = (r: number) => blocks.get(r);
  assert.deepEqual(selectedRows([1], at, 4), { rows: [12] }, 'the identity of the row shown, not its view position');
  assert.deepEqual(selectedRows([0, 2], at, 4), { rows: [7, 40] });
  const unloaded = selectedRows([0, 1, 2, 3, 4], at, 4);
  assert.ok('refused' in unloaded && /^2 selected rows are not loaded yet/.test(unloaded.refused), 'never a part of the selection');
  const moved = selectedRows([0, 1], at, 5);
  assert.ok('refused' in moved && /since you selected them/.test(moved.refused), 'read before another change moved rows');
  assert.deepEqual(selectedRows([], at, 4), { rows: [] });
});

test('a list of rows taken in one layout is refused in another', () => {
  assert.equal(rowsStillPlaced(3, 3), null);
  assert.match(rowsStillPlaced(3, 4) ?? '', /Select them again/);
});

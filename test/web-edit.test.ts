import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editTargetOf, newValueOf, placeEdit, rowsMayMove, withEditTarget, type EditTarget } from '../web/src/edit.ts';

// A cell edit is placed when it is committed (web/src/edit.ts): its column by name among the
// columns of then, its row by the position it was opened on, only while no change that may
// move rows came in between.

const before = ['id', 'name', 'email', 'city', 'score'];
const target: EditTarget = { column: 'city', row: 3, rowEpoch: 2 };

test('the column is found by its name where it is now', () => {
  assert.deepEqual(placeEdit(target, before, 2), { columnIndex: 3, rowIndex: 3 });
  assert.deepEqual(placeEdit(target, ['id', 'name', 'city', 'score'], 2), { columnIndex: 2, rowIndex: 3 }, 'email deleted');
  assert.deepEqual(placeEdit(target, ['id', 'name', 'name_copy', 'email', 'email_0', 'email_1', 'city', 'score'], 2), { columnIndex: 6, rowIndex: 3 }, 'columns added before it');
});

test('a column that is gone refuses the edit, never sends it to the column now at its position', () => {
  const r = placeEdit(target, ['id', 'name', 'email', 'score'], 2);
  assert.ok('refused' in r);
  assert.equal(r.refused, 'The column “city” was removed or renamed by another change while you were editing it.');
  assert.ok('refused' in placeEdit(target, ['id', 'name', 'email', 'City', 'score'], 2), 'names are exact: City is another column');
});

test('a rename this tab asked for is followed', () => {
  assert.deepEqual(placeEdit(target, ['id', 'name', 'email', 'town', 'score'], 2, new Map([['city', 'town']])), { columnIndex: 3, rowIndex: 3 });
  assert.ok('refused' in placeEdit(target, ['id', 'name', 'email', 'score'], 2, new Map([['city', 'town']])), 'renamed, then deleted');
});

test('a change that may have moved rows since the row was read refuses the edit', () => {
  const r = placeEdit(target, before, 3);
  assert.ok('refused' in r);
  assert.match(r.refused, /^Rows were deleted, added or reordered by another change while you were editing row 3: /);
  // The column is checked first: a column that is gone is what the person hears of.
  const gone = placeEdit(target, ['id'], 3);
  assert.ok('refused' in gone && /column “city”/.test(gone.refused));
});

test('only changes known to keep every row in place leave the row layout as it is', () => {
  for (const op of ['newCellValue', 'renameColumn', 'deleteColumns', 'insertDuplicateColumn', 'splitColumn', 'fillDown', 'emptyStringToNan']) assert.equal(rowsMayMove(op), false, op);
  for (const op of ['deleteRows', 'deleteRowsWithNA', 'executeCommand', 'applyOperations', 'undo', 'redo', 'someFutureOperation']) assert.equal(rowsMayMove(op), true, op);
});

test("an editor's copy of a cell carries the target of the cell it opened on", () => {
  const cell = withEditTarget({ kind: 'text', data: 'City 3' }, target);
  assert.equal(editTargetOf(cell), target);
  assert.equal(editTargetOf({ ...cell, data: 'Lisbon' }), target, 'Glide editors hand back {...cell, data}');
  assert.equal(editTargetOf({ kind: 'text', data: 'x' }), undefined);
});

test("an edit's text is sent as the column's type takes it; an integer beyond 2^53 as the text typed", () => {
  assert.equal(newValueOf('42', 'int'), 42);
  assert.equal(newValueOf(' 2.5 ', 'float'), 2.5);
  assert.equal(newValueOf('', 'int'), null);
  assert.equal(newValueOf('abc', 'int'), 'abc', 'the server widens the column');
  assert.equal(newValueOf('9007199254740993', 'int'), '9007199254740993', 'not 9007199254740992');
  assert.equal(newValueOf(' -9223372036854775808 ', 'int'), '-9223372036854775808');
  assert.equal(newValueOf('9007199254740991', 'int'), 9007199254740991, 'the largest safe integer is a number');
  assert.equal(newValueOf('TRUE', 'bool'), true);
  assert.equal(newValueOf('', 'datetime'), null);
  assert.equal(newValueOf('9007199254740993', 'string'), '9007199254740993');
  assert.equal(newValueOf('', 'string'), null, 'a cleared text cell is missing, not the empty string');
  assert.equal(newValueOf('  ', 'string'), '  ');
});

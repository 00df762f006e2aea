import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOperations } from '../src/operations/discovery.ts';
import { describeParams, type Param, type ParamSchema } from '../web/src/ops.ts';
import { describeEntry, paramsOf } from '../web/src/history.ts';
import type { HistoryEntry } from '../src/protocol/messages.ts';

// History entries in words (web/src/history.ts): the columns an entry was on by the names
// history recorded for them, never by position. The operations are described as the server
// publishes them, as the web client reads them (ops.ts).

const operations = describeOperations().map((o) => ({ ...o, params: describeParams(o.parameters as ParamSchema) }));
const words = (entry: HistoryEntry, params: Param[] | undefined = paramsOf(operations, entry.operation)) => describeEntry(entry, params);

test('fillDown on its range of columns, by the names recorded', () => {
  assert.deepEqual(words({ operation: 'fillDown', parameters: { columnFrom: 2, columnTo: 2, method: 'pad' }, columns: { columnFrom: 'price', columnTo: ['price'] } }), {
    title: 'Fill down on “price”',
    details: ['Method: pad'],
  });
  assert.deepEqual(words({ operation: 'fillDown', parameters: { columnFrom: 1, columnTo: 3, method: 'bfill' }, columns: { columnFrom: 'a', columnTo: ['a', 'b', 'c'] } }).title, 'Fill down on “a”, “b”, “c”');
});

test('every change that takes one column by position is written with its name', () => {
  const single = operations.filter((o) => o.kind === 'change' && o.params.some((p) => p.name === 'columnIndex'));
  assert.ok(single.length >= 13, 'the operations on one column by position');
  for (const op of single) {
    const w = words({ operation: op.name, parameters: { columnIndex: 4 }, columns: { columnIndex: 'Unit price' } });
    assert.match(w.title, / on “Unit price”$/, op.name);
    assert.ok(!w.details.some((d) => /\b4\b/.test(d)), `${op.name}: no position left in the details`);
  }
  assert.deepEqual(words({ operation: 'newCellValue', parameters: { columnIndex: 1, rowIndex: 7, newValue: 'x' }, columns: { columnIndex: 'name' } }), {
    title: 'New cell value on “name”',
    details: ['Row: 7', 'New value: x'],
  });
  assert.deepEqual(words({ operation: 'normalize', parameters: { columnIndex: 0, rangeFrom: 0, rangeTo: 10 }, columns: { columnIndex: 'score' } }), {
    title: 'Normalize on “score”',
    details: ['Range from: 0', 'Range to: 10'],
  });
  assert.equal(words({ operation: 'emptyStringToNan', parameters: { columnIndex: 0 }, columns: { columnIndex: 'city' } }).title, 'Empty string to NaN on “city”', 'an alias is described as its operation');
});

test('columns given by name (renameColumn, changeColumnDataType) and by position', () => {
  assert.deepEqual(words({ operation: 'renameColumn', parameters: { column: 'price', newName: 'cost' } }), { title: 'Rename column on “price”', details: ['New name: cost'] });
  assert.deepEqual(words({ operation: 'renameColumn', parameters: { column: 3, newName: 'cost' }, columns: { column: 'price' } }), { title: 'Rename column on “price”', details: ['New name: cost'] });
  assert.deepEqual(words({ operation: 'changeColumnDataType', parameters: { column: 'when', newDataType: 'datetime', dateFormat: '%d/%m/%Y' } }), {
    title: 'Change column data type on “when”',
    details: ['New data type: datetime', 'Date format: %d/%m/%Y'],
  });
});

test('lists of columns: deleteColumns, combineColumns (names and positions) and where the new column went', () => {
  assert.deepEqual(words({ operation: 'deleteColumns', parameters: { columnIndices: [0, 2] }, columns: { columnIndices: ['id', 'email'] } }), { title: 'Delete columns on “id”, “email”', details: [] });
  assert.deepEqual(
    words({ operation: 'combineColumns', parameters: { columnsToCombine: ['first', 3], seperator: ' ', newName: 'full', insertIndex: 2 }, columns: { columnsToCombine: ['first', 'last'], insertIndex: { after: 'age' } } }),
    { title: 'Combine columns on “first”, “last”', details: ['Separator: " "', 'New name: full', 'Placed: after “age”'] },
  );
  assert.deepEqual(words({ operation: 'combineColumns', parameters: { columnsToCombine: ['a', 'b'], seperator: '-', newName: 'ab', insertIndex: 0 }, columns: { insertIndex: { before: 'a' } } }).details, ['Separator: -', 'New name: ab', 'Placed: first, before “a”']);
  const many = Array.from({ length: 9 }, (_, i) => `c${i}`);
  assert.equal(words({ operation: 'deleteColumns', parameters: { columnIndices: many.map((_, i) => i) }, columns: { columnIndices: many } }).title, 'Delete columns on “c0”, “c1”, “c2”, “c3”, “c4”, “c5” and 3 more');
});

test('an entry from before history recorded names says positions are positions', () => {
  assert.deepEqual(words({ operation: 'standardize', parameters: { columnIndex: 3 } }), { title: 'Standardize on column at position 3', details: [] });
  assert.equal(words({ operation: 'deleteColumns', parameters: { columnIndices: [1, 4] } }).title, 'Delete columns on column at position 1, column at position 4');
  assert.deepEqual(words({ operation: 'combineColumns', parameters: { columnsToCombine: ['a', 'b'], seperator: '', newName: 'ab', insertIndex: 5 } }).details, ['Separator: ""', 'New name: ab', 'Placed: at position 5']);
});

test('an operation without columns, and one the server no longer describes', () => {
  assert.deepEqual(words({ operation: 'executeCommand', parameters: { command: 'SELECT * FROM df' } }), { title: 'Execute command', details: ['Command: SELECT * FROM df'] });
  assert.deepEqual(words({ operation: 'deleteRows', parameters: { rowIndices: [1, 2, 5] } }), { title: 'Delete rows', details: ['Rows: 1, 2, 5'] });
  // Unknown: what history recorded as columns is still written as names.
  assert.deepEqual(words({ operation: 'someNewThing', parameters: { target: 2, factor: 1.5 }, columns: { target: 'price' } }, undefined), { title: 'Some new thing on “price”', details: ['Factor: 1.5'] });
});

test('text with leading or trailing whitespace is quoted, as blank text is: the spaces show', () => {
  assert.deepEqual(words({ operation: 'splitColumn', parameters: { columnIndex: 0, delimiter: ', ' }, columns: { columnIndex: 'names' } }).details, ['Delimiter: ", "']);
  assert.deepEqual(words({ operation: 'splitColumn', parameters: { columnIndex: 0, delimiter: ' -' }, columns: { columnIndex: 'names' } }).details, ['Delimiter: " -"']);
  assert.deepEqual(words({ operation: 'splitColumn', parameters: { columnIndex: 0, delimiter: ';' }, columns: { columnIndex: 'names' } }).details, ['Delimiter: ;'], 'no spaces at the ends: as typed');
  assert.deepEqual(words({ operation: 'findReplace', parameters: { columnIndex: 0, toReplace: ['a b', ' x', 'y\t'], replaceWith: [''] }, columns: { columnIndex: 'c' } }).details, ['To replace: a b, " x", "y\\t"', 'Replace with: ""']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { display } from '../web/src/grid/display.ts';

// How the grid writes values (web/src/grid/display.ts).

test('a datetime column is written in one form, whichever of its values are at midnight', () => {
  const column = ['2020-01-17T00:00:00.000', '2020-01-21T04:00:00.000', '2020-01-22T00:00:00.000'];
  assert.deepEqual(
    column.map((v) => display(v, 'datetime')),
    ['2020-01-17 00:00:00', '2020-01-21 04:00:00', '2020-01-22 00:00:00'],
  );
  // The rows loaded so far decide nothing: a value is written the same alone or among others.
  assert.equal(display(column[0], 'datetime'), '2020-01-17 00:00:00');
  assert.equal(display('2020-01-17T10:11:12.250', 'datetime'), '2020-01-17 10:11:12.250', 'milliseconds kept');
  assert.equal(display('2020-01-17T00:00:00.000', 'string'), '2020-01-17T00:00:00.000', 'a text column is left as it is');
});

test('a datetime column whose every value is at midnight (metadata dateOnly) is written as dates alone, as the CSV download writes it', () => {
  const column = ['2023-08-16T00:00:00.000', '2023-08-17T00:00:00.000'];
  assert.deepEqual(column.map((v) => display(v, 'datetime', true)), ['2023-08-16', '2023-08-17']);
  assert.deepEqual(column.map((v) => display(v, 'datetime', false)), ['2023-08-16 00:00:00', '2023-08-17 00:00:00'], 'a column with a time anywhere: times on every row');
  assert.equal(display('2023-08-16T12:00:00.000', 'datetime', true), '2023-08-16 12:00:00', 'a value with a time (a median) keeps it');
  assert.equal(display('2023-08-16T00:00:00.000', 'string', true), '2023-08-16T00:00:00.000', 'only datetime columns');
});

test('numbers and booleans as before', () => {
  assert.equal(display(1234567, 'int'), '1234567');
  assert.equal(display(0.1 + 0.2, 'float'), '0.3');
  assert.equal(display(true, 'bool'), 'true');
});

test("an int column's values are written with every digit, also beyond 2^53 (read as their digits)", () => {
  assert.equal(display(1234567890123456, 'int'), '1234567890123456');
  assert.equal(display(-9007199254740991, 'int'), '-9007199254740991');
  assert.equal(display('9007199254740993', 'int'), '9007199254740993');
  assert.equal(display('-9223372036854775808', 'int'), '-9223372036854775808');
  assert.equal(display(1234567890123456, 'float'), '1.234568e+15', 'a float column keeps its exponent form');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOperations } from '../src/operations/discovery.ts';
import { columnRefusal, describeParams, type ParamSchema } from '../web/src/ops.ts';

// Which operations a column's menu offers greyed out: those whose column parameter the
// registry publishes as needing other column types (`x-columnTypes`) than the column's, as the
// web client reads discovery (ops.ts). A text column's Normalize failed only once sent.

const operations = describeOperations()
  .filter((o) => o.kind === 'change')
  .map((o) => {
    const params = describeParams(o.parameters as ParamSchema);
    return { name: o.name, columnParam: params.find((p) => p.control === 'column' && !/To$/.test(p.name)) ?? params.find((p) => p.control === 'columnName') };
  });
const refusedFor = (type: string) => operations.filter((o) => columnRefusal(o, { name: 'city', type }) !== null).map((o) => o.name).sort();

test('a text column: the operations that need a numeric column are refused, and why; no other', () => {
  assert.deepEqual(refusedFor('string'), ['discretize', 'interpolate', 'normalize', 'standardize']);
  assert.deepEqual(refusedFor('datetime'), ['discretize', 'interpolate', 'normalize', 'standardize']);
  assert.equal(columnRefusal(operations.find((o) => o.name === 'normalize')!, { name: 'city', type: 'string' }), 'Normalize needs a numeric (int or float) column; “city” is of type string');
});

test('a numeric column: nothing refused', () => {
  assert.deepEqual(refusedFor('int'), []);
  assert.deepEqual(refusedFor('float'), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from './helpers/engine.ts';
import { MAX_LIST_COLUMNS } from '../src/operations/params.ts';
import { MAX_REPLACE_PAIRS } from '../src/operations/change/find-replace.ts';

// Lists in a request's parameters are bounded, and repeats in a list of columns that is a set
// cost nothing: the SQL built from a list grows with it, DuckDB's planner does not see the
// request's deadline, and a filter of 1.5M repeated column positions kept the server's
// DuckDB threads busy for over 30 minutes after its request had timed out.

const h = await engineHarness();
const csv = 'a,b,c\n' + Array.from({ length: 60 }, (_, i) => `${i % 3 ? i : ''},x${i % 7},${i % 4 ? i * 1.5 : ''}`).join('\n') + '\n';

test('a filter or search listing one column many times answers as listing it once', async () => {
  const id = await h.load(csv);
  const repeated = Array.from({ length: MAX_LIST_COLUMNS }, () => 0);
  for (const [name, params] of [
    ['filter', { filterType: 'invalid' }],
    ['search', { searchQuery: '1', searchIsRegex: false }],
  ] as const) {
    const key = name === 'filter' ? 'filterColumnIndices' : 'searchColumnIndices';
    const once = await h.ok(id, 'data', { rowIndexFrom: 0, rowIndexTo: 59, columnIndexFrom: 0, columnIndexTo: 2, ...params, [key]: [0] });
    const many = await h.ok(id, 'data', { rowIndexFrom: 0, rowIndexTo: 59, columnIndexFrom: 0, columnIndexTo: 2, ...params, [key]: repeated });
    assert.deepEqual(many.data, once.data, name);
    const metaOnce = await h.ok(id, 'metadata', { ...params, [key]: [0] });
    const metaMany = await h.ok(id, 'metadata', { ...params, [key]: repeated });
    assert.ok(metaOnce.dataSize.rows > 0 && metaOnce.dataSize.rows < 60, `${name}: ${metaOnce.dataSize.rows} rows`);
    assert.deepEqual(metaMany.dataSize, metaOnce.dataSize, name);
  }
});

test('lists longer than their limit are refused, naming it, and change nothing', async () => {
  const id = await h.load(csv);
  const tooMany = Array.from({ length: MAX_LIST_COLUMNS + 1 }, () => 0);
  for (const [operation, params] of [
    ['metadata', { filterType: 'invalid', filterColumnIndices: tooMany }],
    ['deleteColumns', { columnIndices: tooMany }],
    ['combineColumns', { columnsToCombine: tooMany, seperator: '-', newName: 'm' }],
  ] as const) {
    const res = await h.run(id, operation, params);
    assert.equal(res.success, false, operation);
    assert.match(res.errorDescription, /at most 16,384 columns may be listed/, operation);
  }
  const pairs = Array.from({ length: MAX_REPLACE_PAIRS + 1 }, (_, i) => `x${i}`);
  const res = await h.run(id, 'findReplace', { columnIndex: 1, toReplace: pairs, replaceWith: pairs, matchRegex: false });
  assert.equal(res.success, false);
  assert.match(res.errorDescription, /at most 1,000 values may be replaced in one request/);
  const { rows } = await h.table(id);
  assert.equal(rows.length, 60);
  assert.deepEqual((await h.table(id)).columns, ['a', 'b', 'c']);
});

test(`${MAX_REPLACE_PAIRS} pairs are applied in order, each seeing the earlier ones' result`, async () => {
  const id = await h.load(csv);
  // x0 → y0 → y1 → … → y998: a chain through every pair, then x1 → done by the last pair.
  const toReplace = ['x0', ...Array.from({ length: MAX_REPLACE_PAIRS - 2 }, (_, i) => `y${i}`), 'x1'];
  const replaceWith = [...Array.from({ length: MAX_REPLACE_PAIRS - 1 }, (_, i) => `y${i}`), 'done'];
  await h.ok(id, 'findReplace', { columnIndex: 1, toReplace, replaceWith, matchRegex: false });
  const b = await h.column(id, 'b');
  b.forEach((v, i) => assert.equal(v, i % 7 === 0 ? `y${MAX_REPLACE_PAIRS - 2}` : i % 7 === 1 ? 'done' : `x${i % 7}`, `row ${i}`));
});

test.after(() => h.close());

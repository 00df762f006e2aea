import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, expectFailure, withKeyColumn, type EngineHarness } from '../../../test/helpers/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'fillWithCustomValue', params, error);


async function fill(csv: string, newValue: unknown): Promise<[string, unknown[]]> {
  const id = await h.loadWithNaN(withKeyColumn(csv));
  await h.ok(id, 'fillWithCustomValue', { columnIndex: 0, newValue });
  const t = await h.table(id);
  return [t.types[0], t.rows.map((r) => r[0])];
}

test('fillWithCustomValue fills missing values with the value converted to the column type', async () => {
  assert.deepEqual(await fill('x\n1\n\n3\n', '7'), ['int', [1, 7, 3]]);
  assert.deepEqual(await fill('x\n1\n\n3\n', 0), ['int', [1, 0, 3]]);
  assert.deepEqual(await fill('x\n1.5\n\nNAN\n', '-2'), ['float', [1.5, -2, -2]]);
  assert.deepEqual(await fill('x\na\n\n', 'zé 名'), ['string', ['a', 'zé 名']]);
  assert.deepEqual(await fill('x\na\n\n', 5), ['string', ['a', '5']]);
  assert.deepEqual(await fill('x\ntrue\n\n', 'False'), ['bool', [true, false]]);
  assert.deepEqual(await fill('x\n2020-01-02\n\n', '2021-02-03 04:05:06'), ['datetime', ['2020-01-02T00:00:00.000', '2021-02-03T04:05:06.000']]);
});

test('fillWithCustomValue 2.5 into an integer column makes it float', async () => {
  assert.deepEqual(await fill('x\n1\n\n3\n', 2.5), ['float', [1, 2.5, 3]]);
  assert.deepEqual(await fill('x\n1\n\n3\n', '2.5'), ['float', [1, 2.5, 3]]);
});

test('fillWithCustomValue leaves the other columns and present values alone; unicode column name', async () => {
  const id = await h.load('größe,b\n,x\n2,\n');
  await h.ok(id, 'fillWithCustomValue', { columnIndex: 0, newValue: '9' });
  assert.deepEqual(await h.table(id), { columns: ['größe', 'b'], types: ['int', 'string'], rows: [[9, 'x'], [2, null]] });
});

test('fillWithCustomValue changes nothing without missing values, on a header-only dataset, or with a missing value', async () => {
  const id = await h.load('a\n1\n');
  assert.equal((await h.ok(id, 'fillWithCustomValue', { columnIndex: 0, newValue: '2' })).changed, false);
  const empty = await h.load('a\n');
  assert.equal((await h.ok(empty, 'fillWithCustomValue', { columnIndex: 0, newValue: 'x' })).changed, false);
  const gaps = await h.load('a,k\n,0\n1,1\n');
  assert.equal((await h.ok(gaps, 'fillWithCustomValue', { columnIndex: 0, newValue: null })).changed, false);
  assert.equal((await h.ok(gaps, 'fillWithCustomValue', { columnIndex: 0, newValue: '' })).changed, false);
});

test('fillWithCustomValue "" fills a text column with the empty string (pandas fillna("")), and nothing else', async () => {
  const id = await h.load('s,n\nx,1\n,\n');
  assert.equal((await h.ok(id, 'fillWithCustomValue', { columnIndex: 0, newValue: '' })).changed, true);
  assert.equal((await h.ok(id, 'fillWithCustomValue', { columnIndex: 1, newValue: '' })).changed, false);
  assert.deepEqual(await h.table(id), { columns: ['s', 'n'], types: ['string', 'int'], rows: [['x', 1], ['', null]] });
});

test('fillWithCustomValue refuses a value the column type cannot hold, and bad parameters', async () => {
  const id = await h.load('f,d,b\n1.5,2020-01-01,true\n,,\n');
  await fails(id, { columnIndex: 0, newValue: 'abc' }, 'invalid value');
  await fails(id, { columnIndex: 1, newValue: 'someday' }, 'invalid value');
  await fails(id, { columnIndex: 2, newValue: 'maybe' }, 'invalid value');
  const res = await h.run(id, 'fillWithCustomValue', { columnIndex: 0, newValue: 'abc' });
  assert.match(res.errorDescription, /"abc".*type float/);
  await fails(id, { columnIndex: 3, newValue: '1' }, 'index out of range');
  await fails(id, { columnIndex: 0 }, 'invalid parameters');
  await fails(id, { columnIndex: 0, newValue: [1] }, 'invalid parameters');
  assert.deepEqual((await h.table(id)).rows, [[1.5, '2020-01-01T00:00:00.000', true], [null, null, null]]);
});

test('fillWithCustomValue undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n,y\n');
  const before = await h.table(id);
  await h.ok(id, 'fillWithCustomValue', { columnIndex: 0, newValue: 2.5 });
  const after = await h.table(id);
  assert.deepEqual(after, { columns: ['a', 'b'], types: ['float', 'string'], rows: [[1, 'x'], [2.5, 'y']] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

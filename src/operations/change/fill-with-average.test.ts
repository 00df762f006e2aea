import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, expectFailure, type EngineHarness } from '../../../test/helpers/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'fillWithAverage', params, error);

/** A one-column dataset (plus a key column, so that missing values are not blank lines), filled. */
async function fill(values: string[], metric: string): Promise<[string, unknown[]]> {
  const id = await h.loadWithNaN(`x,k\n${values.map((v, i) => `${v},${i}`).join('\n')}\n`);
  await h.ok(id, 'fillWithAverage', { columnIndex: 0, metric });
  const t = await h.table(id);
  return [t.types[0], t.rows.map((r) => r[0])];
}

test('fillWithAverage mean: an integer column stays integral for a whole mean, else becomes float', async () => {
  assert.deepEqual(await fill(['1', '', '3'], 'mean'), ['int', [1, 2, 3]]);
  assert.deepEqual(await fill(['1', '', '2', '4'], 'mean'), ['float', [1, 7 / 3, 2, 4]]);
  assert.deepEqual(await fill(['1.5', 'NAN', '', '2.5'], 'mean'), ['float', [1.5, 2, 2, 2.5]]);
});

test('fillWithAverage median: middle value or the mean of the two middle values', async () => {
  assert.deepEqual(await fill(['1', '', '2', '10', '4'], 'median'), ['int', [1, 3, 2, 10, 4]]);
  assert.deepEqual(await fill(['1', '', '2', '10'], 'median'), ['int', [1, 2, 2, 10]]);
  assert.deepEqual(await fill(['1', '', '2'], 'Median'), ['float', [1, 1.5, 2]]);
  assert.deepEqual(await fill(['10.0', 'NAN', '2.5', '', '1.5'], 'median'), ['float', [10, 2.5, 2.5, 2.5, 1.5]]);
});

test('fillWithAverage mode: any type, ties go to the smallest value', async () => {
  assert.deepEqual(await fill(['b', 'a', '', 'b', 'a', 'c'], 'mode'), ['string', ['b', 'a', 'a', 'b', 'a', 'c']]);
  assert.deepEqual(await fill(['3', '1', '', '3', '1', '2'], 'mode'), ['int', [3, 1, 1, 3, 1, 2]]);
  assert.deepEqual(await fill(['true', 'false', ''], 'mode'), ['bool', [true, false, false]]);
  assert.deepEqual(await fill(['2020-01-02', '', '2020-01-02', '2019-01-01'], 'mode'), [
    'datetime',
    ['2020-01-02T00:00:00.000', '2020-01-02T00:00:00.000', '2020-01-02T00:00:00.000', '2019-01-01T00:00:00.000'],
  ]);
  assert.deepEqual(await fill(['2.5', 'NAN', 'NAN', '', '2.5', '1.0'], 'mode'), ['float', [2.5, 2.5, 2.5, 2.5, 2.5, 1]]);
  assert.deepEqual(await fill(['ü', '', '名'], 'mode'), ['string', ['ü', 'ü', '名']]);
});

test('fillWithAverage changes nothing without missing values or rows', async () => {
  const id = await h.load('a\n1\n2\n');
  assert.equal((await h.ok(id, 'fillWithAverage', { columnIndex: 0, metric: 'mean' })).changed, false);
  const single = await h.load('a,b\n5,x\n');
  assert.equal((await h.ok(single, 'fillWithAverage', { columnIndex: 0, metric: 'median' })).changed, false);
});

test('fillWithAverage refuses non-numeric mean/median, columns without values, bad parameters', async () => {
  const id = await h.loadWithNaN('s,n,e\nx,NAN,\n,,\n');
  await fails(id, { columnIndex: 0, metric: 'mean' }, 'invalid column type');
  await fails(id, { columnIndex: 0, metric: 'median' }, 'invalid column type');
  await fails(id, { columnIndex: 1, metric: 'mean' }, 'no values to average');
  await fails(id, { columnIndex: 2, metric: 'mode' }, 'no values to average');
  await fails(id, { columnIndex: 3, metric: 'mode' }, 'index out of range');
  await fails(id, { columnIndex: 0, metric: 'average' }, 'invalid parameters');
  await fails(id, { columnIndex: 0 }, 'invalid parameters');
  const empty = await h.load('a,b\n');
  await fails(empty, { columnIndex: 0, metric: 'mode' }, 'no values to average');
});

test('fillWithAverage undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n,y\n4,z\n');
  const before = await h.table(id);
  await h.ok(id, 'fillWithAverage', { columnIndex: 0, metric: 'mean' });
  const after = await h.table(id);
  assert.deepEqual(after, { columns: ['a', 'b'], types: ['float', 'string'], rows: [[1, 'x'], [2.5, 'y'], [4, 'z']] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

test('fillWithAverage median of many values (even and odd counts, duplicates, NaN) is numpy’s', async () => {
  for (const rows of [200001, 200002]) {
    // Values with many duplicates, negative ones, a NaN every 13 rows and a gap every 10.
    const id = await h.loadSql(
      `SELECT CASE WHEN i % 10 = 0 THEN NULL WHEN i % 13 = 0 THEN 'NaN'::DOUBLE ELSE ((hash(i) % 2001)::DOUBLE - 1000) / 8 END AS x, i AS k FROM range(${rows}) r(i)`,
    );
    const values = (await h.column(id, 'x')) as (number | null)[];
    const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
    const n = present.length;
    const expected = (present[Math.floor((n - 1) / 2)] + present[Math.floor(n / 2)]) / 2;
    await h.ok(id, 'fillWithAverage', { columnIndex: 0, metric: 'median' });
    const filled = (await h.column(id, 'x')) as number[];
    const wrong = filled.findIndex((v, i) => v !== (values[i] === null ? expected : values[i]));
    assert.equal(wrong, -1, `row ${wrong}: ${filled[wrong]}, expected ${expected} (n = ${n})`);
  }
});

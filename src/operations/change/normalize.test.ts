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

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'normalize', params, error);

test('normalize scales into 0…1 by default; an integer column becomes float; missing stays missing', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n3,\n,z\n5,w\n');
  await h.ok(id, 'normalize', { columnIndex: 0 });
  assert.deepEqual(await h.table(id), {
    columns: ['a', 'b'],
    types: ['float', 'string'],
    rows: [[0, 'x'], [0.25, 'y'], [0.5, null], [null, 'z'], [1, 'w']],
  });
});

test('normalize into a given range (numeric strings accepted), NaN ignored', async () => {
  const id = await h.loadWithNaN('größe,k\n2.0,0\nNAN,1\n4.0,2\n3.0,3\n');
  await h.ok(id, 'normalize', { columnIndex: 0, rangeFrom: '-1', rangeTo: 1 });
  assert.deepEqual(await h.column(id, 'größe'), [-1, null, 1, 0]);
  await h.ok(id, 'normalize', { columnIndex: 0, rangeFrom: 10, rangeTo: 20 });
  assert.deepEqual(await h.column(id, 'größe'), [10, null, 20, 15]);
});

test('normalize leaves a constant, single-row or all-missing column unchanged', async () => {
  for (const csv of ['a,k\n3,0\n3,1\n,2\n', 'a,k\n3,0\n', 'a,k\nNAN,0\n']) {
    const id = await h.loadWithNaN(csv);
    const before = await h.table(id);
    const res = await h.ok(id, 'normalize', { columnIndex: 0 });
    assert.equal(res.changed, false, csv);
    assert.deepEqual(await h.table(id), before);
  }
  // A header-only column has no numbers to tell its type by: it is text.
  await fails(await h.load('a,k\n'), { columnIndex: 0 }, 'invalid column type');
});

test('normalize refuses non-numeric columns and bad parameters', async () => {
  const id = await h.load('s,b,n\nx,true,1\ny,false,2\n');
  await fails(id, { columnIndex: 0 }, 'invalid column type');
  await fails(id, { columnIndex: 1 }, 'invalid column type');
  await fails(id, { columnIndex: 3 }, 'index out of range');
  await fails(id, { columnIndex: 2, rangeFrom: 'abc' }, 'invalid parameters');
  await fails(id, {}, 'invalid parameters');
});

test('normalize undo and redo', async () => {
  const id = await h.load('a,b\n0,x\n4,y\n1,z\n');
  const before = await h.table(id);
  await h.ok(id, 'normalize', { columnIndex: 0 });
  const after = await h.table(id);
  assert.deepEqual(after.rows, [[0, 'x'], [1, 'y'], [0.25, 'z']]);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

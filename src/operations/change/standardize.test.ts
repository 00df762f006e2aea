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

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'standardize', params, error);

test('standardize: (x − mean) / sample std; an integer column becomes float; missing stays missing', async () => {
  const id = await h.load('a,b\n1,x\n,y\n2,z\n3,w\n');
  await h.ok(id, 'standardize', { columnIndex: 0 });
  assert.deepEqual(await h.table(id), { columns: ['a', 'b'], types: ['float', 'string'], rows: [[-1, 'x'], [null, 'y'], [0, 'z'], [1, 'w']] });
});

test('standardize with a non-trivial deviation, NaN ignored, unicode name', async () => {
  const values = [2, 4, 4, 4, 5, 5, 7, 9];
  const id = await h.loadWithNaN(`名,k\n${values.map((v, i) => `${v}.0,${i}`).join('\n')}\nNAN,8\n`);
  await h.ok(id, 'standardize', { columnIndex: '0' });
  // mean 5, squared deviations sum to 32, sample variance 32/7.
  const std = Math.sqrt(32 / 7);
  assert.deepEqual(await h.column(id, '名'), [...values.map((v) => (v - 5) / std), null]);
});

test('standardize leaves a constant or single-value column unchanged', async () => {
  for (const csv of ['a,k\n3,0\n3,1\n,2\n', 'a,k\n3,0\n,1\n']) {
    const id = await h.load(csv);
    const before = await h.table(id);
    const res = await h.ok(id, 'standardize', { columnIndex: 0 });
    assert.equal(res.changed, false, csv);
    assert.deepEqual(await h.table(id), before);
  }
  // A header-only column has no numbers to tell its type by: it is text.
  await fails(await h.load('a,k\n'), { columnIndex: 0 }, 'invalid column type');
});

test('standardize refuses non-numeric columns and bad parameters', async () => {
  const id = await h.load('s,d\nx,2020-01-01\ny,2020-01-02\n');
  await fails(id, { columnIndex: 0 }, 'invalid column type');
  await fails(id, { columnIndex: 1 }, 'invalid column type');
  await fails(id, { columnIndex: 2 }, 'index out of range');
  await fails(id, { columnIndex: null }, 'invalid parameters');
  await fails(id, {}, 'invalid parameters');
});

test('standardize undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n3,y\n');
  const before = await h.table(id);
  await h.ok(id, 'standardize', { columnIndex: 0 });
  const after = await h.table(id);
  assert.deepEqual(after.rows, [[-1 / Math.SQRT2, 'x'], [1 / Math.SQRT2, 'y']]);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

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

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'deleteColumns', params, error);

test('deleteColumns removes the listed columns, in any order, duplicates allowed', async () => {
  const id = await h.load('a,b,c,d\n1,x,2.5,true\n,y,,false\n');
  await h.ok(id, 'deleteColumns', { columnIndices: [3, 1, 3] });
  assert.deepEqual(await h.table(id), { columns: ['a', 'c'], types: ['int', 'float'], rows: [[1, 2.5], [null, null]] });
});

test('deleteColumns with an empty list changes nothing', async () => {
  const id = await h.load('a\n1\n');
  const res = await h.ok(id, 'deleteColumns', { columnIndices: [] });
  assert.equal(res.changed, false);
});

test('deleteColumns on a header-only dataset and unicode names, numeric strings as indices', async () => {
  const id = await h.load('α,β,γ\n');
  await h.ok(id, 'deleteColumns', { columnIndices: ['0', 2] });
  assert.deepEqual(await h.table(id), { columns: ['β'], types: [(await h.table(id)).types[0]], rows: [] });
});

test('deleteColumns refuses to delete every column and bad indices', async () => {
  const id = await h.load('a,b\n1,2\n');
  await fails(id, { columnIndices: [0, 1] }, 'cannot delete every column');
  await fails(id, { columnIndices: [2] }, 'index out of range');
  await fails(id, { columnIndices: [-1] }, 'invalid parameters');
  await fails(id, { columnIndices: 0 }, 'invalid parameters');
  await fails(id, {}, 'invalid parameters');
  assert.deepEqual((await h.table(id)).columns, ['a', 'b']);
});

test('deleteColumns undo and redo', async () => {
  const id = await h.load('a,b,c\n1,x,3\n2,y,4\n');
  const before = await h.table(id);
  await h.ok(id, 'deleteColumns', { columnIndices: [0, 2] });
  const after = await h.table(id);
  assert.deepEqual(after, { columns: ['b'], types: ['string'], rows: [['x'], ['y']] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

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

// CSV reads empty fields as missing already; JSON keeps "" as a value.
const loadJson = (records: unknown[]): Promise<string> => h.load(JSON.stringify(records), 'data.json');

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'emptyStringToNaN', params, error);

test('emptyStringToNaN turns exactly "" into missing, nothing else', async () => {
  const id = await loadJson([{ s: '', n: 1 }, { s: ' ', n: 2 }, { s: 'x', n: 3 }, { s: null, n: 4 }, { s: '', n: 5 }]);
  const res = await h.ok(id, 'emptyStringToNaN', { columnIndex: 0 });
  assert.equal(res.changed, true);
  assert.deepEqual(await h.table(id), { columns: ['s', 'n'], types: ['string', 'int'], rows: [[null, 1], [' ', 2], ['x', 3], [null, 4], [null, 5]] });
});

test('emptyStringToNan (alias) with unicode values', async () => {
  const id = await loadJson([{ 名: 'ü' }, { 名: '' }]);
  await h.ok(id, 'emptyStringToNan', { columnIndex: '0' });
  assert.deepEqual(await h.column(id, '名'), ['ü', null]);
});

test('emptyStringToNaN changes nothing in a non-text column, without empty strings, or without rows', async () => {
  const id = await h.load('a,b\n1,x\n,y\n');
  assert.equal((await h.ok(id, 'emptyStringToNaN', { columnIndex: 0 })).changed, false);
  assert.equal((await h.ok(id, 'emptyStringToNaN', { columnIndex: 1 })).changed, false);
  const empty = await h.load('a,b\n');
  assert.equal((await h.ok(empty, 'emptyStringToNaN', { columnIndex: 1 })).changed, false);
});

test('emptyStringToNaN refuses bad parameters', async () => {
  const id = await h.load('a\nx\n');
  await fails(id, { columnIndex: 1 }, 'index out of range');
  await fails(id, { columnIndex: -1 }, 'invalid parameters');
  await fails(id, {}, 'invalid parameters');
});

test('emptyStringToNaN undo and redo', async () => {
  const id = await loadJson([{ s: '' }, { s: 'a' }]);
  const before = await h.table(id);
  assert.deepEqual(before.rows, [[''], ['a']]);
  await h.ok(id, 'emptyStringToNaN', { columnIndex: 0 });
  const after = await h.table(id);
  assert.deepEqual(after.rows, [[null], ['a']]);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

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

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'insertDuplicateColumn', params, error);

test('insertDuplicateColumn inserts <col>_copy right after the column, with the same values and type', async () => {
  const id = await h.load('a,b,c\n1,x,2020-01-02\n,y,\n3,,2021-05-06 07:08:09\n');
  await h.ok(id, 'insertDuplicateColumn', { columnIndex: 1 });
  await h.ok(id, 'insertDuplicateColumn', { columnIndex: 3 });
  assert.deepEqual(await h.table(id), {
    columns: ['a', 'b', 'b_copy', 'c', 'c_copy'],
    types: ['int', 'string', 'string', 'datetime', 'datetime'],
    rows: [
      [1, 'x', 'x', '2020-01-02T00:00:00.000', '2020-01-02T00:00:00.000'],
      [null, 'y', 'y', null, null],
      [3, null, null, '2021-05-06T07:08:09.000', '2021-05-06T07:08:09.000'],
    ],
  });
});

test('insertDuplicateColumn makes the name unique when <col>_copy exists', async () => {
  const id = await h.load('a,a_copy\n1,2\n');
  await h.ok(id, 'insertDuplicateColumn', { columnIndex: 0 });
  await h.ok(id, 'insertDuplicateColumn', { columnIndex: 0 });
  assert.deepEqual(await h.table(id), { columns: ['a', 'a_copy.2', 'a_copy.1', 'a_copy'], types: ['int', 'int', 'int', 'int'], rows: [[1, 1, 1, 2]] });
});

test('insertDuplicateColumn on the last column, a unicode name, a header-only dataset', async () => {
  const id = await h.load('x,名前\n');
  await h.ok(id, 'insertDuplicateColumn', { columnIndex: '1' });
  const t = await h.table(id);
  assert.deepEqual(t.columns, ['x', '名前', '名前_copy']);
  assert.deepEqual(t.rows, []);
});

test('insertDuplicateColumn refuses bad parameters', async () => {
  const id = await h.load('a\n1\n');
  await fails(id, { columnIndex: 1 }, 'index out of range');
  await fails(id, { columnIndex: -1 }, 'invalid parameters');
  await fails(id, { columnIndex: 'a' }, 'invalid parameters');
  await fails(id, {}, 'invalid parameters');
});

test('insertDuplicateColumn undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n');
  const before = await h.table(id);
  await h.ok(id, 'insertDuplicateColumn', { columnIndex: 0 });
  const after = await h.table(id);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, expectFailure, sameSequence, type EngineHarness } from '../../../test/helpers/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'deleteRowsWithNA', params, error);

test('deleteRowsWithNA drops rows missing a value in the column and renumbers', async () => {
  const id = await h.load('a,b\n1,x\n,y\n3,\n,\n5,z\n');
  await h.ok(id, 'deleteRowsWithNA', { columnIndex: 0 });
  assert.deepEqual(await h.table(id), { columns: ['a', 'b'], types: ['int', 'string'], rows: [[1, 'x'], [3, null], [5, 'z']] });
  await h.ok(id, 'deleteRowsWithNA', { columnIndex: 1 });
  assert.deepEqual((await h.table(id)).rows, [[1, 'x'], [5, 'z']]);
});

test('deleteRowsWithNA counts NaN as missing in a float column', async () => {
  // "NAN" stands for a real NaN (loadWithNaN), the blank is NULL.
  const id = await h.loadWithNaN('a,b\n1.5,p\nNAN,q\n,r\n2.5,s\n');
  await h.ok(id, 'deleteRowsWithNA', { columnIndex: 0 });
  assert.deepEqual(await h.table(id), { columns: ['a', 'b'], types: ['float', 'string'], rows: [[1.5, 'p'], [2.5, 's']] });
});

test('deleteRowsWithNA without missing values changes nothing; every row missing leaves the header', async () => {
  const id = await h.load('a,名\n1,\n2,\n');
  assert.equal((await h.ok(id, 'deleteRowsWithNA', { columnIndex: 0 })).changed, false);
  await h.ok(id, 'deleteRowsWithNA', { columnIndex: 1 });
  const t = await h.table(id);
  assert.deepEqual(t.columns, ['a', '名']);
  assert.deepEqual(t.rows, []);
  // And on a dataset without rows there is nothing to do.
  assert.equal((await h.ok(id, 'deleteRowsWithNA', { columnIndex: 0 })).changed, false);
});

test('deleteRowsWithNA refuses bad parameters', async () => {
  const id = await h.load('a\n1\n');
  await fails(id, { columnIndex: 1 }, 'index out of range');
  await fails(id, { columnIndex: 'x' }, 'invalid parameters');
  await fails(id, {}, 'invalid parameters');
});

test('deleteRowsWithNA undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n,y\n3,z\n');
  const before = await h.table(id);
  await h.ok(id, 'deleteRowsWithNA', { columnIndex: 0 });
  const after = await h.table(id);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

test('deleteRowsWithNA keeps row order across row groups (a dataset of several row groups)', async () => {
  const id = await h.loadSql('SELECT i AS a, CASE WHEN i % 7 = 3 THEN NULL ELSE i END AS b FROM range(400000) r(i)');
  await h.ok(id, 'deleteRowsWithNA', { columnIndex: 1 });
  const kept = Array.from({ length: 400000 }, (_, i) => i).filter((i) => i % 7 !== 3);
  const t = await h.table(id);
  sameSequence(t.rows.map((r) => r[0]), kept);
  sameSequence(t.rows.map((r) => r[1]), kept);
});

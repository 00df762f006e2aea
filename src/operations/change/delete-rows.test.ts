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

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'deleteRows', params, error);

test('deleteRows removes rows and renumbers, keeping order and types', async () => {
  const id = await h.load('a,b,c\n0,x,2020-01-01\n1,,2020-01-02\n2,z,\n3,w,2020-01-04\n4,v,2020-01-05\n');
  await h.ok(id, 'deleteRows', { rowIndices: [3, 0, 3] });
  assert.deepEqual(await h.table(id), {
    columns: ['a', 'b', 'c'],
    types: ['int', 'string', 'datetime'],
    rows: [
      [1, null, '2020-01-02T00:00:00.000'],
      [2, 'z', null],
      [4, 'v', '2020-01-05T00:00:00.000'],
    ],
  });
  // Positions are renumbered: row 1 is now the former row 2.
  await h.ok(id, 'deleteRows', { rowIndices: ['1'] });
  assert.deepEqual(await h.column(id, 'a'), [1, 4]);
});

test('deleteRows can remove every row (header only remains), and a single-row dataset', async () => {
  const id = await h.load('ä,b\n1,ü\n');
  await h.ok(id, 'deleteRows', { rowIndices: [0] });
  const t = await h.table(id);
  assert.deepEqual(t.columns, ['ä', 'b']);
  assert.deepEqual(t.rows, []);
  await fails(id, { rowIndices: [0] }, 'index out of range');
});

test('deleteRows with a long list', async () => {
  const id = await h.load('a\n' + Array.from({ length: 2000 }, (_, i) => i).join('\n') + '\n');
  await h.ok(id, 'deleteRows', { rowIndices: Array.from({ length: 1999 }, (_, i) => i + 1) });
  assert.deepEqual(await h.table(id), { columns: ['a'], types: ['int'], rows: [[0]] });
});

test('deleteRows with an empty list changes nothing; bad indices are refused', async () => {
  const id = await h.load('a\n1\n2\n');
  assert.equal((await h.ok(id, 'deleteRows', { rowIndices: [] })).changed, false);
  await fails(id, { rowIndices: [2] }, 'index out of range');
  await fails(id, { rowIndices: [0, 5] }, 'index out of range');
  await fails(id, { rowIndices: [-1] }, 'invalid parameters');
  await fails(id, { rowIndices: ['x'] }, 'invalid parameters');
  await fails(id, {}, 'invalid parameters');
  assert.deepEqual(await h.column(id, 'a'), [1, 2]);
});

test('deleteRows undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n3,z\n');
  const before = await h.table(id);
  await h.ok(id, 'deleteRows', { rowIndices: [1] });
  const after = await h.table(id);
  assert.deepEqual(after.rows, [[1, 'x'], [3, 'z']]);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

test('deleteRows keeps row order across row groups (a dataset of several row groups)', async () => {
  const id = await h.loadSql('SELECT i AS a, i * 2 AS b FROM range(400000) r(i)');
  const deleted = [0, 1, 122879, 122880, 250000, 399999];
  await h.ok(id, 'deleteRows', { rowIndices: deleted });
  const kept = Array.from({ length: 400000 }, (_, i) => i).filter((i) => !deleted.includes(i));
  const t = await h.table(id);
  sameSequence(t.rows.map((r) => r[0]), kept);
  sameSequence(t.rows.map((r) => r[1]), kept.map((i) => i * 2));
});

test('deleteRows twice in one applyOperations (staged steps share a connection)', async () => {
  const id = await h.load('a,b\n0,x\n1,\n2,z\n3,w\n4,v\n5,u\n');
  const res = await h.run(id, 'applyOperations', {
    operations: [
      { operation: 'deleteRows', parameters: { rowIndices: [0, 5] } },
      { operation: 'deleteRows', parameters: { rowIndices: [2] } },
      { operation: 'deleteRowsWithNA', parameters: { columnIndex: 1 } },
    ],
  });
  assert.equal(res.success, true, JSON.stringify(res));
  assert.deepEqual((await h.table(id)).rows, [
    [2, 'z'],
    [4, 'v'],
  ]);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

test('renameColumn renames by name, keeping the data and types', async () => {
  const id = await h.load('a,b\n1,x\n2,\n');
  const res = await h.ok(id, 'renameColumn', { column: 'b', newName: 'B' });
  assert.equal(res.changed, true);
  assert.deepEqual(await h.table(id), { columns: ['a', 'B'], types: ['int', 'string'], rows: [[1, 'x'], [2, null]] });
});

test('renameColumn handles unicode names and a header-only dataset', async () => {
  const id = await h.load('größe,名前\n');
  await h.ok(id, 'renameColumn', { column: '名前', newName: 'naïve "name"' });
  const t = await h.table(id);
  assert.deepEqual(t.columns, ['größe', 'naïve "name"']);
  assert.deepEqual(t.rows, []);
});

test('renameColumn to the same name changes nothing', async () => {
  const id = await h.load('a,b\n1,2\n');
  const res = await h.ok(id, 'renameColumn', { column: 'a', newName: 'a' });
  assert.equal(res.changed, false);
});

test('renameColumn refuses bad parameters', async () => {
  const id = await h.load('a,b\n1,2\n');
  const cases: [Record<string, unknown>, string][] = [
    [{ column: 'zz', newName: 'c' }, 'unknown column'],
    [{ column: 'a', newName: 'b' }, 'duplicate column name'],
    [{ column: 'a', newName: '' }, 'invalid parameters'],
    [{ column: 'a' }, 'invalid parameters'],
    [{ newName: 'c' }, 'invalid parameters'],
    [{ column: 'a', newName: 5 }, 'invalid parameters'],
    [{ column: 7, newName: 'c' }, 'index out of range'],
  ];
  for (const [params, error] of cases) {
    const res = await h.run(id, 'renameColumn', params);
    assert.equal(res.success, false, JSON.stringify(params));
    assert.equal(res.error, error, JSON.stringify(params));
  }
  assert.deepEqual((await h.table(id)).columns, ['a', 'b']);
});

test('renameColumn undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n');
  const before = await h.table(id);
  await h.ok(id, 'renameColumn', { column: 'a', newName: 'z' });
  const after = await h.table(id);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

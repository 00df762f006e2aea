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

const CSV = 'first,last,age,score,ok,when\nJohn,Smith,30,2.5,True,2020-01-02\nAnna,,41,3.0,False,2021-12-31\n,,,,,\nZoë,Ñúñez,7,-0.25,True,\n';

test('combineColumns: non-missing values joined with the separator; an all-missing row is missing', async () => {
  const id = await h.load(CSV);
  const res = await h.ok(id, 'combineColumns', { columnsToCombine: ['first', 'last'], seperator: ' ', newName: 'full', insertIndex: 2 });
  assert.equal(res.changed, true);
  const t = await h.table(id);
  assert.deepEqual(t.columns, ['first', 'last', 'full', 'age', 'score', 'ok', 'when']);
  assert.equal(t.types[2], 'string');
  assert.deepEqual(await h.column(id, 'full'), ['John Smith', 'Anna', null, 'Zoë Ñúñez']);
});

test('combineColumns: numbers, booleans and dates as Python prints them; names or positions; separator spelling', async () => {
  const id = await h.load(CSV);
  await h.ok(id, 'combineColumns', { columnsToCombine: [0, 'age', '3', 'ok', 'when'], separator: '|', newName: 'all', insertIndex: 6 });
  const t = await h.table(id);
  assert.deepEqual(t.columns, ['first', 'last', 'age', 'score', 'ok', 'when', 'all']);
  assert.deepEqual(await h.column(id, 'all'), ['John|30|2.5|True|2020-01-02T00:00:00', 'Anna|41|3.0|False|2021-12-31T00:00:00', null, 'Zoë|7|-0.25|True']);
  // defaults: no separator, named merged_column, right after the last combined column
  const d = await h.load('a,b,c\nx,1,p\ny,,q\n');
  await h.ok(d, 'combineColumns', { columnsToCombine: ['a', 'b'] });
  assert.deepEqual(await h.table(d), { columns: ['a', 'b', 'merged_column', 'c'], types: ['string', 'int', 'string', 'string'], rows: [['x', 1, 'x1', 'p'], ['y', null, 'y', 'q']] });
  // "last" by position, not by the order listed; at the end when that is the last column
  await h.ok(d, 'combineColumns', { columnsToCombine: ['c', 'a'], newName: 'ca' });
  assert.deepEqual((await h.table(d)).columns, ['a', 'b', 'merged_column', 'c', 'ca']);
  // the same column twice joins it twice
  const twice = await h.load('a\nx\n');
  await h.ok(twice, 'combineColumns', { columnsToCombine: ['a', 'a'], seperator: '-', newName: 'aa', insertIndex: 1 });
  assert.deepEqual(await h.column(twice, 'aa'), ['x-x']);
});

test('combineColumns: errors, empty dataset', async () => {
  const id = await h.load('a,b\nx,y\n');
  const expectError = async (params: Record<string, unknown>, error: string, description: RegExp) => {
    const res = await h.run(id, 'combineColumns', params);
    assert.equal(res.success, false, JSON.stringify(params));
    assert.equal(res.error, error);
    assert.match(res.errorDescription, description);
  };
  await expectError({ columnsToCombine: ['a'], seperator: '', newName: 'c', insertIndex: 0 }, 'invalid parameters', /at least two columns/);
  await expectError({ columnsToCombine: ['a', 'zz'], seperator: '', newName: 'c', insertIndex: 0 }, 'unknown column', /columnsToCombine\[1\] "zz"/);
  await expectError({ columnsToCombine: ['a', 5], seperator: '', newName: 'c', insertIndex: 0 }, 'index out of range', /columnsToCombine\[1\] 5/);
  await expectError({ columnsToCombine: ['a', 'b'], seperator: '', newName: 'b', insertIndex: 0 }, 'duplicate column name', /newName "b" is already a column/);
  await expectError({ columnsToCombine: ['a', 'b'], seperator: '', newName: '', insertIndex: 0 }, 'invalid column name', /newName/);
  await expectError({ columnsToCombine: ['a', 'b'], seperator: '', newName: 'c', insertIndex: 3 }, 'index out of range', /insertIndex 3 is out of range: the new column can go at 0…2/);
  await expectError({ columnsToCombine: 'a,b', newName: 'c' }, 'invalid parameters', /columnsToCombine/);
  const empty = await h.load('a,b\nx,y\n');
  await h.ok(empty, 'deleteRows', { rowIndices: [0] });
  await h.ok(empty, 'combineColumns', { columnsToCombine: [0, 1], seperator: ',', newName: 'c', insertIndex: 2 });
  assert.deepEqual(await h.table(empty), { columns: ['a', 'b', 'c'], types: ['string', 'string', 'string'], rows: [] });
});

test('combineColumns: undo restores exactly the previous table, redo the combined one', async () => {
  const id = await h.load('a,b\nx,1\n');
  const before = await h.table(id);
  await h.ok(id, 'combineColumns', { columnsToCombine: ['a', 'b'], seperator: '_', newName: 'ab', insertIndex: 2 });
  const after1 = await h.table(id);
  assert.deepEqual(after1, { columns: ['a', 'b', 'ab'], types: ['string', 'int', 'string'], rows: [['x', 1, 'x_1']] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after1);
});

test('combineColumns: NaN is missing like NULL (left out; a row of NaN and NULL is missing)', async () => {
  // "NAN" stands for a real NaN (loadWithNaN), the blank is NULL.
  const id = await h.loadWithNaN('x,s,b\nNAN,,true\nNAN,t,\n,,\n1.5,u,false\n');
  await h.ok(id, 'combineColumns', { columnsToCombine: ['x', 's'], seperator: '+', newName: 'xs', insertIndex: 3 });
  assert.deepEqual(await h.column(id, 'xs'), [null, 't', null, '1.5+u']);
  await h.ok(id, 'combineColumns', { columnsToCombine: ['b', 'x'], seperator: '+', newName: 'bx', insertIndex: 4 });
  assert.deepEqual(await h.column(id, 'bx'), ['True', null, null, 'False+1.5']);
});

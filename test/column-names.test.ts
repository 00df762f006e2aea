import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from './helpers/engine.ts';
import { uniqueColumnNames } from '../src/engine/import/names.ts';

const h = await engineHarness();
after(() => h.close());

test('imported names differ in more than case, and never take the row-position name', () => {
  assert.deepEqual(uniqueColumnNames(['a', 'A', 'b', 'a', '__pos', '__POS', '']), ['a', 'A.1', 'b', 'a.2', '__pos.1', '__POS.2', 'Unnamed: 6']);
});

test('columns differing only in case keep their own values', async () => {
  const id = await h.load('Name,name,__pos\nx,1,7\ny,2,8\n');
  assert.deepEqual(await h.table(id), { columns: ['Name', 'name.1', '__pos.1'], types: ['string', 'int', 'int'], rows: [['x', 1, 7], ['y', 2, 8]] });
  const data = await h.ok(id, 'data', { rowIndexFrom: 0, rowIndexTo: 1, columnIndexFrom: 0, columnIndexTo: 2, sortColumnIndex: 1, sortAscending: false });
  assert.deepEqual(JSON.parse(data.data), { columns: ['Name', 'name.1', '__pos.1'], index: [1, 0], data: [['y', 2, 8], ['x', 1, 7]] });
});

test('an operation cannot create a name that differs from another only in case, nor __pos', async () => {
  const id = await h.load('a,b\n1,2\n');
  const clash = await h.run(id, 'renameColumn', { column: 'b', newName: 'A' });
  assert.equal(clash.success, false);
  assert.equal(clash.error, 'duplicate column name');
  assert.match(clash.errorDescription, /"A".*"a".*case/);
  const reserved = await h.run(id, 'renameColumn', { column: 'b', newName: '__POS' });
  assert.equal(reserved.success, false);
  assert.equal(reserved.error, 'invalid column name');
  assert.deepEqual((await h.table(id)).columns, ['a', 'b']);
});

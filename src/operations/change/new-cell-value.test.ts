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

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'newCellValue', params, error);

async function set(id: string, columnIndex: number, rowIndex: number, newValue: unknown): Promise<void> {
  await h.ok(id, 'newCellValue', { columnIndex, rowIndex, newValue });
}

async function typeAndValues(id: string, name: string): Promise<[string, unknown[]]> {
  const t = await h.table(id);
  const i = t.columns.indexOf(name);
  return [t.types[i], t.rows.map((r) => r[i])];
}

test('newCellValue in an integer column: numbers and numeric text stay integers, only that cell changes', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n,z\n');
  await set(id, 0, 1, '7');
  assert.deepEqual(await typeAndValues(id, 'a'), ['int', [1, 7, null]]);
  await set(id, 0, 2, 8);
  await set(id, 0, 0, ' 7.0 ');
  assert.deepEqual(await h.table(id), { columns: ['a', 'b'], types: ['int', 'string'], rows: [[7, 'x'], [7, 'y'], [8, 'z']] });
});

test('newCellValue 2.5 in an integer column makes it float', async () => {
  const id = await h.load('a,k\n1,0\n2,1\n,2\n3,3\n');
  await set(id, 0, 1, '2.5');
  assert.deepEqual(await typeAndValues(id, 'a'), ['float', [1, 2.5, null, 3]]);
});

test('newCellValue: an integer beyond int64 written into an integer column makes it text, every digit kept (pandas: object)', async () => {
  const id = await h.load('a,k\n1,0\n9223372036854775807,1\n,2\n');
  await set(id, 0, 0, '12345678901234567890123');
  assert.deepEqual(await typeAndValues(id, 'a'), ['string', ['12345678901234567890123', '9223372036854775807', null]]);
  // In a float column it is a float, as any number there.
  const f = await h.load('f\n1.5\n');
  await set(f, 0, 0, '12345678901234567890123');
  assert.deepEqual(await typeAndValues(f, 'f'), ['float', [1.2345678901234568e22]]);
});

test('newCellValue text in a numeric column widens it to text, numbers printed as Python does', async () => {
  const id = await h.load('i,f\n1,2.5\n,3.0\n3,\n');
  await set(id, 0, 1, 'abc');
  await set(id, 1, 2, 'n/a here');
  assert.deepEqual(await h.table(id), {
    columns: ['i', 'f'],
    types: ['string', 'string'],
    rows: [
      ['1', '2.5'],
      ['abc', '3.0'],
      ['3', 'n/a here'],
    ],
  });
});

test('newCellValue in a float column', async () => {
  const id = await h.load('f\n1.5\n2.5\n');
  await set(id, 0, 0, '7');
  await set(id, 0, 1, -0.25);
  assert.deepEqual(await typeAndValues(id, 'f'), ['float', [7, -0.25]]);
});

test('newCellValue in a datetime column: dates parse, other text widens to ISO text', async () => {
  const id = await h.load('d,k\n2020-01-02,0\n2020-01-03 04:05:06,1\n,2\n');
  await set(id, 0, 0, '2021-03-04 10:11:12');
  await set(id, 0, 2, '03/15/2022');
  assert.deepEqual(await typeAndValues(id, 'd'), ['datetime', ['2021-03-04T10:11:12.000', '2020-01-03T04:05:06.000', '2022-03-15T00:00:00.000']]);
  await set(id, 0, 1, 'soon');
  assert.deepEqual(await typeAndValues(id, 'd'), ['string', ['2021-03-04T10:11:12', 'soon', '2022-03-15T00:00:00']]);
});

test('newCellValue in a datetime column: a date pandas cannot hold (before 1677-09-21, after 2262-04-11) widens the column to text', async () => {
  for (const outside of ['1500-01-01', '99999-01-01', '23-08-08 14:30', '1677-09-21 00:12:43']) {
    const id = await h.load('d,k\n2020-01-02,0\n2020-01-03 04:05:06,1\n');
    await set(id, 0, 1, outside);
    assert.deepEqual(await typeAndValues(id, 'd'), ['string', ['2020-01-02T00:00:00', outside]], outside);
  }
  // Its very ends are dates.
  const id = await h.load('d,k\n2020-01-02,0\n2020-01-03 04:05:06,1\n');
  await set(id, 0, 0, '1677-09-21 00:12:44');
  await set(id, 0, 1, '2262-04-11 23:47:16');
  assert.deepEqual(await typeAndValues(id, 'd'), ['datetime', ['1677-09-21T00:12:44.000', '2262-04-11T23:47:16.000']]);
});

test('newCellValue in a bool column: booleans and their text stay bool, anything else widens', async () => {
  const id = await h.load('b,k\ntrue,0\nfalse,1\n,2\n');
  await set(id, 0, 0, 'False');
  await set(id, 0, 1, true);
  await set(id, 0, 2, 'TRUE');
  assert.deepEqual(await typeAndValues(id, 'b'), ['bool', [false, true, true]]);
  await set(id, 0, 2, 1);
  assert.deepEqual(await typeAndValues(id, 'b'), ['string', ['False', 'True', '1']]);
});

test('newCellValue null makes the cell missing, keeping the type; "" too, but in a text column, where it is the empty string (pandas: df.iat[r, c] = "")', async () => {
  const id = await h.load('a,b,c,d,e\n1,x,true,1.5,2020-01-01\n2,y,false,2.5,2020-01-02\n');
  await set(id, 0, 0, null);
  await set(id, 1, 1, '');
  await set(id, 1, 0, null);
  await set(id, 2, 0, null);
  await set(id, 2, 1, '');
  await set(id, 3, 0, '');
  await set(id, 4, 1, '');
  assert.deepEqual(await h.table(id), {
    columns: ['a', 'b', 'c', 'd', 'e'],
    types: ['int', 'string', 'bool', 'float', 'datetime'],
    rows: [
      [null, null, null, null, '2020-01-01T00:00:00.000'],
      [2, '', null, 2.5, null],
    ],
  });
  // The empty string is a value: emptyStringToNaN makes it missing.
  await h.ok(id, 'emptyStringToNaN', { columnIndex: 1 });
  assert.deepEqual(await h.column(id, 'b'), [null, null]);
});

test('newCellValue in a text column: values as text, unicode kept', async () => {
  const id = await h.load('s\nx\ny\nz\nw\n');
  await set(id, 0, 0, 5);
  await set(id, 0, 1, 2.5);
  await set(id, 0, 2, false);
  await set(id, 0, 3, 'naïve 名前 "quoted", \'single\'');
  assert.deepEqual(await typeAndValues(id, 's'), ['string', ['5', '2.5', 'False', 'naïve 名前 "quoted", \'single\'']]);
});

test('newCellValue on a single-row dataset with a unicode column name', async () => {
  const id = await h.load('größe\n1\n');
  await set(id, 0, 0, '42');
  assert.deepEqual(await h.table(id), { columns: ['größe'], types: ['int'], rows: [[42]] });
});

test('newCellValue refuses bad parameters', async () => {
  const id = await h.load('a,b\n1,x\n');
  await fails(id, { columnIndex: 0, rowIndex: 1, newValue: '3' }, 'index out of range');
  await fails(id, { columnIndex: 2, rowIndex: 0, newValue: '3' }, 'index out of range');
  await fails(id, { columnIndex: 0, rowIndex: 0 }, 'invalid parameters');
  await fails(id, { columnIndex: 0, rowIndex: 0, newValue: { x: 1 } }, 'invalid parameters');
  await fails(id, { columnIndex: 0, newValue: '1' }, 'invalid parameters');
  await fails(id, { rowIndex: 0, newValue: '1' }, 'invalid parameters');
  const empty = await h.load('a\n');
  await fails(empty, { columnIndex: 0, rowIndex: 0, newValue: '1' }, 'index out of range');
  assert.deepEqual((await h.table(id)).rows, [[1, 'x']]);
});

test('newCellValue undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n');
  const before = await h.table(id);
  await set(id, 0, 1, 'abc');
  const after = await h.table(id);
  assert.deepEqual(after, { columns: ['a', 'b'], types: ['string', 'string'], rows: [['1', 'x'], ['abc', 'y']] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

test('newCellValue with the value the cell already holds changes nothing and makes no version', async () => {
  const id = await h.load('i,f,s,d\n1,2.5,x,2020-01-02\n,3.0,,\n');
  const versions = async () => (await h.rt.store.all(id)).manifests.length;
  const before = await versions();
  for (const [columnIndex, rowIndex, newValue] of [
    [0, 0, 1],
    [0, 0, ' 1.0 '],
    [0, 1, null],
    [1, 0, '2.5'],
    [1, 1, 3],
    [2, 0, 'x'],
    [2, 1, null],
    [3, 0, '2020-01-02'],
    [3, 1, null],
  ] as const) {
    const res = await h.run(id, 'newCellValue', { columnIndex, rowIndex, newValue });
    assert.equal(res.success, true, JSON.stringify(res));
    assert.equal(res.changed, false, `${columnIndex},${rowIndex} := ${JSON.stringify(newValue)}`);
    assert.equal(res.dataChanged, true, 'dataChanged follows a no-op too');
  }
  assert.equal(await versions(), before);
  // A different value, or the same text in a column it would widen, is a change.
  assert.equal((await h.run(id, 'newCellValue', { columnIndex: 0, rowIndex: 0, newValue: 2 })).changed, true);
  assert.equal((await h.run(id, 'newCellValue', { columnIndex: 0, rowIndex: 0, newValue: '2x' })).changed, true);
  assert.deepEqual((await h.table(id)).rows[0], ['2x', 2.5, 'x', '2020-01-02T00:00:00.000']);
});

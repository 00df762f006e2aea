import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';

// A JSON file uploaded and at once downloaded as JSON comes back with the same values in the
// same JSON types (pandas' read_json then to_json(orient="records")): numbers, booleans,
// nulls, strings, nested objects and arrays, keys per record in column order. Reads and CSV
// show such values as text, and edits keep the types sensible.

const { server, client } = await serverWithClient();

const downloadJson = async (id: string): Promise<unknown> => JSON.parse(await (await fetch(`${server.url}/downloadJSON/${id}`)).text());
const downloadCsv = async (id: string): Promise<string> => (await fetch(`${server.url}/downloadCSV/${id}`)).text();

/** `records` with every record holding every key of all of them, in order of first appearance, absent ones null (as pandas writes them). */
function filled(records: Record<string, unknown>[]): Record<string, unknown>[] {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return records.map((r) => Object.fromEntries(keys.map((k) => [k, k in r ? r[k] : null])));
}

const MIXED = [
  { id: 1, v: 1, nested: { x: 1, deep: [1, 'two', null, { y: true }] }, list: [1, 2], any: true, s: 'plain' },
  { id: 2, v: 'n/a', nested: null, list: [], any: 'text', s: 'with "quotes", commas\nand a line' },
  { id: 3, v: 2.5, nested: { x: 'é' }, list: ['a', { b: null }], any: { k: [] }, s: '' },
  { id: 4, v: null, list: null, any: 7 },
];

test('records with nested values and mixed columns come back with their JSON types', async () => {
  const id = await uploadOk(server.url, 'mixed.json', JSON.stringify(MIXED));
  const back = await downloadJson(id);
  assert.deepEqual(back, filled(MIXED));
  // Key order per record is the column order.
  assert.deepEqual(Object.keys((back as Record<string, unknown>[])[3]), ['id', 'v', 'nested', 'list', 'any', 's']);
});

test('reads and CSV show the text forms of such values', async () => {
  const id = await uploadOk(server.url, 'mixed.json', JSON.stringify(MIXED));
  const t = await readTable(client, id);
  assert.deepEqual(t.types, ['int', 'string', 'string', 'string', 'string', 'string']);
  assert.deepEqual(
    t.rows.map((r) => r.slice(1, 5)),
    [
      ['1', '{"x":1,"deep":[1,"two",null,{"y":true}]}', '[1,2]', 'true'],
      ['n/a', null, '[]', 'text'],
      ['2.5', '{"x":"é"}', '["a",{"b":null}]', '{"k":[]}'],
      [null, null, null, '7'],
    ],
  );
  const csv = await downloadCsv(id);
  assert.equal(csv.split('\n')[1], '1,1,"{""x"":1,""deep"":[1,""two"",null,{""y"":true}]}","[1,2]",true,plain');
  const analyzed = await client.request('analyze', id, { column: 'v' });
  assert.equal(analyzed.success, true, JSON.stringify(analyzed));
  assert.equal(analyzed.data.unique_count, 3);
  // Searching and sorting see the text forms.
  const found = await readTable(client, id, { searchQuery: '2.5', searchColumnIndices: [1], searchIsRegex: false });
  assert.deepEqual(found.index, [2]);
  const sorted = await readTable(client, id, { sortColumnIndex: 1, sortAscending: true });
  assert.deepEqual(sorted.rows.map((r) => r[1]), ['1', '2.5', 'n/a', null]);
});

test('other shapes: split and columns orientations, arrays of rows, JSON Lines', async () => {
  const records = [
    { a: 1, b: { x: [1] } },
    { a: 'x', b: [true, null] },
  ];
  const shapes = [
    JSON.stringify({ columns: ['a', 'b'], index: [0, 1], data: records.map((r) => [r.a, r.b]) }),
    JSON.stringify({ a: { 0: 1, 1: 'x' }, b: { 0: { x: [1] }, 1: [true, null] } }),
    JSON.stringify({ a: [1, 'x'], b: [{ x: [1] }, [true, null]] }),
    records.map((r) => JSON.stringify(r)).join('\n'),
  ];
  for (const content of shapes) assert.deepEqual(await downloadJson(await uploadOk(server.url, 's.json', content)), records, content);
  const rows = JSON.stringify(records.map((r) => [r.a, r.b]));
  assert.deepEqual(await downloadJson(await uploadOk(server.url, 'rows.json', rows)), records.map((r) => ({ 0: r.a, 1: r.b })));
});

test('names differing only in case, and a key repeated in a record (the last value counts)', async () => {
  const id = await uploadOk(server.url, 'case.json', '[{"A": 1, "a": {"n": 2}}, {"a": "x", "A": [3]}]');
  assert.deepEqual(await downloadJson(id), [
    { A: 1, a: { n: 2 } },
    { A: [3], a: 'x' },
  ]);
  const repeated = await uploadOk(server.url, 'rep.json', '[{"k": 1, "k": {"z": 1}}, {"k": "s"}]');
  assert.deepEqual(await downloadJson(repeated), [{ k: { z: 1 } }, { k: 's' }]);
});

test('a column of strings only stays strings, also those that look like JSON', async () => {
  const records = [{ s: '{"x":1}' }, { s: 'true' }, { s: '[1]' }, { s: 'null' }, { s: 'word' }];
  assert.deepEqual(await downloadJson(await uploadOk(server.url, 'str.json', JSON.stringify(records))), records);
});

test('edits of a mixed column: a value that reads as a number is written as one, other text as a string', async () => {
  const id = await uploadOk(server.url, 'edit.json', JSON.stringify([{ v: 1 }, { v: 'n/a' }, { v: 2.5 }, { v: { o: 1 } }]));
  const ok = (res: Record<string, any>) => assert.equal(res.success, true, JSON.stringify(res));
  ok(await client.request('newCellValue', id, { columnIndex: 0, rowIndex: 0, newValue: 7 }));
  ok(await client.request('newCellValue', id, { columnIndex: 0, rowIndex: 2, newValue: 'abc' }));
  ok(await client.request('findReplace', id, { columnIndex: 0, toReplace: ['n/a'], replaceWith: ['3'] }));
  assert.deepEqual(await downloadJson(id), [{ v: 7 }, { v: 3 }, { v: 'abc' }, { v: { o: 1 } }]);
  // Renamed, the column keeps its values' types.
  ok(await client.request('renameColumn', id, { column: 'v', newName: 'w' }));
  assert.deepEqual(await downloadJson(id), [{ w: 7 }, { w: 3 }, { w: 'abc' }, { w: { o: 1 } }]);
  // Converted to numbers, the numbers are parsed and the rest is missing.
  ok(await client.request('changeColumnDataType', id, { column: 'w', newDataType: 'float' }));
  assert.deepEqual(await downloadJson(id), [{ w: 7 }, { w: 3 }, { w: null }, { w: null }]);
});

test('text in a mixed column that only starts like a JSON number, boolean or object stays a string', async () => {
  const texts = ['12:30', '1x5', '1.', '-', '1e', '01', '.5', '2024-01-02', 'true1', 'falsey', '[1', '{}x', '1 2', '−1'];
  const records = [{ v: 1 }, ...texts.map((v) => ({ v }))];
  assert.deepEqual(await downloadJson(await uploadOk(server.url, 'near.json', JSON.stringify(records))), records);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithClient, uploadOk } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { jsonColumns, jsonRecords, jsonSplit, xls, xlsx } from './helpers/fixtures.ts';
import { WIDE_COLUMNS } from '../src/engine/import/wide.ts';

// A column whose values are all missing (empty fields, pandas' missing-value tokens, blank
// Excel cells, JSON nulls) is read as pandas 1.5 reads it: float64, all NaN. Without any
// row (a header alone) columns stay text, as pandas' empty frame has object columns.

const { server, client } = await serverWithClient({ MAX_COLUMNS: 2500 });

const load = async (filename: string, content: string | Buffer, fields: Record<string, string> = {}) => readTable(client, await uploadOk(server.url, filename, content, fields));

async function download(kind: 'CSV' | 'JSON', id: string): Promise<string> {
  const res = await fetch(`${server.url}/download${kind}/${id}`);
  assert.equal(res.status, 200);
  return res.text();
}

// `e` all empty, `t` only tokens (NA, NULL, the empty field, n/a), `k` integers.
const CSV = 'e,t,k\n,NA,1\n,NULL,2\n,,3\n,n/a,4\n';

test('CSV, TSV and TXT: a column with no value is float, all missing', async () => {
  for (const [name, content] of [
    ['a.csv', CSV],
    ['a.tsv', CSV.replaceAll(',', '\t')],
    ['a.txt', CSV.replaceAll(',', ';')],
  ]) {
    const t = await load(name, content);
    assert.deepEqual(t.columns, ['e', 't', 'k'], name);
    assert.deepEqual(t.types, ['float', 'float', 'int'], name);
    assert.deepEqual(t.invalid, [4, 4, 0], name);
    assert.deepEqual(t.rows, [[null, null, 1], [null, null, 2], [null, null, 3], [null, null, 4]], name);
  }
});

test('CSV read the thorough way (a short line padded) and without a header: all-missing columns are float', async () => {
  const padded = await load('p.csv', 'k,e,t\n1,,NA\n2,,\n3\n');
  assert.deepEqual(padded.types, ['int', 'float', 'float']);
  assert.deepEqual(padded.rows, [[1, null, null], [2, null, null], [3, null, null]]);
  const noHeader = await load('n.csv', '1,,NA\n2,,null\n', { headerIncluded: 'false' });
  assert.deepEqual(noHeader.types, ['int', 'float', 'float']);
});

test('a column of text that only looks missing to a person (None) stays text; a header alone gives text columns', async () => {
  assert.deepEqual((await load('none.csv', 'a,k\nNone,1\nNone,2\n')).types, ['string', 'int']);
  const header = await load('h.csv', 'a,b\n');
  assert.deepEqual(header.types, ['string', 'string']);
  assert.deepEqual(header.rows, []);
});

test('a wide CSV: its all-missing columns are float', async () => {
  const columns = WIDE_COLUMNS + 5;
  const names = Array.from({ length: columns }, (_, c) => `c${c}`);
  // Column c % 3: 0 integers, 1 all empty, 2 all tokens.
  const cell = (r: number, c: number) => (c % 3 === 0 ? String(r + c) : c % 3 === 1 ? '' : r % 2 ? 'NA' : 'NULL');
  const text = [names.join(','), ...[0, 1, 2].map((r) => names.map((_, c) => cell(r, c)).join(','))].join('\n') + '\n';
  const t = await load('wide.csv', text);
  assert.equal(t.columns.length, columns);
  assert.deepEqual(t.types, names.map((_, c) => (c % 3 === 0 ? 'int' : 'float')));
  assert.deepEqual(t.rows[1].slice(0, 6), [1, null, null, 4, null, null]);
});

test('wide JSON: its always-null keys are float', async () => {
  const columns = WIDE_COLUMNS + 5;
  const records = [0, 1, 2].map((r) => Object.fromEntries(Array.from({ length: columns }, (_, c) => [`c${c}`, c % 2 ? null : r + c])));
  const t = await load('wide.json', jsonRecords(records));
  assert.equal(t.columns.length, columns);
  assert.deepEqual(t.types, Array.from({ length: columns }, (_, c) => (c % 2 ? 'float' : 'int')));
  assert.deepEqual(t.rows[1].slice(0, 4), [1, null, 3, null]);
});

test('Excel (.xlsx and .xls): a column of blank cells or missing-value text is float', async () => {
  for (const [name, book] of [
    ['b.xlsx', xlsx([['e', 't', 'k'], [null, 'NA', 1], [null, null, 2]])],
    ['b.xls', xls([['e', 't', 'k'], [null, 'NA', 1], [null, null, 2]])],
  ] as const) {
    const t = await load(name, book);
    assert.deepEqual(t.columns, ['e', 't', 'k'], name);
    assert.deepEqual(t.types, ['float', 'float', 'int'], name);
    assert.deepEqual(t.rows, [[null, null, 1], [null, null, 2]], name);
  }
});

test('JSON: a key that is always null is float (pandas 1.5 read_json: float64 of NaN), in every orientation', async () => {
  const data = [[null, 1], [null, 2]];
  for (const [name, content] of [
    ['records', jsonRecords([{ n: null, k: 1 }, { n: null, k: 2 }])],
    ['split', jsonSplit(['n', 'k'], data)],
    ['columns', jsonColumns(['n', 'k'], data)],
  ]) {
    const t = await load(`${name}.json`, content);
    assert.deepEqual(t.types, ['float', 'int'], name);
    assert.deepEqual(t.rows, data, name);
  }
  // A key absent from some records and null in the others, too; strings stay text (read_json
  // takes no string for a missing value).
  const t = await load('absent.json', jsonRecords([{ k: 1 }, { k: 2, n: null, s: '' }]));
  assert.deepEqual(t.columns, ['k', 'n', 's']);
  assert.deepEqual(t.types, ['int', 'float', 'string']);
});

test('fillWithCustomValue into an all-missing column: a number is stored as a number, text makes the column text', async () => {
  const number = await uploadOk(server.url, 'f.csv', CSV);
  assert.equal((await client.request('fillWithCustomValue', number, { columnIndex: 0, newValue: '5' })).success, true);
  assert.equal((await client.request('fillWithCustomValue', number, { columnIndex: 1, newValue: 2.5 })).success, true);
  const filled = await readTable(client, number);
  assert.deepEqual(filled.types, ['float', 'float', 'int']);
  assert.deepEqual(filled.rows.map((r) => r.slice(0, 2)), [[5, 2.5], [5, 2.5], [5, 2.5], [5, 2.5]]);

  // The column holds no value that text would change: it becomes text, as pandas'
  // fillna('abc') makes it object.
  const text = await uploadOk(server.url, 'f.csv', CSV);
  const res = await client.request('fillWithCustomValue', text, { columnIndex: 0, newValue: 'abc' });
  assert.equal(res.success, true, JSON.stringify(res));
  assert.equal(res.changed, true);
  const t = await readTable(client, text);
  assert.deepEqual(t.types, ['string', 'float', 'int']);
  assert.deepEqual(t.rows.map((r) => r[0]), ['abc', 'abc', 'abc', 'abc']);

  // A float column that holds a value still refuses text (README: a fill never turns values into text).
  const held = await uploadOk(server.url, 'g.csv', 'f,k\n1.5,1\n,2\n');
  assert.equal((await client.request('fillWithCustomValue', held, { columnIndex: 0, newValue: 'abc' })).error, 'invalid value');
});

test('fillWithAverage on an all-missing column: refused for having no values, not for its type', async () => {
  const id = await uploadOk(server.url, 'f.csv', CSV);
  for (const metric of ['mean', 'median', 'mode']) {
    const res = await client.request('fillWithAverage', id, { columnIndex: 0, metric });
    assert.equal(res.error, 'no values to average', `${metric}: ${JSON.stringify(res)}`);
  }
});

test('downloads of an untouched all-missing column: empty fields in CSV, null in JSON', async () => {
  const id = await uploadOk(server.url, 'd.csv', CSV);
  assert.equal(await download('CSV', id), 'e,t,k\n,,1\n,,2\n,,3\n,,4\n');
  assert.deepEqual(JSON.parse(await download('JSON', id)), [1, 2, 3, 4].map((k) => ({ e: null, t: null, k })));
  const json = await uploadOk(server.url, 'd.json', jsonRecords([{ n: null, k: 1 }, { n: null, k: 2 }]));
  assert.deepEqual(JSON.parse(await download('JSON', json)), [{ n: null, k: 1 }, { n: null, k: 2 }]);
  assert.equal(await download('CSV', json), 'n,k\n,1\n,2\n');
});

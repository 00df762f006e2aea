import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { valueRegex } from '../web/src/view.ts';

// The Analyze panel's "show the rows with this value" searches for a regex built from the value
// as the reply carries it (web/src/view.ts valueRegex), while the server searches each value's
// text form (src/engine/json-values.ts textValue): a datetime `2021-10-17T00:00:00.000` is
// `2021-10-17 00:00:00` there, a whole float 1000000 is `1000000.0`, and the search found 0
// rows. Here every top value of every column type is searched for on a real server: it must
// find exactly the rows the frequency table counts.

const { server, client } = await serverWithClient();
after(async () => {
  client.close();
  await server.close();
});

const csv = [
  'i,f,g,d,t,b,s',
  '7,1000000,2.5,2021-10-17,2021-10-17 12:30:00.5,true,a.b (c)*',
  '7,1000000,0.0001,2021-10-17,2021-10-17 12:30:00.5,true,a.b (c)*',
  '-3,1000000.5,1e16,2021-10-18,2021-10-17 12:30:00,false,$5 [x]|y',
  '12,-0.25,1.5e-7,2021-10-18,2021-10-17 00:00:00,false,a+b\\',
  '12,1000000,2.5,2021-10-19,2021-10-17 12:30:00.123,true,a.b (c)*x',
  '70,3,123456789012345678,2021-10-17,2021-10-17 12:30:00.12,true,A.B (C)*',
].join('\n');

test('every value of every column type shows exactly its rows', async () => {
  const id = await uploadOk(server.url, 'kinds.csv', csv);
  const meta = await client.request('metadata', id);
  assert.equal(meta.success, true, meta.errorDescription);
  const types: Record<string, string> = Object.fromEntries(meta.columns.map((c: string) => [c, meta.columnInfo[c].dataType]));
  assert.deepEqual(types, { i: 'int', f: 'float', g: 'float', d: 'datetime', t: 'datetime', b: 'bool', s: 'string' }, 'the column types this test is about');
  const wrong: string[] = [];
  for (const [index, column] of (meta.columns as string[]).entries()) {
    const stats = await client.request('analyze', id, { column });
    assert.equal(stats.success, true, stats.errorDescription);
    for (const [value, count] of stats.data.frequencies as [unknown, number][]) {
      const searchQuery = valueRegex(value, meta.columnInfo[column].dataType);
      const found = await client.request('metadata', id, { searchQuery, searchColumnIndices: [index], searchIsRegex: true, searchCaseSensitive: true });
      assert.equal(found.success, true, found.errorDescription);
      if (found.dataSize.rows !== count) wrong.push(`${column} ${JSON.stringify(value)} (${searchQuery}): ${found.dataSize.rows} rows, not ${count}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the patterns, as the server writes the values', () => {
  assert.equal(valueRegex('2021-10-17T00:00:00.000', 'datetime'), '^2021-10-17(?: 00:00:00(?:\\.000\\d*)?)?\\Z');
  assert.equal(valueRegex('2021-10-17T12:30:00.120', 'datetime'), '^2021-10-17 12:30:00\\.12(?:0\\d*)?\\Z');
  assert.equal(valueRegex(1000000, 'float'), '^1000000(?:\\.0*)?\\Z');
  assert.equal(valueRegex(1e16, 'float'), '^1e\\+16\\Z');
  assert.equal(valueRegex(1.5e-7, 'float'), '^1\\.5e-07\\Z');
  assert.equal(valueRegex('a\nb$', 'string'), '^a\nb\\$\\Z', 'a line break is itself; $ escaped');
});

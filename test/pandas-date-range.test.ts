import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { xlsx } from './helpers/fixtures.ts';

// pandas holds datetimes as datetime64[ns]: 1677-09-21 00:12:43.145224193 … 2262-04-11
// 23:47:16.854775807. A column with a date outside that range is no datetime column for
// read_csv (it stays object: text, each value as written), as changeColumnDataType already
// made such an edited value text. The import must decide so on every path: DuckDB's
// sniffed fast path (dates, time stamps), the thorough one (inference over text), the wide
// one, JSON, and Excel date cells (year 9999).

const { server, client } = await serverWithClient();

/** `rows` lines of valid dates, then `last`: past the type sniffer's sample, so the fast path reads the column as dates. */
function datesThen(last: string, rows = 30_000, time = ''): string {
  const lines = Array.from({ length: rows }, (_, k) => `${k},2021-01-${String((k % 28) + 1).padStart(2, '0')}${time}`);
  return `id,d\n${lines.join('\n')}\n${rows},${last}\n`;
}

test('CSV: a date before 1677 or after 2262 past the sniffed head makes the column text (fast path)', async () => {
  for (const [time, last] of [
    ['', '1500-01-01'],
    ['', '2263-01-01'],
    [' 10:00:00', '1677-09-21 00:00:00'],
    [' 10:00:00', '2262-04-12 00:00:00'],
  ]) {
    const id = await uploadOk(server.url, 'dates.csv', datesThen(last, 30_000, time));
    const t = await readTable(client, id, { rowIndexFrom: 29_999, rowIndexTo: 30_000 });
    assert.deepEqual(t.types, ['int', 'string'], last);
    assert.deepEqual(t.rows.map((r) => r[1]), [`2021-01-12${time}`, last]);
  }
});

test('CSV: dates at the edges of pandas’ range stay datetimes', async () => {
  const id = await uploadOk(server.url, 'edges.csv', 'd\n1677-09-22\n2262-04-11\n');
  const t = await readTable(client, id);
  assert.deepEqual(t.types, ['datetime']);
  assert.deepEqual(t.rows.map((r) => r[0]), ['1677-09-22T00:00:00.000', '2262-04-11T00:00:00.000']);
});

test('CSV: small files, the thorough path (a padded line) and zoned time stamps', async () => {
  const small = await readTable(client, await uploadOk(server.url, 's.csv', 'd\n2020-01-01\n1500-01-01\n'));
  assert.deepEqual([small.types, small.rows.map((r) => r[0])], [['string'], ['2020-01-01', '1500-01-01']]);
  const padded = await readTable(client, await uploadOk(server.url, 'p.csv', 'd,x\n2020-01-01 10:00:00,a\n3000-01-01 10:00:00\n'));
  assert.deepEqual([padded.types, padded.rows.map((r) => r[0])], [['string', 'string'], ['2020-01-01 10:00:00', '3000-01-01 10:00:00']]);
  const zoned = await readTable(client, await uploadOk(server.url, 'z.csv', 'd\n2020-01-01T10:00:00Z\n1600-01-01T10:00:00+02:00\n'));
  assert.deepEqual([zoned.types, zoned.rows.map((r) => r[0])], [['string'], ['2020-01-01T10:00:00Z', '1600-01-01T10:00:00+02:00']]);
});

test('wide CSV (more than 1,000 columns) and JSON records: text too', async () => {
  const names = Array.from({ length: 1_001 }, (_, i) => `c${i}`);
  const row = (v: string) => names.map((_, i) => (i === 0 ? v : i === 1 ? '2020-01-01' : String(i))).join(',');
  const wide = await readTable(client, await uploadOk(server.url, 'wide.csv', `${names.join(',')}\n${row('2020-01-01')}\n${row('1500-01-01')}\n`), { columnIndexFrom: 0, columnIndexTo: 1 });
  assert.deepEqual(wide.types.slice(0, 2), ['string', 'datetime']);
  assert.deepEqual(wide.rows.map((r) => r[0]), ['2020-01-01', '1500-01-01']);
  const json = await readTable(client, await uploadOk(server.url, 'r.json', JSON.stringify([{ d: '2020-01-01' }, { d: '9999-12-31' }])));
  assert.deepEqual([json.types, json.rows.map((r) => r[0])], [['string'], ['2020-01-01', '9999-12-31']]);
});

test('Excel: a date cell in year 9999 makes its column text, written as Python writes a datetime', async () => {
  const book = xlsx([['d', 'e'], [new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2020, 0, 1))], [new Date(Date.UTC(9999, 11, 31)), new Date(Date.UTC(2262, 3, 11))]]);
  const t = await readTable(client, await uploadOk(server.url, 'big.xlsx', book));
  assert.deepEqual(t.types, ['string', 'datetime']);
  assert.deepEqual(t.rows, [['2020-01-01 00:00:00', '2020-01-01T00:00:00.000'], ['9999-12-31 00:00:00', '2262-04-11T00:00:00.000']]);
});


import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';

// ISO 8601 time stamps with a UTC offset (`Z`, `+02:00`, `+0200`, `+02`) are datetimes on
// import, as pandas' to_datetime reads them: stored as the UTC time they stand for (pandas
// converts a column of mixed offsets to UTC), a naive TIMESTAMP like every datetime column,
// the same as changeColumnDataType makes of them. A column mixing zoned and naive values
// stays text, each value as written (pandas refuses to mix them without utc=True).

const { server, client } = await serverWithClient();

const ZONED = ['2024-01-05T10:00:00Z', '2024-01-05T10:00:00+02:00', '2024-01-05 23:30:00-0130', '2024-01-06T00:15+02', '2024-01-05T10:00:00.250Z', '2024-01-05T10:00:00.123456+05:30'];
const UTC = ['2024-01-05T10:00:00.000', '2024-01-05T08:00:00.000', '2024-01-06T01:00:00.000', '2024-01-05T22:15:00.000', '2024-01-05T10:00:00.250', '2024-01-05T04:30:00.123'];

async function analyze(sessionID: string, column: string): Promise<Record<string, unknown>> {
  const res = await client.request('analyze', sessionID, { column });
  assert.equal(res.success, true, JSON.stringify(res));
  return (typeof res.data === 'string' ? JSON.parse(res.data) : res.data) as Record<string, unknown>;
}

test('CSV: a column of zoned time stamps is datetime, each value its UTC time (fast path)', async () => {
  const id = await uploadOk(server.url, 'z.csv', `id,t\n${ZONED.map((v, i) => `${i},${v}`).join('\n')}\n`);
  const t = await readTable(client, id);
  assert.deepEqual(t.types, ['int', 'datetime']);
  assert.deepEqual(t.rows.map((r) => r[1]), UTC);
  const a = await analyze(id, 't');
  assert.equal(a.min, '2024-01-05T04:30:00.123');
  assert.equal(a.max, '2024-01-06T01:00:00.000');
});

test('CSV: zoned time stamps past the type sniffer’s sample, and on the thorough path (a padded line)', async () => {
  const many = Array.from({ length: 30_000 }, (_, k) => `${k},2021-01-${String((k % 28) + 1).padStart(2, '0')}T10:00:00+01:00`);
  const big = await readTable(client, await uploadOk(server.url, 'many.csv', `id,t\n${many.join('\n')}\n30000,2021-01-05T10:00:00.5Z\n`), { rowIndexFrom: 29_999, rowIndexTo: 30_000 });
  assert.deepEqual(big.types, ['int', 'datetime']);
  assert.deepEqual(big.rows.map((r) => r[1]), ['2021-01-12T09:00:00.000', '2021-01-05T10:00:00.500']);
  const padded = await readTable(client, await uploadOk(server.url, 'p.csv', `id,t,x\n0,2024-01-05T10:00:00+02:00,a\n1,2024-01-05T10:00:00Z\n`));
  assert.deepEqual(padded.types, ['int', 'datetime', 'string']);
  assert.deepEqual(padded.rows.map((r) => r[1]), ['2024-01-05T08:00:00.000', '2024-01-05T10:00:00.000']);
});

test('CSV: zoned and naive values in one column stay text, as written', async () => {
  for (const values of [['2024-01-05T10:00:00Z', '2024-01-05T10:00:00'], ['2024-01-05', '2024-01-05T10:00:00+02:00'], ['2024-01-05T10:00:00+02:00', 'soon']]) {
    const t = await readTable(client, await uploadOk(server.url, 'm.csv', `t\n${values.join('\n')}\n`));
    assert.deepEqual([t.types, t.rows.map((r) => r[0])], [['string'], values]);
  }
});

test('wide CSV (more than 1,000 columns): zoned time stamps are datetime there too', async () => {
  const names = Array.from({ length: 1_001 }, (_, i) => `c${i}`);
  const row = (v: string) => names.map((_, i) => (i === 0 ? v : i === 1 ? '2024-01-05T10:00:00' : i === 2 ? (v.endsWith('Z') ? 'x' : '2024-01-05T10:00:00') : String(i))).join(',');
  const id = await uploadOk(server.url, 'wide.csv', `${names.join(',')}\n${row('2024-01-05T10:00:00+02:00')}\n${row('2024-01-05T10:00:00.5Z')}\n`);
  const t = await readTable(client, id, { columnIndexFrom: 0, columnIndexTo: 2 });
  assert.deepEqual(t.types.slice(0, 3), ['datetime', 'datetime', 'string']);
  assert.deepEqual(t.rows.map((r) => r[0]), ['2024-01-05T08:00:00.000', '2024-01-05T10:00:00.500']);
});

test('JSON records, narrow and wide: zoned time stamps are datetime', async () => {
  const records = ZONED.map((t, i) => ({ id: i, t }));
  const narrow = await readTable(client, await uploadOk(server.url, 'z.json', JSON.stringify(records)));
  assert.deepEqual(narrow.types, ['int', 'datetime']);
  assert.deepEqual(narrow.rows.map((r) => r[1]), UTC);
  const wide = ZONED.map((t) => Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i === 0 ? t : i])));
  const w = await readTable(client, await uploadOk(server.url, 'w.json', JSON.stringify(wide)), { columnIndexFrom: 0, columnIndexTo: 1 });
  assert.deepEqual(w.types.slice(0, 2), ['datetime', 'int']);
  assert.deepEqual(w.rows.map((r) => r[0]), UTC);
});

test('downloads write the UTC time, which reads back as the same instant', async () => {
  const id = await uploadOk(server.url, 'z.csv', `t\n2024-01-05T10:00:00+02:00\n2024-01-05T10:00:00Z\n`);
  const csv = await (await fetch(`${server.url}/downloadCSV/${id}`)).text();
  assert.equal(csv, 't\n2024-01-05 08:00:00\n2024-01-05 10:00:00\n');
  const json = await (await fetch(`${server.url}/downloadJSON/${id}`)).json();
  assert.deepEqual(json, [{ t: '2024-01-05T08:00:00.000' }, { t: '2024-01-05T10:00:00.000' }]);
  const again = await readTable(client, await uploadOk(server.url, 'again.csv', csv));
  assert.deepEqual(again.rows, [['2024-01-05T08:00:00.000'], ['2024-01-05T10:00:00.000']]);
});

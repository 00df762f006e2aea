import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { xlsx } from './helpers/fixtures.ts';

// GET /downloadCSV and /downloadJSON: headers, exact bodies, and round trips through upload.

const { server, client } = await serverWithClient();

const INPUT =
  'i,f,text,day,moment,flag,"odd, ""name"""\n' +
  '1,1.5,"a, ""quoted"" b",2020-01-01,2020-01-01 10:00:00,true,x\n' +
  ',10,"two\nlines",,2021-05-06 07:08:09,,\n' +
  '3,,plain,2020-02-03,,false,y\n';

const CSV_OUT =
  'i,f,text,day,moment,flag,"odd, ""name"""\n' +
  '1,1.5,"a, ""quoted"" b",2020-01-01,2020-01-01 10:00:00,True,x\n' +
  ',10.0,"two\nlines",,2021-05-06 07:08:09,,\n' +
  '3,,plain,2020-02-03,,False,y\n';

const RECORDS = [
  { i: 1, f: 1.5, text: 'a, "quoted" b', day: '2020-01-01T00:00:00.000', moment: '2020-01-01T10:00:00.000', flag: true, 'odd, "name"': 'x' },
  { i: null, f: 10, text: 'two\nlines', day: null, moment: '2021-05-06T07:08:09.000', flag: null, 'odd, "name"': null },
  { i: 3, f: null, text: 'plain', day: '2020-02-03T00:00:00.000', moment: null, flag: false, 'odd, "name"': 'y' },
];

async function download(kind: 'CSV' | 'JSON', id: string, slash = false): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${server.url}/download${kind}/${id}${slash ? '/' : ''}`);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

test('CSV: headers, header row, no index, missing as empty, pandas-style values', async () => {
  const id = await uploadOk(server.url, 'in.csv', INPUT);
  for (const slash of [false, true]) {
    const res = await download('CSV', id, slash);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename=data.csv');
    assert.equal(res.text, CSV_OUT);
  }
});

test('JSON: headers, array of records, ISO dates, null for missing', async () => {
  const id = await uploadOk(server.url, 'in.csv', INPUT);
  for (const slash of [false, true]) {
    const res = await download('JSON', id, slash);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename=data.json');
    assert.deepEqual(JSON.parse(res.text), RECORDS);
  }
});

test('round trips: the downloaded CSV and JSON upload to the same dataset', async () => {
  const id = await uploadOk(server.url, 'in.csv', INPUT);
  const original = await readTable(client, id);
  const viaCsv = await readTable(client, await uploadOk(server.url, 'back.csv', (await download('CSV', id)).text));
  assert.deepEqual(viaCsv, original);
  const viaJson = await readTable(client, await uploadOk(server.url, 'back.json', (await download('JSON', id)).text));
  assert.deepEqual(viaJson, original);
  // And the CSV of the re-uploaded CSV is the same file again.
  const again = await uploadOk(server.url, 'again.csv', (await download('CSV', id)).text);
  assert.equal((await download('CSV', again)).text, CSV_OUT);
});

test('datetimes keep their precision: dates alone, seconds, fractions', async () => {
  const id = await uploadOk(server.url, 't.csv', 'd,s,f\n2020-01-01,2020-01-01 00:00:00,2020-01-01 00:00:00.25\n2020-01-02,2020-01-02 03:04:05,\n');
  assert.equal((await download('CSV', id)).text, 'd,s,f\n2020-01-01,2020-01-01 00:00:00,2020-01-01 00:00:00.250\n2020-01-02,2020-01-02 03:04:05,\n');
  assert.deepEqual(JSON.parse((await download('JSON', id)).text), [
    { d: '2020-01-01T00:00:00.000', s: '2020-01-01T00:00:00.000', f: '2020-01-01T00:00:00.250' },
    { d: '2020-01-02T00:00:00.000', s: '2020-01-02T03:04:05.000', f: null },
  ]);
});

test('fractions of a second are written as pandas writes them: milliseconds unless some value has a part of one (then microseconds)', async () => {
  const id = await uploadOk(server.url, 'f.csv', 'ms,us\n2021-01-02 03:04:05,2021-01-02 03:04:05.5\n2021-05-06 23:59:59.123,2021-05-06 23:59:59.000250\n');
  assert.equal((await download('CSV', id)).text, 'ms,us\n2021-01-02 03:04:05.000,2021-01-02 03:04:05.500000\n2021-05-06 23:59:59.123,2021-05-06 23:59:59.000250\n');
  const again = await uploadOk(server.url, 'again.csv', (await download('CSV', id)).text);
  assert.equal((await download('CSV', again)).text, (await download('CSV', id)).text);
});

test('metadata says which datetime columns the CSV writes as dates alone (columnInfo.dateOnly), for the whole column', async () => {
  const id = await uploadOk(server.url, 'day.csv', 'n,d,s,f\n1,2020-01-01,2020-01-01 00:00:00,2020-01-01 00:00:00.25\n2,2020-01-02,2020-01-02 03:04:05,\n3,2020-01-03,2020-01-03,\n');
  const info = async () => {
    const m = await client.request('metadata', id);
    assert.equal(m.success, true, m.errorDescription);
    return m.columnInfo;
  };
  const before = await info();
  assert.deepEqual([before.d.dateOnly, before.s.dateOnly, before.f.dateOnly], [true, false, false], 'one time of day anywhere: every row has its time');
  assert.equal('dateOnly' in before.n, false, 'only on datetime columns');
  assert.deepEqual(before.d, { index: 1, dataType: 'datetime', invalidValues: 0, dateOnly: true }, 'the original fields unchanged');
  const csvBefore = (await download('CSV', id)).text.split('\n');
  assert.deepEqual(csvBefore.slice(1, 4).map((l) => l.split(',').slice(1, 3)), [['2020-01-01', '2020-01-01 00:00:00'], ['2020-01-02', '2020-01-02 03:04:05'], ['2020-01-03', '2020-01-03 00:00:00']]);
  // A filtered view is still about the whole column (the download's form).
  const view = await client.request('metadata', id, { filterType: 'invalid', filterColumnIndices: [3] });
  assert.deepEqual([view.dataSize.rows, view.columnInfo.s.dateOnly], [2, false]);
  // The only time of day deleted: dates alone in the metadata and the file alike.
  assert.equal((await client.request('deleteRows', id, { rowIndices: [1] })).success, true);
  assert.equal((await info()).s.dateOnly, true);
  assert.equal((await download('CSV', id)).text, 'n,d,s,f\n1,2020-01-01,2020-01-01,2020-01-01 00:00:00.250\n3,2020-01-03,2020-01-03,\n');
  // And an edit that gives one value a time of day makes the column show times again.
  assert.equal((await client.request('newCellValue', id, { columnIndex: 1, rowIndex: 0, newValue: '2020-01-01 12:30:00' })).success, true);
  assert.equal((await info()).d.dateOnly, false);
});

test('the download follows the current version (after a change and its undo)', async () => {
  const id = await uploadOk(server.url, 'v.csv', 'a,b\n1,2\n');
  assert.equal((await client.request('renameColumn', id, { column: 'a', newName: 'z' })).success, true);
  assert.equal((await download('CSV', id)).text, 'z,b\n1,2\n');
  assert.equal((await client.request('undo', id)).success, true);
  assert.equal((await download('CSV', id)).text, 'a,b\n1,2\n');
  assert.deepEqual(JSON.parse((await download('JSON', id)).text), [{ a: 1, b: 2 }]);
});

test('Excel and JSON uploads download as CSV and JSON', async () => {
  const id = await uploadOk(server.url, 'x.xlsx', xlsx([['n', 'code', 'when'], [1, '007', new Date(2020, 4, 6)], [2.5, '010', null]]));
  assert.equal((await download('CSV', id)).text, 'n,code,when\n1.0,007,2020-05-06\n2.5,010,\n');
  assert.deepEqual(JSON.parse((await download('JSON', id)).text), [
    { n: 1, code: '007', when: '2020-05-06T00:00:00.000' },
    { n: 2.5, code: '010', when: null },
  ]);
  const js = await uploadOk(server.url, 'r.json', JSON.stringify([{ a: 'x', b: { c: 1 } }, { a: '', b: null }]));
  assert.equal((await download('CSV', js)).text, 'a,b\nx,"{""c"":1}"\n,\n');
  // The nested object is text in CSV, an object again in JSON (json-roundtrip.test.ts).
  assert.deepEqual(JSON.parse((await download('JSON', js)).text), [
    { a: 'x', b: { c: 1 } },
    { a: '', b: null },
  ]);
});

test('a dataset without rows downloads as a header / an empty array', async () => {
  const id = await uploadOk(server.url, 'h.csv', 'a,b\n');
  assert.equal((await download('CSV', id)).text, 'a,b\n');
  assert.deepEqual(JSON.parse((await download('JSON', id)).text), []);
});

test('unknown or malformed sessionIDs: 404 with a JSON error', async () => {
  const id = await uploadOk(server.url, 'ok.csv', 'a\n1\n');
  for (const kind of ['CSV', 'JSON'] as const) {
    for (const bad of ['0123456789abcdef0123456789abcd', id.toUpperCase(), id.slice(0, 29), 'x', '..%2F..%2Fetc%2Fpasswd', '%2e%2e']) {
      // The client resolves "/downloadCSV/%2e%2e" to "/", the web client's page: not a download.
      if (new URL(`${server.url}/download${kind}/${bad}`).pathname === '/') {
        const res = await download(kind, bad);
        assert.doesNotMatch(res.headers.get('content-disposition') ?? '', /attachment/, `${kind} ${bad}`);
        continue;
      }
      const res = await download(kind, bad);
      assert.equal(res.status, 404, `${kind} ${bad}`);
      assert.match(res.headers.get('content-type')!, /^application\/json/);
      const body = JSON.parse(res.text);
      assert.equal(body.success, false);
      // "..%2F" may be resolved by the client into another path: then no route matches at all.
      assert.match(body.error, /^(unknown session|not found)$/);
      assert.equal(typeof body.errorDescription, 'string');
    }
    assert.equal((await download(kind, id)).status, 200);
  }
  const empty = await fetch(`${server.url}/downloadCSV/`);
  assert.equal(empty.status, 404);
  assert.equal(((await empty.json()) as Record<string, any>).success, false);
});

test('downloads leave no scratch files behind', async () => {
  const id = await uploadOk(server.url, 's.csv', 'a\n1\n2\n');
  for (let k = 0; k < 3; k++) {
    await download('CSV', id);
    await download('JSON', id);
  }
  // The read stream closes just after the response ends.
  const deadline = Date.now() + 5000;
  let left: string[] = [];
  do {
    left = (await fs.readdir(server.dataDir, { recursive: true })).map(String).filter((f) => path.basename(f).startsWith('download-'));
    if (left.length) await new Promise((r) => setTimeout(r, 50));
  } while (left.length && Date.now() < deadline);
  assert.deepEqual(left, []);
});

test("an export that fails is a 500 that names nothing of the server's (no paths), and the server keeps serving", async () => {
  const id = await uploadOk(server.url, 'broken.csv', 'a,b\n1,x\n2,y\n');
  const files = path.join(server.dataDir, 'sessions', id, 'files');
  for (const name of await fs.readdir(files)) await fs.writeFile(path.join(files, name), 'not parquet');
  for (const format of ['CSV', 'JSON']) {
    const res = await fetch(`${server.url}/download${format}/${id}`);
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { success: false, error: 'internal error', errorDescription: 'the server could not complete this request' });
    assert.ok(!text.includes(server.dataDir) && !text.includes('parquet'), text);
  }
  assert.equal(await (await fetch(`${server.url}/downloadCSV/${await uploadOk(server.url, 'ok.csv', 'a\n1\n')}`)).text(), 'a\n1\n');
});

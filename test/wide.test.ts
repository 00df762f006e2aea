import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithClient, upload, uploadOk } from './helpers/server.ts';
import { WIDE_COLUMNS } from '../src/engine/import/wide.ts';
import { jsonRecords, jsonSplit, xlsx } from './helpers/fixtures.ts';

// Wide inputs: files with more columns than WIDE_COLUMNS take the wide import path (header
// read from the first record, types inferred in long form, Parquet files of column groups).
// Every column arrives with its exact values; past MAX_COLUMNS an upload is refused.

const MAX_COLUMNS = 2500;
const { server, client } = await serverWithClient({ MAX_COLUMNS });

const COLUMNS = WIDE_COLUMNS + 1234;
const ROWS = 12;
const names = Array.from({ length: COLUMNS }, (_, c) => (c === 7 ? 'quoted, "name"' : `col ${c}`));
/** Cell (r, c): by c mod 4 an integer, a float, text, or an integer with gaps. */
function cell(r: number, c: number): string | number | null {
  switch (c % 4) {
    case 0:
      return r * 7 + c;
    case 1:
      return (r * 13 + c) / 4;
    case 2:
      return `t${(r + c) % 5}`;
    default:
      return (r + c) % 5 === 0 ? null : r - c;
  }
}
const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const wideCsv = [names.map(quote).join(','), ...Array.from({ length: ROWS }, (_, r) => names.map((_, c) => cell(r, c) ?? '').join(','))].join('\n') + '\n';

async function fullRow(sessionID: string, row: number): Promise<{ columns: string[]; data: unknown[][] }> {
  const res = await client.request('data', sessionID, { rowIndexFrom: row, rowIndexTo: row, columnIndexFrom: 0, columnIndexTo: COLUMNS - 1 });
  assert.equal(res.success, true, JSON.stringify(res));
  return JSON.parse(res.data);
}

test('a wide CSV imports completely, with exact names, types and values', async () => {
  const res = await upload(server.url, 'wide.csv', wideCsv);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.rows, ROWS);
  assert.equal(res.body.columns, COLUMNS);
  assert.equal(res.body.skippedLines, 0);
  const id = res.body.sessionID as string;

  const meta = await client.request('metadata', id);
  assert.equal(meta.success, true);
  assert.deepEqual(meta.dataSize, { rows: ROWS, columns: COLUMNS });
  assert.deepEqual(meta.columns, names);
  assert.deepEqual(
    [0, 1, 2, 3, COLUMNS - 1].map((c) => meta.columnInfo[names[c]].dataType),
    ['int', 'float', 'string', 'int', ['int', 'float', 'string', 'int'][(COLUMNS - 1) % 4]],
  );
  assert.equal(meta.columnInfo[names[3]].invalidValues, Array.from({ length: ROWS }, (_, r) => cell(r, 3)).filter((v) => v === null).length);

  for (const r of [0, ROWS - 1]) {
    const slice = await fullRow(id, r);
    assert.equal(slice.columns.length, COLUMNS);
    for (const c of [0, 1, 2, 3, 7, Math.floor(COLUMNS / 2), COLUMNS - 1]) assert.deepEqual(slice.data[0][c], cell(r, c), `row ${r}, column ${c}`);
  }
});

/** The upload's every column of rows 0 and ROWS - 1 against cell(), names and types of a few. */
async function checkWide(filename: string, content: string | Buffer, fields: Record<string, string> = {}, rows = ROWS): Promise<string> {
  const res = await upload(server.url, filename, content, fields);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual([res.body.rows, res.body.columns], [rows, COLUMNS]);
  const id = res.body.sessionID as string;
  const meta = await client.request('metadata', id);
  assert.deepEqual(meta.columns, names, `${filename}: names`);
  assert.deepEqual([0, 1, 2, 3].map((c) => meta.columnInfo[names[c]].dataType), ['int', 'float', 'string', 'int'], `${filename}: types`);
  if (rows === ROWS) {
    const missing = (c: number) => Array.from({ length: ROWS }, (_, r) => cell(r, c)).filter((v) => v === null).length;
    assert.deepEqual([3, 7, COLUMNS - 1].map((c) => meta.columnInfo[names[c]].invalidValues), [3, 7, COLUMNS - 1].map(missing), `${filename}: missing values`);
  }
  return id;
}

test('wide JSON (records and split) and XLSX import completely, typed by column', async () => {
  const records = Array.from({ length: ROWS }, (_, r) => Object.fromEntries(names.map((n, c) => [n, cell(r, c)])));
  const table = Array.from({ length: ROWS }, (_, r) => names.map((_, c) => cell(r, c)));
  for (const [filename, content] of [
    ['wide-records.json', jsonRecords(records)],
    ['wide-split.json', jsonSplit(names, table)],
    ['wide.xlsx', xlsx([names, ...table])],
  ] as const) {
    const id = await checkWide(filename, content);
    for (const r of [0, ROWS - 1]) {
      const slice = await fullRow(id, r);
      assert.deepEqual(slice.data[0], table[r], `${filename}: row ${r}`);
    }
  }
});

test('a sample of a wide CSV keeps whole rows: every column of a row from the same line', async () => {
  const id = await checkWide('wide.csv', wideCsv, { sampleSize: '0.5', seed: '7' }, ROWS / 2);
  const slice = JSON.parse((await client.request('data', id, { rowIndexFrom: 0, rowIndexTo: ROWS / 2 - 1, columnIndexFrom: 0, columnIndexTo: COLUMNS - 1 })).data);
  for (const row of slice.data as unknown[][]) {
    // Column 0 holds r * 7: the row number r of the line, which every other column must match.
    const r = (row[0] as number) / 7;
    assert.deepEqual(row, names.map((_, c) => cell(r, c)), `the row from line ${r}`);
  }
});

test('operations of each kind work on a wide dataset', async () => {
  const id = await uploadOk(server.url, 'wide.csv', wideCsv);
  const ok = async (operation: string, params: Record<string, unknown>) => {
    const res = await client.request(operation, id, params);
    assert.equal(res.success, true, `${operation}: ${JSON.stringify(res)}`);
    return res;
  };
  await ok('standardize', { columnIndex: 1 });
  await ok('deleteRows', { rowIndices: [0] });
  await ok('generateDummies', { columnIndex: 2, inplace: false });
  const meta = await ok('metadata', {});
  assert.deepEqual(meta.dataSize, { rows: ROWS - 1, columns: COLUMNS + 5 });
  const analyze = await ok('analyze', { column: names[COLUMNS - 2] });
  assert.equal(typeof analyze.data, 'object');
  await ok('visualize', { type: 'histogram', columnIndices: [0] });
  await ok('executeCommand', { command: 'SELECT * FROM df LIMIT 5' });
  const after = await ok('metadata', {});
  assert.deepEqual(after.dataSize, { rows: 5, columns: COLUMNS + 5 });
  // Row 1 of the file is now row 0; the last column kept its values.
  const slice = JSON.parse((await ok('data', { rowIndexFrom: 0, rowIndexTo: 0, columnIndexFrom: COLUMNS + 4, columnIndexTo: COLUMNS + 4 })).data);
  assert.deepEqual(slice.data[0], [cell(1, COLUMNS - 1)]);
  const csv = await (await fetch(`${server.url}/downloadCSV/${id}`)).text();
  assert.equal(csv.trimEnd().split('\n').length, 6);
  assert.equal(csv.split('\n')[1].split(',')[COLUMNS + 4], String(cell(1, COLUMNS - 1)));
  // A modification writes only what it changed, in a table of every column.
  await ok('executeCommand', { command: `UPDATE df SET "${names[COLUMNS - 1]}" = 0` });
  const updated = JSON.parse((await ok('data', { rowIndexFrom: 0, rowIndexTo: 4, columnIndexFrom: COLUMNS - 2, columnIndexTo: COLUMNS + 4 })).data);
  assert.deepEqual(updated.data.map((r: unknown[]) => r[r.length - 1]), [0, 0, 0, 0, 0]);
  assert.deepEqual(updated.data[0][5], cell(1, COLUMNS - 2), "the column before it kept its values");
  await ok('undo', {});
  await ok('undo', {});
});

test('past MAX_COLUMNS an upload is refused with 400 naming the limit', async () => {
  const over = Array.from({ length: MAX_COLUMNS + 1 }, (_, c) => `c${c}`);
  const res = await upload(server.url, 'over.csv', `${over.join(',')}\n${over.map((_, c) => c).join(',')}\n`);
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error, 'too many columns');
  assert.match(res.body.errorDescription, new RegExp(`${MAX_COLUMNS + 1} columns; the limit is ${MAX_COLUMNS} \\(MAX_COLUMNS\\)`));
});

test('past MAX_COLUMNS a JSON upload is refused with 400 naming the limit', async () => {
  const record = Object.fromEntries(Array.from({ length: MAX_COLUMNS + 1 }, (_, c) => [`k${c}`, c]));
  const res = await upload(server.url, 'over.json', JSON.stringify([record]));
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error, 'too many columns');
  assert.match(res.body.errorDescription, /the limit is 2500 \(MAX_COLUMNS\)/);
});

test('a JSON record larger than the reader\'s first bound (16 MB) still imports', async () => {
  const big = 'x'.repeat(34 * 1024 * 1024);
  const res = await upload(server.url, 'big-record.json', JSON.stringify([{ a: 1, b: big }, { a: 2, b: 'y' }]));
  assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  assert.deepEqual([res.body.rows, res.body.columns], [2, 2]);
  const slice = JSON.parse((await client.request('data', res.body.sessionID, { rowIndexFrom: 1, rowIndexTo: 1, columnIndexFrom: 0, columnIndexTo: 1 })).data);
  assert.deepEqual(slice.data, [[2, 'y']]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { csv, jsonColumns, jsonRecords, jsonSplit, xls, xlsx } from './helpers/fixtures.ts';
import { uniqueColumnNames } from '../src/engine/import/names.ts';

// Column names are data: kept exactly as the file has them (letter case, spaces, dots,
// quotes, `__pos`…), made unique only when exactly repeated, the way pandas 1.5 does it,
// and usable by every operation, reader and download. Over the wire: upload over HTTP,
// requests over Socket.IO, downloads over HTTP.

const { server, client } = await serverWithClient();

const load = async (filename: string, content: string | Buffer, fields: Record<string, string> = {}) => readTable(client, await uploadOk(server.url, filename, content, fields));

async function ok(id: string, operation: string, params: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await client.request(operation, id, params);
  assert.equal(res.success, true, `${operation} ${JSON.stringify(params)}: ${res.error}: ${res.errorDescription}`);
  return res;
}

async function refused(id: string, operation: string, params: Record<string, unknown>, error: string, description?: RegExp): Promise<Record<string, any>> {
  const res = await client.request(operation, id, params);
  assert.equal(res.success, false, `${operation} ${JSON.stringify(params)} should fail`);
  assert.equal(res.error, error, res.errorDescription);
  if (description) assert.match(res.errorDescription, description);
  return res;
}

async function download(kind: 'CSV' | 'JSON', id: string): Promise<string> {
  const res = await fetch(`${server.url}/download${kind}/${id}`);
  assert.equal(res.status, 200);
  const text = await res.text();
  // Downloads stream as DuckDB writes them (chunked): a length, when sent, is the body's.
  const length = res.headers.get('content-length');
  if (length !== null) assert.equal(Number(length), Buffer.byteLength(text), 'Content-Length is the body length');
  return text;
}

// Header → names, as pandas 1.5 read_csv gives them (mangle_dupe_cols).
const HEADERS: [string[], string[]][] = [
  [['Id', 'id'], ['Id', 'id']],
  [['ID', 'id', 'Name'], ['ID', 'id', 'Name']],
  [['a', 'a', 'a.1'], ['a', 'a.2', 'a.1']],
  [['id', ' ', 'note'], ['id', ' ', 'note']],
  [['a', 'A', 'a'], ['a', 'A', 'a.1']],
  [['x', 'x.1', 'x'], ['x', 'x.1', 'x.2']],
  [['a', 'a', 'b', 'a', 'a.1'], ['a', 'a.2', 'b', 'a.3', 'a.1']],
  // pandas' own test of GH#14704
  [['a', 'a', 'a.1', 'a', 'a.3', 'a.1', 'a.1.1'], ['a', 'a.2', 'a.1', 'a.4', 'a.3', 'a.1.2', 'a.1.1']],
  // Empty names become Unnamed: <position>, after the given names are settled.
  [['', 'Unnamed: 0'], ['Unnamed: 0.1', 'Unnamed: 0']],
  [['', 'a', '', 'b', ''], ['Unnamed: 0', 'a', 'Unnamed: 2', 'b', 'Unnamed: 4']],
  [['Unnamed: 1', ''], ['Unnamed: 1', 'Unnamed: 1.1']],
  [['__pos', '__POS', '__pos'], ['__pos', '__POS', '__pos.1']],
  [['a.b', 'a b', ' a', 'a '], ['a.b', 'a b', ' a', 'a ']],
  // Missing-value tokens are names like any other in a header.
  [['NA', 'null', '', 'n/a'], ['NA', 'null', 'Unnamed: 2', 'n/a']],
];

test('header names: exactly as pandas 1.5 reads them', () => {
  for (const [header, expected] of HEADERS) assert.deepEqual(uniqueColumnNames(header), expected, header.join(','));
});

test('header names over the wire: CSV, Excel (.xlsx and .xls), JSON split; no header gives 0, 1, 2…', async () => {
  for (const [header, expected] of HEADERS) {
    const values = header.map((_, i) => i + 1);
    assert.deepEqual((await load('h.csv', csv([header, values]))).columns, expected, `csv ${header.join(',')}`);
    assert.deepEqual((await load('h.json', jsonSplit(header, [values]))).columns, expected, `json split ${header.join(',')}`);
    // An empty header cell is no cell at all in a sheet: blank cells stand for empty names.
    const cells = header.map((h) => (h === '' ? null : h));
    if (cells.at(-1) === null) continue; // a sheet ends at its last filled cell
    assert.deepEqual((await load('h.xlsx', xlsx([cells, values]))).columns, expected, `xlsx ${header.join(',')}`);
  }
  assert.deepEqual((await load('h.xls', xls([['Id', 'id', 'ID', 'NA'], [1, 'a', true, 2]]))).columns, ['Id', 'id', 'ID', 'NA']);
  const noHeader = await load('n.csv', 'Id,id\n1,2\n', { headerIncluded: 'false' });
  assert.deepEqual(noHeader.columns, ['0', '1']);
  assert.deepEqual(noHeader.rows, [['Id', 'id'], ['1', '2']]);
});

test('JSON in every orientation keeps names that differ only in case, and their values', async () => {
  const expected = { columns: ['Id', 'id'], types: ['int', 'string'], rows: [[1, 'a7'], [2, 'b8']] };
  const shapes = {
    records: jsonRecords([{ Id: 1, id: 'a7' }, { Id: 2, id: 'b8' }]),
    lines: '{"Id": 1, "id": "a7"}\n{"Id": 2, "id": "b8"}\n',
    split: jsonSplit(['Id', 'id'], [[1, 'a7'], [2, 'b8']]),
    columns: jsonColumns(['Id', 'id'], [[1, 'a7'], [2, 'b8']]),
    arrays: JSON.stringify({ Id: [1, 2], id: ['a7', 'b8'] }),
  };
  for (const [shape, text] of Object.entries(shapes)) {
    const t = await load('r.json', text);
    assert.deepEqual({ columns: t.columns, types: t.types, rows: t.rows }, expected, shape);
  }
  // Keys in order of first appearance; a key missing from a record is missing.
  const sparse = await load('s.json', jsonRecords([{ a: 1 }, { A: 'x', a: 2 }, { 'a.1': true }]));
  assert.deepEqual(sparse.columns, ['a', 'A', 'a.1']);
  assert.deepEqual(sparse.rows, [[1, null, null], [2, 'x', null], [null, null, true]]);
});

// A header of awkward names: case-only differences, the engine's row-position name, quotes,
// dots, spaces, non-ASCII, an SQL keyword, the executeCommand alias spelling, a long name.
const LONG = 'long name '.repeat(30).trim();
const NAMES = ['Id', 'id', '__pos', 'a"b', "it's", 'x.1', ' sp ', 'Zoë 名', 'select', 'Id#1', LONG];
const ROWS = [
  [1, 10, 7, 'x', 'p', 1.5, 'a b', '2020-01-01', true, 'u', 'L1'],
  [2, null, 8, 'y', 'q', null, 'c d', '2020-01-02', false, 'v', 'L2'],
  [3, 30, 9, 'x', 'p', 3.5, null, '2020-01-03', true, 'w', 'L3'],
];
const TYPES = ['int', 'int', 'int', 'string', 'string', 'float', 'string', 'datetime', 'bool', 'string', 'string'];
const WIRE_ROWS = ROWS.map((r) => r.map((v) => (typeof v === 'string' && /^\d{4}-/.test(v) ? `${v}T00:00:00.000` : v)));
const NASTY = csv([NAMES, ...ROWS]);
const loadNasty = () => uploadOk(server.url, 'nasty.csv', NASTY);
const col = (t: { columns: string[]; rows: unknown[][] }, name: string) => {
  const i = t.columns.indexOf(name);
  assert.ok(i >= 0, `no column ${JSON.stringify(name)} in ${JSON.stringify(t.columns)}`);
  return t.rows.map((r) => r[i]);
};

test('readers: metadata, data (sorted, filtered, searched), analyze, visualize', async () => {
  const id = await loadNasty();
  const meta = await ok(id, 'metadata');
  assert.deepEqual(meta.columns, NAMES);
  assert.deepEqual(Object.keys(meta.columnInfo), NAMES);
  assert.deepEqual(NAMES.map((n) => meta.columnInfo[n]), NAMES.map((_, index) => ({ index, dataType: TYPES[index], invalidValues: [1, 5, 6].includes(index) ? 1 : 0, ...(TYPES[index] === 'datetime' ? { dateOnly: true } : {}) })));
  const all = await readTable(client, id);
  assert.deepEqual(all.rows, WIRE_ROWS);

  const sorted = await readTable(client, id, { sortColumnIndex: 1, sortAscending: false });
  assert.deepEqual(sorted.index, [2, 0, 1]);
  assert.deepEqual(col(sorted, '__pos'), [9, 7, 8]);
  const invalid = await readTable(client, id, { filterType: 'invalid', filterColumnIndices: [1] });
  assert.deepEqual(invalid.index, [1]);
  assert.deepEqual(invalid.invalid, [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  const duplicates = await readTable(client, id, { filterType: 'duplicates', filterColumnIndices: [3, 4] });
  assert.deepEqual(duplicates.index, [0, 2]);
  const outliers = await readTable(client, id, { filterType: 'outliers', filterColumnIndices: [0], outliersStdDev: 0.5 });
  assert.deepEqual(outliers.index, [0, 2]);
  const searched = await readTable(client, id, { searchQuery: 'q', searchColumnIndices: [4] });
  assert.deepEqual(searched.index, [1]);

  const upper = await ok(id, 'analyze', { column: 'Id' });
  const lower = await ok(id, 'analyze', { column: 'id' });
  assert.deepEqual([upper.data.mean, upper.data.invalid, upper.data.max], [2, 0, 3]);
  assert.deepEqual([lower.data.mean, lower.data.invalid, lower.data.max], [20, 1, 30]);
  assert.equal((await ok(id, 'analyze', { column: '__pos' })).data.mean, 8);
  assert.deepEqual((await ok(id, 'analyze', { column: LONG })).data.frequencies, [['L1', 1], ['L2', 1], ['L3', 1]]);
  assert.deepEqual((await ok(id, 'analyze', { column: 'a"b' })).data.mode, ['x']);

  const histogram = await ok(id, 'visualize', { type: 'histogram', columnIndices: [0, 1], numberOfBins: 2 });
  assert.deepEqual(histogram.axis.x, { start: 1, end: 30 });
  const scatter = await ok(id, 'visualize', { type: 'scatter', xColumnIndex: 0, yColumnIndices: [1, 2] });
  assert.deepEqual(scatter.axis.x, { start: 0.8, end: 3.2 });
  await ok(id, 'visualize', { type: 'frequency', columnIndex: 4 });
  await ok(id, 'visualize', { type: 'date', xColumnIndex: 7, yColumnIndices: [1] });
});

test('downloads write the names exactly, and the CSV uploads back to the same dataset', async () => {
  const id = await loadNasty();
  const text = await download('CSV', id);
  const header = `Id,id,__pos,"a""b",it's,x.1, sp ,Zoë 名,select,Id#1,${LONG}\n`;
  assert.equal(text, header + '1,10,7,x,p,1.5,a b,2020-01-01,True,u,L1\n2,,8,y,q,,c d,2020-01-02,False,v,L2\n3,30,9,x,p,3.5,,2020-01-03,True,w,L3\n');
  const back = await load('back.csv', text);
  assert.deepEqual({ columns: back.columns, types: back.types, rows: back.rows }, { columns: NAMES, types: TYPES, rows: WIRE_ROWS });

  const records = JSON.parse(await download('JSON', id)) as Record<string, unknown>[];
  assert.equal(records.length, 3);
  assert.deepEqual(Object.keys(records[0]), NAMES);
  assert.deepEqual(records.map((r) => [r.Id, r.id, r.__pos, r['a"b']]), [[1, 10, 7, 'x'], [2, null, 8, 'y'], [3, 30, 9, 'x']]);
  const viaJson = await load('back.json', JSON.stringify(records));
  assert.deepEqual({ columns: viaJson.columns, types: viaJson.types, rows: viaJson.rows }, { columns: NAMES, types: TYPES, rows: WIRE_ROWS });
  // No rows: the header alone, an empty array.
  const empty = await uploadOk(server.url, 'e.csv', 'Id,id\n');
  assert.equal(await download('CSV', empty), 'Id,id\n');
  assert.deepEqual(JSON.parse(await download('JSON', empty)), []);
});

test('operations that create or rename columns: names differ only in case, the only clash is an exact one', async () => {
  const id = await loadNasty();
  await ok(id, 'renameColumn', { column: 'x.1', newName: 'iD' });
  await ok(id, 'renameColumn', { column: 'select', newName: 'ID' });
  await ok(id, 'renameColumn', { column: "it's", newName: '__POS' });
  await refused(id, 'renameColumn', { column: 'ID', newName: 'id' }, 'duplicate column name', /"id"/);
  await refused(id, 'renameColumn', { column: 'ID', newName: 'a\u0000b' }, 'invalid value', /newName: .*NUL/); // as any text of a request (test/nul-characters.test.ts)
  await ok(id, 'insertDuplicateColumn', { columnIndex: 1 });
  await ok(id, 'insertDuplicateColumn', { columnIndex: 0 });
  let t = await readTable(client, id);
  assert.deepEqual(t.columns, ['Id', 'Id_copy', 'id', 'id_copy', '__pos', 'a"b', '__POS', 'iD', ' sp ', 'Zoë 名', 'ID', 'Id#1', LONG]);
  assert.deepEqual([col(t, 'Id'), col(t, 'Id_copy'), col(t, 'id'), col(t, 'id_copy'), col(t, 'iD'), col(t, 'ID')], [[1, 2, 3], [1, 2, 3], [10, null, 30], [10, null, 30], [1.5, null, 3.5], [true, false, true]]);

  await ok(id, 'splitColumn', { columnIndex: 8, delimiter: ' ' });
  await ok(id, 'generateDummies', { columnIndex: 6 });
  await ok(id, 'combineColumns', { columnsToCombine: ['Id', 'id'], seperator: '|', newName: 'ID_ID', insertIndex: 0 });
  await ok(id, 'combineColumns', { columnsToCombine: ['__pos', '__POS'], seperator: '|', newName: 'pos', insertIndex: 1 });
  t = await readTable(client, id);
  assert.deepEqual(t.columns.slice(0, 12), ['ID_ID', 'pos', 'Id', 'Id_copy', 'id', 'id_copy', '__pos', 'a"b', '__POS', '__POS_p', '__POS_q', 'iD']);
  assert.deepEqual(t.columns.slice(12), [' sp ', ' sp _0', ' sp _1', 'Zoë 名', 'ID', 'Id#1', LONG]);
  assert.deepEqual([col(t, 'ID_ID'), col(t, 'pos'), col(t, '__POS_p'), col(t, ' sp _1')], [['1|10', '2', '3|30'], ['7|p', '8|q', '9|p'], [1, 0, 1], ['b', 'd', null]]);
  // Exact clashes only: a name that exists exactly is refused.
  await refused(id, 'combineColumns', { columnsToCombine: ['Id', 'id'], newName: 'Id_copy' }, 'duplicate column name');
  await refused(id, 'splitColumn', { columnIndex: 12, delimiter: ' ' }, 'duplicate column name');
});

test('every changing operation on one of two columns that differ only in case leaves the other alone', async () => {
  // [operation, parameters (on column 1, "id"), the values of "id" after it]
  const cases: [string, Record<string, unknown>, unknown[]][] = [
    ['fillWithCustomValue', { columnIndex: 1, newValue: 5 }, [10, 5, 30]],
    ['fillDown', { columnFrom: 1, columnTo: 1, method: 'ffill' }, [10, 10, 30]],
    ['fillWithAverage', { columnIndex: 1, metric: 'mean' }, [10, 20, 30]],
    ['interpolate', { columnIndex: 1, method: 'linear' }, [10, 20, 30]],
    ['normalize', { columnIndex: 1 }, [0, null, 1]],
    ['standardize', { columnIndex: 1 }, [-Math.SQRT1_2, null, Math.SQRT1_2]],
    ['newCellValue', { columnIndex: 1, rowIndex: 0, newValue: 11 }, [11, null, 30]],
    ['findReplace', { columnIndex: 1, toReplace: [10], replaceWith: [12], matchRegex: false }, [12, null, 30]],
    ['changeColumnDataType', { column: 'id', newDataType: 'str' }, ['10', null, '30']],
    ['discretize', { columnIndex: 1, cutMode: 'discretization', numberOfBins: 1 }, ['(9.98, 30.0]', null, '(9.98, 30.0]']],
    // (the dataset has a column named Id#1 already: the alias of Id steps aside to Id#1#)
    ['executeCommand', { command: 'UPDATE df SET "id#2" = coalesce("id#2", 0) + "Id#1#"' }, [11, 2, 33]],
  ];
  for (const [operation, params, expected] of cases) {
    const id = await loadNasty();
    await ok(id, operation, params);
    const t = await readTable(client, id);
    assert.deepEqual(t.columns, NAMES, operation);
    assert.deepEqual(col(t, 'Id'), [1, 2, 3], operation);
    assert.deepEqual(col(t, '__pos'), [7, 8, 9], operation);
    const actual = col(t, 'id') as number[];
    if (operation === 'standardize') actual.forEach((v, i) => assert.ok(v === expected[i] || Math.abs(v - (expected[i] as number)) < 1e-12, `${operation}: ${actual}`));
    else assert.deepEqual(actual, expected, operation);
  }
  // Rows and columns removed by a column of such a name.
  const rows = await loadNasty();
  await ok(rows, 'deleteRowsWithNA', { columnIndex: 1 });
  await ok(rows, 'deleteRows', { rowIndices: [0] });
  let t = await readTable(client, rows);
  assert.deepEqual(t.columns, NAMES);
  assert.deepEqual(t.rows, [WIRE_ROWS[2]]);
  await ok(rows, 'deleteColumns', { columnIndices: [0, 2] });
  t = await readTable(client, rows);
  assert.deepEqual(t.columns, NAMES.filter((_, i) => i !== 0 && i !== 2));
  assert.deepEqual(t.rows, [WIRE_ROWS[2].filter((_, i) => i !== 0 && i !== 2)]);
  // emptyStringToNaN on one of two text columns (JSON keeps empty strings; CSV reads them as missing).
  const empty = await uploadOk(server.url, 'e.json', jsonRecords([{ S: '', s: '' }, { S: 'x', s: 'y' }]));
  await ok(empty, 'emptyStringToNaN', { columnIndex: 1 });
  assert.deepEqual((await readTable(client, empty)).rows, [['', null], ['x', 'y']]);
});

test('history and applyOperations replay a recipe by names that differ only in case', async () => {
  const source = await loadNasty();
  await ok(source, 'renameColumn', { column: 'id', newName: 'ID' });
  await ok(source, 'fillWithCustomValue', { columnIndex: 1, newValue: 0 });
  await ok(source, 'insertDuplicateColumn', { columnIndex: 0 });
  const { operations } = await ok(source, 'history');
  assert.deepEqual(
    operations.map((o: Record<string, any>) => o.operation),
    ['renameColumn', 'fillWithCustomValue', 'insertDuplicateColumn'],
  );
  const target = await loadNasty();
  await ok(target, 'applyOperations', { operations });
  const [a, b] = [await readTable(client, source), await readTable(client, target)];
  assert.deepEqual(b, a);
  assert.deepEqual(b.columns.slice(0, 3), ['Id', 'Id_copy', 'ID']);
  assert.deepEqual(col(b, 'ID'), [10, 0, 30]);
});

test('executeCommand: names that differ only in case are told apart, results keep names exactly', async () => {
  const id = await loadNasty();
  // A query returning the dataset as it is: nothing changes, names included.
  await ok(id, 'executeCommand', { command: 'SELECT * FROM df' });
  assert.equal((await ok(id, 'metadata')).undoAvailable, false, 'no new version');
  await ok(id, 'executeCommand', { command: 'SELECT * FROM df WHERE "id#2" > 15 OR "Id#1#" = 2' });
  let t = await readTable(client, id);
  assert.deepEqual(t.columns, NAMES);
  assert.deepEqual(t.rows, [WIRE_ROWS[1], WIRE_ROWS[2]]);

  // Writing the plain name, in any spelling, is ambiguous: the error says how to write each.
  for (const command of ['SELECT id FROM df', 'SELECT "id" FROM df', 'SELECT "Id" FROM df', 'SELECT ID + 1 AS n FROM df', 'SELECT * FROM df ORDER BY id', 'UPDATE df SET id = 0', 'SELECT df.id FROM df']) {
    await refused(id, 'executeCommand', { command }, 'ambiguous column name', /"Id" and "id".*differ only in letter case.*"Id#1#" for "Id", "id#2" for "id"/);
  }
  // The dataset has a column named Id#1 already: the alias of Id steps aside, that column keeps its name.
  await ok(id, 'executeCommand', { command: 'SELECT "Id#1#" AS a, "id#2" AS b, "Id#1" AS c, __pos, "a""b", "it\'s", "x.1", " sp ", "Zoë 名", "select" FROM df' });
  t = await readTable(client, id);
  assert.deepEqual(t.columns, ['a', 'b', 'c', '__pos', 'a"b', "it's", 'x.1', ' sp ', 'Zoë 名', 'select']);
  assert.deepEqual(t.rows, [[2, null, 'v', 8, 'y', 'q', null, 'c d', '2020-01-02T00:00:00.000', false], [3, 30, 'w', 9, 'x', 'p', 3.5, null, '2020-01-03T00:00:00.000', true]]);

  const pair = await uploadOk(server.url, 'pair.csv', 'Id,id\n1,a7\n2,b8\n');
  // Results may hold names that differ only in case; an exact repeat is refused.
  await ok(pair, 'executeCommand', { command: 'SELECT "Id#1" * 10 AS n, "id#2" AS "N", * FROM df' });
  t = await readTable(client, pair);
  assert.deepEqual(t.columns, ['n', 'N', 'Id', 'id']);
  assert.deepEqual(t.rows, [[10, 'a7', 1, 'a7'], [20, 'b8', 2, 'b8']]);
  await refused(pair, 'executeCommand', { command: 'SELECT "Id#1", * FROM df' }, 'duplicate column name', /two columns named "Id"/);
  await refused(pair, 'executeCommand', { command: 'SELECT 1 AS x, 2 AS x FROM df' }, 'duplicate column name', /two columns named "x"/);
  // Modifications: UPDATE writes one of the two, ALTER renames one; names stay exact.
  await ok(pair, 'executeCommand', { command: `UPDATE df SET "id#2" = upper("id#2") WHERE "Id#1" = 1` });
  await ok(pair, 'executeCommand', { command: 'ALTER TABLE df RENAME COLUMN "id#2" TO "ID"' });
  t = await readTable(client, pair);
  assert.deepEqual(t.columns, ['n', 'N', 'Id', 'ID']);
  assert.deepEqual(t.rows, [[10, 'a7', 1, 'A7'], [20, 'b8', 2, 'b8']]);
  // Once one of a spelling is left, its plain name works again.
  await refused(pair, 'executeCommand', { command: 'SELECT n FROM df' }, 'ambiguous column name', /"n#1" for "n", "N#2" for "N"/);
  await ok(pair, 'executeCommand', { command: 'ALTER TABLE df DROP COLUMN "N#2"' });
  await ok(pair, 'executeCommand', { command: 'SELECT n + 1 AS m, "Id#1" AS "id", * FROM df' });
  t = await readTable(client, pair);
  assert.deepEqual(t.columns, ['m', 'id', 'n', 'Id', 'ID']);
  assert.deepEqual(t.rows, [[11, 1, 10, 1, 'A7'], [21, 2, 20, 2, 'b8']]);
});

test('names that are Object.prototype keys (__proto__, constructor, toString) are columns like any other in every reply', async () => {
  const id = await uploadOk(server.url, 'proto.csv', '__proto__,constructor,toString\n1,x,\n,y,z\n');
  const meta = await client.request('metadata', id, {});
  assert.equal(meta.success, true);
  assert.deepEqual(meta.columns, ['__proto__', 'constructor', 'toString']);
  // Own keys of columnInfo, each with its column's figures (__proto__ was missing from it).
  assert.deepEqual(Object.keys(meta.columnInfo), ['__proto__', 'constructor', 'toString']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(meta.columnInfo, '__proto__')?.value, { index: 0, dataType: 'int', invalidValues: 1 });
  assert.deepEqual(meta.columnInfo.toString, { index: 2, dataType: 'string', invalidValues: 1 });
});

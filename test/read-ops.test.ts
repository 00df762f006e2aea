import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, upload, uploadOk, type TestServer } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';
import { csv } from './helpers/fixtures.ts';

// metadata and data over Socket.IO: every filter, search, sort and slice, with exact values.

let server: TestServer;
let client: WillowClient;
let id: string;

const COLUMNS = ['id', 'name', 'score', 'when', 'flag'];
const ROWS: unknown[][] = [
  [0, 'alice', 10, '2020-01-01T00:00:00.000', true],
  [1, 'bob', null, '2020-01-02T10:00:00.000', false],
  [2, 'carol', 12, null, true],
  [3, 'alice', 11, '2020-01-04T00:00:00.000', null],
  [4, null, 100, '2020-01-05T00:00:00.000', false],
  [5, 'bob', 9, '2020-01-06T00:00:00.000', true],
  [6, 'dave', 10.5, '2020-01-07T00:00:00.000', false],
  [7, 'alice', 11, '2020-01-08T00:00:00.000', true],
];
const FILE = csv([
  COLUMNS,
  ['0', 'alice', '10', '2020-01-01', 'true'],
  ['1', 'bob', '', '2020-01-02 10:00:00', 'false'],
  ['2', 'carol', '12', '', 'true'],
  ['3', 'alice', '11', '2020-01-04', ''],
  ['4', '', '100', '2020-01-05', 'false'],
  ['5', 'bob', '9', '2020-01-06', 'true'],
  ['6', 'dave', '10.5', '2020-01-07', 'false'],
  ['7', 'alice', '11', '2020-01-08', 'true'],
]);

before(async () => {
  server = await startServer();
  client = await connect(server.url);
  id = await uploadOk(server.url, 'people.csv', FILE);
});
after(async () => {
  client.close();
  await server.close();
});

const ALL = { rowIndexFrom: 0, rowIndexTo: 99, columnIndexFrom: 0, columnIndexTo: 4 };

/** `data` over the whole width; returns the parsed split-orientation JSON. */
async function data(params: Record<string, unknown>): Promise<{ columns: string[]; index: number[]; data: unknown[][] }> {
  const res = await client.request('data', id, { ...ALL, ...params });
  assert.equal(res.success, true, JSON.stringify(res));
  assert.equal(typeof res.data, 'string', 'data is a JSON string for legacy clients');
  return JSON.parse(res.data);
}

/** The rows at these positions of the unfiltered dataset, in this order. */
const at = (positions: number[]) => ({ columns: COLUMNS, index: positions, data: positions.map((p) => ROWS[p]) });

async function rowsOfView(view: Record<string, unknown>): Promise<number> {
  const meta = await client.request('metadata', id, view);
  assert.equal(meta.success, true, JSON.stringify(meta));
  return meta.dataSize.rows;
}

test('metadata: shape, names, types, missing counts, undo/redo', async () => {
  const meta = await client.request('metadata', id);
  assert.equal(meta.success, true);
  assert.equal(meta.operation, 'metadata');
  assert.equal(meta.sessionID, id);
  assert.deepEqual(meta.dataSize, { rows: 8, columns: 5 });
  assert.deepEqual(meta.columns, COLUMNS);
  assert.deepEqual(meta.columnInfo, {
    id: { index: 0, dataType: 'int', invalidValues: 0 },
    name: { index: 1, dataType: 'string', invalidValues: 1 },
    score: { index: 2, dataType: 'float', invalidValues: 1 },
    when: { index: 3, dataType: 'datetime', invalidValues: 1, dateOnly: false }, // one value at 10:00
    flag: { index: 4, dataType: 'bool', invalidValues: 1 },
  });
  assert.equal(meta.undoAvailable, false);
  assert.equal(meta.redoAvailable, false);
  assert.equal(meta.filename, 'people.csv', 'the name of the file imported (beyond the original)');
});

test('data: the whole table, dates ISO, missing null, index = positions', async () => {
  assert.deepEqual(await data({}), at([0, 1, 2, 3, 4, 5, 6, 7]));
});

test('data: slices of rows and columns; ends beyond the table are clamped', async () => {
  assert.deepEqual(await data({ rowIndexFrom: 2, rowIndexTo: 4, columnIndexFrom: 1, columnIndexTo: 2 }), {
    columns: ['name', 'score'],
    index: [2, 3, 4],
    data: [
      ['carol', 12],
      ['alice', 11],
      [null, 100],
    ],
  });
  assert.deepEqual(await data({ rowIndexFrom: 7, rowIndexTo: 1000, columnIndexFrom: 3, columnIndexTo: 50 }), {
    columns: ['when', 'flag'],
    index: [7],
    data: [['2020-01-08T00:00:00.000', true]],
  });
  assert.deepEqual(await data({ rowIndexFrom: 5, rowIndexTo: 5, columnIndexFrom: 0, columnIndexTo: 0 }), { columns: ['id'], index: [5], data: [[5]] });
});

test('filter invalid: rows missing a value in all listed columns', async () => {
  assert.deepEqual(await data({ filterType: 'invalid', filterColumnIndices: [2] }), at([1]));
  assert.deepEqual(await data({ filterType: 'invalid', filterColumnIndices: [1] }), at([4]));
  assert.deepEqual(await data({ filterType: 'invalid', filterColumnIndices: [2, 3] }), at([]));
  assert.equal(await rowsOfView({ filterType: 'invalid', filterColumnIndices: [4] }), 1);
  // metadata counts missing values inside the view.
  const meta = await client.request('metadata', id, { filterType: 'invalid', filterColumnIndices: [2] });
  assert.deepEqual(meta.dataSize, { rows: 1, columns: 5 });
  assert.equal(meta.columnInfo.score.invalidValues, 1);
  assert.equal(meta.columnInfo.name.invalidValues, 0);
});

/** The outlier rule of API.md, computed independently. */
function outlierPositions(values: (number | null)[], trim: number, r: number): number[] {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const k = Math.floor(present.length * trim);
  const kept = present.slice(k, present.length - k);
  const m = kept.reduce((s, v) => s + v, 0) / kept.length;
  const sd = Math.sqrt(kept.reduce((s, v) => s + (v - m) ** 2, 0) / (kept.length - 1));
  return values.flatMap((v, i) => (v !== null && (v >= m + r * sd || v <= m - r * sd) ? [i] : []));
}

test('filter outliers: trimmed mean and sample std, outliersStdDev', async () => {
  const scores = ROWS.map((r) => r[2] as number | null);
  const plain = outlierPositions(scores, 0, 2);
  assert.deepEqual(plain, [4]);
  assert.deepEqual(await data({ filterType: 'outliers', filterColumnIndices: [2] }), at(plain));
  const trimmed = outlierPositions(scores, 0.2, 2);
  assert.deepEqual(trimmed, [4, 5]);
  assert.deepEqual(await data({ filterType: 'outliers', filterColumnIndices: [2], outliersTrimPortion: 0.2 }), at(trimmed));
  const tight = outlierPositions(scores, 0.2, 1);
  assert.deepEqual(tight, [0, 2, 4, 5]);
  assert.deepEqual(await data({ filterType: 'outliers', filterColumnIndices: [2], outliersTrimPortion: 0.2, outliersStdDev: 1 }), at(tight));
  // Numeric strings from legacy clients.
  assert.deepEqual(await data({ filterType: 'outliers', filterColumnIndices: ['2'], outliersTrimPortion: '0.2', outliersStdDev: '1' }), at(tight));
  // Outliers in every listed column: id has none.
  assert.deepEqual(await data({ filterType: 'outliers', filterColumnIndices: [2, 0] }), at([]));
});

test('filter outliers: a text column is refused', async () => {
  const res = await client.request('data', id, { ...ALL, filterType: 'outliers', filterColumnIndices: [1] });
  assert.equal(res.success, false);
  assert.equal(res.errorDescription, 'outliers need numeric columns; "name" is string', "the type as metadata names it, not the engine's");
});

test('filter duplicates: all copies, sorted by the first listed column', async () => {
  assert.deepEqual(await data({ filterType: 'duplicates', filterColumnIndices: [1] }), at([0, 3, 7, 1, 5]));
  assert.deepEqual(await data({ filterType: 'duplicates', filterColumnIndices: [1, 2] }), at([3, 7]));
  assert.deepEqual(await data({ filterType: 'duplicates', filterColumnIndices: [2, 1] }), at([3, 7]));
  assert.deepEqual(await data({ filterType: 'duplicates', filterColumnIndices: [0] }), at([]));
  assert.equal(await rowsOfView({ filterType: 'duplicates', filterColumnIndices: [1] }), 5);
  // A page of the view: positions 1…2 of the view.
  assert.deepEqual(await data({ filterType: 'duplicates', filterColumnIndices: [1], rowIndexFrom: 1, rowIndexTo: 2 }), at([3, 7]));
});

test('search: plain text in any listed column; missing never matches', async () => {
  assert.deepEqual(await data({ searchQuery: 'al', searchColumnIndices: [1] }), at([0, 3, 7]));
  assert.deepEqual(await data({ searchQuery: 'o', searchColumnIndices: [1] }), at([1, 2, 5]));
  // Numbers are searched in their text form: 10.0, 12.0, 11.0, 100.0, 10.5 contain "1".
  assert.deepEqual(await data({ searchQuery: '1', searchColumnIndices: [2] }), at([0, 2, 3, 4, 6, 7]));
  // Any of the listed columns.
  assert.deepEqual(await data({ searchQuery: 'ca', searchColumnIndices: [1, 3] }), at([2]));
  assert.deepEqual(await data({ searchQuery: '2020-01-0', searchColumnIndices: [3] }), at([0, 1, 3, 4, 5, 6, 7]));
  assert.deepEqual(await data({ searchQuery: 'd', searchColumnIndices: [1, 0] }), at([6]));
  assert.deepEqual(await data({ searchQuery: 'null', searchColumnIndices: [1, 2, 3, 4] }), at([]));
  assert.deepEqual(await data({ searchQuery: 'ALICE', searchColumnIndices: [1] }), at([]), 'case-sensitive, like str.contains');
  // A query that is not a regex is taken literally when searchIsRegex is false.
  assert.deepEqual(await data({ searchQuery: '.', searchColumnIndices: [1] }), at([]));
  assert.deepEqual(await data({ searchQuery: '10.5', searchColumnIndices: [2], searchIsRegex: false }), at([6]));
});

test('search without letter case (searchCaseSensitive: false), as str.contains(case=False)', async () => {
  assert.deepEqual(await data({ searchQuery: 'ALICE', searchColumnIndices: [1], searchCaseSensitive: false }), at([0, 3, 7]));
  assert.deepEqual(await data({ searchQuery: 'ALICE', searchColumnIndices: [1], searchCaseSensitive: true }), at([]));
  assert.deepEqual(await data({ searchQuery: '^(A|D)', searchColumnIndices: [1], searchIsRegex: true, searchCaseSensitive: 'false' }), at([0, 3, 6, 7]));
  assert.deepEqual(await data({ searchQuery: 'TRUE', searchColumnIndices: [4] }), at([]));
  assert.deepEqual(await data({ searchQuery: 'TRUE', searchColumnIndices: [4], searchCaseSensitive: false }), at([0, 2, 5, 7]));
  // Beyond ASCII.
  const accents = await uploadOk(server.url, 'accents.csv', 'word\nÉcole\nécole\nECOLE\nStraße\n');
  const found = async (params: Record<string, unknown>) => {
    const res = await client.request('data', accents, { rowIndexFrom: 0, rowIndexTo: 9, columnIndexFrom: 0, columnIndexTo: 0, searchColumnIndices: [0], searchCaseSensitive: false, ...params });
    assert.equal(res.success, true, JSON.stringify(res));
    return JSON.parse(res.data).index;
  };
  assert.deepEqual(await found({ searchQuery: 'éCOLE' }), [0, 1]);
  assert.deepEqual(await found({ searchQuery: 'STRASSE' }), [], 'lower-casing, not Unicode case folding: ß is not ss');
  assert.deepEqual(await found({ searchQuery: 'É', searchIsRegex: true }), [0, 1]);
  // A regex is read as Python's: \w is Unicode's, (?P<name>…) a group; lookaround is refused by name.
  assert.deepEqual(await found({ searchQuery: '^\\w+$', searchIsRegex: true, searchCaseSensitive: true }), [0, 1, 2, 3]);
  assert.deepEqual(await found({ searchQuery: '(?P<s>ß)', searchIsRegex: true }), [3]);
  const look = await client.request('data', accents, { rowIndexFrom: 0, rowIndexTo: 9, columnIndexFrom: 0, columnIndexTo: 0, searchColumnIndices: [0], searchIsRegex: true, searchQuery: 'e(?=c)' });
  assert.equal(look.error, 'invalid regex');
  assert.match(look.errorDescription, /^searchQuery "e\(\?=c\)" uses a lookahead/);
});

test('search: regular expressions; missing never matches; a bad regex is an error', async () => {
  assert.deepEqual(await data({ searchQuery: '^(a|d)', searchColumnIndices: [1], searchIsRegex: true }), at([0, 3, 6, 7]));
  assert.deepEqual(await data({ searchQuery: '.*', searchColumnIndices: [1], searchIsRegex: true }), at([0, 1, 2, 3, 5, 6, 7]));
  assert.deepEqual(await data({ searchQuery: 'e$', searchColumnIndices: [1], searchIsRegex: 'true' }), at([0, 3, 6, 7]));
  assert.deepEqual(await data({ searchQuery: '^1\\d\\.', searchColumnIndices: [2], searchIsRegex: true }), at([0, 2, 3, 6, 7]));
  const res = await client.request('data', id, { ...ALL, searchQuery: '(', searchColumnIndices: [1], searchIsRegex: true });
  assert.equal(res.success, false);
  assert.equal(res.error, 'invalid regex');
  assert.match(res.errorDescription, /searchQuery/);
});

test('sort: ascending and descending, missing last, ties in original order', async () => {
  assert.deepEqual(await data({ sortColumnIndex: 2 }), at([5, 0, 6, 3, 7, 2, 4, 1]));
  assert.deepEqual(await data({ sortColumnIndex: 2, sortAscending: true }), at([5, 0, 6, 3, 7, 2, 4, 1]));
  assert.deepEqual(await data({ sortColumnIndex: 2, sortAscending: false }), at([4, 2, 3, 7, 6, 0, 5, 1]));
  assert.deepEqual(await data({ sortColumnIndex: 1 }), at([0, 3, 7, 1, 5, 2, 6, 4]));
  assert.deepEqual(await data({ sortColumnIndex: 3, sortAscending: 'false' }), at([7, 6, 5, 4, 3, 1, 0, 2]));
  // A page of the sorted view.
  assert.deepEqual(await data({ sortColumnIndex: 2, sortAscending: false, rowIndexFrom: 1, rowIndexTo: 2, columnIndexFrom: 2, columnIndexTo: 2 }), {
    columns: ['score'],
    index: [2, 3],
    data: [[12], [11]],
  });
});

test('filter, search and sort together', async () => {
  // Duplicated names, containing "a", sorted by score descending.
  assert.deepEqual(await data({ filterType: 'duplicates', filterColumnIndices: [1], searchQuery: 'a', searchColumnIndices: [1], sortColumnIndex: 2, sortAscending: false }), at([3, 7, 0]));
  assert.equal(await rowsOfView({ filterType: 'duplicates', filterColumnIndices: [1], searchQuery: 'a', searchColumnIndices: [1] }), 3);
  // Empty query or empty column list: no search at all.
  assert.equal(await rowsOfView({ searchQuery: '', searchColumnIndices: [1] }), 8);
  assert.equal(await rowsOfView({ searchQuery: 'zzz', searchColumnIndices: [] }), 8);
  // A view that is empty answers empty slices.
  assert.deepEqual(await data({ searchQuery: 'zzz', searchColumnIndices: [1] }), at([]));
});

test('view parameters are checked: out-of-range columns, bad filterType', async () => {
  for (const [params, pattern] of [
    [{ filterType: 'invalid', filterColumnIndices: [9] }, /filterColumnIndices 9 is out of range/],
    [{ searchQuery: 'a', searchColumnIndices: [5] }, /searchColumnIndices 5 is out of range/],
    [{ sortColumnIndex: 5 }, /sortColumnIndex 5 is out of range/],
    [{ filterType: 'weird', filterColumnIndices: [1] }, /filterType/],
    [{ outliersTrimPortion: 0.5, filterType: 'outliers', filterColumnIndices: [2] }, /outliersTrimPortion/],
  ] as const) {
    // metadata ignores sorting (it has no order to show).
    for (const op of 'sortColumnIndex' in params ? ['data'] : ['data', 'metadata']) {
      const res = await client.request(op, id, { ...ALL, ...params });
      assert.equal(res.success, false, `${op} ${JSON.stringify(params)}`);
      assert.match(res.errorDescription, pattern);
    }
  }
});

test('parameter errors in words: a missing one is named as missing, a wrong one says what was expected', async () => {
  const none = await client.request('data', id, {});
  assert.equal(none.error, 'invalid parameters');
  assert.match(none.errorDescription, /^rowIndexFrom: required parameter is missing; rowIndexTo: required parameter is missing; /);
  const wrong = await client.request('data', id, { ...ALL, rowIndexFrom: 1.5, rowIndexTo: [3], sortAscending: 'maybe' });
  assert.match(wrong.errorDescription, /rowIndexFrom: expected an integer/);
  assert.match(wrong.errorDescription, /rowIndexTo: expected a number or text, received a list/);
  assert.doesNotMatch(wrong.errorDescription, /Invalid input/);
  const nan = await upload(server.url, 'a.csv', 'a\n1\n', { sampleSize: 'abc' });
  assert.deepEqual([nan.status, nan.body.errorDescription], [400, 'sampleSize: not a number']);
});

test('NaN counts as missing: never an outlier, sorted last both ways', async () => {
  const nan = await uploadOk(server.url, 'nan.csv', 'a,b\n1,10\n2,11\n3,12\n4,10\n5,11\n6,12\n7,10\n');
  const made = await client.request('executeCommand', nan, { command: "SELECT a, CASE WHEN a = 2 THEN 'NaN'::DOUBLE ELSE b::DOUBLE END AS b FROM df" });
  assert.equal(made.success, true, JSON.stringify(made));
  const view = async (params: Record<string, unknown>) => {
    const res = await client.request('data', nan, { rowIndexFrom: 0, rowIndexTo: 10, columnIndexFrom: 0, columnIndexTo: 0, ...params });
    assert.equal(res.success, true, JSON.stringify(res));
    return JSON.parse(res.data).index;
  };
  assert.deepEqual(await view({ filterType: 'invalid', filterColumnIndices: [1] }), [1]);
  assert.deepEqual(await view({ filterType: 'outliers', filterColumnIndices: [1], outliersStdDev: 0.5 }), [0, 2, 3, 5, 6]);
  assert.deepEqual(await view({ sortColumnIndex: 1, sortAscending: false }), [2, 5, 4, 0, 3, 6, 1]);
  assert.deepEqual(await view({ sortColumnIndex: 1 }), [0, 3, 6, 4, 2, 5, 1]);
  assert.deepEqual(await view({ filterType: 'duplicates', filterColumnIndices: [1] }), [0, 3, 6, 2, 5]);
  // metadata counts the NaN as missing, over the whole column and over a view.
  const whole = await client.request('metadata', nan, {});
  assert.equal(whole.columnInfo.b.invalidValues, 1, JSON.stringify(whole));
  assert.equal(whole.columnInfo.a.invalidValues, 0);
  const searched = await client.request('metadata', nan, { searchQuery: '1', searchColumnIndices: [1] });
  assert.equal(searched.dataSize.rows, 6, JSON.stringify(searched));
  assert.equal(searched.columnInfo.b.invalidValues, 0, 'the NaN row holds no 1 in b');
  const invalid = await client.request('metadata', nan, { filterType: 'invalid', filterColumnIndices: [1] });
  assert.deepEqual([invalid.dataSize.rows, invalid.columnInfo.b.invalidValues, invalid.columnInfo.a.invalidValues], [1, 1, 0]);
});

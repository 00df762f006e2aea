import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, upload, uploadOk, serverWithClient, cpuTasks } from './helpers/server.ts';
import { connect } from './helpers/client.ts';
import { readTable } from './helpers/wire.ts';
import { csv, numbered, randomBytes, xlsx } from './helpers/fixtures.ts';

// POST /upload over real multipart requests: options, the response, and every refusal.

const { server, client } = await serverWithClient();

/** The server still imports a good file: every refusal test ends with this. */
async function stillServes(): Promise<void> {
  const id = await uploadOk(server.url, 'ok.csv', 'a\n1\n');
  const t = await readTable(client, id);
  assert.deepEqual(t.rows, [[1]]);
}

async function expectRefusal(res: { status: number; body: Record<string, any> }, status: number, error: RegExp, description: RegExp): Promise<void> {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.success, false);
  assert.match(res.body.error, error);
  assert.equal(typeof res.body.errorDescription, 'string');
  assert.match(res.body.errorDescription, description);
  await stillServes();
}

test('response: sessionID of 30 lowercase hex, shape and line counts', async () => {
  const res = await upload(server.url, 'a.csv', 'x,y\n1,2\n3,4\n');
  assert.equal(res.status, 200);
  assert.equal(res.body.success, true);
  assert.match(res.body.sessionID, /^[0-9a-f]{30}$/);
  assert.equal(res.body.rows, 2);
  assert.equal(res.body.columns, 2);
  assert.equal(res.body.skippedLines, 0);
  assert.equal(res.body.paddedLines, 0);
});

test('/upload/ with a trailing slash', async () => {
  const form = new FormData();
  form.append('file', new Blob(['a,b\n1,2\n']), 'slash.csv');
  const res = await fetch(`${server.url}/upload/`, { method: 'POST', body: form });
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, any>;
  assert.equal(body.success, true);
  assert.deepEqual((await readTable(client, body.sessionID)).rows, [[1, 2]]);
});

test('ragged CSV: short lines padded, long lines skipped, both counted', async () => {
  const res = await upload(server.url, 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n13\n14,15,16,17,18\n"x,y",2,3\n');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.skippedLines, 2);
  assert.equal(res.body.paddedLines, 2);
  assert.equal(res.body.rows, 5);
  // Which lines, so that a person can find them in the file.
  assert.deepEqual(res.body.skippedLineExamples, [
    { line: 4, text: '6,7,8,9' },
    { line: 7, text: '14,15,16,17,18' },
  ]);
  assert.deepEqual(res.body.paddedLineExamples, [
    { line: 3, text: '4,5' },
    { line: 6, text: '13' },
  ]);
  const t = await readTable(client, res.body.sessionID);
  assert.deepEqual(t.columns, ['a', 'b', 'c']);
  assert.deepEqual(t.types, ['string', 'int', 'int']);
  assert.deepEqual(t.rows, [
    ['1', 2, 3],
    ['4', 5, null],
    ['10', 11, 12],
    ['13', null, null],
    ['x,y', 2, 3],
  ]);
});

test('skipped lines are named as an editor numbers them: after a value spanning lines, the first five, a long one cut', async () => {
  const long = `9,${'x'.repeat(500)},1,2`;
  // More lines fit than are skipped: a file mostly skipped is refused (upload-errors.test.ts).
  const fitting = Array.from({ length: 6 }, (_, k) => `${10 + k},8,9`);
  const lines = ['a,b,c', '1,"two\nlines",3', 'Ann,1,000,x', '4,5,6', long, ...Array.from({ length: 6 }, (_, k) => `${k},1,2,3`), '7,8,9', ...fitting];
  const res = await upload(server.url, 'skips.csv', lines.join('\n') + '\n');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.skippedLines, 8);
  assert.equal(res.body.paddedLines, 0);
  assert.equal(res.body.paddedLineExamples, undefined);
  // The quoted value's line break makes the file's line 4 DuckDB's record 3.
  assert.deepEqual(res.body.skippedLineExamples, [
    { line: 4, text: 'Ann,1,000,x' },
    { line: 6, text: long.slice(0, 200) },
    { line: 7, text: '0,1,2,3' },
    { line: 8, text: '1,1,2,3' },
    { line: 9, text: '2,1,2,3' },
  ]);
  assert.deepEqual((await readTable(client, res.body.sessionID)).rows, [
    [1, 'two\nlines', 3],
    [4, '5', 6],
    [7, '8', 9],
    ...fitting.map((l) => [Number(l.split(',')[0]), '8', 9]),
  ]);
});

test('a regular file pads nothing: a trailing empty field is a value, not a short line', async () => {
  const res = await upload(server.url, 'trailing.csv', 'a,b,c\n1,2,\n3,,\n');
  assert.equal(res.body.paddedLines, 0);
  assert.equal(res.body.skippedLines, 0);
  assert.equal(res.body.skippedLineExamples, undefined);
  assert.deepEqual((await readTable(client, res.body.sessionID)).rows, [
    [1, 2, null],
    [3, null, null],
  ]);
});

test('headerIncluded=false names the columns 0, 1, 2 and keeps the first row as data', async () => {
  for (const value of ['false', 'False', '0']) {
    const id = await uploadOk(server.url, 'nohead.csv', 'a,b,c\n1,2,3\n', { headerIncluded: value });
    const t = await readTable(client, id);
    assert.deepEqual(t.columns, ['0', '1', '2']);
    assert.deepEqual(t.rows, [
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  }
  const id = await uploadOk(server.url, 'head.csv', 'a,b,c\n1,2,3\n', { headerIncluded: 'true' });
  assert.deepEqual((await readTable(client, id)).columns, ['a', 'b', 'c']);
});

test('initialSkip skips lines before the header (CSV) and rows (Excel)', async () => {
  const id = await uploadOk(server.url, 'skip.csv', 'exported by tool X\nsecond junk line\na,b\n1,2\n3,4\n', { initialSkip: '2' });
  const t = await readTable(client, id);
  assert.deepEqual(t.columns, ['a', 'b']);
  assert.deepEqual(t.rows, [
    [1, 2],
    [3, 4],
  ]);
  // Blank lines before the header are skipped, as pandas does (also after initialSkip).
  for (const [content, fields] of [
    ['\n\na,b\n1,2\n3,4\n', {}],
    ['junk\r\n\r\n  \r\na,b\r\n1,2\r\n3,4\r\n', { initialSkip: '1' }],
  ] as const) {
    const blank = await readTable(client, await uploadOk(server.url, 'blank-lines.csv', content, fields));
    assert.deepEqual(blank.columns, ['a', 'b']);
    assert.deepEqual(blank.rows, [
      [1, 2],
      [3, 4],
    ]);
  }
  const noHeader = await uploadOk(server.url, 'skip.csv', 'junk\n1,2\n3,4\n', { initialSkip: '1', headerIncluded: 'false' });
  assert.deepEqual((await readTable(client, noHeader)).rows, [
    [1, 2],
    [3, 4],
  ]);
  const excel = await uploadOk(server.url, 'skip.xlsx', xlsx([['title'], [], ['a', 'b'], [1, 'x']]), { initialSkip: '2' });
  const e = await readTable(client, excel);
  assert.deepEqual(e.columns, ['a', 'b']);
  assert.deepEqual(e.rows, [[1, 'x']]);
});

test('duplicate column names are made unique like pandas', async () => {
  const id = await uploadOk(server.url, 'dup.csv', 'a,a,b,a,a.1\n1,2,3,4,5\n');
  assert.deepEqual((await readTable(client, id)).columns, ['a', 'a.2', 'b', 'a.3', 'a.1']);
  const blank = await uploadOk(server.url, 'blank.csv', 'x,,y\n1,2,3\n');
  assert.deepEqual((await readTable(client, blank)).columns, ['x', 'Unnamed: 1', 'y']);
});

test('type inference: int, float, bool, datetime, string; ints with missing values stay int; empty is missing everywhere; all empty is float', async () => {
  const content = csv([
    ['i', 'f', 'b', 'd', 's', 'im', 'mixed', 'allEmpty'],
    [1, 1.5, 'true', '2020-01-02', 'x', 1, 1, ''],
    [2, '', 'False', '', 'y', '', 'two', ''],
    ['', 3, '', '2021-03-04 05:06:07', '', 3, 3.5, ''],
    [-4, '-2.5e3', 'TRUE', '2021-12-31T23:59:00', 'NA', -7, '', ''],
  ]);
  const id = await uploadOk(server.url, 'types.csv', content);
  const t = await readTable(client, id);
  // allEmpty: pandas reads a column without values as float64 of NaN.
  assert.deepEqual(t.types, ['int', 'float', 'bool', 'datetime', 'string', 'int', 'string', 'float']);
  assert.deepEqual(t.invalid, [1, 1, 1, 1, 2, 1, 1, 4]);
  assert.deepEqual(t.rows, [
    [1, 1.5, true, '2020-01-02T00:00:00.000', 'x', 1, '1', null],
    [2, null, false, null, 'y', null, 'two', null],
    [null, 3, null, '2021-03-04T05:06:07.000', null, 3, '3.5', null],
    [-4, -2500, true, '2021-12-31T23:59:00.000', null, -7, null, null],
  ]);
});

test('header only: a dataset with columns and no rows', async () => {
  const res = await upload(server.url, 'head-only.csv', 'a,b\n');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.rows, 0);
  const t = await readTable(client, res.body.sessionID);
  assert.deepEqual(t.columns, ['a', 'b']);
  assert.deepEqual(t.rows, []);
});

test('sampleSize: proportion, percentage, seed reproducible, original order kept', async () => {
  const file = numbered(200);
  const sample = async (fields: Record<string, string>) => {
    const id = await uploadOk(server.url, 'n.csv', file, fields);
    return (await readTable(client, id)).rows.map((r) => r[0] as number);
  };
  const a = await sample({ sampleSize: '0.25', seed: '7' });
  assert.equal(a.length, 50);
  assert.equal(new Set(a).size, 50);
  assert.deepEqual(a, [...a].sort((x, y) => x - y), 'sampled rows keep their original order');
  assert.ok(a.every((n) => n >= 0 && n < 200));
  assert.notDeepEqual(a, Array.from({ length: 50 }, (_, i) => i), 'not simply the first rows');
  assert.deepEqual(await sample({ sampleSize: '0.25', seed: '7' }), a, 'same seed, same rows');
  assert.deepEqual(await sample({ sampleSize: '25', seed: '7' }), a, '25 is a percentage: the same as 0.25');
  const b = await sample({ sampleSize: '0.25', seed: '8' });
  assert.equal(b.length, 50);
  assert.notDeepEqual(b, a, 'another seed, other rows');
  // The sampled rows are whole rows: the other columns came along.
  const id = await uploadOk(server.url, 'n.csv', file, { sampleSize: '0.1', seed: '3' });
  const t = await readTable(client, id);
  assert.equal(t.rows.length, 20);
  for (const [n, sq, tag] of t.rows as [number, number, string][]) {
    assert.equal(sq, n * n);
    assert.equal(tag, `t${n % 7}`);
  }
  for (const everything of ['1', '100', '1.0']) assert.equal((await sample({ sampleSize: everything })).length, 200);
  // No seed, an empty seed or "null": random samples of the right size.
  const r1 = await sample({ sampleSize: '0.25', seed: '' });
  const r2 = await sample({ sampleSize: '0.25', seed: 'null' });
  const r3 = await sample({ sampleSize: '0.25' });
  for (const r of [r1, r2, r3]) assert.equal(r.length, 50);
  assert.ok(!(JSON.stringify(r1) === JSON.stringify(r2) && JSON.stringify(r2) === JSON.stringify(r3)), 'random samples differ');
});

test('sampleSize applies to Excel and JSON too', async () => {
  const rows = [['n'], ...Array.from({ length: 40 }, (_, i) => [i])];
  const ex = await uploadOk(server.url, 's.xlsx', xlsx(rows), { sampleSize: '0.5', seed: '1' });
  assert.equal((await readTable(client, ex)).rows.length, 20);
  const js = await uploadOk(server.url, 's.json', JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ n: i }))), { sampleSize: '50', seed: '1' });
  assert.equal((await readTable(client, js)).rows.length, 20);
});

test('refused: empty file', async () => {
  await expectRefusal(await upload(server.url, 'empty.csv', ''), 400, /empty/, /empty/);
  await expectRefusal(await upload(server.url, 'empty.xlsx', ''), 400, /empty/, /empty/);
  await expectRefusal(await upload(server.url, 'blank.csv', '\n\n'), 400, /empty/, /no lines|empty/);
});

test('refused: unknown extension', async () => {
  await expectRefusal(await upload(server.url, 'report.pdf', 'a,b\n1,2\n'), 400, /unsupported file type/, /report\.pdf.*\.csv/);
  await expectRefusal(await upload(server.url, 'noextension', 'a,b\n1,2\n'), 400, /unsupported file type/, /\.csv/);
  // Refused as soon as the file part starts: a large body is not stored first.
  await expectRefusal(await upload(server.url, 'big.pdf', Buffer.alloc(3_000_000, 65)), 400, /unsupported file type/, /big\.pdf/);
  assert.deepEqual(await fs.readdir(path.join(server.dataDir, 'incoming')), []);
});

test('a refused large upload leaves the connection usable for the next requests', async () => {
  const post = async (filename: string, size: number) => {
    const form = new FormData();
    form.append('file', new Blob(['n\n' + '1\n'.repeat(size / 2)]), filename);
    const res = await fetch(`${server.url}/upload`, { method: 'POST', body: form, signal: AbortSignal.timeout(20_000) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  for (let k = 0; k < 3; k++) {
    assert.equal((await post('big.pdf', 3_000_000)).status, 400);
    assert.equal((await post('big.csv', 3_000_000)).status, 200);
  }
  await stillServes();
});

test('refused: broken Excel (random bytes named .xlsx / .xls)', async () => {
  await expectRefusal(await upload(server.url, 'broken.xlsx', randomBytes(4096)), 400, /unreadable Excel file/, /workbook|Excel/);
  await expectRefusal(await upload(server.url, 'broken.xls', randomBytes(4096, 'xls')), 400, /unreadable Excel file/, /workbook|Excel/);
  await expectRefusal(await upload(server.url, 'text.xlsx', 'a,b\n1,2\n'), 400, /unreadable Excel file/, /workbook|Excel/);
});

test('refused: invalid JSON', async () => {
  await expectRefusal(await upload(server.url, 'bad.json', '[{"a": 1}, {"a": '), 400, /invalid JSON/, /JSON/);
  await expectRefusal(await upload(server.url, 'bad.json', 'not json at all'), 400, /invalid JSON/, /JSON/);
  await expectRefusal(await upload(server.url, 'scalar.json', '42'), 400, /invalid JSON/, /records|array|object/);
  // What was found is named in JSON's terms, not DuckDB's (UBIGINT, VARCHAR).
  await expectRefusal(await upload(server.url, 'numbers.json', '[1, 2.5, 3]'), 400, /invalid JSON/, /found number values$/);
  await expectRefusal(await upload(server.url, 'mixed.json', '["a", {"b": 1}]'), 400, /invalid JSON/, /found (string, object|object, string) values$/);
  // The root's type is told by its first character (whitespace before it allowed).
  const found = async (body: string) => /found (.*) values$/.exec((await upload(server.url, 'kinds.json', body)).body.errorDescription)?.[1].split(', ').sort();
  assert.deepEqual(await found('[true, false, null, -1e3, "x", {"a": 1}, [1]]'), ['array', 'boolean', 'null', 'number', 'object', 'string']);
  assert.deepEqual(await found('[ \n\t{"a": 1},\n  \r\n -0.5 ]'), ['number', 'object']);
});

test('refused: JSON that is not complete, in every shape the import reads, with where it went wrong; nothing is imported', async () => {
  const sessions = async () => (await fs.readdir(path.join(server.dataDir, 'sessions')).catch(() => [])).length;
  const before = await sessions();
  const cases: [string, RegExp][] = [
    // Cut off after a comma: DuckDB's reader took these as the records before it (2 rows, 1 row).
    ['[{"a":1},{"a":2},', /line 1, column 18 \(byte 17\): the file ends after a "," inside the array .*cut off/],
    ['[{"a":1},', /line 1, column 10 \(byte 9\): the file ends after a ","/],
    ['[{"a":1},\n{"a":2},\n', /line 3, column 1 \(byte 19\): the file ends after a ","/],
    ['[{"a":1},{"a":2', /the file ends inside the object/],
    // Trailing commas, within records and values (accepted by DuckDB's reader too).
    ['[{"a":1},{"a":2},]', /\(byte 17\): "\]" where a value must come \(a trailing comma in an array\)/],
    ['[{"a":1,"b":2,}]', /"}" where a key .*trailing comma in an object/],
    ['[{"a":[1,2,]}]', /trailing comma in an array/],
    ['[[1,2,],[3,4]]', /trailing comma in an array/],
    // After the value, anything but whitespace.
    ['[{"a":1}] [{"a":2}]', /"\[" after the end of the JSON value/],
    ['[{"a":1}]]', /"\]" after the end of the JSON value/],
    // split and columns orientations.
    ['{"columns":["a"],"data":[[1],[2],]}', /trailing comma in an array/],
    ['{"columns":["a"],"data":[[1],[2]]', /the file ends inside the object opened at byte 0/],
    ['{"a":{"0":1,"1":2},}', /trailing comma in an object/],
    ['{"a":{"0":1,"1":2}} x', /"x" after the end of the JSON value/],
    // JSON Lines: a last line cut off, a trailing comma, two values on one line.
    ['{"a":1}\n{"a":2}\n{"a":', /line 3, column 6 .*the file ends after a ":" inside the object opened at byte 16/],
    ['{"a":1}\n{"a":2,}\n', /line 2, .*trailing comma in an object/],
    ['{"a":1}\n{"a":2},\n', /line 2, column 8 .*"," after|line 2, column 8 .*where a value/],
    ['{"a":1}{"a":2}\n', /after the end of the JSON value .* on the same line/],
    // DuckDB's spellings of not-a-number and infinity, which JSON (and Python) do not have.
    ['[{"a":nan}]', /what should be null/],
    ['[{"a":-inf}]', /after a minus sign/],
  ];
  for (const [body, description] of cases) {
    const res = await upload(server.url, 'cut.json', body);
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error, 'invalid JSON', JSON.stringify(body));
    assert.match(res.body.errorDescription, /^the file is not valid JSON: at line \d+, column \d+ \(byte \d+\): /, JSON.stringify(body));
    assert.match(res.body.errorDescription, description, JSON.stringify(body));
  }
  assert.equal(await sessions(), before, 'no session was made');
  // The same data, complete, imports; so do NaN and Infinity as Python's json writes them.
  const whole = await readTable(client, await uploadOk(server.url, 'whole.json', '[{"a":1},{"a":2}]'));
  assert.deepEqual(whole.rows, [[1], [2]]);
  const python = await readTable(client, await uploadOk(server.url, 'nan.json', '[{"a": 1.5, "b": NaN}, {"a": Infinity, "b": 2.0}]'));
  assert.equal(python.rows.length, 2);
  await stillServes();
});

test('JSON: a key given twice keeps its last value (pandas, Python json), in records, JSON Lines and the columns orientation', async () => {
  const records = await readTable(client, await uploadOk(server.url, 'dup.json', '[{"a":1,"a":2}]'));
  assert.deepEqual(records.columns, ['a']);
  assert.deepEqual(records.rows, [[2]]);
  // Its column stays where the key first came; other records are read as usual.
  const mixed = await readTable(client, await uploadOk(server.url, 'dup.json', '[{"a":1,"b":"x","a":2},{"b":"y","a":3},{"a":4,"b":"z"}]'));
  assert.deepEqual(mixed.columns, ['a', 'b']);
  assert.deepEqual(mixed.rows, [
    [2, 'x'],
    [3, 'y'],
    [4, 'z'],
  ]);
  const lines = await readTable(client, await uploadOk(server.url, 'dup.json', '{"a":1,"b":5,"a":2}\n{"a":3,"b":6}\n'));
  assert.deepEqual(lines.rows, [
    [2, 5],
    [3, 6],
  ]);
  // columns orientation: a row label twice in a column, a column twice (the last wins whole).
  const columns = await readTable(client, await uploadOk(server.url, 'dup.json', '{"a":{"0":1,"1":2,"0":3},"b":{"0":"x","1":"y"},"a":{"0":7,"1":8}}'));
  assert.deepEqual(columns.columns, ['a', 'b']);
  assert.deepEqual(columns.rows, [
    [7, 'x'],
    [8, 'y'],
  ]);
  const labels = await readTable(client, await uploadOk(server.url, 'dup.json', '{"a":{"0":1,"1":2,"0":3}}'));
  assert.deepEqual(labels.rows, [[3], [2]]);
});

test('refused: bad sampleSize', async () => {
  for (const bad of ['0', '-1', '101', 'abc', '0.0']) {
    await expectRefusal(await upload(server.url, 'a.csv', 'a\n1\n', { sampleSize: bad }), 400, /invalid parameters/, /sampleSize/);
  }
});

test('refused: bad initialSkip', async () => {
  for (const bad of ['-1', 'abc', '1.5']) {
    await expectRefusal(await upload(server.url, 'a.csv', 'a\n1\n', { initialSkip: bad }), 400, /invalid parameters/, /initialSkip/);
  }
  // A whole number too large to count lines with says so, rather than that it is not whole.
  await expectRefusal(await upload(server.url, 'a.csv', 'a\n1\n', { initialSkip: '99999999999999999999' }), 400, /invalid parameters/, /initialSkip must be a whole number of lines, at most 9007199254740991/);
  // Skipping every line leaves nothing to read.
  await expectRefusal(await upload(server.url, 'a.csv', 'a\n1\n', { initialSkip: '5' }), 400, /empty/, /initialSkip/);
});

test('refused: bad seed and headerIncluded', async () => {
  await expectRefusal(await upload(server.url, 'a.csv', 'a\n1\n', { seed: 'x1' }), 400, /invalid parameters/, /seed/);
  await expectRefusal(await upload(server.url, 'a.csv', 'a\n1\n', { headerIncluded: 'maybe' }), 400, /invalid parameters/, /headerIncluded/);
});

test('refused: missing file field, or a request that is not multipart', async () => {
  const form = new FormData();
  form.append('sampleSize', '1');
  form.append('notTheFile', new Blob(['a\n1\n']), 'a.csv');
  const res = await fetch(`${server.url}/upload`, { method: 'POST', body: form });
  await expectRefusal({ status: res.status, body: (await res.json()) as Record<string, any> }, 400, /no file/, /"file"/);
  const json = await fetch(`${server.url}/upload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  await expectRefusal({ status: json.status, body: (await json.json()) as Record<string, any> }, 400, /not multipart/, /multipart/);
});

test('no upload leaves files behind in DATA_DIR/incoming', async () => {
  await upload(server.url, 'broken.xlsx', randomBytes(100));
  await uploadOk(server.url, 'fine.csv', 'a\n1\n');
  assert.deepEqual(await fs.readdir(path.join(server.dataDir, 'incoming')), []);
});

test('a failed import leaves no half-made session behind', async () => {
  const sessions = async () => (await fs.readdir(server.dataDir, { recursive: true })).filter((f) => /state\.json$/.test(String(f))).length;
  const before = await sessions();
  await upload(server.url, 'broken.xlsx', randomBytes(100));
  await upload(server.url, 'bad.json', '{');
  assert.equal(await sessions(), before);
});

test('oversize upload: 413 while streaming, partial file removed, server keeps serving', async () => {
  const small = await startServer({ MAX_UPLOAD_BYTES: 1000 });
  try {
    const big = 'a,b\n' + '1,2\n'.repeat(2000); // 8 KB
    const res = await upload(small.url, 'big.csv', big);
    assert.equal(res.status, 413, JSON.stringify(res.body));
    assert.equal(res.body.success, false);
    assert.equal(res.body.error, 'file too large');
    assert.match(res.body.errorDescription, /1000 bytes/);
    assert.deepEqual(await fs.readdir(path.join(small.dataDir, 'incoming')), []);
    // Just under the limit is fine, and the server goes on serving.
    const id = await uploadOk(small.url, 'ok.csv', 'a,b\n' + '1,2\n'.repeat(200));
    const c = await connect(small.url);
    try {
      assert.equal((await readTable(c, id)).rows.length, 200);
    } finally {
      c.close();
    }
    // Far over the limit: refused while the client is still sending.
    const huge = await upload(small.url, 'huge.csv', 'n\n' + '1\n'.repeat(2_500_000));
    assert.equal(huge.status, 413);
    assert.deepEqual(await fs.readdir(path.join(small.dataDir, 'incoming')), []);
    const again = await upload(small.url, 'big.xlsx', Buffer.alloc(5000, 1));
    assert.equal(again.status, 413);
    assert.deepEqual(await fs.readdir(path.join(small.dataDir, 'incoming')), []);
  } finally {
    await small.close();
  }
});

test('UTF-8 files are read in place; Excel and other encodings go through the CPU threads', async () => {
  await cpuTasks(server, async (tasks) => {
    await uploadOk(server.url, 'u.csv', 'name\ncafé\nMüller\n£5\n' + 'x\n'.repeat(50_000));
    assert.deepEqual(tasks, [], 'a UTF-8 file is not transcoded');
    await uploadOk(server.url, 'l.csv', Buffer.from('name\ncaf\xe9\n', 'latin1'));
    assert.deepEqual(tasks, ['transcode']);
    await uploadOk(server.url, 'e.xlsx', xlsx([['a'], [1]]));
    assert.deepEqual(tasks, ['transcode', 'excelToCsv']);
    // A UTF-8 JSON file is not transcoded; its strict syntax check runs on a CPU thread.
    await uploadOk(server.url, 'j.json', '[{"a": "café"}]');
    assert.deepEqual(tasks, ['transcode', 'excelToCsv', 'checkJson']);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upload, uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { csv, jsonColumns, jsonRecords, jsonSplit, latin1, latin1WithAsciiHead, tsv, utf16le, utf8Bom, windows1252, xls, xlsx } from './helpers/fixtures.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import { detectEncoding, sampleOffsets } from '../src/engine/import/encoding.ts';

// Every file format and text encoding the import understands, uploaded over HTTP and read
// back over Socket.IO with exact values and types.

const { server, client } = await serverWithClient();

const load = async (filename: string, content: string | Buffer, fields: Record<string, string> = {}) => readTable(client, await uploadOk(server.url, filename, content, fields));

const WESTERN = 'name,city,price\nRené,Zürich,£5\nMüller,Besançon,€3\nSøren,Kraków,¥7\n';
const WESTERN_ROWS = [
  ['René', 'Zürich', '£5'],
  ['Müller', 'Besançon', '€3'],
  ['Søren', 'Kraków', '¥7'],
];

test('UTF-8 with and without BOM', async () => {
  for (const content of [Buffer.from(WESTERN, 'utf8'), utf8Bom(WESTERN)]) {
    const t = await load('u.csv', content);
    assert.deepEqual(t.columns, ['name', 'city', 'price'], 'no BOM left in the first name');
    assert.deepEqual(t.rows, WESTERN_ROWS);
  }
});

test('Windows-1252 and Latin-1: é, ü, £ (and € in 1252) come out right', async () => {
  const cp = await load('w.csv', windows1252('name,city,price\nRené,Zürich,£5\nMüller,Besançon,€3\n'));
  assert.deepEqual(cp.rows, WESTERN_ROWS.slice(0, 2));
  const l1 = await load('l.csv', latin1('name,note\ncafé,£5\nGrüße,ß½\nÅse,ÿ\n'));
  assert.deepEqual(l1.columns, ['name', 'note']);
  assert.deepEqual(l1.rows, [
    ['café', '£5'],
    ['Grüße', 'ß½'],
    ['Åse', 'ÿ'],
  ]);
  // A single accented letter in a tiny file.
  assert.deepEqual((await load('tiny.csv', latin1('a\ncafé\n'))).rows, [['café']]);
  // Latin-1 in the header.
  assert.deepEqual((await load('h.csv', latin1('prénom,âge\nZoé,7\n'))).columns, ['prénom', 'âge']);
});

test('Latin-1 whose first 64 KB are pure ASCII', async () => {
  const { content, asciiRows, tail } = latin1WithAsciiHead();
  const t = await load('late.csv', content);
  assert.equal(t.rows.length, asciiRows + 2);
  assert.deepEqual(t.rows.slice(-2), tail.map(([id, name, price]) => [Number(id), name, price]));
  assert.deepEqual(t.rows[0], [0, 'plain0', '0']);
});

test('Latin-1 bytes that no detection sample covers: DuckDB finds them and the file is transcoded', async () => {
  const lines = ['id,name'];
  for (let i = 0, size = 0; size < 1_200_000; i++) {
    lines.push(`${i},plain${String(i).padStart(7, '0')}`);
    size += lines[lines.length - 1].length + 1;
  }
  const text = lines.join('\n') + '\n';
  const buf = Buffer.from(text, 'latin1');
  // Put "café" where none of the samples looks: between the second and third.
  const offsets = sampleOffsets(buf.length);
  assert.ok(offsets.length > 2);
  const gap = Math.round((offsets[1] + 64 * 1024 + offsets[2]) / 2);
  const lineStart = buf.indexOf('\n', gap) + 1;
  const nameAt = buf.indexOf(',', lineStart) + 1;
  const id = Number(buf.subarray(lineStart, nameAt - 1).toString());
  buf.write('caf\xe9', nameAt, 'latin1');
  const expected = 'café' + buf.subarray(nameAt + 4, buf.indexOf('\n', nameAt)).toString('latin1');
  // Detection alone takes it for UTF-8: only the read itself can find the bad bytes.
  const probe = path.join(server.dataDir, 'probe.csv');
  await fs.writeFile(probe, buf);
  assert.equal(await detectEncoding(probe), 'utf-8');
  await fs.rm(probe);
  const res = await upload(server.url, 'hidden.csv', buf);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.rows, lines.length - 1);
  assert.equal(res.body.skippedLines, 0, 'no line was dropped as undecodable');
  const slice = await client.request('data', res.body.sessionID, { rowIndexFrom: id - 1, rowIndexTo: id + 1, columnIndexFrom: 0, columnIndexTo: 1 });
  assert.deepEqual(JSON.parse(slice.data).data, [
    [id - 1, `plain${String(id - 1).padStart(7, '0')}`],
    [id, expected],
    [id + 1, `plain${String(id + 1).padStart(7, '0')}`],
  ]);
});

test('JSON in Latin-1, also where detection does not look', async () => {
  assert.deepEqual((await load('l.json', latin1('[{"name": "café", "p": "£5"}]'))).rows, [['café', '£5']]);
  const records = Array.from({ length: 40_000 }, (_, i) => ({ i, s: `plain${String(i).padStart(6, '0')}` }));
  const buf = latin1(JSON.stringify(records));
  // Put "Müller" where none of the detection samples looks: between the second and third.
  const offsets = sampleOffsets(buf.length);
  const gap = Math.round((offsets[1] + 64 * 1024 + offsets[2]) / 2);
  const at = buf.indexOf('plain', gap);
  const row = Number(/"i":(\d+),"s":"$/.exec(buf.subarray(at - 30, at).toString('latin1'))![1]);
  buf.write('M\xfcller', at, 'latin1');
  const probe = path.join(server.dataDir, 'probe.json');
  await fs.writeFile(probe, buf);
  const detected = await detectEncoding(probe);
  await fs.rm(probe);
  const id = await uploadOk(server.url, 'late.json', buf);
  const res = await client.request('data', id, { rowIndexFrom: row - 1, rowIndexTo: row + 1, columnIndexFrom: 0, columnIndexTo: 1 });
  const label = (n: number) => `plain${String(n).padStart(6, '0')}`;
  assert.deepEqual(JSON.parse(res.data).data, [
    [row - 1, label(row - 1)],
    [row, 'Müller' + label(row).slice(6)],
    [row + 1, label(row + 1)],
  ]);
  assert.equal(detected, 'utf-8', 'the fallback path was the one exercised');
});

test('a large UTF-8 file of multi-byte characters is recognised whatever the sample edges cut', async () => {
  const lines = ['text'];
  for (let i = 0; i < 40_000; i++) lines.push(`é😀ü€${i}日本`);
  const buf = Buffer.from(lines.join('\n') + '\n', 'utf8');
  assert.ok(buf.length > 8 * 64 * 1024);
  const probe = path.join(server.dataDir, 'probe-utf8.csv');
  for (const shift of [0, 1, 2, 3]) {
    // Shift the content so that the samples start and end inside characters differently.
    await fs.writeFile(probe, Buffer.concat([Buffer.from('x'.repeat(shift)), buf]));
    assert.equal(await detectEncoding(probe), 'utf-8', `shift ${shift}`);
  }
  await fs.rm(probe);
  const t = await load('mb.csv', buf);
  assert.equal(t.rows.length, 40_000);
  assert.deepEqual(t.rows[39_999], ['é😀ü€39999日本']);
});

test('a file marked UTF-8 (BOM) with a stray invalid byte: read as UTF-8, the byte replaced', async () => {
  const buf = Buffer.concat([utf8Bom('name,city\nRené,Zürich\n'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2c, 0x78, 0x0a])]);
  const t = await load('stray.csv', buf);
  assert.deepEqual(t.columns, ['name', 'city']);
  assert.deepEqual(t.rows, [
    ['René', 'Zürich'],
    ['bad\ufffd', 'x'],
  ]);
});

test('UTF-16 LE with BOM (and without)', async () => {
  const t = await load('w16.csv', utf16le(WESTERN));
  assert.deepEqual(t.columns, ['name', 'city', 'price']);
  assert.deepEqual(t.rows, WESTERN_ROWS);
  const noBom = await load('w16.csv', utf16le('a,b\n1,Zoé\n2,x\n', false));
  assert.deepEqual(noBom.columns, ['a', 'b']);
  assert.deepEqual(noBom.rows, [
    [1, 'Zoé'],
    [2, 'x'],
  ]);
});

test('TSV, and .txt with other delimiters', async () => {
  const rows = [
    ['a', 'b c', 'd'],
    [1, 'x, y', 2.5],
    [2, '', 3],
  ];
  const expected = [
    [1, 'x, y', 2.5],
    [2, null, 3],
  ];
  const t = await load('t.tsv', tsv(rows));
  assert.deepEqual(t.columns, ['a', 'b c', 'd']);
  assert.deepEqual(t.rows, expected);
  assert.deepEqual((await load('t.txt', tsv(rows))).rows, expected);
  assert.deepEqual((await load('s.txt', 'a;b\n1;x\n2;y\n')).rows, [
    [1, 'x'],
    [2, 'y'],
  ]);
  assert.deepEqual((await load('p.csv', 'a|b\n1|x\n2|y\n')).rows, [
    [1, 'x'],
    [2, 'y'],
  ]);
});

test('CSV quoting: delimiters, quotes and newlines inside fields; CRLF lines', async () => {
  const t = await load('q.csv', 'id,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n');
  assert.deepEqual(t.rows, [
    [1, 'a, b'],
    [2, 'say "hi"'],
    [3, 'two\r\nlines'],
  ]);
});

test('the strings pandas reads as missing are missing', async () => {
  const t = await load('na.csv', 'a,b\nNA,1\nN/A,2\nnull,3\nNaN,4\n,5\nx,\n');
  assert.deepEqual(t.types, ['string', 'int']);
  assert.deepEqual(
    t.rows.map((r) => r[0]),
    [null, null, null, null, null, 'x'],
  );
  assert.deepEqual(t.invalid, [5, 1]);
});

test('NaN spelt otherwise than pandas\' missing tokens keeps a number column text, as pandas reads it', async () => {
  const t = await load('nan.csv', 'a,b,c\n1.5,1,2.5\nNAN,2,3.5\n-Nan,3,\n');
  assert.deepEqual(t.types, ['string', 'int', 'float']);
  assert.deepEqual(
    t.rows.map((r) => r[0]),
    ['1.5', 'NAN', '-Nan'],
  );
  assert.deepEqual(
    t.rows.map((r) => r[2]),
    [2.5, 3.5, null],
  );
});

test('booleans in any letter case are booleans; t/f, yes/no and 1/0 are not', async () => {
  const t = await load('bool.csv', 'a,b,c\ntrue,t,1\nFALSE,f,0\ntRuE,yes,1\n,no,\nFalse,t,0\n');
  assert.deepEqual(t.types, ['bool', 'string', 'int']);
  assert.deepEqual(
    t.rows.map((r) => r[0]),
    [true, false, true, null, false],
  );
});

test('JSON records: union of keys in order of appearance, missing keys null, nested values as text', async () => {
  const t = await load(
    'r.json',
    jsonRecords([
      { id: 1, name: 'a', score: 1.5, ok: true, when: '2020-01-02T03:04:05' },
      { id: 2, score: null, name: 'b', extra: { deep: [1, 2] }, ok: false },
      { name: 'c', id: 3, score: 2, when: '2021-06-07T00:00:00', extra: [1, 'x'] },
    ]),
  );
  assert.deepEqual(t.columns, ['id', 'name', 'score', 'ok', 'when', 'extra']);
  assert.deepEqual(t.types, ['int', 'string', 'float', 'bool', 'datetime', 'string']);
  assert.deepEqual(t.rows, [
    [1, 'a', 1.5, true, '2020-01-02T03:04:05.000', null],
    [2, 'b', null, false, null, '{"deep":[1,2]}'],
    [3, 'c', 2, null, '2021-06-07T00:00:00.000', '[1,"x"]'],
  ]);
});

test('JSON split orientation', async () => {
  const t = await load(
    's.json',
    jsonSplit(
      ['a', 'b', 'a'],
      [
        [1, 'x', 10],
        [2, null, 20],
        [null, 'z', 30],
      ],
    ),
  );
  assert.deepEqual(t.columns, ['a', 'b', 'a.1']);
  assert.deepEqual(t.types, ['int', 'string', 'int']);
  assert.deepEqual(t.rows, [
    [1, 'x', 10],
    [2, null, 20],
    [null, 'z', 30],
  ]);
});

test('JSON columns orientation (pandas default), and columns of arrays', async () => {
  const t = await load(
    'c.json',
    jsonColumns(
      ['n', 'label', 'f'],
      [
        [1, 'one', 0.5],
        [2, null, 1.5],
        [3, 'three', null],
      ],
    ),
  );
  assert.deepEqual(t.columns, ['n', 'label', 'f']);
  assert.deepEqual(t.types, ['int', 'string', 'float']);
  assert.deepEqual(t.rows, [
    [1, 'one', 0.5],
    [2, null, 1.5],
    [3, 'three', null],
  ]);
  const arrays = await load('arr.json', JSON.stringify({ a: [1, 2, 3], b: ['x', 'y', { z: 1 }] }));
  assert.deepEqual(arrays.rows, [
    [1, 'x'],
    [2, 'y'],
    [3, '{"z":1}'],
  ]);
  // Twelve rows: labels "10" and "11" must not sort before "2".
  const many = JSON.stringify({ v: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(i), i * 10])) });
  assert.deepEqual(
    (await load('many.json', many)).rows.map((r) => r[0]),
    Array.from({ length: 12 }, (_, i) => i * 10),
  );
});

test('JSON Lines and arrays of rows', async () => {
  for (const name of ['l.json', 'l.jsonl', 'L.NDJSON']) {
    const lines = await load(name, '{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n');
    assert.deepEqual(lines.rows, [
      [1, 'x'],
      [2, 'y'],
    ], name);
  }
  const rows = await load('rows.json', '[[1, "x", true], [2, "y", false]]');
  assert.deepEqual(rows.columns, ['0', '1', '2']);
  assert.deepEqual(rows.rows, [
    [1, 'x', true],
    [2, 'y', false],
  ]);
});

test('JSON: a large array of records keeps its order', async () => {
  const records = Array.from({ length: 30_000 }, (_, i) => ({ i, s: `v${i}` }));
  const id = await uploadOk(server.url, 'big.json', JSON.stringify(records));
  const res = await client.request('data', id, { rowIndexFrom: 29_997, rowIndexTo: 29_999, columnIndexFrom: 0, columnIndexTo: 1 });
  assert.deepEqual(JSON.parse(res.data), {
    columns: ['i', 's'],
    index: [29_997, 29_998, 29_999],
    data: [
      [29_997, 'v29997'],
      [29_998, 'v29998'],
      [29_999, 'v29999'],
    ],
  });
});

const SHEET = [
  ['int', 'float', 'bool', 'date', 'text', 'code', 'mixed', 'sparse'],
  [1, 1.5, true, new Date(2020, 0, 15), 'é ü £', '007', 1, null],
  [2, 2, false, new Date(2021, 11, 31, 23, 59, 30), 'plain', '010', 'two', 5],
  [null, -3.25, null, null, null, '100', 3.5, null],
];
const SHEET_TYPES = ['int', 'float', 'bool', 'datetime', 'string', 'string', 'string', 'int'];
const SHEET_ROWS = [
  [1, 1.5, true, '2020-01-15T00:00:00.000', 'é ü £', '007', '1', null],
  [2, 2, false, '2021-12-31T23:59:30.000', 'plain', '010', 'two', 5],
  [null, -3.25, null, null, null, '100', '3.5', null],
];

test('XLSX: first sheet, cell types kept (text "007" stays text), dates, missing cells', async () => {
  const t = await load('book.xlsx', xlsx(SHEET, [['other'], ['sheet']]));
  assert.deepEqual(t.columns, SHEET[0]);
  assert.deepEqual(t.types, SHEET_TYPES);
  assert.deepEqual(t.rows, SHEET_ROWS);
});

test('XLSX: a boolean cell in a mixed column is True / False, as pandas keeps a bool in an object column and to_csv writes it', async () => {
  const t = await load('mixed.xlsx', xlsx([['m', 'b'], ['x', true], [3, false], [null, false], [true, true]]));
  assert.deepEqual(t.types, ['string', 'bool']);
  assert.deepEqual(t.rows, [['x', true], ['3', false], [null, false], ['True', true]]);
});

test('XLS (BIFF8): the same workbook gives the same dataset', async () => {
  const t = await load('book.xls', xls(SHEET, [['other'], ['sheet']]));
  assert.deepEqual(t.columns, SHEET[0]);
  assert.deepEqual(t.types, SHEET_TYPES);
  assert.deepEqual(t.rows, SHEET_ROWS);
});

test('Excel: the answer names the sheet read and every sheet; sheetName picks another, by name or position', async () => {
  for (const [name, book] of [['b.xlsx', xlsx(SHEET, [['other'], ['sheet']])], ['b.xls', xls(SHEET, [['other'], ['sheet']])]] as const) {
    const first = await upload(server.url, name, book);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.sheetName, first.body.sheetNames], ['First', ['First', 'Second']], name);
    for (const sheetName of ['Second', '1']) {
      const res = await upload(server.url, name, book, { sheetName });
      assert.equal(res.body.sheetName, 'Second', `${name} ${sheetName}`);
      const t = await readTable(client, res.body.sessionID);
      assert.deepEqual([t.columns, t.rows], [['other'], [['sheet']]], `${name} ${sheetName}`);
    }
    // Names are matched exactly; a wrong one is named with the sheets there are.
    const wrong = await upload(server.url, name, book, { sheetName: 'second' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'unknown sheet');
    assert.equal(wrong.body.errorDescription, 'sheetName "second" is not a sheet of the workbook (names are matched exactly, or a position from 0); its sheets: "First", "Second"');
    assert.equal((await upload(server.url, name, book, { sheetName: '2' })).body.error, 'unknown sheet');
  }
  // A CSV has no sheets: the option is refused rather than ignored.
  const csvRes = await upload(server.url, 'a.csv', 'a\n1\n', { sheetName: 'Second' });
  assert.deepEqual([csvRes.status, csvRes.body.error], [400, 'invalid parameters']);
  assert.equal((await upload(server.url, 'a.csv', 'a\n1\n')).body.sheetNames, undefined);
});

test('Excel without header, with blank rows, duplicate and blank header cells', async () => {
  const noHeader = await load('nh.xlsx', xlsx([['a', 1], ['b', 2]]), { headerIncluded: 'false' });
  assert.deepEqual(noHeader.columns, ['0', '1']);
  assert.deepEqual(noHeader.types, ['string', 'int']);
  assert.deepEqual(noHeader.rows, [
    ['a', 1],
    ['b', 2],
  ]);
  const messy = await load('m.xls', xls([['x', 'x', null, 'y'], [1, 2, 3, 4], [], [5, 6, 7, 8]]));
  assert.deepEqual(messy.columns, ['x', 'x.1', 'Unnamed: 2', 'y']);
  assert.deepEqual(messy.rows, [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ]);
});

test('an Excel sheet with only a header row, and an empty sheet', async () => {
  const t = await load('h.xlsx', xlsx([['a', 'b']]));
  assert.deepEqual(t.columns, ['a', 'b']);
  assert.deepEqual(t.rows, []);
  const res = await upload(server.url, 'empty.xlsx', xlsx([]));
  assert.equal(res.status, 400);
  assert.equal(res.body.error, 'empty file');
  // An empty first sheet before the data: the error names the sheets to choose from.
  const notes = await upload(server.url, 'notes-first.xlsx', xlsx([], [['a'], [1]]));
  assert.equal(notes.body.errorDescription, 'the sheet "First" has no rows; the workbook\'s other sheets: "Second" (choose one with sheetName)');
  assert.deepEqual((await readTable(client, (await upload(server.url, 'notes-first.xlsx', xlsx([], [['a'], [1]]), { sheetName: 'Second' })).body.sessionID)).rows, [[1]]);
});

test('CSV type inference from a wide generated table', async () => {
  const rows = [['i', 'f', 'b', 's']];
  for (let k = 0; k < 500; k++) rows.push([String(k), String(k / 4), k % 2 ? 'True' : 'False', `s${k}`]);
  rows[300][0] = ''; // one missing int
  const t = await load('w.csv', csv(rows));
  assert.deepEqual(t.types, ['int', 'float', 'bool', 'string']);
  assert.equal(t.rows[299][0], null);
  assert.deepEqual(t.rows[3], [3, 0.75, true, 's3']);
  assert.deepEqual(t.invalid, [1, 0, 0, 0]);
});

test('a value past the type sniffer’s sample that is no value of the sniffed type changes the column’s type, never the value', async () => {
  // 30,000 rows of one type, then one value DuckDB's parser would have converted leniently
  // (rounded, truncated, its offset dropped, underscores read as digits): each column comes
  // out as inferTypes reads all its values, as pandas would.
  const late = (head: (k: number) => string, last: string) => `v\n${Array.from({ length: 30_000 }, (_, k) => head(k)).join('\n')}\n${last}\n`;
  const cases: { name: string; head: (k: number) => string; last: string; type: string; value: unknown }[] = [
    { name: 'decimal in integers', head: (k) => String(k % 100), last: '2.5', type: 'float', value: 2.5 },
    { name: 'negative decimal in integers', head: (k) => String(k % 100), last: '-0.5', type: 'float', value: -0.5 },
    { name: 'exponent in integers', head: (k) => String(k % 100), last: '1e3', type: 'float', value: 1000 },
    { name: 'hexadecimal in integers', head: (k) => String(k % 100), last: '0x10', type: 'string', value: '0x10' },
    { name: 'signed, zero-padded integer', head: (k) => String(k % 100), last: '+007', type: 'int', value: 7 },
    // A known difference (see readTyped): past the sample, DuckDB's number syntax reads
    // `1_000` as 1000, where pandas keeps the column text.
    { name: 'underscores in numbers', head: (k) => `${k % 100}.5`, last: '1_000', type: 'float', value: 1000 },
    { name: 'fraction in time stamps without', head: (k) => `2021-01-${String((k % 28) + 1).padStart(2, '0')}T10:00:00`, last: '2021-01-05T10:00:00.5', type: 'datetime', value: '2021-01-05T10:00:00.500' },
    { name: 'space in time stamps with T', head: (k) => `2021-01-${String((k % 28) + 1).padStart(2, '0')}T10:00:00`, last: '2021-01-05 10:00:00', type: 'datetime', value: '2021-01-05T10:00:00.000' },
    { name: 'Z in time stamps', head: (k) => `2021-01-${String((k % 28) + 1).padStart(2, '0')} 10:00:00`, last: '2021-01-05 10:00:00Z', type: 'string', value: '2021-01-05 10:00:00Z' },
    { name: 'time in dates', head: (k) => `2021-01-${String((k % 28) + 1).padStart(2, '0')}`, last: '2021-01-05 10:30:00', type: 'datetime', value: '2021-01-05T10:30:00.000' },
    { name: 'offset in time stamps', head: (k) => `2021-01-${String((k % 28) + 1).padStart(2, '0')} 10:00:00`, last: '2021-01-05T10:00:00+02:00', type: 'string', value: '2021-01-05T10:00:00+02:00' },
  ];
  for (const c of cases) {
    const t = await load('late.csv', late(c.head, c.last));
    assert.equal(t.rows.length, 30_001, c.name);
    assert.deepEqual([t.types[0], t.rows[30_000][0]], [c.type, c.value], c.name);
  }
});

test('UTF-8 with a stray Windows-1252 byte: its UTF-8 characters are kept, the byte read as Windows-1252', async () => {
  // A UTF-8 export with one cp1252 "é" pasted in (and a large head, so that the stray byte is
  // found by DuckDB's validation past the detection samples too).
  const head = Buffer.from(`name,city\n${'José,Zürich\n'.repeat(60_000)}`, 'utf8');
  for (const bytes of [Buffer.concat([Buffer.from('name,city\nJosé,Zürich\n', 'utf8'), Buffer.from([0x52, 0x65, 0x6e, 0xe9]), Buffer.from(',Kraków\n', 'utf8')]), Buffer.concat([head, Buffer.from([0x52, 0x65, 0x6e, 0xe9]), Buffer.from(',Kraków\n', 'utf8')])]) {
    const t = await load('mixed.csv', bytes);
    assert.deepEqual(t.rows[0], ['José', 'Zürich']);
    assert.deepEqual(t.rows.at(-1), ['René', 'Kraków']);
  }
});

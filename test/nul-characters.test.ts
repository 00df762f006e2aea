import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { Duck } from '../src/engine/duck.ts';
import { literal } from '../src/engine/sql.ts';

// NUL (U+0000) in a request's text. SQL text cannot carry it: newCellValue and findReplace
// passed it on to DuckDB's parser ("operation failed: unterminated quoted string", logged as
// a server error), while renameColumn refused it by name. One rule now, checked once for
// every request before its parameters are read (assertPlainData): text holding NUL is
// refused, 'invalid value', naming the parameter and the position; nothing changes. NUL
// already in the data (JSON's "\u0000") is carried, and a regular expression finds it.

const { server, client } = await serverWithClient();

const CSV = 'name,n,when\nab,1,2021-01-01\n,2,\ncd,3,2021-03-01\n';

async function history(id: string): Promise<unknown[]> {
  const res = await client.request('history', id);
  assert.equal(res.success, true, res.errorDescription);
  return res.operations;
}

test('text holding NUL is refused by every operation alike, naming the parameter, and changes nothing', async () => {
  const id = await uploadOk(server.url, 'n.csv', CSV);
  const before = await readTable(client, id);
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['newCellValue', { columnIndex: 0, rowIndex: 0, newValue: 'a\u0000b' }, /^newValue: the text "a\\u0000b" holds a NUL character \(U\+0000\) at position 1; no text of a request may hold NUL/],
    ['newCellValue', { columnIndex: 1, rowIndex: 0, newValue: '1\u0000' }, /^newValue: .* at position 1/],
    ['findReplace', { columnIndex: 0, toReplace: ['ab'], replaceWith: ['x\u0000'] }, /^replaceWith\[0\]: the text "x\\u0000" holds a NUL character/],
    ['findReplace', { columnIndex: 0, toReplace: ['ab', '\u0000'], replaceWith: ['x', 'y'], matchRegex: true }, /^toReplace\[1\]: .* at position 0/],
    ['fillWithCustomValue', { columnIndex: 0, newValue: '\u0000' }, /^newValue: .*NUL/],
    ['renameColumn', { column: 'name', newName: 'a\u0000b' }, /^newName: .*NUL/],
    ['renameColumn', { column: 'na\u0000me', newName: 'x' }, /^column: .*NUL/],
    ['combineColumns', { columnsToCombine: ['name', 'n'], seperator: '\u0000', newName: 'c', insertIndex: 0 }, /^seperator: .*NUL/],
    ['splitColumn', { columnIndex: 0, delimiter: '\u0000' }, /^delimiter: .*NUL/],
    ['changeColumnDataType', { column: 'when', newDataType: 'datetime', dateFormat: '%Y\u0000' }, /^dateFormat: .*NUL/],
    ['executeCommand', { command: "SELECT *, 'a\u0000' AS x FROM df" }, /^command: .*NUL/],
    ['applyOperations', { operations: [{ operation: 'newCellValue', parameters: { columnIndex: 0, rowIndex: 0, newValue: 'a\u0000' } }] }, /^operations\[0\]\.parameters\.newValue: .*NUL/],
    // Reads too: a search for NUL text is the same text in SQL.
    ['data', { rowIndexFrom: 0, rowIndexTo: 2, columnIndexFrom: 0, columnIndexTo: 2, searchQuery: 'a\u0000', searchColumnIndices: [0] }, /^searchQuery: .*NUL/],
    ['metadata', { searchQuery: '\u0000', searchColumnIndices: [0], searchIsRegex: true }, /^searchQuery: .*NUL/],
    // A key holding NUL is named as a key.
    ['newCellValue', { columnIndex: 0, rowIndex: 0, newValue: 'x', 'new\u0000Value': 1 }, /^the key "new\\u0000Value" holds a NUL character/],
  ];
  for (const [operation, params, description] of cases) {
    const res = await client.request(operation, id, params);
    assert.equal(res.success, false, `${operation} ${JSON.stringify(params)} should fail`);
    assert.equal(res.error, 'invalid value', `${operation}: ${res.error}: ${res.errorDescription}`);
    assert.match(res.errorDescription, description, operation);
  }
  assert.deepEqual(await readTable(client, id), before, 'nothing changed');
  assert.deepEqual(await history(id), [], 'nothing recorded');
  // The same requests without the NUL are applied.
  const ok = await client.request('newCellValue', id, { columnIndex: 0, rowIndex: 0, newValue: 'a b' });
  assert.equal(ok.success, true, ok.errorDescription);
  const replaced = await client.request('findReplace', id, { columnIndex: 0, toReplace: ['cd'], replaceWith: ['x'] });
  assert.equal(replaced.success, true, replaced.errorDescription);
  assert.deepEqual((await readTable(client, id)).rows.map((r) => r[0]), ['a b', null, 'x']);
});

test('NUL already in the data is carried: read, found by a regular expression, replaced, downloaded', async () => {
  const id = await uploadOk(server.url, 'n.json', '[{"name": "a\\u0000b", "n": 1}, {"name": "cd", "n": 2}]');
  assert.deepEqual((await readTable(client, id)).rows, [
    ['a\u0000b', 1],
    ['cd', 2],
  ]);
  const json = await (await fetch(`${server.url}/downloadJSON/${id}`)).text();
  assert.deepEqual(JSON.parse(json), [
    { name: 'a\u0000b', n: 1 },
    { name: 'cd', n: 2 },
  ]);
  // Other edits of the dataset work around it.
  const edit = await client.request('newCellValue', id, { columnIndex: 1, rowIndex: 0, newValue: '5' });
  assert.equal(edit.success, true, edit.errorDescription);
  const found = await client.request('metadata', id, { searchQuery: '\\x00', searchColumnIndices: [0], searchIsRegex: true });
  assert.equal(found.success, true, found.errorDescription);
  assert.equal(found.dataSize.rows, 1);
  const cleaned = await client.request('findReplace', id, { columnIndex: 0, toReplace: ['\\x00'], replaceWith: ['-'], matchRegex: true });
  assert.equal(cleaned.success, true, cleaned.errorDescription);
  assert.deepEqual((await readTable(client, id)).rows, [
    ['a-b', 5],
    ['cd', 2],
  ]);
});

test('literal(): text holding NUL becomes SQL that DuckDB reads back exactly', async () => {
  const duck = await Duck.open({ threads: 1, memoryLimit: '256MB', tempDirectory: server.dataDir });
  const db = await duck.connect();
  try {
    for (const text of ['a\u0000b', '\u0000', "\u0000'\u0000", 'x\u0000\u0000y\u0000']) {
      assert.equal(await db.scalar(`SELECT ${literal(text)} = ${literal('x')} OR ${literal(text)} IS NOT NULL`), true);
      assert.equal(await db.scalar(`SELECT ${literal(text)}`), text, JSON.stringify(text));
    }
  } finally {
    db.close();
    duck.close();
  }
});

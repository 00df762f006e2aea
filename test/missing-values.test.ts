import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';
import { jsonRecords, xls, xlsx } from './helpers/fixtures.ts';

// The strings read as missing values are exactly pandas 1.5's defaults
// (pandas._libs.parsers.STR_NA_VALUES), matched on the whole field, case-sensitively.
// read_csv and read_excel apply them (read_excel to text cells); read_json does not.

const { server, client } = await serverWithClient();

const load = async (filename: string, content: string | Buffer) => readTable(client, await uploadOk(server.url, filename, content));

// Written out here rather than imported, so that a wrong list in the code fails the test.
const TOKENS = ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'n/a', 'nan', 'null'];

// Close to a token, but text for pandas: other letter case, spaces around, other spellings.
const NEAR_MISSES = ['None', 'none', 'NONE', 'Null', 'NAN', 'Nan', 'nAn', ' NA', 'NA ', 'na', 'N/a', '#n/a', '-NAN', '+nan', 'NaN ', ' null', '<na>', 'NA NA', '#N/A  N/A', '1.#ind'];

test('every pandas token is missing in a text, an int and a float column, which keep their types', async () => {
  for (const quoted of [false, true]) {
    const field = (t: string) => (quoted ? `"${t}"` : t);
    const lines = ['s,i,f,k', 'x,1,1.5,0', ...TOKENS.map((t, k) => `${field(t)},${field(t)},${field(t)},${k + 1}`)];
    const t = await load('na.csv', lines.join('\n') + '\n');
    assert.deepEqual(t.types, ['string', 'int', 'float', 'int'], quoted ? 'quoted' : 'plain');
    assert.deepEqual(t.invalid, [TOKENS.length, TOKENS.length, TOKENS.length, 0]);
    TOKENS.forEach((token, k) => assert.deepEqual(t.rows[k + 1], [null, null, null, k + 1], `${JSON.stringify(token)}${quoted ? ' quoted' : ''}`));
    assert.deepEqual(t.rows[0], ['x', 1, 1.5, 0]);
  }
});

test('near misses stay text, exactly as written, and make a numeric column text', async () => {
  const lines = ['s,k', ...NEAR_MISSES.map((m, k) => `"${m}",${k}`)];
  const t = await load('near.csv', lines.join('\n') + '\n');
  assert.deepEqual(t.types, ['string', 'int']);
  assert.deepEqual(t.invalid, [0, 0]);
  assert.deepEqual(t.rows.map((r) => r[0]), NEAR_MISSES);
  for (const miss of NEAR_MISSES) {
    const numeric = await load('n.csv', `n,k\n1,0\n"${miss}",1\n2.5,2\n`);
    assert.deepEqual(numeric.types, ['string', 'int'], JSON.stringify(miss));
    assert.deepEqual(numeric.rows.map((r) => r[0]), ['1', miss, '2.5'], JSON.stringify(miss));
  }
  // A token inside a longer text is text as well.
  const inside = await load('in.csv', 'a,b\nNA,x NA\nn/a n/a,NULL!\n');
  assert.deepEqual(inside.rows, [[null, 'x NA'], ['n/a n/a', 'NULL!']]);
});

test('Excel: text cells holding a token are missing (not in the header row); other text stays', async () => {
  for (const [name, book] of [['x.xlsx', xlsx], ['x.xls', xls]] as const) {
    const rows = [['NA', 'n', 'k'], ...TOKENS.map((t, k) => [t === '' ? null : t, t === '' ? null : t, k]), ...NEAR_MISSES.map((m, k) => [m, k, 100 + k])];
    const t = await load(name, book(rows));
    assert.deepEqual(t.columns, ['NA', 'n', 'k'], name);
    assert.deepEqual(t.types, ['string', 'int', 'int'], name);
    assert.deepEqual(t.rows.slice(0, TOKENS.length), TOKENS.map((_, k) => [null, null, k]), name);
    assert.deepEqual(t.rows.slice(TOKENS.length), NEAR_MISSES.map((m, k) => [m, k, 100 + k]), name);
  }
});

test('JSON: strings are never missing values (read_json); only null is', async () => {
  const records = [...TOKENS, ...NEAR_MISSES].map((s, k) => ({ s, n: k }));
  const t = await load('na.json', jsonRecords([...records, { s: null, n: null }]));
  assert.deepEqual(t.types, ['string', 'int']);
  assert.deepEqual(t.invalid, [1, 1]);
  assert.deepEqual(t.rows, [...records.map((r) => [r.s, r.n]), [null, null]]);
});

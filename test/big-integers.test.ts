import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithClient, uploadOk } from './helpers/server.ts';
import { xlsx } from './helpers/fixtures.ts';
import { WIDE_COLUMNS } from '../src/engine/import/wide.ts';

// Integers beyond BIGINT (int64) are never turned into floats that lose their digits. pandas'
// read_csv reads a column of integers that do not fit int64 (nor uint64) as text (object
// dtype), each value exactly as written: so does the import, in every path (CSV fast and
// thorough, wide files, JSON in its shapes). A column that also holds a real fraction is a
// float column, as in pandas (its values are floats anyway). Excel stores numbers as doubles:
// such a cell is a float there already, and stays the same double.

const { server, client } = await serverWithClient();

const BIG = '12345678901234567890123';
const TWO_63 = '9223372036854775808';
const BELOW = '-9223372036854775809';

/** Names, types and the data slice's raw JSON text, which a client's JSON.parse would round. */
async function wire(id: string): Promise<{ columns: string[]; types: string[]; raw: string; rows: unknown[][] }> {
  const meta = await client.request('metadata', id);
  assert.equal(meta.success, true, JSON.stringify(meta));
  const columns = meta.columns as string[];
  const types = columns.map((c) => meta.columnInfo[c].dataType as string);
  const res = await client.request('data', id, { rowIndexFrom: 0, rowIndexTo: meta.dataSize.rows - 1, columnIndexFrom: 0, columnIndexTo: columns.length - 1 });
  assert.equal(res.success, true, JSON.stringify(res));
  return { columns, types, raw: res.data as string, rows: JSON.parse(res.data).data };
}

async function download(kind: 'CSV' | 'JSON', id: string): Promise<string> {
  const res = await fetch(`${server.url}/download${kind}/${id}`);
  assert.equal(res.status, 200);
  return res.text();
}

test('CSV: a column of integers beyond int64 is text, every digit kept, and downloads as it came', async () => {
  for (const values of [[BIG, '5'], [TWO_63, '5'], [BELOW, '-5'], ['5', BIG, '', '-7']]) {
    const input = `id,k\n${values.map((v, i) => `${v},${i}`).join('\n')}\n`;
    const id = await uploadOk(server.url, 'big.csv', input);
    const t = await wire(id);
    assert.deepEqual(t.types, ['string', 'int'], input);
    assert.deepEqual(t.rows.map((r) => r[0]), values.map((v) => (v === '' ? null : v)), input);
    assert.equal(await download('CSV', id), input);
  }
});

test('CSV: int64 at its bounds stays an integer column, exactly', async () => {
  const input = 'id\n9223372036854775807\n-9223372036854775808\n0\n';
  const id = await uploadOk(server.url, 'bounds.csv', input);
  const t = await wire(id);
  assert.deepEqual(t.types, ['int']);
  assert.match(t.raw, /\[9223372036854775807\],\s*\[-9223372036854775808\]/);
  assert.equal(await download('CSV', id), input);
});

test('CSV thorough path: a short line (padded), or a big integer past the sniffed head', async () => {
  // A padded line: the fast path gives way to the thorough one.
  const padded = await uploadOk(server.url, 'padded.csv', `id,k\n${BIG},1\n5\n`);
  const p = await wire(padded);
  assert.deepEqual([p.types, p.rows], [['string', 'int'], [[BIG, 1], ['5', null]]]);
  // Integers first, as far as the sniffer looks, then one beyond int64.
  const lines = Array.from({ length: 30_000 }, (_, i) => `${i},${i % 7}`);
  const late = await uploadOk(server.url, 'late.csv', `id,k\n${lines.join('\n')}\n${BIG},0\n`);
  const meta = await client.request('metadata', late);
  assert.equal(meta.columnInfo.id.dataType, 'string');
  const tail = await client.request('data', late, { rowIndexFrom: 29_999, rowIndexTo: 30_000, columnIndexFrom: 0, columnIndexTo: 0 });
  assert.deepEqual(JSON.parse(tail.data).data, [['29999'], [BIG]]);
});

test('CSV: a fraction beside a big integer makes a float column (pandas); whole numbers in exponent form too', async () => {
  const mixed = await wire(await uploadOk(server.url, 'mixed.csv', `x\n${BIG}\n2.5\n`));
  assert.deepEqual([mixed.types, mixed.rows], [['float'], [[1.2345678901234568e22], [2.5]]]);
  // 1e30 is written as a float: a float column, whichever path reads it.
  for (const input of ['x\n1e30\n5\n', 'x\n5\n1e19\n-inf\n']) {
    const t = await wire(await uploadOk(server.url, 'exp.csv', input));
    assert.deepEqual(t.types, ['float'], input);
  }
});

test('a wide CSV: a column of big integers is text there too', async () => {
  const width = WIDE_COLUMNS + 5;
  const names = Array.from({ length: width }, (_, c) => `c${c}`);
  const row = (r: number) => names.map((_, c) => (c === 3 ? (r === 0 ? BIG : String(r)) : c === 4 ? (r === 0 ? BIG : '2.5') : String(r * c)));
  const input = [names.join(','), row(0).join(','), row(1).join(',')].join('\n') + '\n';
  const id = await uploadOk(server.url, 'wide.csv', input);
  const meta = await client.request('metadata', id);
  assert.deepEqual([2, 3, 4].map((c) => meta.columnInfo[names[c]].dataType), ['int', 'string', 'float']);
  const res = await client.request('data', id, { rowIndexFrom: 0, rowIndexTo: 1, columnIndexFrom: 3, columnIndexTo: 3 });
  assert.deepEqual(JSON.parse(res.data).data, [[BIG], ['1']]);
});

test('JSON: a number beyond int64 makes its column text with every digit, in each shape; a JSON download writes the number back', async () => {
  const shapes: [string, string][] = [
    ['records', `[{"a":${BIG},"b":1},{"a":5,"b":2}]`],
    ['split', `{"columns":["a","b"],"data":[[${BIG},1],[5,2]]}`],
    ['columns', `{"a":{"0":${BIG},"1":5},"b":{"0":1,"1":2}}`],
    ['rows', `[[${BIG},1],[5,2]]`],
    ['lines', `{"a":${BIG},"b":1}\n{"a":5,"b":2}\n`],
  ];
  for (const [shape, text] of shapes) {
    const id = await uploadOk(server.url, 'big.json', text);
    const t = await wire(id);
    assert.deepEqual([t.types, t.rows.map((r) => r[0])], [['string', 'int'], [BIG, '5']], shape);
    const out = await download('JSON', id);
    assert.match(out, new RegExp(`:\\s*${BIG}\\s*[,}]`), `${shape}: ${out}`);
    assert.match(out, /:\s*5\s*[,}]/, `${shape}: ${out}`);
  }
  // 2^63 and 2^53 + 1: the first is past int64, the second an int64 that a double would round.
  const edge = await wire(await uploadOk(server.url, 'edge.json', `[{"a":${TWO_63},"b":9007199254740993},{"a":5,"b":1}]`));
  assert.deepEqual(edge.types, ['string', 'int']);
  assert.match(edge.raw, new RegExp(`\\["${TWO_63}",\\s*9007199254740993\\]`));
});

test('Excel: a number cell is a double already (a float column, that double); a text cell keeps its digits', async () => {
  const id = await uploadOk(server.url, 'big.xlsx', xlsx([['n', 't'], [Number(BIG), BIG], [5, '5']]));
  const t = await wire(id);
  assert.deepEqual([t.types, t.rows], [['float', 'string'], [[Number(BIG), BIG], [5, '5']]]);
});

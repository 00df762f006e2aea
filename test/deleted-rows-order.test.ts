import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';

// Versions with deleted rows read their files without those rows. A join (the anti-join or
// NOT IN that drops them) does not keep the scan's order once DuckDB scans row groups on
// several threads, so every whole read of such a version must restore the order explicitly.
// Here `id` is the row number of the upload: after deleting rows, row p of every read must
// hold the p-th kept id, in slices, sorted views, downloads and columns written afterwards.

const N = 200_000;
const DELETED = [1, 2, 3, 70_000];
const { server, client } = await serverWithClient();
const id = await (async () => {
  const lines = ['id,x'];
  for (let i = 0; i < N; i++) lines.push(`${i},${(i * 7919) % 1000}`);
  const session = await uploadOk(server.url, 'ids.csv', lines.join('\n') + '\n');
  const r = await client.request('deleteRows', session, { rowIndices: DELETED });
  assert.equal(r.success, true, JSON.stringify(r));
  return session;
})();
const gone = new Set(DELETED);
const kept = Array.from({ length: N }, (_, i) => i).filter((i) => !gone.has(i));

/** Equal sequences, or a short message: deepEqual's diff of 200k numbers takes minutes. */
function sameSequence(actual: number[], expected: number[], what: string): void {
  const first = actual.findIndex((v, k) => v !== expected[k]);
  if (first === -1 && actual.length === expected.length) return;
  const wrong = actual.filter((v, k) => v !== expected[k]).length;
  assert.fail(`${what}: ${actual.length} values for ${expected.length}, ${wrong} out of place, first at ${first}: ${actual.slice(first, first + 5)} for ${expected.slice(first, first + 5)}`);
}

async function ids(from: number, to: number, view: Record<string, unknown> = {}): Promise<{ index: number[]; ids: number[] }> {
  const r = await client.request('data', id, { rowIndexFrom: from, rowIndexTo: to, columnIndexFrom: 0, columnIndexTo: 1, ...view });
  assert.equal(r.success, true, JSON.stringify(r));
  const d = JSON.parse(r.data);
  return { index: d.index, ids: d.data.map((row: number[]) => row[0]) };
}

test('a long slice after deleteRows holds the kept rows in order', async () => {
  const { index, ids: got } = await ids(60_000, 159_999);
  sameSequence(index, Array.from({ length: 100_000 }, (_, k) => 60_000 + k), 'index');
  sameSequence(got, kept.slice(60_000, 160_000), 'ids');
});

test('a sorted view after deleteRows: the top and a deep page', async () => {
  const desc = [...kept].reverse();
  for (const [from, to] of [[0, 49], [150_000, 150_049]]) {
    const { index, ids: got } = await ids(from, to, { sortColumnIndex: 0, sortAscending: false });
    assert.deepEqual(got, desc.slice(from, to + 1), `rows ${from}…${to}`);
    assert.deepEqual(index, got.map((v) => kept.indexOf(v)), `index of rows ${from}…${to}`);
  }
});

test('downloads after deleteRows list the kept rows in order', async () => {
  const csv = await (await fetch(`${server.url}/downloadCSV/${id}`)).text();
  const lines = csv.trimEnd().split('\n');
  assert.equal(lines.length, kept.length + 1);
  sameSequence(lines.slice(1).map((l) => Number(l.split(',')[0])), kept, 'CSV');
  const json = (await (await fetch(`${server.url}/downloadJSON/${id}`)).json()) as { id: number }[];
  sameSequence(json.map((r) => r.id), kept, 'JSON');
});

test('a column written after deleteRows keeps each value on its row', async () => {
  // A copy of id, then normalized onto its own range: every value must stay what it was.
  assert.equal((await client.request('insertDuplicateColumn', id, { columnIndex: 0 })).success, true);
  const r = await client.request('normalize', id, { columnIndex: 1, rangeFrom: 0, rangeTo: N - 1 });
  assert.equal(r.success, true, JSON.stringify(r));
  const rows: number[][] = [];
  for (let from = 0; from < kept.length; from += 50_000) {
    const page = await client.request('data', id, { rowIndexFrom: from, rowIndexTo: Math.min(from + 49_999, kept.length - 1), columnIndexFrom: 0, columnIndexTo: 1 });
    assert.equal(page.success, true, JSON.stringify(page));
    rows.push(...JSON.parse(page.data).data);
  }
  assert.equal(rows.length, kept.length);
  const bad = rows.filter((row) => Math.round(row[1]) !== row[0]);
  assert.equal(bad.length, 0, `rows whose copy holds another row's value, e.g. ${JSON.stringify(bad.slice(0, 3))}`);
});

test('a version of 2.5M rows (row groups of 122,880) after deleteRows: a long slice and a column written from it', async () => {
  const n = 2_500_000;
  const big = await uploadOk(server.url, 'big.csv', 'id\n' + Array.from({ length: n }, (_, i) => i).join('\n') + '\n');
  assert.equal((await client.request('deleteRows', big, { rowIndices: [1, 2] })).success, true);
  // Position p holds id p + 2 (rows 1 and 2 deleted), except position 0.
  const expected = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => (from + k === 0 ? 0 : from + k + 2));
  const slice = async (from: number, to: number, columnIndexTo = 0) => {
    const r = await client.request('data', big, { rowIndexFrom: from, rowIndexTo: to, columnIndexFrom: 0, columnIndexTo });
    assert.equal(r.success, true, JSON.stringify(r));
    return JSON.parse(r.data).data as number[][];
  };
  sameSequence((await slice(600_000, 699_999)).map((r) => r[0]), expected(600_000, 699_999), 'slice');
  const top = await client.request('data', big, { rowIndexFrom: 0, rowIndexTo: 4, columnIndexFrom: 0, columnIndexTo: 0, sortColumnIndex: 0, sortAscending: false });
  assert.deepEqual(JSON.parse(top.data).data.map((r: number[]) => r[0]), [2_499_999, 2_499_998, 2_499_997, 2_499_996, 2_499_995]);
  assert.equal((await client.request('insertDuplicateColumn', big, { columnIndex: 0 })).success, true);
  assert.equal((await client.request('normalize', big, { columnIndex: 1, rangeFrom: 0, rangeTo: n - 1 })).success, true);
  for (const [from, to] of [[0, 99_999], [1_200_000, 1_299_999], [n - 100_002, n - 3]]) {
    const rows = await slice(from, to, 1);
    sameSequence(rows.map((r) => r[0]), expected(from, to), `id ${from}…${to}`);
    sameSequence(rows.map((r) => Math.round(r[1])), expected(from, to), `normalized copy ${from}…${to}`);
  }
});

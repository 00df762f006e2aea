import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { SORTED_PREFIX_ROWS } from './view.ts';

// A first sorted page is read from the top rows of the order only (a top-N), later pages
// deeper in the view from a full sort: both must give the rows of the one order — value,
// missing values (NULL and NaN together, in row order) last in both directions, ties by position.

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

test('sorted slices near the top and deep in the view follow one order, with the whole view counted', async () => {
  const n = SORTED_PREFIX_ROWS * 3;
  // Many ties, some NULL, some NaN.
  const id = await h.loadSql(`SELECT CASE WHEN i % 17 = 0 THEN NULL WHEN i % 23 = 0 THEN 'NaN'::DOUBLE ELSE (hash(i) % 500)::DOUBLE / 4 END AS x, i AS k FROM range(${n}) t(i)`);
  const t = await h.table(id);
  const raw = t.rows.map((r, pos) => ({ pos, x: r[0] as number | null, k: r[1] as number }));
  // Missing values (NULL and NaN alike, as pandas' sort_values) last, in row order among themselves.
  const kind = (r: { pos: number; x: number | null }) => (r.x !== null ? 0 : 1);
  for (const ascending of [true, false]) {
    const expected = [...raw].sort((a, b) => kind(a) - kind(b) || (kind(a) === 0 ? (ascending ? a.x! - b.x! : b.x! - a.x!) : 0) || a.pos - b.pos).map((r) => r.pos);
    const page = async (from: number, to: number) => {
      const res = await h.ok(id, 'data', { rowIndexFrom: from, rowIndexTo: to, columnIndexFrom: 0, columnIndexTo: 1, sortColumnIndex: 0, sortAscending: ascending });
      return JSON.parse(res.data).index as number[];
    };
    // top pages first (from the top rows), then across the end of those rows and deep down (full sort), then the top again
    for (const [from, to] of [[0, 99], [5000, 5099], [SORTED_PREFIX_ROWS - 50, SORTED_PREFIX_ROWS + 49], [n - 100, n - 1], [0, 99]]) {
      assert.deepEqual(await page(from, to), expected.slice(from, to + 1), `${ascending ? 'ascending' : 'descending'} rows ${from}…${to}`);
    }
    const meta = await h.ok(id, 'metadata', { sortColumnIndex: 0, sortAscending: ascending });
    assert.equal(Number(meta.dataSize.rows), n);
  }
});

test('a sorted page past the end of the view is refused as before', async () => {
  const id = await h.loadSql(`SELECT i % 7 AS x FROM range(50) t(i)`);
  const res = await h.run(id, 'data', { rowIndexFrom: 60, rowIndexTo: 70, columnIndexFrom: 0, columnIndexTo: 0, sortColumnIndex: 0 });
  assert.equal(res.success, false);
  assert.equal(res.error, 'index out of range');
});

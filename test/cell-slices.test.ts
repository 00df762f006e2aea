import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from './helpers/engine.ts';
import { CELL_BLOCK_ROWS } from '../src/engine/cell-cache.ts';

// `data` slices assembled from cells kept in memory (CellCache) must be byte for byte the
// slices DuckDB builds: the same requests on the same data, once with the cache and once
// without (CELL_CACHE_BYTES=0), compared as text — plain, sorted and filtered pages, across
// block boundaries, on every type the engine keeps, with NULL, NaN, infinities, escapes and
// non-ASCII text, after a cell edit, after deleteRows and after undo.

const rows = 2 * CELL_BLOCK_ROWS + 7_000;

// Deterministic values of every kind, from the row number alone.
const select = `SELECT
  CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 7919) % 100003 - 50000 END::BIGINT AS n,
  CASE i % 13 WHEN 0 THEN NULL WHEN 1 THEN 'NaN'::DOUBLE WHEN 2 THEN 'Infinity'::DOUBLE WHEN 3 THEN '-Infinity'::DOUBLE WHEN 4 THEN -0.0
    WHEN 5 THEN 1e300 * (i % 7) WHEN 6 THEN 1.0 / 3 ELSE ((i * 104729) % 1000003) / 100.0 END AS d,
  CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN 'quote " and \\ backslash' WHEN 2 THEN 'tab' || chr(9) || 'newline' || chr(10) || 'unit' || chr(31)
    WHEN 3 THEN 'café ' || i WHEN 4 THEN '😀 ' || (i % 5) WHEN 5 THEN '' ELSE 'w' || (i % 37) END AS s,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END AS b,
  CASE WHEN i % 17 = 0 THEN NULL ELSE DATE '2000-01-01' + (i % 9000)::INTEGER END AS day,
  CASE WHEN i % 19 = 0 THEN NULL ELSE TIMESTAMP '2015-01-01 00:00:00' + to_seconds((i * 7777) % 283996800) + to_milliseconds(i % 1000) END AS ts,
  ((i * 31) % 20000 / 100)::DECIMAL(10, 2) AS dec,
  (i % 1000)::INTEGER AS small,
  CASE WHEN i = 20000 THEN repeat('long ', 1000) ELSE 'x' END AS long
FROM range(${rows}) t(i)`;

const withCells = await engineHarness({ READ_CACHE_BYTES: 0 });
const withoutCells = await engineHarness({ READ_CACHE_BYTES: 0, CELL_CACHE_BYTES: 0 });
// A budget of a few blocks: most are dropped again soon after they are made.
const fewCells = await engineHarness({ READ_CACHE_BYTES: 0, CELL_CACHE_BYTES: 2_000_000 });

async function both(ids: [string, string, string], operation: string, params: Record<string, unknown>): Promise<void> {
  const [a, b, c] = await Promise.all([withCells.run(ids[0], operation, params), withoutCells.run(ids[1], operation, params), fewCells.run(ids[2], operation, params)]);
  assert.ok(fewCells.rt.cells.size <= 2_000_000, `${fewCells.rt.cells.size} bytes kept`);
  assert.equal(c.success, b.success);
  assert.equal(c.data, b.data, `data ${JSON.stringify(params)} with a small budget`);
  assert.equal(a.success, b.success, `${operation} ${JSON.stringify(params)}: ${JSON.stringify(a.errorDescription ?? b.errorDescription)}`);
  if (operation !== 'data') return;
  assert.equal(a.success, true, `${operation} ${JSON.stringify(params)}: ${a.errorDescription}`);
  if (a.data === b.data) return;
  const [x, y] = [String(a.data), String(b.data)];
  let at = 0;
  while (at < x.length && x[at] === y[at]) at++;
  assert.fail(`data ${JSON.stringify(params)} differs at character ${at}: ${JSON.stringify(x.slice(Math.max(0, at - 60), at + 60))} against ${JSON.stringify(y.slice(Math.max(0, at - 60), at + 60))}`);
}

async function slices(ids: [string, string, string], columns: number, rows: number): Promise<void> {
  const last = columns - 1;
  const page = (from: number, to: number, extra: Record<string, unknown> = {}) => both(ids, 'data', { rowIndexFrom: from, rowIndexTo: to, columnIndexFrom: 0, columnIndexTo: last, ...extra });
  for (const [from, to] of [[0, 49], [CELL_BLOCK_ROWS - 20, CELL_BLOCK_ROWS + 30], [2 * CELL_BLOCK_ROWS - 1, 2 * CELL_BLOCK_ROWS], [rows - 60, rows + 10], [19_990, 20_010], [5, 5]]) await page(from, to);
  await both(ids, 'data', { rowIndexFrom: 100, rowIndexTo: 149, columnIndexFrom: 2, columnIndexTo: 2 });
  for (let c = 0; c < last; c++) {
    for (const sortAscending of [true, false]) {
      for (const [from, to] of [[0, 49], [2000, 2100]]) await page(from, to, { sortColumnIndex: c, sortAscending });
    }
  }
  await page(0, 99, { filterType: 'invalid', filterColumnIndices: [1] });
  await page(300, 399, { filterType: 'invalid', filterColumnIndices: [0] });
  await page(0, 49, { searchQuery: 'caf', searchColumnIndices: [2] });
  await page(0, 49, { filterType: 'duplicates', filterColumnIndices: [7] });
}

test('data slices from cells are byte for byte the slices DuckDB builds', async () => {
  const ids: [string, string, string] = [await withCells.loadSql(select), await withoutCells.loadSql(select), await fewCells.loadSql(select)];
  const columns = 9;
  const cells = withCells.rt.cells;
  // A block is built the second time it is needed (the first slice is read by DuckDB).
  const plain = { rowIndexFrom: 100, rowIndexTo: 149, columnIndexFrom: 0, columnIndexTo: columns - 2 };
  await both(ids, 'data', plain);
  assert.equal(cells.built, 0);
  assert.equal(cells.declined, 1);
  await both(ids, 'data', plain);
  assert.equal(cells.built, columns - 1);
  // A sorted page before plain pages made its blocks is read by DuckDB (it would build them all)…
  await both(ids, 'data', { rowIndexFrom: 0, rowIndexTo: 49, columnIndexFrom: 0, columnIndexTo: columns - 2, sortColumnIndex: 7, sortAscending: true });
  assert.equal(cells.built, columns - 1);
  assert.equal(cells.declined, 2);
  await slices(ids, columns - 1, rows);
  await slices(ids, columns - 1, rows);
  assert.ok(cells.built > 0 && cells.found > 0, `cells built ${cells.built}, found ${cells.found}`);
  // …and from cells once they are there.
  const declinedBefore = cells.declined;
  await both(ids, 'data', { rowIndexFrom: 500, rowIndexTo: 549, columnIndexFrom: 0, columnIndexTo: columns - 2, sortColumnIndex: 0, sortAscending: false });
  assert.equal(cells.declined, declinedBefore);
  assert.equal(withoutCells.rt.cells.built, 0);
  // The block with a cell longer than CELL_MAX_TEXT is read by DuckDB, every time.
  const declined = cells.declined;
  const long = { rowIndexFrom: 19_990, rowIndexTo: 20_010, columnIndexFrom: 0, columnIndexTo: columns - 1 };
  await both(ids, 'data', long);
  await both(ids, 'data', long);
  await both(ids, 'data', long);
  assert.equal(cells.declined, declined + 3);
  await both(ids, 'data', { rowIndexFrom: 0, rowIndexTo: 10, columnIndexFrom: 0, columnIndexTo: columns - 1 });

  // A cell edit rewrites one column: its blocks are made from the old column's (the edited
  // cell read anew, longer or shorter than it was, or missing now), the others' are kept.
  const derived = cells.derived;
  await both(ids, 'newCellValue', { columnIndex: 1, rowIndex: CELL_BLOCK_ROWS + 3, newValue: '12.5' });
  await both(ids, 'newCellValue', { columnIndex: 2, rowIndex: 7, newValue: 'edited "text" é 😀' });
  await both(ids, 'newCellValue', { columnIndex: 2, rowIndex: 10, newValue: 'x' });
  await both(ids, 'newCellValue', { columnIndex: 2, rowIndex: CELL_BLOCK_ROWS - 1, newValue: 'last of a block' });
  await both(ids, 'newCellValue', { columnIndex: 5, rowIndex: 2 * CELL_BLOCK_ROWS, newValue: null });
  await slices(ids, columns - 1, rows);
  // Every block of the three columns edited (three blocks each), column 2's through its chain of three edits.
  assert.ok(cells.derived - derived >= 9, `blocks derived: ${cells.derived - derived}`);
  // A value the column's type cannot hold widens the column: every cell is read anew.
  await both(ids, 'newCellValue', { columnIndex: 0, rowIndex: 3, newValue: '2.5' });
  await slices(ids, columns - 1, rows);
  // Rows deleted across blocks: positions no longer match file rows.
  const deleted = Array.from({ length: 3000 }, (_, k) => (k * 13) % rows);
  await both(ids, 'deleteRows', { rowIndices: deleted });
  const left = rows - new Set(deleted).size;
  await slices(ids, columns - 1, left);
  await both(ids, 'newCellValue', { columnIndex: 0, rowIndex: 100, newValue: '5' });
  await slices(ids, columns - 1, left);
  await both(ids, 'undo', {});
  await both(ids, 'undo', {});
  await slices(ids, columns - 1, rows);
});

test('the blocks of a column edited over and over are not kept once edited: memory stays flat, undo still reads what it showed', async () => {
  const ids: [string, string, string] = [await withCells.loadSql(select), await withoutCells.loadSql(select), await fewCells.loadSql(select)];
  const cells = withCells.rt.cells;
  const page = { rowIndexFrom: 1_000, rowIndexTo: 1_049, columnIndexFrom: 0, columnIndexTo: 7 };
  await both(ids, 'data', page);
  await both(ids, 'data', page);
  const edit = async (k: number) => {
    await both(ids, 'newCellValue', { columnIndex: 1, rowIndex: 1_000 + (k % 50), newValue: String(k + 0.5) });
    await both(ids, 'data', page);
  };
  await edit(0);
  const kept = cells.size;
  const evicted = cells.evicted;
  for (let k = 1; k <= 30; k++) await edit(k);
  // Each edit copies block 0 of column 1 and drops the copy it replaces (on the old code the
  // cache grew by a block, ~200 kB, per edit).
  assert.equal(cells.evicted - evicted, 30);
  assert.ok(Math.abs(cells.size - kept) < 10_000, `${cells.size - kept} bytes more after 30 edits`);
  // The versions before: their dropped blocks are read again (DuckDB's slice, then built anew).
  for (let k = 0; k < 31; k += 10) {
    for (let u = 0; u < 10 && k + u < 31; u++) await both(ids, 'undo', {});
    await both(ids, 'data', page);
    await both(ids, 'data', page);
    await both(ids, 'data', { ...page, sortColumnIndex: 1, sortAscending: false });
  }
});

test('a sorted page builds every block it needs once each was asked for before (a dataset of five blocks)', async () => {
  const sql = `SELECT i AS n, ((i * 7919) % 100003) / 100.0 AS d, 'w' || (i % 37) AS s FROM range(${5 * CELL_BLOCK_ROWS}) t(i)`;
  const ids: [string, string, string] = [await withCells.loadSql(sql), await withoutCells.loadSql(sql), await fewCells.loadSql(sql)];
  const cells = withCells.rt.cells;
  const sorted = { rowIndexFrom: 0, rowIndexTo: 49, columnIndexFrom: 0, columnIndexTo: 2, sortColumnIndex: 1, sortAscending: true };
  const built = cells.built;
  const declined = cells.declined;
  // The first time its blocks are asked for: read by DuckDB…
  await both(ids, 'data', sorted);
  assert.equal(cells.built, built);
  assert.equal(cells.declined, declined + 1);
  // …the second time built, all five (of three columns), not read by DuckDB again (on the
  // old cap of two blocks a slice, every sorted page was read by DuckDB until plain pages
  // had made the blocks).
  await both(ids, 'data', { ...sorted, rowIndexFrom: 50, rowIndexTo: 99 });
  assert.equal(cells.built - built, 15);
  assert.equal(cells.declined, declined + 1);
  await both(ids, 'data', { ...sorted, sortAscending: false });
  assert.equal(cells.declined, declined + 1);
});

test('cells an edit renders itself are the ones DuckDB reads back from the new file, on every type it renders', async () => {
  const ids: [string, string, string] = [await withCells.loadSql(select), await withoutCells.loadSql(select), await fewCells.loadSql(select)];
  const cells = withCells.rt.cells;
  const near = (row: number) => ({ rowIndexFrom: Math.max(0, row - 3), rowIndexTo: row + 3, columnIndexFrom: 0, columnIndexTo: 7 });
  // Every block made once, so that edits derive theirs.
  for (let k = 0; k < 2; k++) for (let b = 0; b * CELL_BLOCK_ROWS < rows; b++) await both(ids, 'data', { rowIndexFrom: b * CELL_BLOCK_ROWS, rowIndexTo: b * CELL_BLOCK_ROWS + 9, columnIndexFrom: 0, columnIndexTo: 7 });
  const given = cells.given;
  const edits: [number, number, unknown][] = [
    [0, 5, '123456789012'], [0, 6, -7], [0, 7, null], [0, 7, '-0'],
    [1, 8, '-0.0'], [1, 9, '1e308'], [1, 10, 'inf'], [1, 11, '0.1'], [1, 12, 'nan'], [1, 13, 1 / 3], [1, 14, '2'],
    [2, CELL_BLOCK_ROWS, 'quote " \\ tab\t newline\n unit\u001f é 😀 \u2028'], [2, CELL_BLOCK_ROWS + 1, ''], [2, CELL_BLOCK_ROWS + 2, null],
    [3, 20, 'true'], [3, 21, false], [3, 22, null],
    [5, 30, '2021-03-04 05:06:07.123'], [5, 31, '1969-12-31 23:59:59.999999'], [5, 32, null],
    // The same cell twice, the second edit winning; a block edited after a read of it.
    [1, 40, '1.5'], [1, 40, '2.5'],
  ];
  for (const [columnIndex, rowIndex, newValue] of edits) {
    await both(ids, 'newCellValue', { columnIndex, rowIndex, newValue });
    if (rowIndex % 2 === 0) await both(ids, 'data', near(rowIndex));
  }
  for (const [, rowIndex] of edits) await both(ids, 'data', near(rowIndex));
  for (const sortColumnIndex of [0, 1, 2, 3, 5]) {
    for (const sortAscending of [true, false]) await both(ids, 'data', { rowIndexFrom: 0, rowIndexTo: 60, columnIndexFrom: 0, columnIndexTo: 7, sortColumnIndex, sortAscending });
  }
  assert.ok(cells.given - given >= 10, `cells given by edits: ${cells.given - given}`);
  // Undone and done again: versions of the chain read again.
  for (let k = 0; k < 5; k++) await both(ids, 'undo', {});
  for (const [, rowIndex] of edits) await both(ids, 'data', near(rowIndex));
  for (let k = 0; k < 3; k++) await both(ids, 'redo', {});
  for (const [, rowIndex] of edits) await both(ids, 'data', near(rowIndex));
  await both(ids, 'deleteRows', { rowIndices: [0, 6, 9, CELL_BLOCK_ROWS] });
  await both(ids, 'newCellValue', { columnIndex: 1, rowIndex: 8, newValue: '99.25' });
  await both(ids, 'newCellValue', { columnIndex: 2, rowIndex: CELL_BLOCK_ROWS - 1, newValue: 'after a delete' });
  for (const [, rowIndex] of edits) await both(ids, 'data', near(Math.max(0, rowIndex - 4)));
  await both(ids, 'data', near(CELL_BLOCK_ROWS - 1));
});

test('blocks of a file in many row groups, which DuckDB reads on several threads out of order, are assembled in row order', async () => {
  // Row groups of 2,048 rows, eight to a block, shared by the threads of DuckDB's main
  // instance (small datasets' reads otherwise go to a one-thread instance, which reads in
  // order): an aggregate without ORDER BY gets them out of order; the build finds that out.
  const threaded = await engineHarness({ READ_CACHE_BYTES: 0, DUCKDB_SMALL_THREADS: 0, DUCKDB_THREADS: 2 });
  try {
    const small = `SELECT * FROM (${select}) LIMIT ${CELL_BLOCK_ROWS * 2}`;
    const [a, b] = [await threaded.loadSql(small, { rowGroupRows: 2048 }), await withoutCells.loadSql(small, { rowGroupRows: 2048 })];
    const cells = threaded.rt.cells;
    for (let round = 0; round < 3 && cells.reordered === 0; round++) {
      for (const from of [round * 2_100, CELL_BLOCK_ROWS + 3_000 + round * 2_100]) {
        const params = { rowIndexFrom: from, rowIndexTo: from + 60, columnIndexFrom: 0, columnIndexTo: 7 };
        for (let k = 0; k < 2; k++) {
          const [x, y] = await Promise.all([threaded.run(a, 'data', params), withoutCells.run(b, 'data', params)]);
          assert.equal(x.data, y.data, `data ${JSON.stringify(params)}`);
        }
      }
      // Nothing came out of order this time (it may, rarely): blocks of a new column next.
      await Promise.all([threaded.ok(a, 'insertDuplicateColumn', { columnIndex: 0 }), withoutCells.ok(b, 'insertDuplicateColumn', { columnIndex: 0 })]);
    }
    assert.ok(cells.built > 0 && cells.reordered > 0, `some block came out of order and was built again in order (built ${cells.built}, reordered ${cells.reordered})`);
  } finally {
    await threaded.close();
  }
});

test('close', async () => {
  await withCells.close();
  await withoutCells.close();
  await fewCells.close();
});

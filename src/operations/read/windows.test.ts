import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { WINDOW_ROWS, ViewWindows } from '../../engine/view-windows.ts';
import { SORTED_PREFIX_ROWS } from './view.ts';

// Pages of sorted and filtered views read through windows must be what the dataset holds
// now: after an edit of a column on the page, of the sort column, a rename, an undo and a
// deletion of rows. The expected pages are computed here from the whole table.

// More rows than a sorted view's first rows kept for its first pages (SORTED_PREFIX_ROWS).
const ROWS = 6000;
// After edits of p and t, n and u still share their file (read through windows) and p and t
// are files of one column each (looked up per page, together).
const csv = 'n,p,t,u\n' + Array.from({ length: ROWS }, (_, i) => `${i},${i % 10 === 3 ? '' : ((i * 7919) % 1000) / 10},w${i % 13},u${i % 5}`).join('\n') + '\n';

interface Page {
  columns: string[];
  index: number[];
  data: unknown[][];
}

/** The page [from, to] of the current dataset sorted by column `by` (missing last, then by position), or filtered by `keep`. */
async function expected(h: EngineHarness, id: string, from: number, to: number, view: { by?: number; descending?: boolean; keep?: (row: unknown[]) => boolean }): Promise<Page> {
  const t = await h.table(id);
  let order = t.rows.map((row, pos) => ({ row, pos }));
  if (view.keep) order = order.filter((r) => view.keep!(r.row));
  if (view.by !== undefined) {
    const by = view.by;
    const sign = view.descending ? -1 : 1;
    order.sort((a, b) => {
      const x = a.row[by] as number | string | null;
      const y = b.row[by] as number | string | null;
      if (x === null || y === null) return x === y ? a.pos - b.pos : x === null ? 1 : -1;
      return x === y ? a.pos - b.pos : (x < y ? -1 : 1) * sign;
    });
  }
  const page = order.slice(from, to + 1);
  return { columns: t.columns, index: page.map((r) => r.pos), data: page.map((r) => r.row) };
}

async function page(h: EngineHarness, id: string, from: number, to: number, params: Record<string, unknown>): Promise<Page> {
  const res = await h.ok(id, 'data', { rowIndexFrom: from, rowIndexTo: to, columnIndexFrom: 0, columnIndexTo: 3, ...params });
  return JSON.parse(res.data) as Page;
}

// Pages are read through windows by DuckDB when the cells are not kept in memory (CellCache,
// off here; test/cell-slices.test.ts compares the two), on the main DuckDB instance.
const windowed = { CELL_CACHE_BYTES: 0, DUCKDB_SMALL_THREADS: 0 };

test('sorted pages read through windows follow every change of the dataset', async () => {
  const h = await engineHarness(windowed);
  try {
    const id = await h.load(csv);
    const windows = h.rt.selections.windows;
    // Pages inside the first window, across its end, across the end of the first rows a
    // sort keeps for its first pages, in the last window.
    const spans: [number, number][] = [
      [0, 49],
      [WINDOW_ROWS - 20, WINDOW_ROWS + 29],
      [SORTED_PREFIX_ROWS - 5, SORTED_PREFIX_ROWS + 5],
      [ROWS - 30, ROWS - 1],
    ];
    assert.ok(ROWS > SORTED_PREFIX_ROWS + 30);
    const check = async (label: string) => {
      for (const [from, to] of spans) {
        assert.deepEqual(await page(h, id, from, to, { sortColumnIndex: 1 }), await expected(h, id, from, to, { by: 1 }), `${label}: sorted by p, rows ${from}…${to}`);
        assert.deepEqual(await page(h, id, from, to, { sortColumnIndex: 2, sortAscending: false }), await expected(h, id, from, to, { by: 2, descending: true }), `${label}: sorted by t descending, rows ${from}…${to}`);
      }
    };
    await check('as imported');
    const built = windows.built;
    assert.ok(built > 0, 'pages were read through windows');
    await check('again');
    assert.equal(windows.built, built, 'the same pages again are read from the windows made before');

    // A cell of the text column that is on the first page sorted by p.
    const first = (await page(h, id, 0, 0, { sortColumnIndex: 1 })).index[0];
    await h.ok(id, 'newCellValue', { columnIndex: 2, rowIndex: first, newValue: 'edited' });
    await check('after an edit of a column on the page');
    // The sort column itself: the order changes.
    await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: ROWS - 1, newValue: '-5' });
    await check('after an edit of the sort column');
    await h.ok(id, 'renameColumn', { column: 'n', newName: 'number' });
    await check('after a rename');
    await h.ok(id, 'undo');
    await h.ok(id, 'undo');
    await check('after two undos');
    await h.ok(id, 'deleteRows', { rowIndices: [first, 0, 1, 2, 1500, ROWS - 1] });
    await check('after deleting rows');
    await h.ok(id, 'undo');
    await check('after undoing the deletion');
  } finally {
    await h.close();
  }
});

test('filtered and searched pages read through windows follow edits of the filtered column', async () => {
  const h = await engineHarness(windowed);
  try {
    const id = await h.load(csv);
    const missing = { filterType: 'invalid', filterColumnIndices: [1] };
    const search = { searchQuery: 'w1', searchColumnIndices: [2] };
    const check = async (label: string) => {
      const total = (await h.table(id)).rows.filter((r) => r[1] === null).length;
      assert.deepEqual(await page(h, id, 0, Math.min(49, total - 1), missing), await expected(h, id, 0, Math.min(49, total - 1), { keep: (r) => r[1] === null }), `${label}: missing p`);
      assert.deepEqual(await page(h, id, 100, 149, search), await expected(h, id, 100, 149, { keep: (r) => String(r[2]).includes('w1') }), `${label}: search`);
    };
    await check('as imported');
    const firstMissing = (await page(h, id, 0, 0, missing)).index[0];
    await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: firstMissing, newValue: '1.5' });
    await check('after filling a missing value');
    await h.ok(id, 'newCellValue', { columnIndex: 2, rowIndex: (await page(h, id, 100, 100, search)).index[0], newValue: 'x' });
    await check('after an edit that takes a row out of the search');
  } finally {
    await h.close();
  }
});

test('windows beyond the bound go, least recently used first, but never while read', async () => {
  const h = await engineHarness();
  try {
    const windows = new ViewWindows(30);
    await h.rt.duck.withConnection(async (db) => {
      const make = (n: number) => async (table: string) => db.run(`CREATE TABLE ${table} AS SELECT range AS x FROM range(${n})`);
      const sum = async (tables: string[]) => Number(await db.scalar(`SELECT sum(x) FROM (${tables.map((t) => `SELECT x FROM ${t}`).join(' UNION ALL ')})`));
      assert.equal(await windows.use(db, [{ key: 'a', cells: 10, build: make(3) }], sum), 3);
      assert.equal(await windows.use(db, [{ key: 'b', cells: 10, build: make(4) }], sum), 6);
      // c and d read together: 40 cells pinned at once, both kept until the read ends.
      assert.equal(await windows.use(db, [{ key: 'c', cells: 10, build: make(5) }, { key: 'd', cells: 10, build: make(2) }], sum), 11);
      assert.equal(windows.size, 3, 'a went first');
      const built = windows.built;
      assert.equal(await windows.use(db, [{ key: 'd', cells: 10, build: make(99) }], sum), 1);
      assert.equal(windows.built, built, 'd was kept');
      assert.equal(await windows.use(db, [{ key: 'a', cells: 10, build: make(6) }], sum), 15);
      assert.equal(windows.built, built + 1, 'a was made again');
    });
  } finally {
    await h.close();
  }
});

import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { columnPosition, rowPosition } from '../params.ts';
import { viewParams, viewColumns, withView, type View } from './view.ts';
import { jsonValue } from '../../engine/json-values.ts';
import { literal } from '../../engine/sql.ts';
import { columnGroups, gluedText, groupIndices } from '../../engine/column-groups.ts';
import { WINDOW_ROWS, WINDOWED_MAX_ROWS } from '../../engine/view-windows.ts';
import type { Db } from '../../engine/duck.ts';
import type { Dataset } from '../../engine/dataset.ts';
import type { SelectionCache } from '../../engine/selection-cache.ts';
import type { CellCache } from '../../engine/cell-cache.ts';

export const data = defineOperation({
  name: 'data',
  kind: 'read',
  summary: 'a slice of the (optionally filtered, searched, sorted) dataset as a JSON string in split orientation',
  params: z.object({
    rowIndexFrom: rowPosition,
    rowIndexTo: rowPosition,
    columnIndexFrom: columnPosition,
    columnIndexTo: columnPosition,
    ...viewParams,
  }),
  pure: true,
  // A slice shows its columns and the rows the view picks: it is cached by what those columns
  // and the view's columns hold (Dataset.contentKey), so an edit of any other column, or a
  // rename undone, finds it again.
  versionKey(ds, p) {
    const shown = groupIndices({ from: p.columnIndexFrom, to: Math.min(p.columnIndexTo + 1, ds.columns.length) });
    return ds.contentKey([...shown, ...viewColumns(p)]);
  },
  async run(ctx, p) {
    const ds = ctx.dataset;
    if (p.rowIndexFrom > p.rowIndexTo) throw new OperationError('invalid slice', `rowIndexFrom (${p.rowIndexFrom}) is after rowIndexTo (${p.rowIndexTo})`);
    if (p.columnIndexFrom > p.columnIndexTo) throw new OperationError('invalid slice', `columnIndexFrom (${p.columnIndexFrom}) is after columnIndexTo (${p.columnIndexTo})`);
    if (ds.columns.length > 0 && p.columnIndexFrom >= ds.columns.length) {
      throw new OperationError('index out of range', `columnIndexFrom ${p.columnIndexFrom} is out of range: the dataset has ${ds.columns.length} columns (0…${ds.columns.length - 1})`);
    }
    // What a slice may hold: rows past the end are not there to read (the range is cut to
    // the view's rows below), so only a range that would read more than this is refused.
    const tooLarge = (to: number) => {
      const requested = to - p.rowIndexFrom + 1;
      if (requested > ctx.config.MAX_SLICE_ROWS) throw new OperationError('slice too large', `${requested} rows requested; at most ${ctx.config.MAX_SLICE_ROWS} rows can be read at once, ask for smaller slices`);
    };
    tooLarge(Math.min(p.rowIndexTo, Math.max(ds.rows - 1, p.rowIndexFrom)));
    const lastColumn = Math.min(p.columnIndexTo, ds.columns.length - 1);
    const columnIndices = Array.from({ length: Math.max(0, lastColumn - p.columnIndexFrom + 1) }, (_, k) => p.columnIndexFrom + k);

    const json = await withView(ctx, p, true, async (view) => {
      if (view.rows > 0 && p.rowIndexFrom >= view.rows) {
        throw new OperationError('index out of range', `rowIndexFrom ${p.rowIndexFrom} is out of range: the ${view.kind === 'all' ? 'dataset' : 'view'} has ${view.rows} rows (0…${view.rows - 1})`);
      }
      const to = Math.min(p.rowIndexTo, view.rows - 1);
      tooLarge(to);
      if (to >= p.rowIndexFrom && ctx.cells.usable(ds, columnIndices)) {
        const json = await cellSliceJson(ctx.db, ctx.cells, ds, view, p.rowIndexFrom, to, columnIndices);
        if (json !== null) return json;
      }
      return sliceJson(ctx.db, ctx.selections, ctx.dataset, view, p.rowIndexFrom, to, columnIndices);
    }, Math.min(p.rowIndexTo, p.rowIndexFrom + ctx.config.MAX_SLICE_ROWS - 1) + 1);
    return { data: json };
  },
});

/**
 * Most columns one statement turns into JSON at once. DuckDB's vectors are 2,048 values per
 * column whatever the row count, so a projection of 10,000 columns needs about 330 MB per
 * thread even for one row: wider slices are built from chunks of this many columns, each
 * serialized in its own subquery, and joined as text on the row position.
 */
export const SLICE_COLUMN_CHUNK = 500;

/**
 * Optimizers a slice of more than one chunk skips. Its plan is right as written (each
 * chunk a scan of the slice's row groups, joined on the position, one row per position),
 * but over 10,000 columns these passes cost more than the reading: measured on a full row
 * of 10,000 × 1,000, about 180 ms of optimizing against 20 ms without them, of a 600 ms
 * request. Filter pushdown, which lets each scan read only the slice's row groups, stays.
 */
export const WIDE_SLICE_SKIPPED_OPTIMIZERS = [
  'common_subplan',
  'common_subexpressions',
  'statistics_propagation',
  'join_order',
  'expression_rewriter',
  'column_lifetime',
  'duplicate_groups',
  'filter_pullup',
] as const;

/**
 * sliceJson from the cells of small datasets kept in memory (CellCache): the view's
 * positions in [from, to] (the range itself, or rows of the view's positions kept by its
 * key), their cells' JSON text as DuckDB renders it. Null when the cache cannot keep a
 * block the slice needs; the caller then reads it by DuckDB. Same JSON as sliceJson.
 */
async function cellSliceJson(db: Db, cells: CellCache, ds: Dataset, view: View, from: number, to: number, columns: number[]): Promise<string | null> {
  let positions: ArrayLike<number>;
  if (view.kind === 'all') {
    const range = new Int32Array(to - from + 1);
    for (let k = 0; k < range.length; k++) range[k] = from + k;
    positions = range;
  } else {
    const all = await cells.viewPositions(db, view.key, view.table);
    if (all.length <= to) throw new Error(`view ${view.key} kept ${all.length} positions; rows ${from}…${to} asked for`);
    positions = all.subarray(from, to + 1);
  }
  return cells.slice(db, ds, positions, columns);
}

// The JSON text is built by DuckDB itself, so a 100k-row slice is serialized on DuckDB's
// threads rather than on the event loop.
async function sliceJson(db: Db, selections: SelectionCache, ds: Dataset, view: View, from: number, to: number, columns: number[]): Promise<string> {
  const names = columns.map((i) => ds.column(i).name);
  if (to < from) return JSON.stringify({ columns: names, index: [], data: [] });
  if (view.kind === 'positions' && windowed(ds, columns)) {
    const json = await windowedSliceJson(db, selections, ds, view, from, to, columns);
    if (json !== null) return json;
  }
  // Positions of the page in view order (a filtered or sorted view), or the range itself.
  const table = view.kind === 'all' ? null : view.table;
  const positions = table === null ? null : await viewPositions(db, table, from, to);
  const chunks: number[][] = [];
  for (const { from: lo, to: hi } of columnGroups(columns.length, SLICE_COLUMN_CHUNK)) chunks.push(columns.slice(lo, hi));
  if (chunks.length === 0) chunks.push([]);
  // One subquery per chunk: (__pos, the chunk's values as the text of a JSON array).
  const parts: string[] = [];
  const array = (values: string[]) => (values.length ? `json_array(${values.join(', ')})::VARCHAR` : `'[]'`);
  for (const chunk of chunks) {
    // A chunk of one file without deleted rows (most chunks of a wide import) reads its fields
    // straight from the file's scan: select()'s renaming layer cost ~25% of a full row's CPU.
    const direct = chunks.length > 1 ? ds.directScan(positions ? { positions, columns: chunk } : { from, to, columns: chunk }) : null;
    if (direct) {
      parts.push(`SELECT file_row_number AS __pos, ${array(chunk.map((i) => jsonValue(direct.field(i), ds.column(i).type)))} AS j FROM ${direct.from}`);
      continue;
    }
    const rows = positions ? await ds.selectRows(db, { withPosition: true, positions, columns: chunk }) : await ds.selectRows(db, { withPosition: true, from, to, columns: chunk });
    parts.push(`SELECT __pos, ${array(chunk.map((i) => jsonValue(ds.sqlName(i), ds.column(i).type)))} AS j FROM (${rows})`);
  }
  const order = table !== null ? 'o.ord' : 'p0.__pos';
  const joins = parts.map((sql, k) => (k === 0 ? `(${sql}) p0` : `JOIN (${sql}) p${k} USING (__pos)`)).join(' ');
  const source = table !== null ? `${joins} JOIN (SELECT __pos, rowid AS ord FROM ${table} WHERE rowid BETWEEN ${from} AND ${to}) o USING (__pos)` : joins;
  // Arrays of the chunks glued into one: each chunk has a column, so no fragment is empty.
  const row = parts.length === 1 ? 'p0.j' : gluedText(parts.map((_, k) => `p${k}.j[2:-2]`), { open: `'['`, close: `']'` });
  const sql = sliceEnvelope(names, 'p0.__pos', row, order, source);
  return String(parts.length > 1 ? await db.scalarUnoptimized(sql, WIDE_SLICE_SKIPPED_OPTIMIZERS) : await db.scalar(sql));
}

/** Positions (as SQL literals) of rows [from, to] of a view's table of positions (in no particular order: callers look them up as a set). */
async function viewPositions(db: Db, table: string, from: number, to: number): Promise<string[]> {
  return (await db.rows(`SELECT __pos FROM ${table} WHERE rowid BETWEEN ${from} AND ${to}`)).map((r) => String(r.__pos));
}

/**
 * The SELECT of a slice's JSON text ({"columns":…,"index":[…],"data":[…]}, pandas' split
 * orientation) from `source`, one row per row of the slice: `position` and `row` (the row's
 * values as the text of a JSON array) aggregated in the order `order`.
 */
function sliceEnvelope(names: string[], position: string, row: string, order: string, source: string): string {
  return (
    `SELECT '{"columns":' || ${literal(JSON.stringify(names))} || ',"index":[' || coalesce(string_agg(${position}::VARCHAR, ',' ORDER BY ${order}), '') || ` +
    `'],"data":[' || coalesce(string_agg(${row}, ',' ORDER BY ${order}), '') || ']}' AS j FROM ${source}`
  );
}

/** Whether a page of a view of `ds` is read through windows of the view (view-windows.ts): small datasets, slices of one column chunk. */
function windowed(ds: Dataset, columns: number[]): boolean {
  return ds.rows <= WINDOWED_MAX_ROWS && columns.length > 0 && columns.length <= SLICE_COLUMN_CHUNK;
}

/**
 * sliceJson of a page of a view through windows of WINDOW_ROWS view rows: for each window
 * the page overlaps and each file (with its deleted rows) of several of the page's columns, a
 * table of (view row `ord`, `__pos`, the file's fields read as f0, f1…), made once from the
 * view's positions in that window; the page joins them on `ord`. A file of one column is
 * looked up for the page alone: its decode is cheap next to a window's copy (about 3 ms
 * against 8 for 1,024 rows of a number), and such files are the ones edits keep replacing
 * (a cell edit writes its column anew), so their windows would rarely be read twice. Null
 * when no file has several columns. Same JSON as the direct read.
 */
async function windowedSliceJson(db: Db, selections: SelectionCache, ds: Dataset, view: View & { kind: 'positions' }, from: number, to: number, columns: number[]): Promise<string | null> {
  const groupOf = (i: number) => JSON.stringify([ds.column(i).file, ds.column(i).deleted?.file ?? null]);
  const groups = [...new Set(columns.map(groupOf))]
    .map((g) => {
      const members = columns.filter((i) => groupOf(i) === g);
      const fields = [...new Set(members.map((i) => ds.column(i).field))].sort();
      // One column per field to read it by (columns of one field hold the same values).
      const readers = fields.map((f) => members.find((i) => ds.column(i).field === f)!);
      return { key: g, fields, readers, windowed: fields.length > 1 };
    })
    .sort((a, b) => Number(b.windowed) - Number(a.windowed)); // w0 is a window: it carries ord
  if (!groups[0].windowed) return null;
  const first = Math.floor(from / WINDOW_ROWS);
  const last = Math.floor(to / WINDOW_ROWS);
  const windows: { key: string; cells: number; build: (table: string) => Promise<void> }[] = [];
  for (const g of groups.filter((x) => x.windowed)) {
    for (let w = first; w <= last; w++) {
      const lo = w * WINDOW_ROWS;
      const hi = Math.min(lo + WINDOW_ROWS, view.rows) - 1;
      windows.push({
        key: `${view.key}\u0000${w}\u0000${g.key}\u0000${JSON.stringify(g.fields)}`,
        cells: (hi - lo + 1) * (g.fields.length + 2),
        build: async (table) => {
          const positions = await viewPositions(db, view.table, lo, hi);
          const rows = await ds.selectRows(db, { withPosition: true, positions, columns: g.readers });
          const fields = g.readers.map((i, k) => `d.${ds.ref(i)} AS f${k}`).join(', ');
          await db.run(`CREATE TABLE ${table} AS SELECT s.ord, d.__pos, ${fields} FROM (SELECT rowid AS ord, __pos FROM ${view.table} WHERE rowid BETWEEN ${lo} AND ${hi}) s JOIN (${rows}) d ON d.__pos = s.__pos`);
        },
      });
    }
  }
  // The one-column files in one lookup of the page's positions (select() joins their scans).
  const direct = groups.filter((x) => !x.windowed).flatMap((g) => g.readers);
  let lookup = '';
  if (direct.length > 0) {
    const positions = await viewPositions(db, view.table, from, to);
    const rows = await ds.selectRows(db, { withPosition: true, positions, columns: direct });
    lookup = `JOIN (SELECT __pos, ${direct.map((i, k) => `${ds.ref(i)} AS f${k}`).join(', ')} FROM (${rows})) wd ON wd.__pos = w0.__pos`;
  }
  return selections.windows.use(db, windows, async (tables) => {
    const span = last - first + 1;
    const sources = groups.flatMap((g, k) => {
      if (!g.windowed) return [];
      const parts = tables.slice(k * span, (k + 1) * span).map((t) => `SELECT * FROM ${t}`);
      const source = `(SELECT * FROM (${parts.join(' UNION ALL ')}) WHERE ord BETWEEN ${from} AND ${to}) w${k}`;
      return [k === 0 ? source : `JOIN ${source} ON w${k}.ord = w0.ord`];
    });
    if (lookup) sources.push(lookup);
    const outputs = columns.map((i) => {
      const g = groups.findIndex((x) => x.key === groupOf(i));
      const field = groups[g].fields.indexOf(ds.column(i).field);
      return groups[g].windowed ? `w${g}.f${field} AS ${ds.ref(i)}` : `wd.f${direct.indexOf(groups[g].readers[field])} AS ${ds.ref(i)}`;
    });
    const page = `SELECT w0.ord, w0.__pos, ${outputs.join(', ')} FROM ${sources.join(' ')}`;
    const values = columns.map((i) => jsonValue(ds.sqlName(i), ds.column(i).type));
    const names = columns.map((i) => ds.column(i).name);
    return String(await db.scalar(sliceEnvelope(names, '__pos', `json_array(${values.join(', ')})::VARCHAR`, 'ord', `(${page})`)));
  });
}

import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { columnPosition, rowPosition } from '../params.ts';
import { viewParams, withView, type View } from './view.ts';
import { jsonValue } from '../../engine/json-values.ts';
import { literal } from '../../engine/sql.ts';
import { columnGroups, gluedText } from '../../engine/column-groups.ts';

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
  async run(ctx, p) {
    const ds = ctx.dataset;
    if (p.rowIndexFrom > p.rowIndexTo) throw new OperationError('invalid slice', `rowIndexFrom (${p.rowIndexFrom}) is after rowIndexTo (${p.rowIndexTo})`);
    if (p.columnIndexFrom > p.columnIndexTo) throw new OperationError('invalid slice', `columnIndexFrom (${p.columnIndexFrom}) is after columnIndexTo (${p.columnIndexTo})`);
    if (ds.columns.length > 0 && p.columnIndexFrom >= ds.columns.length) {
      throw new OperationError('index out of range', `columnIndexFrom ${p.columnIndexFrom} is out of range: the dataset has ${ds.columns.length} columns (0…${ds.columns.length - 1})`);
    }
    const requested = p.rowIndexTo - p.rowIndexFrom + 1;
    if (requested > ctx.config.MAX_SLICE_ROWS) {
      throw new OperationError('slice too large', `${requested} rows requested; at most ${ctx.config.MAX_SLICE_ROWS} rows can be read at once, ask for smaller slices`);
    }
    const lastColumn = Math.min(p.columnIndexTo, ds.columns.length - 1);
    const columnIndices = Array.from({ length: Math.max(0, lastColumn - p.columnIndexFrom + 1) }, (_, k) => p.columnIndexFrom + k);

    const json = await withView(ctx, p, true, async (view) => {
      if (view.rows > 0 && p.rowIndexFrom >= view.rows) {
        throw new OperationError('index out of range', `rowIndexFrom ${p.rowIndexFrom} is out of range: the ${view.kind === 'all' ? 'dataset' : 'view'} has ${view.rows} rows (0…${view.rows - 1})`);
      }
      const to = Math.min(p.rowIndexTo, view.rows - 1);
      return sliceJson(ctx.db, ctx.dataset, view, p.rowIndexFrom, to, columnIndices);
    });
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

// The JSON text is built by DuckDB itself, so a 100k-row slice is serialized on DuckDB's
// threads rather than on the event loop.
async function sliceJson(db: import('../../engine/duck.ts').Db, ds: import('../../engine/dataset.ts').Dataset, view: View, from: number, to: number, columns: number[]): Promise<string> {
  const names = columns.map((i) => ds.column(i).name);
  if (to < from) return JSON.stringify({ columns: names, index: [], data: [] });
  // Positions of the page in view order (a filtered or sorted view), or the range itself.
  const table = view.kind === 'all' ? null : view.table;
  const positions = table === null ? null : (await db.rows(`SELECT __pos FROM ${table} WHERE rowid BETWEEN ${from} AND ${to}`)).map((r) => String(r.__pos));
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
  const header = literal(JSON.stringify(names));
  const sql =
    `SELECT '{"columns":' || ${header} || ',"index":[' || coalesce(string_agg(p0.__pos::VARCHAR, ',' ORDER BY ${order}), '') || ` +
    `'],"data":[' || coalesce(string_agg(${row}, ',' ORDER BY ${order}), '') || ']}' AS j FROM ${source}`;
  return String(parts.length > 1 ? await db.scalarUnoptimized(sql, WIDE_SLICE_SKIPPED_OPTIMIZERS) : await db.scalar(sql));
}

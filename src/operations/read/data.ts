import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { columnPosition, rowPosition } from '../params.ts';
import { viewParams, withView, type View } from './view.ts';
import { jsonValue } from '../../engine/json-values.ts';
import { literal } from '../../engine/sql.ts';

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

// The JSON text is built by DuckDB itself, so a 100k-row slice is serialized on DuckDB's
// threads rather than on the event loop.
async function sliceJson(db: import('../../engine/duck.ts').Db, ds: import('../../engine/dataset.ts').Dataset, view: View, from: number, to: number, columns: number[]): Promise<string> {
  const names = columns.map((i) => ds.column(i).name);
  const header = `'columns', json(${literal(JSON.stringify(names))})`;
  if (to < from) return JSON.stringify({ columns: names, index: [], data: [] });
  const values = columns.map((i) => jsonValue(ds.sqlName(i), ds.column(i).type));
  const row = values.length ? `json_array(${values.join(', ')})` : 'json_array()';
  let source: string;
  let order: string;
  if (view.kind === 'all') {
    source = await ds.selectRows(db, { withPosition: true, from, to, columns });
    order = '__pos';
  } else {
    // Positions of the page, in view order; then only those rows are read from each file.
    const page = await db.rows(`SELECT __pos FROM ${view.table} WHERE rowid BETWEEN ${from} AND ${to}`);
    const positions = page.map((r) => String(r.__pos));
    source = `SELECT r.*, o.ord FROM (${await ds.selectRows(db, { withPosition: true, positions, columns })}) r JOIN (SELECT __pos, rowid AS ord FROM ${view.table} WHERE rowid BETWEEN ${from} AND ${to}) o USING (__pos)`;
    order = 'ord';
  }
  const sql = `SELECT json_object(${header}, 'index', coalesce(list(__pos ORDER BY ${order}), []), 'data', coalesce(list(${row} ORDER BY ${order}), []))::VARCHAR AS j FROM (${source})`;
  return String(await db.scalar(sql));
}

import { withSampleStd } from '../../engine/moments.ts';
import { z } from 'zod';
import { annotate, bool, choice, columnPositions, int, number, pattern, checkColumnIndices, checkColumnIndex } from '../params.ts';
import { OperationError, invalidParameter } from '../errors.ts';
import { literal } from '../../engine/sql.ts';
import { isMissing, presentValue, textValue } from '../../engine/json-values.ts';
import { isNumeric } from '../../engine/column-types.ts';
import type { OperationContext } from '../types.ts';
import type { Dataset } from '../../engine/dataset.ts';
import { scanOf } from '../change/scan.ts';
import { WINDOW_ROWS } from '../../engine/view-windows.ts';

// The filter / search / sort parameters shared by `metadata` and `data`.
export const viewParams = {
  filterType: choice(['invalid', 'outliers', 'duplicates']).nullish(),
  filterColumnIndices: columnPositions.nullish(),
  outliersTrimPortion: number.pipe(z.number().min(0).lt(0.5, 'must be below 0.5')).nullish(),
  outliersStdDev: number.pipe(z.number().nonnegative()).nullish(),
  searchQuery: pattern(z.string(), 'searchIsRegex').nullish(),
  searchColumnIndices: columnPositions.nullish(),
  searchIsRegex: bool.nullish(),
  sortColumnIndex: annotate(int, 'columnIndex').nullish(),
  sortAscending: bool.nullish(),
};

const viewSchema = z.object(viewParams);
export type ViewParams = z.infer<typeof viewSchema>;

/** The rows a request looks at: all of them in order, or a cached table of positions (`key` names its content: SelectionCache). */
export type View = { kind: 'all'; rows: number } | { kind: 'positions'; table: string; rows: number; key: string };

/** Columns whose SQL name (Dataset.ref) appears in the given SQL texts. */
function usedColumns(ds: Dataset, texts: string[]): number[] {
  const text = texts.join('\n');
  return ds.columns.flatMap((_, i) => (text.includes(ds.ref(i)) ? [i] : []));
}

/** Every column a view's parameters name (filtered, searched, sorted by), valid or not. */
export function viewColumns(p: ViewParams): number[] {
  return [...(p.filterColumnIndices ?? []), ...(p.searchColumnIndices ?? []), ...(p.sortColumnIndex === null || p.sortColumnIndex === undefined ? [] : [p.sortColumnIndex])];
}

function hasFilter(p: ViewParams): boolean {
  return !!p.filterType && (p.filterColumnIndices?.length ?? 0) > 0;
}
function hasSearch(p: ViewParams): boolean {
  return typeof p.searchQuery === 'string' && p.searchQuery !== '' && (p.searchColumnIndices?.length ?? 0) > 0;
}

/**
 * Rows of a sorted view computed when a read needs only its first ones: grids open sorted
 * views at the top, and ORDER BY … LIMIT keeps a heap of these rows instead of sorting every
 * row (a sort of 100k prices: about 14 ms of CPU and 100k positions kept, against a few ms
 * and 2,048; the heap of LIMIT 4096 costs twice LIMIT 1024). A multiple of WINDOW_ROWS, so a window of its rows is whole.
 */
export const SORTED_PREFIX_ROWS = 2 * WINDOW_ROWS;

/**
 * Run `read` with the view the parameters describe. `need`: the rows of the view the read
 * looks at, counted from its first (a page ending at row 49 needs 50); absent, all of them.
 */
export async function withView<T>(ctx: OperationContext, params: ViewParams, sort: boolean, read: (view: View) => Promise<T>, need?: number): Promise<T> {
  const ds = ctx.dataset;
  const sortIndex = sort && params.sortColumnIndex !== null && params.sortColumnIndex !== undefined ? checkColumnIndex(ds, params.sortColumnIndex, 'sortColumnIndex') : null;
  if (!hasFilter(params) && !hasSearch(params) && sortIndex === null) return read({ kind: 'all', rows: ds.rows });

  const conditions: string[] = [];
  let order = '__pos';
  if (hasFilter(params)) {
    // A set of columns: repeats add nothing but conditions.
    const cols = [...new Set(checkColumnIndices(ds, params.filterColumnIndices!, 'filterColumnIndices'))];
    const filter = await filterCondition(ctx, params, cols);
    conditions.push(filter.condition);
    if (filter.order) order = filter.order;
  }
  if (hasSearch(params)) conditions.push(await searchCondition(ctx, params));
  if (sortIndex !== null) {
    const { type } = ds.column(sortIndex);
    // Missing last in both directions, NaN with NULL (DuckDB would sort NaN above every
    // number), in row order among themselves as pandas' sort_values leaves them.
    order = `${presentValue(ds.sqlName(sortIndex), type)} ${params.sortAscending === false ? 'DESC' : 'ASC'} NULLS LAST, __pos`;
  }
  // Read from the files of the columns the view uses only: df_pos joins every file of the
  // version positionally, on one thread (a sort of 10M rows by one column: 1.4 s that way).
  const used = usedColumns(ds, [...conditions, order]);
  const source = scanOf(ds, used, true);
  // The view is a function of those columns' files (and deleted rows) alone: versions that
  // kept them (an edit of another column, a rename, an undo) share it.
  const files = used.map((i) => {
    const c = ds.column(i);
    return [i, c.file, c.field, c.deleted?.file ?? null, c.type];
  });
  // A sort alone keeps every row: its row count is the dataset's, and its first rows are enough
  // for a read of the first pages. (A filter's count would need a scan of its own.)
  const prefix = conditions.length === 0 && need !== undefined && need <= SORTED_PREFIX_ROWS ? SORTED_PREFIX_ROWS : null;
  const spec = JSON.stringify({ rows: ds.rows, files, conditions, order, ...(prefix === null ? {} : { limit: prefix }) });
  return ctx.selections.use(
    ctx.db,
    ctx.sessionId,
    spec,
    // CREATE TABLE … AS answers the rows it stored (DuckDB's Count): no count(*) of the table.
    async (table) => Number(await ctx.db.scalar(`CREATE TABLE ${table} AS SELECT __pos FROM ${source} ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${order}${prefix === null ? '' : ` LIMIT ${prefix}`}`)),
    async ({ table, rows, key }) => read({ kind: 'positions', table, rows, key }),
    prefix === null ? undefined : ds.rows,
  );
}

async function filterCondition(ctx: OperationContext, p: ViewParams, cols: number[]): Promise<{ condition: string; order?: string }> {
  const ds = ctx.dataset;
  const columns = cols.map((i) => ds.column(i));
  switch (p.filterType) {
    case 'invalid':
      return { condition: columns.map((c, k) => isMissing(ds.sqlName(cols[k]), c.type)).join(' AND ') };
    case 'duplicates': {
      const keys = cols.map((i) => ds.ref(i)).join(', ');
      // A window over the listed columns: rows whose key occurs more than once, all copies.
      return {
        condition: `__pos IN (SELECT __pos FROM (SELECT __pos, count(*) OVER (PARTITION BY ${keys}) AS n FROM ${scanOf(ds, cols, true)}) WHERE n > 1)`,
        order: `${presentValue(ds.sqlName(cols[0]), columns[0].type)} ASC NULLS LAST, __pos`,
      };
    }
    case 'outliers': {
      const trim = p.outliersTrimPortion ?? 0;
      const r = p.outliersStdDev ?? 2;
      const parts: string[] = [];
      for (const [k, c] of columns.entries()) {
        if (!isNumeric(c.type)) throw new OperationError('invalid column type', `outliers need numeric columns; ${JSON.stringify(c.name)} is ${c.type.toLowerCase()}`);
        const col = ds.ref(cols[k]);
        // Trimmed mean and sample std: drop floor(n·trim) sorted values at each end.
        const kept = `(WITH v AS (SELECT ${col}::DOUBLE AS x FROM ${scanOf(ds, [cols[k]])} WHERE NOT ${isMissing(ds.sqlName(cols[k]), c.type)}),
               s AS (SELECT x, row_number() OVER (ORDER BY x) AS rn, count(*) OVER () AS n FROM v)
          SELECT x FROM s WHERE rn > floor(n * ${trim}) AND rn <= n - floor(n * ${trim}))`;
        const stats = await withSampleStd(ctx.db, `SELECT avg(x) AS m, stddev_samp(x) AS sd FROM ${kept}`, 'sd', 'x', kept);
        const m = stats.m === null ? null : Number(stats.m);
        const sd = stats.sd === null ? null : Number(stats.sd);
        if (m === null || sd === null || !Number.isFinite(sd)) {
          parts.push('false');
          continue;
        }
        // NaN compares above every number in DuckDB: a missing value is never an outlier.
        parts.push(`(NOT ${isMissing(ds.sqlName(cols[k]), c.type)} AND (${col} >= ${literal(m + r * sd)} OR ${col} <= ${literal(m - r * sd)}))`);
      }
      return { condition: parts.join(' AND ') };
    }
    default:
      throw invalidParameter(`filterType ${JSON.stringify(p.filterType)} is not one of invalid, outliers, duplicates`);
  }
}

async function searchCondition(ctx: OperationContext, p: ViewParams): Promise<string> {
  const ds = ctx.dataset;
  const cols = [...new Set(checkColumnIndices(ds, p.searchColumnIndices!, 'searchColumnIndices'))];
  const q = literal(p.searchQuery!);
  if (p.searchIsRegex) {
    try {
      await ctx.db.run(`SELECT regexp_matches('', ${q})`);
    } catch (err) {
      throw new OperationError('invalid regex', `searchQuery ${JSON.stringify(p.searchQuery)} is not a valid regular expression: ${(err as Error).message.replace(/^.*Error: /, '')}`);
    }
  }
  const tests = cols.map((i) => {
    const c = ds.column(i);
    const text = textValue(ds.sqlName(i), c.type);
    return p.searchIsRegex ? `coalesce(regexp_matches(${text}, ${q}), false)` : `coalesce(contains(${text}, ${q}), false)`;
  });
  return `(${tests.join(' OR ')})`;
}

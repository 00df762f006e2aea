import { withSampleStd } from '../../engine/moments.ts';
import { z } from 'zod';
import { annotate, bool, choice, columnPositions, int, number, pattern, checkColumnIndices, checkColumnIndex } from '../params.ts';
import { OperationError, invalidParameter } from '../errors.ts';
import { literal } from '../../engine/sql.ts';
import { isMissing, presentValue, textValue } from '../../engine/json-values.ts';
import { apiType, isNumeric } from '../../engine/column-types.ts';
import { pythonRegex, UnsupportedRegex } from '../python-regex.ts';
import type { OperationContext } from '../types.ts';
import type { Dataset } from '../../engine/dataset.ts';
import { scanOf } from '../change/scan.ts';
import { WINDOW_ROWS } from '../../engine/view-windows.ts';
import { viewColumnKey } from '../../engine/selection-cache.ts';
import { addChanged } from '../../engine/edit-lineage.ts';

// The filter / search / sort parameters shared by `metadata` and `data`.
export const viewParams = {
  filterType: choice(['invalid', 'outliers', 'duplicates']).nullish(),
  filterColumnIndices: columnPositions.nullish(),
  outliersTrimPortion: number.pipe(z.number().min(0).lt(0.5, 'must be below 0.5')).nullish(),
  outliersStdDev: number.pipe(z.number().nonnegative()).nullish(),
  searchQuery: pattern(z.string(), 'searchIsRegex').nullish(),
  searchColumnIndices: columnPositions.nullish(),
  searchIsRegex: bool.nullish(),
  // pandas' str.contains(case=…): letter case counts unless this is false (API.md's search
  // is case-sensitive, so absent means true).
  searchCaseSensitive: bool.nullish(),
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
  const files = used.map((i) => viewColumnKey(ds, i));
  // A sort alone keeps every row: its row count is the dataset's, and its first rows are enough
  // for a read of the first pages. (A filter's count would need a scan of its own.)
  const prefix = conditions.length === 0 && need !== undefined && need <= SORTED_PREFIX_ROWS ? SORTED_PREFIX_ROWS : null;
  // Such a prefix keeps its rows' sort keys too (__key), so that the prefix of a version
  // where a few cells of the column were edited is made from it (derivedPrefix).
  const keyed = prefix !== null && sortIndex !== null && used.length === 1 && used[0] === sortIndex && KEYED_SORT_TYPE.test(ds.column(sortIndex).type.toUpperCase());
  const specOf = (files: string[]) => JSON.stringify({ rows: ds.rows, files, conditions, order, ...(prefix === null ? {} : { limit: prefix }), ...(keyed ? { keyed } : {}) });
  const spec = specOf(files);
  return ctx.selections.use(
    ctx.db,
    ctx.sessionId,
    spec,
    // CREATE TABLE … AS answers the rows it stored (DuckDB's Count): no count(*) of the table.
    async (table) => {
      if (keyed && sortedPrefixDerivation.enabled) {
        const made = await derivedPrefix(ctx, table, sortIndex, params.sortAscending !== false, prefix, (column) => specOf([column]));
        if (made !== null) return made;
      }
      const key = keyed ? `, ${presentValue(ds.sqlName(sortIndex), ds.column(sortIndex).type)} AS __key` : '';
      return Number(await ctx.db.scalar(`CREATE TABLE ${table} AS SELECT __pos${key} FROM ${source} ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${order}${prefix === null ? '' : ` LIMIT ${prefix}`}`));
    },
    async ({ table, rows, key }) => read({ kind: 'positions', table, rows, key }),
    prefix === null ? undefined : ds.rows,
  );
}

/**
 * Types whose sort keys a sorted prefix keeps (a few bytes each: not text, whose values may
 * be long) and compares as ORDER BY does.
 */
const KEYED_SORT_TYPE = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DATE|TIMESTAMP|DECIMAL\(\d+, ?\d+\))$/;

/** Whether sorted prefixes are made from earlier versions' (derivedPrefix): tests turn it off to compare with a sort of the whole column. */
export const sortedPrefixDerivation = { enabled: true };

/** Most positions changed since a kept prefix for it to be merged (derivedPrefix), and edits followed back to find one. */
const MAX_DERIVED_POSITIONS = 64;
const MAX_DERIVATION_DEPTH = 16;

/**
 * The first `prefix` rows of the view sorted by column `sortIndex` made, as table `table`
 * (__pos, __key), from the kept prefix of an earlier version whose column held the same
 * values at every position but a few (cell edits: SelectionCache.edits) instead of sorting
 * the whole column again (a sort of 100k prices: 7–14 ms of CPU, against 2–4 for this),
 * with the values the edits wrote (Change.sameExcept `values`). Null when there is no such
 * prefix, an edit did not give its values, or the prefix made does not reach far enough:
 * then nothing is made.
 *
 * Why it is the same: rows whose value did not change keep their order among themselves,
 * so the kept prefix without the changed rows is the first k unchanged rows of the new order,
 * and every other unchanged row comes after the last of them (L). The new order up to L is
 * therefore those k rows and the changed rows that sort before L, in the order ORDER BY gives
 * them (the same ORDER BY, over their keys). The first `prefix` rows of the k rows and all
 * changed rows, so sorted, are the new prefix unless L is among them followed by changed
 * rows (those may come after unchanged rows not kept): then, or when rows are missing,
 * nothing is made. When the kept prefix held every row of the version, every row is known.
 */
async function derivedPrefix(ctx: OperationContext, table: string, sortIndex: number, ascending: boolean, prefix: number, specOf: (column: string) => string): Promise<number | null> {
  const ds = ctx.dataset;
  const type = ds.column(sortIndex).type;
  // Positions changed since the kept prefix, with the SQL of the value the newest edit of each wrote (null: not given).
  const moved = new Map<number, string | null>();
  for (const edit of ctx.selections.edits(ds, sortIndex, MAX_DERIVATION_DEPTH)) {
    addChanged(moved, edit.positions, edit.values);
    if (moved.size > MAX_DERIVED_POSITIONS || [...moved.values()].includes(null)) return null;
    const made = await ctx.selections.peek(ctx.db, ctx.sessionId, specOf(edit.base), async (base) => {
      const positions = [...moved.keys()].sort((a, b) => a - b);
      const list = positions.join(', ');
      // The changed rows' keys, from the values the edits wrote (no read of the column).
      const changed = `SELECT __pos, ${presentValue('__v', type)} AS __key FROM (VALUES ${positions.map((p) => `(${p}::BIGINT, CAST(${moved.get(p)} AS ${type}))`).join(', ')}) AS v(__pos, __v)`;
      const want = Math.min(prefix, ds.rows);
      const stored = Number(
        await ctx.db.scalar(
          `CREATE TABLE ${table} AS SELECT __pos, __key FROM (SELECT __pos, __key FROM ${base.table} WHERE __pos NOT IN (${list}) UNION ALL ${changed}) ` +
            `ORDER BY __key ${ascending ? 'ASC' : 'DESC'} NULLS LAST, __pos LIMIT ${prefix}`,
        ),
      );
      let valid = stored === want;
      // When the last row is an unchanged one (nearly always), no changed row follows L.
      if (valid && base.stored < ds.rows && moved.has(Number(await ctx.db.scalar(`SELECT __pos FROM ${table} WHERE rowid = ${stored - 1}`)))) {
        // Rows of the result past the last kept row (L) are changed rows unchanged rows not
        // kept might come before: wrong when L is in the result and changed rows follow it,
        // which needs a changed row that was among the kept rows (else k = `prefix` rows up to L).
        const check = await ctx.db.one(
          `SELECT (SELECT count(*) FROM ${base.table} WHERE __pos IN (${list})) AS gone, (SELECT count(*) FROM ${table} WHERE __pos NOT IN (${list})) AS kept, ` +
            `(SELECT max(rowid) FROM ${table} WHERE __pos NOT IN (${list})) AS last`,
        );
        const kept = base.stored - Number(check.gone);
        valid = Number(check.gone) === 0 || Number(check.kept) < kept || Number(check.last) === stored - 1;
      }
      if (valid) {
        ctx.selections.derived++;
        return stored;
      }
      await ctx.db.run(`DROP TABLE ${table}`);
      return -1;
    });
    if (made === null) continue;
    return made < 0 ? null : made;
  }
  return null;
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
        if (!isNumeric(c.type)) throw new OperationError('invalid column type', `outliers need numeric columns; ${JSON.stringify(c.name)} is ${apiType(c.type)}`);
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
  let q = literal(p.searchQuery!);
  if (p.searchIsRegex) {
    // Read as Python reads it (the original's str.contains): Unicode \w \d \s, (?P<name>…).
    try {
      q = literal(pythonRegex(p.searchQuery!).re2);
    } catch (err) {
      if (!(err instanceof UnsupportedRegex)) throw err;
      throw new OperationError('invalid regex', `searchQuery ${JSON.stringify(p.searchQuery)} ${err.message}`);
    }
    try {
      await ctx.db.run(`SELECT regexp_matches('', ${q})`);
    } catch (err) {
      throw new OperationError('invalid regex', `searchQuery ${JSON.stringify(p.searchQuery)} is not a valid regular expression: ${(err as Error).message.replace(/^.*Error: /, '')}`);
    }
  }
  // Without case: RE2's i flag for a regex; lower() of both sides (Unicode-aware: É and é) for text.
  const anyCase = p.searchCaseSensitive === false;
  const tests = cols.map((i) => {
    const c = ds.column(i);
    const text = textValue(ds.sqlName(i), c.type);
    if (p.searchIsRegex) return `coalesce(regexp_matches(${text}, ${q}${anyCase ? ", 'i'" : ''}), false)`;
    return anyCase ? `coalesce(contains(lower(${text}), lower(${q})), false)` : `coalesce(contains(${text}, ${q}), false)`;
  });
  return `(${tests.join(' OR ')})`;
}

import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { viewParams, withView } from './view.ts';
import { apiType } from '../../engine/column-types.ts';
import { isFloatType, presentValue } from '../../engine/json-values.ts';
import type { OperationContext } from '../types.ts';
import type { ColumnInfo } from '../../protocol/messages.ts';
import { columnGroups } from '../../engine/column-groups.ts';
import { literal } from '../../engine/sql.ts';
import { isDateOnly } from '../../engine/date-precision.ts';

// Missing counts of whole columns, by the immutable file field that holds them: a column
// kept across versions is counted once, and a change to one column recounts only that one.
const wholeColumnCounts = new Map<string, number>();
const MAX_CACHED = 20_000;
/**
 * Columns counted by one statement. Plain count() aggregates cost about the same per column
 * in one statement of 500 as in five of 100 (count(*) FILTER aggregates do not: 1,000 of them
 * in one statement took 7 s against 0.9 s in ten).
 */
const COUNT_CHUNK = 500;


/** What column `i`'s values are, immutably: its session, file, field and file of deleted rows (the caches' key). */
function fieldKey(ctx: OperationContext, i: number): string {
  const c = ctx.dataset.column(i);
  return `${ctx.sessionId}/${c.file}/${c.field}/${c.deleted?.file ?? ''}`;
}

async function missingCounts(ctx: OperationContext): Promise<number[]> {
  const ds = ctx.dataset;
  const columns = ds.columns;
  const key = (i: number) => fieldKey(ctx, i);
  const todo = columns.flatMap((_, i) => (wholeColumnCounts.has(key(i)) ? [] : [i]));
  if (wholeColumnCounts.size + todo.length > MAX_CACHED) wholeColumnCounts.clear();
  // Counted when the field was written (see ColumnEntry.missing).
  for (const i of todo) if (columns[i].missing !== undefined && !columns[i].deleted) wholeColumnCounts.set(key(i), columns[i].missing!);
  // A column that lost no rows and cannot hold NaN: its Parquet statistics count its nulls
  // (every file here is written by DuckDB, which always records null_count).
  const fromStats = todo.filter((i) => !wholeColumnCounts.has(key(i)) && !columns[i].deleted && !isFloatType(columns[i].type));
  if (fromStats.length > 0) {
    const files = [...new Set(fromStats.map((i) => columns[i].file))];
    const rows = await ctx.db.rows(
      `SELECT file_name AS f, path_in_schema AS p, sum(stats_null_count) AS n, bool_and(stats_null_count IS NOT NULL) AS known ` +
        `FROM parquet_metadata([${files.map((f) => literal(ds.filePath(f))).join(', ')}]) GROUP BY ALL`,
    );
    const stats = new Map(rows.filter((r) => r.known === true).map((r) => [`${r.f}\u0000${r.p}`, Number(r.n)]));
    for (const i of fromStats) {
      const n = stats.get(`${ds.filePath(columns[i].file)}\u0000${columns[i].field}`);
      if (n !== undefined) wholeColumnCounts.set(key(i), n);
    }
  }
  // The rest (floats count NaN as missing; deleted rows are not in the statistics' scope) by a scan.
  const scanned = todo.filter((i) => !wholeColumnCounts.has(key(i)));
  for (const { from, to } of columnGroups(scanned.length, COUNT_CHUNK)) {
    const group = scanned.slice(from, to);
    const present = group.map((i) => `count(${presentValue(ds.sqlName(i), columns[i].type)}) AS m${i}`);
    const row = await ctx.db.one(`SELECT count(*) AS total, ${present.join(', ')} FROM (${ds.select({ columns: group })})`);
    for (const i of group) wholeColumnCounts.set(key(i), Number(row.total) - Number(row[`m${i}`]));
  }
  return columns.map((_, i) => wholeColumnCounts.get(key(i))!);
}

// Whether a datetime column is dates alone (every value at midnight), by file field as above:
// one scan of the column when it is first asked about, none while it is kept.
const wholeColumnDateOnly = new Map<string, boolean>();

/**
 * For each datetime column of the dataset, whether pandas prints it as dates alone, as the
 * CSV download writes it (date-precision.ts): the whole column decides, whatever view is
 * asked for, so a column shows one form in the grid and in the file.
 */
async function dateOnlyColumns(ctx: OperationContext): Promise<Map<number, boolean>> {
  const columns = ctx.dataset.columns;
  const found = new Map<number, boolean>();
  for (let i = 0; i < columns.length; i++) {
    if (apiType(columns[i].type) !== 'datetime') continue;
    const key = fieldKey(ctx, i);
    let dateOnly = wholeColumnDateOnly.get(key);
    if (dateOnly === undefined) {
      dateOnly = await isDateOnly(ctx.db, ctx.dataset, i);
      if (wholeColumnDateOnly.size >= MAX_CACHED) wholeColumnDateOnly.clear();
      wholeColumnDateOnly.set(key, dateOnly);
    }
    found.set(i, dateOnly);
  }
  return found;
}

export const metadata = defineOperation({
  name: 'metadata',
  kind: 'read',
  summary: 'shape, column names, types and missing-value counts, optionally of a filtered or searched view',
  params: z.object(viewParams),
  // Everything but the undo/redo flags is the version's: cached per version, flags added per request.
  pure: true,
  // What every column holds (Dataset.contentKey): a rename undone, or a no-op version, finds it again.
  versionKey: (ds) => ds.contentKey(),
  // `filename` (beyond the original): the name of the file the session was imported from, so
  // that a page opened from a shared link can name the dataset; absent when not known.
  decorate: (result, { undoAvailable, redoAvailable, filename }) => ({ undoAvailable, redoAvailable, ...result, ...(filename === undefined ? {} : { filename }) }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const columns = ds.columns;
    const { rows, invalid } = await withView(ctx, params, false, async (view) => {
      if (columns.length === 0) return { rows: view.rows, invalid: [] as number[] };
      if (view.kind === 'all') return { rows: view.rows, invalid: await missingCounts(ctx) };
      const invalid: number[] = [];
      for (const { from, to } of columnGroups(columns.length, COUNT_CHUNK)) {
        const present = columns.slice(from, to).map((c, k) => `count(${presentValue(ds.sqlName(from + k), c.type)}) AS m${from + k}`);
        // The chunk's columns only: binding df_pos reads the metadata of every file of the version.
        const chunk = ds.select({ withPosition: true, columns: columns.slice(from, to).map((_, k) => from + k) });
        const row = await ctx.db.one(`SELECT count(*) AS total, ${present.join(', ')} FROM (${chunk}) d SEMI JOIN ${view.table} s ON d.__pos = s.__pos`);
        for (let i = from; i < to; i++) invalid.push(Number(row.total) - Number(row[`m${i}`]));
      }
      return { rows: view.rows, invalid };
    });
    const dateOnly = await dateOnlyColumns(ctx);
    // Keys are column names, any text: `__proto__` too, which an assignment would take for
    // the prototype (the column was missing from columnInfo). fromEntries defines own keys.
    // `dateOnly` (beyond the original) on datetime columns only.
    const columnInfo: Record<string, ColumnInfo> = Object.fromEntries(
      columns.map((c, index) => {
        const d = dateOnly.get(index);
        return [c.name, { index, dataType: apiType(c.type), invalidValues: invalid[index], ...(d === undefined ? {} : { dateOnly: d }) }];
      }),
    );
    return {
      dataSize: { rows, columns: columns.length },
      columns: columns.map((c) => c.name),
      columnInfo,
    };
  },
});

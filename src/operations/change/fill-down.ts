import { z } from 'zod';
import { defineOperation, type ColumnPlan } from '../types.ts';
import { invalidParameter } from '../errors.ts';
import { annotate, checkColumnIndex, choice, columnPosition, nonNegativeInt } from '../params.ts';
import { isMissing } from '../../engine/json-values.ts';
import { withoutNaN } from './convert.ts';
import { lastValidAbove, firstValidBelow } from '../../engine/row-windows.ts';
import { scanOf } from './scan.ts';
import { columnGroups, groupIndices } from '../../engine/column-groups.ts';
import type { Db } from '../../engine/duck.ts';
import { createGapTable, createGapFill, filledColumn, type GapFill } from '../../engine/interpolation/gaps.ts';


/** Fills of at most this many columns go by their gaps (createGapTable), wider ones by one ordered window. */
const GAP_FILL_COLUMNS = 16;
// pad/ffill: the valid value before the gap (none before the first valid value: missing);
// bfill: the one after it.
const FFILL: GapFill = { perGap: ['y0'], perRow: 'y0' };
const BFILL: GapFill = { perGap: ['y1'], perRow: 'y1' };

/** Ranges of at most this many columns try quickFillable on each column first. */
const QUICK_CHECK_COLUMNS = 16;

/**
 * Whether a column (`scan`: a FROM item with `__pos`; `missing`: SQL true for its missing
 * values) has a gap ffill (`forward`) or bfill would fill, from two queries that stop at the
 * first row they need: some valid row, then a missing row after it (before it, for bfill).
 * True or false when that settles it (no valid row: nothing to fill from), null when it does
 * not (every missing row found on the wrong side of the valid row picked): the caller then
 * checks the whole column. The full check was a pass over the column (10M rows: 0.14-0.23 s
 * of CPU); with scattered gaps both queries answer in a few ms.
 */
async function quickFillable(db: Db, scan: string, missing: string, forward: boolean): Promise<boolean | null> {
  const valid = await db.rows(`SELECT __pos FROM ${scan} WHERE NOT (${missing}) LIMIT 1`);
  if (valid.length === 0) return false;
  const found = await db.scalar(`SELECT EXISTS (SELECT 1 FROM ${scan} WHERE (${missing}) AND __pos ${forward ? '>' : '<'} ${Number(valid[0].__pos)})`);
  return found === true ? true : null;
}

// pandas fillna(method=…): a missing value takes the last valid value above it (pad/ffill)
// or the next one below it (bfill); gaps at the edge with nothing to take stay missing.
export const fillDown = defineOperation({
  name: 'fillDown',
  kind: 'change',
  summary: 'fill missing values with the previous (pad/ffill) or next (bfill) valid value, in a range of columns',
  params: z.object({
    columnFrom: columnPosition,
    // A recipe records every column of the range, so that a replay fills the same ones.
    columnTo: annotate(nonNegativeInt, 'columnIndex', { 'x-rangeFrom': 'columnFrom' }),
    method: choice(['pad', 'ffill', 'bfill', 'backfill']),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const from = checkColumnIndex(ds, params.columnFrom, 'columnFrom');
    const to = checkColumnIndex(ds, params.columnTo, 'columnTo');
    if (from > to) throw invalidParameter(`columnFrom ${from} is after columnTo ${to}; the range is columnFrom…columnTo, inclusive`);
    const range = ds.columns.slice(from, to + 1);
    const forward = params.method === 'pad' || params.method === 'ffill';
    // Only columns with a gap that can be filled are rewritten: ffill needs a missing value
    // below the first valid one, bfill one above the last valid one (edge gaps stay missing,
    // and a column with none of these is a no-op: no version, `changed: false`).
    const fillable = range.map((c, i) => {
      const missing = isMissing(ds.sqlName(from + i), c.type);
      return forward
        ? `max(CASE WHEN ${missing} THEN __pos END) > min(CASE WHEN NOT (${missing}) THEN __pos END) AS m${i}`
        : `min(CASE WHEN ${missing} THEN __pos END) < max(CASE WHEN NOT (${missing}) THEN __pos END) AS m${i}`;
    });
    // CASE, not FILTER: each FILTER aggregate held memory of its own outside DuckDB's limit
    // (300 columns of 300 rows: 700 MB; over 1,000 columns of a 10,000-column dataset the
    // server grew until the kernel killed it); and a statement per WIDE_GROUP columns, as
    // 10,000 columns' 20,000 aggregates in one ran out of the 1 GB limit.
    const counts: Record<string, unknown> = {};
    // A few columns are first tried with two queries that stop early (quickFillable); only
    // the columns they leave undecided are scanned whole.
    const undecided: number[] = [];
    for (const [i, c] of range.entries()) {
      const quick = range.length <= QUICK_CHECK_COLUMNS ? await quickFillable(ctx.db, scanOf(ds, [from + i], true), isMissing(ds.sqlName(from + i), c.type), forward) : null;
      if (quick === null) undecided.push(i);
      else counts[`m${i}`] = quick;
    }
    for (const g of columnGroups(undecided.length)) {
      const at = groupIndices(g).map((k) => undecided[k]);
      Object.assign(counts, await ctx.db.one(`SELECT ${at.map((i) => fillable[i]).join(', ')} FROM ${scanOf(ds, at.map((i) => from + i), true)}`));
    }
    const gaps = new Set(range.flatMap((_, i) => (counts[`m${i}`] === true ? [from + i] : [])));
    if (gaps.size === 0) return { kind: 'none' };
    if (gaps.size <= GAP_FILL_COLUMNS) {
      // Each column's gaps found by streaming windows and filled from a table of them
      // (engine/interpolation/gaps.ts): no window ordered over the column, no sort. On 10M
      // rows with 900k gaps (in-process, quiet machine) 0.93-1.13 s against 1.59-2.06 s for the
      // ordered window, which stays for wider ranges (one statement, whatever the width).
      const joins: string[] = [];
      const columns: ColumnPlan[] = [];
      for (const [keep, c] of ds.columns.entries()) {
        if (!gaps.has(keep)) {
          columns.push({ name: c.name, keep });
          continue;
        }
        const table = await createGapTable(ctx.db, ds, keep, false, ds.ref(keep));
        const fill = await createGapFill(ctx.db, table, forward ? FFILL : BFILL);
        joins.push(fill);
        // NaN is missing too: where nothing fills it, it becomes NULL (as the window leaves it).
        columns.push({ name: c.name, expr: filledColumn(ds, keep, fill, ds.ref(keep)) });
      }
      return { kind: 'columns', columns, joins };
    }
    // An ordered window. A running window over an empty OVER (streamed in scan order, no sort)
    // was 3× cheaper but, in DuckDB 1.5.6, left a gap unfilled here and there on an uploaded
    // 270k-row file (a missing value at the start of a vector: test/fill-down-order.test.ts).
    const columns: ColumnPlan[] = ds.columns.map((c, keep) => {
      if (!gaps.has(keep)) return { name: c.name, keep };
      // NaN is missing too: it is turned into NULL so that IGNORE NULLS skips it.
      const value = withoutNaN(ds.ref(keep), c.type);
      return { name: c.name, expr: forward ? lastValidAbove(value) : firstValidBelow(value) };
    });
    // (No `ordered`: these windows keep row order themselves, see row-windows.ts.)
    return { kind: 'columns', columns };
  },
});

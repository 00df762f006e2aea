import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { checkColumnIndex, columnPosition, lenientChoice } from '../params.ts';
import { literal } from '../../engine/sql.ts';
import { apiType, isNumeric } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';
import { replaceColumn } from './convert.ts';
import { scanOf } from './scan.ts';
import type { Db } from '../../engine/duck.ts';
import type { Dataset } from '../../engine/dataset.ts';
import { orderStatistics, columnRangeHint } from '../../engine/order-statistics.ts';

// Like pandas fillna(s.mean()), fillna(s.median()), fillna(s.mode()[0]): missing values
// (NaN included) are ignored when computing, then replaced.
export const fillWithAverage = defineOperation({
  name: 'fillWithAverage',
  kind: 'change',
  summary: 'fill the missing values of a column with its mean, median or mode',
  params: z.object({
    columnIndex: columnPosition,
    metric: lenientChoice(['mean', 'median', 'mode']),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    const c = ds.ref(index);
    const missing = isMissing(ds.sqlName(index), type);
    if (params.metric !== 'mode' && !isNumeric(type)) {
      throw new OperationError('invalid column type', `the ${params.metric} needs a numeric column; column ${JSON.stringify(name)} is of type ${apiType(type)}`);
    }
    const x = `CAST(${c} AS DOUBLE)`;
    // The mean comes with the counts, in the same scan.
    const mean = params.metric === 'mean' ? `, avg(${x}) FILTER (WHERE NOT ${missing}) AS mean` : '';
    const counts = await ctx.db.one(`SELECT count(*) FILTER (WHERE ${missing}) AS missing, count(*) FILTER (WHERE NOT ${missing}) AS present${mean} FROM ${scanOf(ds, [index])}`);
    if (Number(counts.present) === 0) throw new OperationError('no values to average', `column ${JSON.stringify(name)} has no values to compute the ${params.metric} of`);
    if (Number(counts.missing) === 0) return { kind: 'none' };

    if (params.metric === 'mode') {
      // The most frequent value; among equally frequent ones the smallest, as mode()[0].
      // Computed by DuckDB once, as an uncorrelated subquery, in the column's own type.
      const mode = `(SELECT ${c} FROM ${scanOf(ds, [index])} WHERE NOT ${missing} GROUP BY ${c} ORDER BY count(*) DESC, ${c} ASC LIMIT 1)`;
      return { kind: 'columns', columns: replaceColumn(ds.names, index, `CASE WHEN ${missing} THEN ${mode} ELSE ${c} END`) };
    }

    const average = params.metric === 'mean' ? Number(counts.mean) : await median(ctx.db, ds, index, x, missing);
    // An integer column stays integral when the average is a whole number; else it becomes DOUBLE.
    const target = apiType(type) === 'int' && Number.isSafeInteger(average) ? 'BIGINT' : 'DOUBLE';
    const expr = `CASE WHEN ${missing} THEN CAST(${literal(average)} AS ${target}) ELSE CAST(${c} AS ${target}) END`;
    return { kind: 'columns', columns: replaceColumn(ds.names, index, expr) };
  },
});

/**
 * numpy's median of the present values of column `index` (`x` where `missing` does not hold): the
 * middle one, or the mean of the two middle ones ((a + b) / 2, as np.mean of them). The order
 * statistics come from histograms of the values (engine/order-statistics.ts), parallel
 * GROUP BYs, where quantile_disc selected on one thread (10M values: 1.2-1.6 s for the whole
 * request).
 */
async function median(db: Db, ds: Dataset, index: number, x: string, missing: string): Promise<number> {
  const values = `(SELECT ${x} AS v FROM ${scanOf(ds, [index])} WHERE NOT ${missing})`;
  const middle = (n: number) => [Math.floor((n - 1) / 2), Math.floor(n / 2)];
  const { n, at } = await orderStatistics(db, values, (count) => (count === 0 ? [] : [...new Set(middle(count))]), await columnRangeHint(db, ds, index));
  const [lo, hi] = middle(n);
  return (at.get(lo)! + at.get(hi)!) / 2;
}

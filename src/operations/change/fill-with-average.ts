import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { checkColumnIndex, columnPosition, lenientChoice } from '../params.ts';
import { literal } from '../../engine/sql.ts';
import { apiType, isNumeric } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';
import { replaceColumn } from './convert.ts';
import { scanOf } from './scan.ts';
import { doubleLiteral } from './transforms/python.ts';
import type { Db } from '../../engine/duck.ts';

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

    const average = params.metric === 'mean' ? Number(counts.mean) : await median(ctx.db, scanOf(ds, [index]), x, missing, Number(counts.present));
    // An integer column stays integral when the average is a whole number; else it becomes DOUBLE.
    const target = apiType(type) === 'int' && Number.isSafeInteger(average) ? 'BIGINT' : 'DOUBLE';
    const expr = `CASE WHEN ${missing} THEN CAST(${literal(average)} AS ${target}) ELSE CAST(${c} AS ${target}) END`;
    return { kind: 'columns', columns: replaceColumn(ds.names, index, expr) };
  },
});

/**
 * numpy's median of the n present values: the middle one, or the mean of the two middle ones
 * ((a + b) / 2, as np.mean of them). The order statistics come from quantile_disc, which
 * selects (nth_element) rather than sorts: 0.4 s instead of 1 s on 9M values. DuckDB's
 * quantile_disc(q) is the value at 0-based index ceil(n·q) − 1, so q = (k + ½) / n picks index k.
 */
async function median(db: Db, source: string, x: string, missing: string, n: number): Promise<number> {
  const at = (k: number): string => doubleLiteral((k + 0.5) / n);
  const [lo, hi] = [Math.floor((n - 1) / 2), Math.floor(n / 2)];
  // An odd count has one middle value: one selection instead of two.
  const middle = await db.scalar(`SELECT quantile_disc(${x}, [${lo === hi ? at(lo) : `${at(lo)}, ${at(hi)}`}]) FROM ${source} WHERE NOT ${missing}`);
  const values = (middle as { items: unknown[] }).items.map(Number);
  return (values[0] + values[values.length - 1]) / 2;
}

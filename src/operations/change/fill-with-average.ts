import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { checkColumnIndex, nonNegativeInt } from '../params.ts';
import { ident, literal } from '../../engine/sql.ts';
import { apiType, isNumeric } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';
import { replaceColumn } from './convert.ts';

// Like pandas fillna(s.mean()), fillna(s.median()), fillna(s.mode()[0]): missing values
// (NaN included) are ignored when computing, then replaced.
export const fillWithAverage = defineOperation({
  name: 'fillWithAverage',
  kind: 'change',
  summary: 'fill the missing values of a column with its mean, median or mode',
  params: z.object({
    columnIndex: nonNegativeInt,
    metric: z.string().transform((m) => m.trim().toLowerCase()).pipe(z.enum(['mean', 'median', 'mode'])),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    const c = ident(name);
    const missing = isMissing(name, type);
    if (params.metric !== 'mode' && !isNumeric(type)) {
      throw new OperationError('invalid column type', `the ${params.metric} needs a numeric column; column ${JSON.stringify(name)} is of type ${apiType(type)}`);
    }
    const counts = await ctx.db.one(`SELECT count(*) FILTER (WHERE ${missing}) AS missing, count(*) FILTER (WHERE NOT ${missing}) AS present FROM df`);
    if (Number(counts.present) === 0) throw new OperationError('no values to average', `column ${JSON.stringify(name)} has no values to compute the ${params.metric} of`);
    if (Number(counts.missing) === 0) return { kind: 'none' };

    if (params.metric === 'mode') {
      // The most frequent value; among equally frequent ones the smallest, as mode()[0].
      // Computed by DuckDB once, as an uncorrelated subquery, in the column's own type.
      const mode = `(SELECT ${c} FROM df WHERE NOT ${missing} GROUP BY ${c} ORDER BY count(*) DESC, ${c} ASC LIMIT 1)`;
      return { kind: 'columns', columns: replaceColumn(ds.names, index, `CASE WHEN ${missing} THEN ${mode} ELSE ${c} END`) };
    }

    const x = `CAST(${c} AS DOUBLE)`;
    const sql =
      params.metric === 'mean'
        ? `SELECT avg(${x}) FROM df WHERE NOT ${missing}`
        : // numpy's median: the middle value, or the mean of the two middle values.
          `SELECT (min(v) + max(v)) / 2 FROM (SELECT ${x} AS v, row_number() OVER (ORDER BY ${x}) AS rn, count(*) OVER () AS n FROM df WHERE NOT ${missing}) WHERE rn IN ((n + 1) // 2, (n + 2) // 2)`;
    const average = Number(await ctx.db.scalar(sql));
    // An integer column stays integral when the average is a whole number; else it becomes DOUBLE.
    const target = apiType(type) === 'int' && Number.isSafeInteger(average) ? 'BIGINT' : 'DOUBLE';
    const expr = `CASE WHEN ${missing} THEN CAST(${literal(average)} AS ${target}) ELSE CAST(${c} AS ${target}) END`;
    return { kind: 'columns', columns: replaceColumn(ds.names, index, expr) };
  },
});

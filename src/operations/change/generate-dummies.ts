import { z } from 'zod';
import { defineOperation, type ColumnPlan } from '../types.ts';
import { OperationError } from '../errors.ts';
import { bool, checkColumnIndex, columnPosition } from '../params.ts';
import { ident, literal } from '../../engine/sql.ts';
import { isMissing } from '../../engine/json-values.ts';
import { kindOf, textOf } from './convert.ts';
import { scanOf } from './scan.ts';

/** One column per value: a column with more distinct values than this is almost surely not a category. */
export const MAX_DUMMIES = 1000;

// pd.get_dummies(df[col]) inserted after the column: one 0/1 column per distinct non-missing
// value, sorted, named `<col>_<str(value)>`; a missing value is 0 everywhere. `inplace`
// drops the original column.
export const generateDummies = defineOperation({
  name: 'generateDummies',
  kind: 'change',
  summary: 'one 0/1 indicator column per distinct value of a column, inserted after it',
  params: z.object({
    columnIndex: columnPosition,
    inplace: bool.optional().default(false),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    const col = ds.ref(index);
    const rows = await ctx.db.rows(
      `SELECT CAST(v AS VARCHAR) AS value, ${label('v', type)} AS label FROM (SELECT DISTINCT ${col} AS v FROM ${scanOf(ds, [index])} WHERE NOT ${isMissing(ds.sqlName(index), type)}) ORDER BY v LIMIT ${MAX_DUMMIES + 1}`,
    );
    if (rows.length > MAX_DUMMIES) {
      throw new OperationError('too many values', `column ${JSON.stringify(name)} has more than ${MAX_DUMMIES} distinct values; one dummy column per value would make more than ${MAX_DUMMIES} columns (generateDummies is meant for categories)`);
    }
    if (rows.length === 0 && !params.inplace) return { kind: 'none' };
    // Each value written back as a literal of the column's own type (the cast text reads back exactly).
    const dummies: ColumnPlan[] = rows.map((r) => ({
      name: `${name}_${String(r.label)}`,
      expr: `CAST(CASE WHEN ${col} = CAST(${literal(String(r.value))} AS ${type}) THEN 1 ELSE 0 END AS BIGINT)`,
    }));
    const columns: ColumnPlan[] = [];
    ds.columns.forEach((c, keep) => {
      if (keep !== index || !params.inplace) columns.push({ name: c.name, keep });
      if (keep === index) columns.push(...dummies);
    });
    return { kind: 'columns', columns };
  },
});

/** The value as str() printed the dummy column's label: Python's str of the value (pandas Timestamps with a space). */
function label(column: string, type: string): string {
  const c = ident(column);
  if (kindOf(type) === 'datetime' && type.toUpperCase() !== 'DATE') {
    return `(CASE WHEN microsecond(${c}) % 1000000 = 0 THEN strftime(CAST(${c} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S') ELSE strftime(CAST(${c} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f') END)`;
  }
  return textOf(c, type);
}

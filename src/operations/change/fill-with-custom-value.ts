import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { checkColumnIndex, columnPosition } from '../params.ts';
import { apiType } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';
import { columnAs, convertValue, replaceColumn } from './convert.ts';
import { scanOf } from './scan.ts';

// The value must read as the column's type (an integer column takes 2.5 by becoming DOUBLE);
// unlike newCellValue, a whole column is never silently turned into text by a fill. A column
// without any value (an all-missing column, which the import makes float as pandas does) has
// no value that text would change: text that is not of its type makes it a text column, as
// pandas' fillna('abc') makes such a float64 column object.
export const fillWithCustomValue = defineOperation({
  name: 'fillWithCustomValue',
  kind: 'change',
  summary: 'fill the missing values of a column with a constant',
  params: z.object({
    columnIndex: columnPosition,
    newValue: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    const value = await convertValue(ctx.db, params.newValue, type);
    if (value.missing) return { kind: 'none' };
    const missing = isMissing(ds.sqlName(index), type);
    // Whether the column holds a value is looked up only for a value that does not fit.
    if (!value.fits && (await ctx.db.scalar(`SELECT EXISTS (SELECT 1 FROM ${scanOf(ds, [index])} WHERE NOT ${missing})`)) !== false) {
      throw new OperationError('invalid value', `newValue ${JSON.stringify(params.newValue)} cannot be stored in column ${JSON.stringify(name)} of type ${apiType(type)}`);
    }
    // One missing value is enough to know there is work: EXISTS stops at the first.
    if ((await ctx.db.scalar(`SELECT EXISTS (SELECT 1 FROM ${scanOf(ds, [index])} WHERE ${missing})`)) !== true) return { kind: 'none' };
    const expr = `CAST(CASE WHEN ${missing} THEN ${value.sql} ELSE ${columnAs(ds.ref(index), type, value.type)} END AS ${value.type})`;
    return { kind: 'columns', columns: replaceColumn(ds.names, index, expr) };
  },
});

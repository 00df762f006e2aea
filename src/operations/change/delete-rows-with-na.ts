import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { checkColumnIndex, columnPosition } from '../params.ts';
import { isMissing } from '../../engine/json-values.ts';
import { scanOf } from './scan.ts';

export const deleteRowsWithNA = defineOperation({
  name: 'deleteRowsWithNA',
  kind: 'change',
  summary: 'remove the rows missing a value (null or NaN) in a column; the rest are renumbered',
  params: z.object({ columnIndex: columnPosition }),
  async run(ctx, params) {
    const index = checkColumnIndex(ctx.dataset, params.columnIndex);
    const column = ctx.dataset.column(index);
    const missing = isMissing(ctx.dataset.sqlName(index), column.type);
    // One missing value is enough to know there is work: the scan stops at the first.
    const any = await ctx.db.scalar(`SELECT EXISTS (SELECT 1 FROM ${scanOf(ctx.dataset, [index])} WHERE ${missing})`);
    if (any !== true) return { kind: 'none' };
    // The positions of the missing values, from this column's file alone; only they are written.
    return { kind: 'rows', deleted: `SELECT __pos FROM ${scanOf(ctx.dataset, [index], true)} WHERE ${missing}` };
  },
});

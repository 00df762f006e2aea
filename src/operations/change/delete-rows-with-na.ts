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
    // A filter keeps the rows in scan order (row order): no ORDER BY, whose sort of the
    // whole table cost more than writing it.
    return { kind: 'table', sql: `SELECT * EXCLUDE (__pos) FROM df_pos WHERE NOT ${missing}`, names: ctx.dataset.names };
  },
});

import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { checkColumnIndex, nonNegativeInt } from '../params.ts';
import { isMissing } from '../../engine/json-values.ts';

export const deleteRowsWithNA = defineOperation({
  name: 'deleteRowsWithNA',
  kind: 'change',
  summary: 'remove the rows missing a value (null or NaN) in a column; the rest are renumbered',
  params: z.object({ columnIndex: nonNegativeInt }),
  async run(ctx, params) {
    const column = ctx.dataset.column(checkColumnIndex(ctx.dataset, params.columnIndex));
    const missing = isMissing(column.name, column.type);
    const count = Number(await ctx.db.scalar(`SELECT count(*) FROM df WHERE ${missing}`));
    if (count === 0) return { kind: 'none' };
    return { kind: 'table', sql: `SELECT * EXCLUDE (__pos) FROM df_pos WHERE NOT ${missing} ORDER BY __pos` };
  },
});

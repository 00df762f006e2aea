import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { checkRowIndex, rowPositions } from '../params.ts';

let counter = 0;

export const deleteRows = defineOperation({
  name: 'deleteRows',
  kind: 'change',
  summary: 'remove rows by position; the rest are renumbered',
  params: z.object({ rowIndices: rowPositions }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    for (const i of params.rowIndices) checkRowIndex(ds, i, 'rowIndices');
    const positions = [...new Set(params.rowIndices)];
    if (positions.length === 0) return { kind: 'none' };
    // The positions become a bitmap (one bit per row, built once from one list constant,
    // cheap to parse even when long) that every row looks its position up in: a plain
    // filter, which keeps the rows in order with no sort. An anti-join against the list
    // does not: its output comes back out of order across row groups (seen on 10M rows),
    // and the ORDER BY that would fix it cost more than the whole write. get_bit takes
    // a 32-bit position.
    if (ds.rows > 2 ** 31 - 1) {
      return { kind: 'table', sql: `SELECT * EXCLUDE (__pos) FROM df_pos WHERE __pos NOT IN (SELECT unnest([${positions.join(', ')}]::BIGINT[])) ORDER BY __pos`, names: ds.names };
    }
    const bitmap = `__willow_deleted_${++counter}`;
    await ctx.db.run(`SET VARIABLE ${bitmap} = (SELECT bitstring_agg(p, 0, ${ds.rows - 1}) FROM (SELECT unnest([${positions.join(', ')}]::BIGINT[]) AS p))`);
    return { kind: 'table', sql: `SELECT * EXCLUDE (__pos) FROM df_pos WHERE get_bit(getvariable('${bitmap}'), CAST(__pos AS INTEGER)) = 0`, names: ds.names };
  },
});

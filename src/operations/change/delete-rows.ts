import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { checkRowIndex, rowPositions } from '../params.ts';

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
    // Only what is deleted is written (materialize, kind 'rows'): the columns stay in their files.
    return { kind: 'rows', deleted: `SELECT unnest([${positions.join(', ')}]::BIGINT[])` };
  },
});

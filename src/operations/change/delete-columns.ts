import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { checkColumnIndices, columnPositions } from '../params.ts';

// The remaining columns keep pointing at their data: deleting writes nothing.
export const deleteColumns = defineOperation({
  name: 'deleteColumns',
  kind: 'change',
  summary: 'remove columns',
  params: z.object({ columnIndices: columnPositions }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const drop = new Set(checkColumnIndices(ds, params.columnIndices));
    if (drop.size === 0) return { kind: 'none' };
    if (drop.size === ds.columns.length) {
      throw new OperationError('cannot delete every column', 'columnIndices lists every column of the dataset; a dataset needs at least one column');
    }
    return { kind: 'columns', columns: ds.names.flatMap((name, keep) => (drop.has(keep) ? [] : [{ name, keep }])) };
  },
});

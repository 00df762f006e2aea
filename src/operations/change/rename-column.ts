import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { columnNameOrPosition, resolveColumn } from '../params.ts';

// A rename only changes the manifest: every column keeps pointing at its data.
export const renameColumn = defineOperation({
  name: 'renameColumn',
  kind: 'change',
  summary: 'rename a column',
  params: z.object({
    column: columnNameOrPosition,
    newName: z.string().min(1, 'a column name cannot be empty'),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = resolveColumn(ds, params.column);
    if (ds.names[index] === params.newName) return { kind: 'none' };
    if (ds.indexOf(params.newName) >= 0) {
      throw new OperationError('duplicate column name', `newName ${JSON.stringify(params.newName)} is already the name of another column; column names must be unique`);
    }
    return { kind: 'columns', columns: ds.names.map((name, keep) => ({ name: keep === index ? params.newName : name, keep })) };
  },
});

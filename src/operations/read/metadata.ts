import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { viewParams, withView } from './view.ts';
import { apiType } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';

export const metadata = defineOperation({
  name: 'metadata',
  kind: 'read',
  summary: 'shape, column names, types and missing-value counts, optionally of a filtered or searched view',
  params: z.object(viewParams),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const { state } = await ctx.store.current(ctx.sessionId);
    const undoAvailable = state.current > 0;
    const redoAvailable = state.current < state.versions.length - 1;
    const columns = ds.columns;
    const { rows, invalid } = await withView(ctx, params, false, async (view) => {
      if (columns.length === 0) return { rows: view.rows, invalid: [] as number[] };
      const counts = columns.map((c, i) => `count(*) FILTER (WHERE ${isMissing(c.name, c.type)}) AS m${i}`).join(', ');
      const source = view.kind === 'all' ? 'df_pos' : `df_pos SEMI JOIN ${view.table} s ON df_pos.__pos = s.__pos`;
      const row = await ctx.db.one(`SELECT ${counts} FROM ${source}`);
      return { rows: view.rows, invalid: columns.map((_, i) => Number(row[`m${i}`])) };
    });
    const columnInfo: Record<string, { index: number; dataType: string; invalidValues: number }> = {};
    columns.forEach((c, index) => {
      columnInfo[c.name] = { index, dataType: apiType(c.type), invalidValues: invalid[index] };
    });
    return {
      undoAvailable,
      redoAvailable,
      dataSize: { rows, columns: columns.length },
      columns: columns.map((c) => c.name),
      columnInfo,
    };
  },
});

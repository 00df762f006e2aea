import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { checkRowIndex, indexList } from '../params.ts';

export const deleteRows = defineOperation({
  name: 'deleteRows',
  kind: 'change',
  summary: 'remove rows by position; the rest are renumbered',
  params: z.object({ rowIndices: indexList }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    for (const i of params.rowIndices) checkRowIndex(ds, i, 'rowIndices');
    const positions = [...new Set(params.rowIndices)];
    if (positions.length === 0) return { kind: 'none' };
    // One list constant (cheap to parse even when long), unnested so that DuckDB hashes it
    // for the anti-join rather than scanning the list for every row.
    return {
      kind: 'table',
      sql: `SELECT * EXCLUDE (__pos) FROM df_pos WHERE __pos NOT IN (SELECT unnest([${positions.join(', ')}]::BIGINT[])) ORDER BY __pos`,
    };
  },
});

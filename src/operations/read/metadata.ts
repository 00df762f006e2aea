import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { viewParams, withView } from './view.ts';
import { apiType } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';
import type { OperationContext } from '../types.ts';
import { columnGroups } from '../../engine/import/wide.ts';

// Missing counts of whole columns, by the immutable file field that holds them: a column
// kept across versions is counted once, and a change to one column recounts only that one.
const wholeColumnCounts = new Map<string, number>();
const MAX_CACHED = 20_000;

async function missingCounts(ctx: OperationContext): Promise<number[]> {
  const columns = ctx.dataset.columns;
  const key = (i: number) => `${ctx.sessionId}/${columns[i].file}/${columns[i].field}/${columns[i].deleted?.file ?? ''}`;
  const todo = columns.flatMap((_, i) => (wholeColumnCounts.has(key(i)) ? [] : [i]));
  if (wholeColumnCounts.size + todo.length > MAX_CACHED) wholeColumnCounts.clear();
  // A statement per 100 columns: DuckDB's cost for one statement of many aggregates grows
  // with their square (1,000 columns of 12 rows: 7 s in one statement, 0.9 s in ten).
  for (const { from, to } of columnGroups(todo.length, 100)) {
    const group = todo.slice(from, to);
    const counts = group.map((i) => `count(*) FILTER (WHERE ${isMissing(ctx.dataset.sqlName(i), columns[i].type)}) AS m${i}`).join(', ');
    const row = await ctx.db.one(`SELECT ${counts} FROM (${ctx.dataset.select({ columns: group })})`);
    for (const i of group) wholeColumnCounts.set(key(i), Number(row[`m${i}`]));
  }
  return columns.map((_, i) => wholeColumnCounts.get(key(i))!);
}

export const metadata = defineOperation({
  name: 'metadata',
  kind: 'read',
  summary: 'shape, column names, types and missing-value counts, optionally of a filtered or searched view',
  params: z.object(viewParams),
  // Everything but the undo/redo flags is the version's: cached per version, flags added per request.
  pure: true,
  decorate: (result, { undoAvailable, redoAvailable }) => ({ undoAvailable, redoAvailable, ...result }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const columns = ds.columns;
    const { rows, invalid } = await withView(ctx, params, false, async (view) => {
      if (columns.length === 0) return { rows: view.rows, invalid: [] as number[] };
      if (view.kind === 'all') return { rows: view.rows, invalid: await missingCounts(ctx) };
      const counts = columns.map((c, i) => `count(*) FILTER (WHERE ${isMissing(ds.sqlName(i), c.type)}) AS m${i}`).join(', ');
      const row = await ctx.db.one(`SELECT ${counts} FROM df_pos SEMI JOIN ${view.table} s ON df_pos.__pos = s.__pos`);
      return { rows: view.rows, invalid: columns.map((_, i) => Number(row[`m${i}`])) };
    });
    const columnInfo: Record<string, { index: number; dataType: string; invalidValues: number }> = {};
    columns.forEach((c, index) => {
      columnInfo[c.name] = { index, dataType: apiType(c.type), invalidValues: invalid[index] };
    });
    return {
      dataSize: { rows, columns: columns.length },
      columns: columns.map((c) => c.name),
      columnInfo,
    };
  },
});

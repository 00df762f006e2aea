import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { checkColumnIndex, columnPosition } from '../params.ts';

// The copy points at the same stored field as the original: duplicating costs no data.
export const insertDuplicateColumn = defineOperation({
  name: 'insertDuplicateColumn',
  kind: 'change',
  summary: 'insert a copy of a column, named <column>_copy, right after it',
  params: z.object({ columnIndex: columnPosition }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const name = uniqueName(`${ds.names[index]}_copy`, new Set(ds.names));
    const columns = ds.names.map((n, keep) => ({ name: n, keep }));
    columns.splice(index + 1, 0, { name, keep: index });
    return { kind: 'columns', columns };
  },
});

/** `base`, or `base.1`, `base.2`… when taken (the way duplicate names are made unique on import). */
function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}.${i}`)) return `${base}.${i}`;
}

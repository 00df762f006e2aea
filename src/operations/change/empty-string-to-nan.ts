import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { checkColumnIndex, columnPosition } from '../params.ts';
import { isText } from '../../engine/column-types.ts';
import { replaceColumn } from './convert.ts';
import { scanOf } from './scan.ts';

export const emptyStringToNaN = defineOperation({
  name: 'emptyStringToNaN',
  aliases: ['emptyStringToNan'],
  kind: 'change',
  summary: 'make the empty strings of a text column missing values',
  params: z.object({ columnIndex: columnPosition }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    // Only text holds empty strings; elsewhere (and when there are none) nothing changes.
    if (!isText(type)) return { kind: 'none' };
    const c = ds.ref(index);
    // One empty string is enough to know there is work: EXISTS stops at the first.
    if ((await ctx.db.scalar(`SELECT EXISTS (SELECT 1 FROM ${scanOf(ds, [index])} WHERE ${c} = '')`)) !== true) return { kind: 'none' };
    return { kind: 'columns', columns: replaceColumn(ds.names, index, `nullif(${c}, '')`) };
  },
});

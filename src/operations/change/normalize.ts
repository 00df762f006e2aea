import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { checkColumnIndex, number, numericColumnPosition } from '../params.ts';
import { literal } from '../../engine/sql.ts';
import { apiType, isNumeric } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';
import { replaceColumn } from './convert.ts';
import { scanOf } from './scan.ts';

// Min-max scaling into [rangeFrom, rangeTo], in pandas' order of operations:
// (x − min) / (max − min) · (to − from) + from. A constant column has no range to scale.
export const normalize = defineOperation({
  name: 'normalize',
  kind: 'change',
  summary: 'min-max scale a numeric column into a range (default 0…1)',
  params: z.object({
    columnIndex: numericColumnPosition,
    rangeFrom: number.default(0),
    rangeTo: number.default(1),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    if (!isNumeric(type)) throw new OperationError('invalid column type', `normalize needs a numeric column; column ${JSON.stringify(name)} is of type ${apiType(type)}`);
    const x = `CAST(${ds.ref(index)} AS DOUBLE)`;
    const row = await ctx.db.one(`SELECT min(${x}) AS lo, max(${x}) AS hi FROM ${scanOf(ds, [index])} WHERE NOT ${isMissing(ds.sqlName(index), type)}`);
    if (row.lo === null || row.hi === null || row.lo === row.hi) return { kind: 'none' };
    const lo = literal(Number(row.lo));
    const hi = literal(Number(row.hi));
    const expr = `(${x} - ${lo}) / (${hi} - ${lo}) * (${literal(params.rangeTo)} - ${literal(params.rangeFrom)}) + ${literal(params.rangeFrom)}`;
    return { kind: 'columns', columns: replaceColumn(ds.names, index, `CAST(${expr} AS DOUBLE)`) };
  },
});

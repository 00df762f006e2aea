import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { checkColumnIndex, numericColumnPosition } from '../params.ts';
import { literal } from '../../engine/sql.ts';
import { apiType, isNumeric } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';
import { replaceColumn } from './convert.ts';
import { scanOf } from './scan.ts';

// (x − mean) / std with the sample standard deviation, computed in two passes as pandas
// does (mean first, then the squared deviations). With fewer than two values or no spread
// there is nothing to scale by, and the column stays as it is.
export const standardize = defineOperation({
  name: 'standardize',
  kind: 'change',
  summary: 'standardize a numeric column: (x − mean) / sample standard deviation',
  params: z.object({ columnIndex: numericColumnPosition }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    if (!isNumeric(type)) throw new OperationError('invalid column type', `standardize needs a numeric column; column ${JSON.stringify(name)} is of type ${apiType(type)}`);
    const x = `CAST(${ds.ref(index)} AS DOUBLE)`;
    const values = `SELECT ${x} AS v FROM ${scanOf(ds, [index])} WHERE NOT ${isMissing(ds.sqlName(index), type)}`;
    const [row] = await ctx.db.rows(
      `WITH vals AS (${values}), m AS (SELECT avg(v) AS mean, count(*) AS n FROM vals) ` +
        `SELECT m.mean AS mean, m.n AS n, sqrt(sum((v - m.mean) * (v - m.mean)) / (m.n - 1)) AS std FROM vals, m GROUP BY m.mean, m.n`,
    );
    if (!row || Number(row.n) < 2 || !(Number(row.std) > 0) || !Number.isFinite(Number(row.std))) return { kind: 'none' };
    const expr = `(${x} - ${literal(Number(row.mean))}) / ${literal(Number(row.std))}`;
    return { kind: 'columns', columns: replaceColumn(ds.names, index, `CAST(${expr} AS DOUBLE)`) };
  },
});

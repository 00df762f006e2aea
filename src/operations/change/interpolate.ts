import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError, invalidParameter } from '../errors.ts';
import { checkColumnIndex, int, numericColumnPosition, lenientChoice } from '../params.ts';
import { apiType, isNumeric } from '../../engine/column-types.ts';
import { isMissing } from '../../engine/json-values.ts';
import { INTERPOLATION_METHODS, orderRange, pointsNeeded, type InterpolationMethod } from '../../engine/interpolation/index.ts';
import { CpuTaskError } from '../../worker/cpu-pool.ts';
import { readNumbers, writeNumbers } from './transforms/column-io.ts';
import { scanOf } from './scan.ts';
import type { Db } from '../../engine/duck.ts';
import { createGapTable, createGapFill, filledColumn, pchipSlopes, LINEAR_FILL, PCHIP_FILL } from '../../engine/interpolation/gaps.ts';

// FITPACK's smoothing spline costs about m² (a 20,000-point column takes ~40 s in scipy as
// here); beyond this many values a request would hold the session's queue for many minutes.
export const MAX_SPLINE_POINTS = 25_000;


// pandas Series.interpolate(method=…, order=…) with x = row position. Gaps before the first
// valid value stay missing; after the last one, linear repeats the last value and every other
// method leaves them missing, as API.md specifies (pandas itself would extrapolate with PCHIP
// and the spline).
export const interpolate = defineOperation({
  name: 'interpolate',
  kind: 'change',
  summary: 'fill missing numeric values by interpolation (linear, nearest, zero, slinear, quadratic, cubic, polynomial, spline, pchip, akima)',
  params: z.object({
    columnIndex: numericColumnPosition,
    method: lenientChoice(INTERPOLATION_METHODS),
    // Legacy clients send an order with every method, sometimes empty.
    order: z.union([int, z.null(), z.literal('')]).optional(),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const column = ds.column(index);
    if (!isNumeric(column.type)) {
      throw new OperationError('invalid column type', `columnIndex: column ${JSON.stringify(column.name)} is ${apiType(column.type)}; interpolation needs a numeric (int or float) column`);
    }
    const method: InterpolationMethod = params.method;
    const order = checkOrder(method, params.order);

    const needed = pointsNeeded(method, order);
    const { missing, valid } = await missingAndValid(ctx.db, scanOf(ds, [index]), isMissing(ds.sqlName(index), column.type), method === 'linear' || method === 'pchip' ? needed : null);
    // Nothing to fill, or nothing to fill from: pandas returns the column as it is.
    if (!missing || valid === 0) return { kind: 'none' };
    if (valid < needed) throw notEnoughPoints(method, order, needed, valid);
    if (method === 'spline' && valid > MAX_SPLINE_POINTS) {
      throw new OperationError('too many values', `the spline method fits a smoothing spline whose cost grows with the square of the number of values; column ${JSON.stringify(column.name)} has ${valid} and the limit is ${MAX_SPLINE_POINTS} (use cubic or pchip for long series)`);
    }

    const columns = ds.columns.map((c, keep) => ({ name: c.name, keep }));
    if (method === 'linear' || method === 'pchip') {
      // Both need only the valid points around each gap: computed in SQL over the gaps
      // (src/engine/interpolation/gaps.ts), no pass of the column through JavaScript.
      const gaps = await createGapTable(ctx.db, ds, index, method === 'pchip');
      // pchip with gaps only before the first or after the last valid value leaves the column
      // as it is (as the numeric methods do); linear makes it float whatever it fills.
      if (method === 'pchip' && Number(await ctx.db.scalar(`SELECT count(*) FROM ${gaps} WHERE x0 IS NOT NULL AND x1 IS NOT NULL`)) === 0) return { kind: 'none' };
      const fill = method === 'linear' ? await createGapFill(ctx.db, gaps, LINEAR_FILL) : await createGapFill(ctx.db, pchipSlopes(gaps), PCHIP_FILL);
      const expr = filledColumn(ds, index, fill, `CAST(${ds.ref(index)} AS DOUBLE)`);
      return { kind: 'columns', columns: columns.map((c, i) => (i === index ? { name: c.name, expr } : c)), joins: [fill] };
    }

    // The other methods are numeric algorithms (spline solves, slopes): computed on a CPU
    // thread from the column read once, and joined back as a temp table.
    const values = await readNumbers(ctx.db, scanOf(ds, [index]), ds.sqlName(index), ds.rows);
    let filled: Float64Array | null;
    try {
      filled = await ctx.cpu.run<Float64Array | null>('interpolate', { values, method, order }, { owner: ctx.sessionId });
    } catch (err) {
      if (err instanceof CpuTaskError && err.name === 'NotEnoughPointsError') throw notEnoughPoints(method, order, needed, valid);
      throw err;
    }
    if (filled === null) return { kind: 'none' };
    const { table, column: result } = await writeNumbers(ctx.db, filled);
    return { kind: 'columns', columns: columns.map((c, i) => (i === index ? { name: c.name, expr: result } : c)), joins: [table] };
  },
});

/**
 * Whether the column (`scan`, `missing`: SQL true for its missing values) has a missing value,
 * and how many valid ones: all of them when `enough` is null, else the count only up to
 * `enough` (then `valid` is exact below it and `enough` from it on). With `enough` both come
 * from queries that stop at the rows they need (EXISTS, LIMIT): with scattered gaps a few ms
 * where the count of every value was a pass over the column (10M rows: 0.08-0.10 s of CPU,
 * 0.2 s of latency on a loaded machine).
 */
async function missingAndValid(db: Db, scan: string, missing: string, enough: number | null): Promise<{ missing: boolean; valid: number }> {
  if (enough === null) {
    const counts = await db.one(`SELECT count(*) FILTER (WHERE ${missing}) AS missing, count(*) AS total FROM ${scan}`);
    return { missing: Number(counts.missing) > 0, valid: Number(counts.total) - Number(counts.missing) };
  }
  const found = await db.scalar(`SELECT EXISTS (SELECT 1 FROM ${scan} WHERE ${missing})`);
  if (found !== true) return { missing: false, valid: 0 };
  const valid = await db.scalar(`SELECT count(*) FROM (SELECT 1 FROM ${scan} WHERE NOT (${missing}) LIMIT ${Math.max(1, enough)})`);
  return { missing: true, valid: Number(valid) };
}

function checkOrder(method: InterpolationMethod, order: number | null | '' | undefined): number {
  const range = orderRange(method);
  if (!range) return 0;
  if (order === undefined || order === null || order === '') {
    throw invalidParameter(`order: the ${method} method needs an order (the degree of the ${method}, e.g. ${method === 'spline' ? 3 : 2})`);
  }
  if (order < range.min || order > range.max) {
    throw invalidParameter(`order: the ${method} method takes an order ${range.max === Number.MAX_SAFE_INTEGER ? `≥ ${range.min}` : `from ${range.min} to ${range.max}`}; got ${order}`);
  }
  return order;
}

function notEnoughPoints(method: InterpolationMethod, order: number, needed: number, have: number): OperationError {
  const what = method === 'polynomial' || method === 'spline' ? `${method} interpolation of order ${order}` : `${method} interpolation`;
  return new OperationError('not enough values', `${what} needs at least ${needed} valid value${needed === 1 ? '' : 's'} in the column; it has ${have}`);
}

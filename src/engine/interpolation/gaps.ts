// Linear and PCHIP interpolation in SQL, without window functions over the whole column.
//
// Both fill a gap (a run of missing values) from a few valid points around it only: linear
// from the valid value on each side, PCHIP also from the valid point beyond each of those
// (the slopes at a point depend on its two neighbours). So the column is read once as
// aligned shifted copies of itself — row i next to rows i+1 (and i+2) — from which the
// boundaries of every gap are picked; gaps are few next to rows, and everything after that
// works on them. The filled column is then the valid rows and the gap rows together, sorted
// by position.
//
// Why not last_value/first_value(… IGNORE NULLS) OVER (ORDER BY __pos): DuckDB's window
// operator costs far more than the sort it needs (on 3M rows, a lag() alone took 0.86 s
// where ORDER BY __pos took 0.17 s), and a whole-column window is what made linear take
// 1.5 s on 10M rows. The shifted copies are a POSITIONAL JOIN of plain scans. That join
// collects its right side in memory, and the final ORDER BY sorts the whole column: on 10M
// rows this still costs about 3.5 s of CPU (the windows about 4.2 s), but more of it runs
// on every thread. (Tried and slower: islands of the missing rows with the values around
// them looked up by a semi-join; streaming lag() OVER (); a bitmap of missing rows.)
// (Tried and no better, A/B in one process on 10M rows with 900k gaps: pairing starts and
// ends by one sort of both read by a streaming lead() instead of two row_number() windows
// and a join, 1.49-2.19 s of CPU against 1.47-2.12 s; the boundary rows written first to a
// table of their own, which keeps DuckDB from pushing the disjunction of every condition of
// starts and ends into the scan of the copies as one filter (that filter: 1.37 s of thread
// time, then 0.39 s), no gain measurable in the whole under the load of the day.)

import type { Db } from '../duck.ts';
import type { Dataset } from '../dataset.ts';
import { isMissing } from '../json-values.ts';

let tables = 0;

/**
 * Write the gaps of column `index` of `ds` to a new temp table on `db`, and return its name.
 * Columns: `k` (gap number from 1, in row order), `s`, `e` (first and last missing
 * position), `x0`, `y0` (the valid point before the gap; NULL for a gap at the start), `x1`,
 * `y1` (the valid point after it; NULL for a gap at the end). With `neighbours` also `xa`,
 * `ya` (the valid point before x0) and `xb`, `yb` (after x1), NULL where there is none.
 * Missing means NULL, or NaN in a floating-point column; values are DOUBLE.
 * The table lives as long as the connection (a job's own).
 */
export async function createGapTable(db: Db, ds: Dataset, index: number, neighbours: boolean): Promise<string> {
  const n = ds.rows;
  const column = ds.column(index);
  const value = `CASE WHEN ${isMissing(ds.sqlName(index), column.type)} THEN NULL ELSE CAST(${ds.ref(index)} AS DOUBLE) END`;
  // Rows offset…n-1 of the column as `v`; row i of the k-th copy is row i + k of the column
  // (a POSITIONAL JOIN pads the shorter copies with NULL past their end: the conditions
  // below test i + k < n wherever that padding could pass for a missing value).
  const copy = async (offset: number, withPosition: boolean): Promise<string> => {
    if (offset >= n) return 'SELECT NULL::DOUBLE AS v WHERE false';
    const select = offset === 0 ? ds.select({ columns: [index], withPosition }) : await ds.selectRows(db, { columns: [index], withPosition, from: offset, to: n - 1 });
    return `SELECT ${withPosition ? '__pos AS i, ' : ''}${value} AS v FROM (${select})`;
  };
  const copies = [await copy(0, true), await copy(1, false), ...(neighbours ? [await copy(2, false)] : [])];
  const t = `SELECT s0.i, s0.v AS a, s1.v AS b${neighbours ? ', s2.v AS c' : ''} FROM ${copies.map((c, k) => `(${c}) s${k}`).join(' POSITIONAL JOIN ')}`;
  // A gap starts after a valid value followed by a missing one (or at row 0), and ends at a
  // missing value followed by a valid one (or at the last row). Starts and ends alternate,
  // so the k-th start and the k-th end bound gap k.
  const boundaries = neighbours
    ? `starts AS (
        SELECT 0::BIGINT AS s, NULL::BIGINT AS x0, NULL::DOUBLE AS y0, false AS ladj, NULL::DOUBLE AS ya FROM t WHERE i = 0 AND a IS NULL
        UNION ALL SELECT 1, 0, a, false, NULL FROM t WHERE i = 0 AND a IS NOT NULL AND b IS NULL AND ${n} > 1
        UNION ALL SELECT i + 2, i + 1, b, a IS NOT NULL, a FROM t WHERE b IS NOT NULL AND c IS NULL AND i + 2 < ${n}),
      ends AS (
        SELECT i AS e, i + 1 AS x1, b AS y1, c IS NOT NULL AND i + 2 < ${n} AS radj, c AS yb FROM t WHERE a IS NULL AND b IS NOT NULL AND i + 1 < ${n}
        UNION ALL SELECT i, NULL, NULL, false, NULL FROM t WHERE i = ${n - 1} AND a IS NULL)`
    : `starts AS (
        SELECT 0::BIGINT AS s, NULL::BIGINT AS x0, NULL::DOUBLE AS y0 FROM t WHERE i = 0 AND a IS NULL
        UNION ALL SELECT i + 1, i, a FROM t WHERE a IS NOT NULL AND b IS NULL AND i + 1 < ${n}),
      ends AS (
        SELECT i AS e, i + 1 AS x1, b AS y1 FROM t WHERE a IS NULL AND b IS NOT NULL AND i + 1 < ${n}
        UNION ALL SELECT i, NULL, NULL FROM t WHERE i = ${n - 1} AND a IS NULL)`;
  const paired = `SELECT * FROM (SELECT *, row_number() OVER (ORDER BY s) AS k FROM starts) JOIN (SELECT *, row_number() OVER (ORDER BY e) AS k FROM ends) USING (k)`;
  // The valid point before x0 is x0 - 1 when that row is valid, else (it ends the previous
  // gap) the previous gap's x0; likewise after x1. Windows here run over gaps, not rows.
  const select = neighbours
    ? `SELECT k, s, e, x0, y0, x1, y1,
         CASE WHEN ladj THEN x0 - 1 ELSE lag(x0) OVER (ORDER BY k) END AS xa,
         CASE WHEN ladj THEN ya ELSE lag(y0) OVER (ORDER BY k) END AS ya,
         CASE WHEN radj THEN x1 + 1 ELSE lead(x1) OVER (ORDER BY k) END AS xb,
         CASE WHEN radj THEN yb ELSE lead(y1) OVER (ORDER BY k) END AS yb
       FROM paired`
    : 'SELECT k, s, e, x0, y0, x1, y1 FROM paired';
  const name = `__willow_gaps_${++tables}`;
  await db.run(`CREATE TEMP TABLE ${name} AS WITH t AS (${t}), ${boundaries}, paired AS (${paired}) ${select}`);
  return name;
}

/**
 * SELECT of (`__pos`, `v`): every row of column `index`, its valid values as they are and
 * each missing one as `fill` computes it (an expression of the columns of `gaps`, a gap
 * table or a FROM item over one, and of `p`, the position; NULL leaves it missing). Rows
 * come in no particular order.
 */
export function filledRows(ds: Dataset, index: number, gaps: string, fill: string): string {
  const column = ds.column(index);
  const select = ds.select({ columns: [index], withPosition: true });
  const valid = `SELECT __pos, CAST(${ds.ref(index)} AS DOUBLE) AS v FROM (${select}) WHERE NOT (${isMissing(ds.sqlName(index), column.type)})`;
  const missing = `SELECT p AS __pos, ${fill} AS v FROM (SELECT unnest(range(s, e + 1)) AS p, * FROM ${gaps})`;
  return `${valid} UNION ALL ${missing}`;
}

/** np.interp at p between (x0, y0) and (x1, y1), the last value after the data: as the window formulation computed it, operation for operation. */
export const LINEAR_FILL = `CASE WHEN x0 IS NULL THEN NULL WHEN x1 IS NULL THEN y0 ELSE (y1 - y0) / CAST(x1 - x0 AS DOUBLE) * CAST(p - x0 AS DOUBLE) + y0 END`;

// scipy's PchipInterpolator, as hermite.ts computes it, for the one interval [x0, x1]:
// the slopes at x0 and x1 from their neighbours (xa, xb), Moler's one-sided formula at the
// first and last point, then the Hermite cubic in PPoly's power basis. Same operations in
// the same order as the JavaScript, so the values are the same doubles.
const sign = (x: string) => `sign(${x})`;
const interior = (hPrev: string, hNext: string, mPrev: string, mNext: string) =>
  `CASE WHEN ${sign(mNext)} <> ${sign(mPrev)} OR ${mNext} = 0 OR ${mPrev} = 0 THEN 0::DOUBLE ELSE 1 / (((2 * ${hNext} + ${hPrev}) / ${mPrev} + (${hNext} + 2 * ${hPrev}) / ${mNext}) / ((2 * ${hNext} + ${hPrev}) + (${hNext} + 2 * ${hPrev}))) END`;
const edge = (h0: string, h1: string, m0: string, m1: string) => {
  const d = `(((2 * ${h0} + ${h1}) * ${m0} - ${h0} * ${m1}) / (${h0} + ${h1}))`;
  return `CASE WHEN ${sign(d)} <> ${sign(m0)} THEN 0::DOUBLE WHEN ${sign(m0)} <> ${sign(m1)} AND abs(${d}) > 3 * abs(${m0}) THEN 3 * ${m0} ELSE ${d} END`;
};

/**
 * A FROM item over a gap table made with neighbours: its gaps with `h`, `m` (width and
 * slope of [x0, x1]), `ha`, `ma`, `hb`, `mb` (of the intervals beyond) and `d0`, `d1` (the
 * PCHIP slopes at x0 and x1), for PCHIP_FILL. Meaningless for gaps at either end.
 */
export function pchipSlopes(gaps: string): string {
  const h = 'CAST(x1 - x0 AS DOUBLE)';
  const ha = 'CAST(x0 - xa AS DOUBLE)';
  const hb = 'CAST(xb - x1 AS DOUBLE)';
  return `(SELECT *,
      CASE WHEN xa IS NULL AND xb IS NULL THEN m
           WHEN xa IS NULL THEN ${edge('h', 'hb', 'm', 'mb')}
           ELSE ${interior('ha', 'h', 'ma', 'm')} END AS d0,
      CASE WHEN xa IS NULL AND xb IS NULL THEN m
           WHEN xb IS NULL THEN ${edge('h', 'ha', 'm', 'ma')}
           ELSE ${interior('h', 'hb', 'm', 'mb')} END AS d1
    FROM (SELECT *, ${h} AS h, (y1 - y0) / ${h} AS m, ${ha} AS ha, (y0 - ya) / ${ha} AS ma, ${hb} AS hb, (yb - y1) / ${hb} AS mb
          FROM ${gaps}))`;
}

/**
 * The Hermite cubic of a pchipSlopes() row at p (PPoly's evaluation, constant term first);
 * gaps without a valid point on each side stay missing (API.md: only linear fills after the
 * last valid value, and nothing fills before the first).
 */
export const PCHIP_FILL = `CASE WHEN x0 IS NULL OR x1 IS NULL THEN NULL ELSE (y0 + d0 * CAST(p - x0 AS DOUBLE)) + ((m - d0) / h - (d0 + d1 - 2 * m) / h) * (CAST(p - x0 AS DOUBLE) * CAST(p - x0 AS DOUBLE)) + ((d0 + d1 - 2 * m) / h / h) * ((CAST(p - x0 AS DOUBLE) * CAST(p - x0 AS DOUBLE)) * CAST(p - x0 AS DOUBLE)) END`;

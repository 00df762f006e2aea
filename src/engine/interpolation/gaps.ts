// Linear and PCHIP interpolation (any fill of a gap from the valid values around it) in SQL,
// without a window ordered over the whole column and without a sort of it.
//
// A gap is a run of missing values; it is filled from a few valid points around it only:
// linear from the valid value on each side, PCHIP also from the valid point beyond each of
// those (the slopes at a point depend on its two neighbours). So the column is read in row
// order by DuckDB's streaming window (OVER () with lag/lead by a constant offset: rows in the
// order they come, no sort, one thread per segment of the column), keeping only the rows
// where a gap starts or ends with the values next to them; a second streaming lead pairs
// each start with its end. The fill is a table made from the gaps (each gap preceded by the
// run of valid rows before it, unnested in gap order), which the column is positionally
// joined with: the fill where the column is missing.
//
// On 10M rows with 900k gaps (2 threads, in-process, quiet machine), linear took 0.83-1.17 s
// and pchip 1.25-1.45 s for the whole change, where the former SQL took 1.8-2.0 s and
// 2.2-3.0 s: it found the gaps from the column beside shifted copies of itself (a POSITIONAL
// JOIN that gathers its right side first: 1.4-1.8 s) and wrote the column as valid and
// filled rows sorted by position (1.2 s).
// Not kept: last_value(… IGNORE NULLS) OVER () — 0.2 s, but it is not a streaming window:
// rows come as the threads take them, and 571 of 10M values were wrong; a running arg_max()
// OVER (ROWS …) streams, but updates its state row by row (0.9 s for ffill alone); a LEFT
// JOIN of the column to the filled rows (0.5 s) hands the rows back out of order; the column
// through JavaScript costs 0.8-0.95 s to read and 0.35 s to write back (a chunk of 2,048
// values at a time through the bindings).

import type { Db } from '../duck.ts';
import type { Dataset } from '../dataset.ts';
import { isMissing } from '../json-values.ts';

let tables = 0;

/** Segments of a column read by streaming windows of their own when its gaps are looked for (see createGapTable): up to SEGMENTS, of at least SEGMENT_ROWS rows. */
const SEGMENTS = 4;
const SEGMENT_ROWS = 100_000;

/**
 * Write the gaps of column `index` of `ds` to a new temp table on `db`, and return its name.
 * One row per gap, in row order. Columns: `s`, `e` (first and last missing position), `r` (the first position after the gap before, 0 for the first gap: rows r…s-1
 * are valid), `x0`, `y0` (the valid point before the gap; NULL for a gap at the start),
 * `x1`, `y1` (the valid point after it; NULL for a gap at the end). With `neighbours` also
 * `xa`, `ya` (the valid point before x0) and `xb`, `yb` (after x1), NULL where there is none.
 * Missing means NULL, or NaN in a floating-point column; `value` is the SQL of the values
 * (of ds.ref(index)) that y0, y1… hold, DOUBLE by default.
 * The table lives as long as the connection (a job's own).
 */
export async function createGapTable(db: Db, ds: Dataset, index: number, neighbours: boolean, value?: string): Promise<string> {
  const n = ds.rows;
  const column = ds.column(index);
  const v = `CASE WHEN ${isMissing(ds.sqlName(index), column.type)} THEN NULL ELSE ${value ?? `CAST(${ds.ref(index)} AS DOUBLE)`} END`;
  const last = n - 1;
  const reach = neighbours ? 2 : 1;
  // The missing rows that start a gap (after a valid row, or at row 0) or end one (before a
  // valid row, or at the last row), with the values next to them (a, b; a2, b2 two rows
  // away). Starts and ends alternate, a row may be both. Found segment by segment, each read
  // with `reach` rows more on either side: a streaming window runs on one thread, segments
  // run on several (10M rows in 4: 0.25 s against 0.36-0.5 s in one).
  const segments: string[] = [];
  const count = Math.min(SEGMENTS, Math.max(1, Math.floor(n / SEGMENT_ROWS)));
  for (let k = 0; k < count; k++) {
    const lo = Math.floor((k * n) / count);
    const hi = Math.floor(((k + 1) * n) / count) - 1;
    const select = await ds.selectRows(db, { columns: [index], withPosition: true, from: Math.max(0, lo - reach), to: Math.min(last, hi + reach) });
    // lag and lead past the segment's ends give NULL, hence the tests of i against 0 and the last row.
    const around = `SELECT i, v, lag(v) OVER () AS a, lead(v) OVER () AS b${neighbours ? ', lag(v, 2) OVER () AS a2, lead(v, 2) OVER () AS b2' : ''} FROM (SELECT __pos AS i, ${v} AS v FROM (${select}))`;
    segments.push(`SELECT i, a, b${neighbours ? ', a2, b2' : ''} FROM (${around}) WHERE i BETWEEN ${lo} AND ${hi} AND v IS NULL AND (a IS NOT NULL OR b IS NOT NULL OR i = 0 OR i = ${last})`);
  }
  const bounds = `SELECT *, i = 0 OR a IS NOT NULL AS starts, i = ${last} OR b IS NOT NULL AS ends FROM (${segments.join(' UNION ALL ')}) ORDER BY i`;
  // A start's gap ends at that row or at the next boundary row.
  const paired = `SELECT i AS s, a AS y0, starts${neighbours ? ', a2' : ''},
      CASE WHEN ends THEN i ELSE lead(i) OVER () END AS e,
      CASE WHEN ends THEN b ELSE lead(b) OVER () END AS y1${neighbours ? `,
      CASE WHEN ends THEN b2 ELSE lead(b2) OVER () END AS b2` : ''}
    FROM (${bounds})`;
  const gaps = `SELECT s, e, CASE WHEN s > 0 THEN s - 1 END AS x0, y0, CASE WHEN e < ${last} THEN e + 1 END AS x1, y1${neighbours ? ', a2, b2' : ''} FROM (${paired}) WHERE starts`;
  // The valid point before x0 is x0 - 1 when that row is valid, else (it ends the gap
  // before) that gap's x0; likewise after x1. These windows run over gaps, not rows.
  const select = `SELECT s, e, coalesce(lag(e) OVER () + 1, 0) AS r, x0, y0, x1, y1${
    neighbours
      ? `,
      CASE WHEN s >= 2 AND a2 IS NOT NULL THEN s - 2 ELSE lag(x0) OVER () END AS xa,
      CASE WHEN s >= 2 AND a2 IS NOT NULL THEN a2 ELSE lag(y0) OVER () END AS ya,
      CASE WHEN e + 2 <= ${last} AND b2 IS NOT NULL THEN e + 2 ELSE lead(x1) OVER () END AS xb,
      CASE WHEN e + 2 <= ${last} AND b2 IS NOT NULL THEN b2 ELSE lead(y1) OVER () END AS yb`
      : ''
  } FROM (${gaps})`;
  const name = `__willow_gaps_${++tables}`;
  await db.run(`CREATE TEMP TABLE ${name} AS ${select}`);
  return name;
}

/**
 * How a gap is filled: `perGap`, SQL select items (`expr AS name`) computed once per gap from
 * the columns of a gap table (or a FROM item over one), and `perRow`, the value at position
 * `p` from those names (NULL leaves it missing). Only the names perGap lists are carried to
 * every row: each is a column copied to each of the column's rows.
 */
export interface GapFill {
  perGap: string[];
  perRow: string;
}

/**
 * Write the fill of the gaps of a gap table (`gaps`, or a FROM item over one) to a new temp
 * table on `db` and return its name: one column `f`, in row order, at each missing position
 * what `fill` computes, NULL at valid positions; it ends with the last gap (a POSITIONAL JOIN
 * pads it with NULL). A table, not a subquery, so that the join with the column is DuckDB's
 * positional scan of two tables rather than a join gathering a whole side first (on 10M
 * rows: 0.22-0.37 s to write the table and 0.25-0.35 s to write the column, against
 * 1.0-1.35 s). Gaps are read in the order the gap table was written (its rows are in gap
 * order: DuckDB's preserve_insertion_order, on by default, keeps that order through scans,
 * projections and unnest without a sort).
 */
export async function createGapFill(db: Db, gaps: string, fill: GapFill): Promise<string> {
  // Each gap with the valid rows before it, unnested in gap order: runs of the column, in row order.
  const perGap = `SELECT r, s, e, ${fill.perGap.join(', ')} FROM ${gaps}`;
  const name = `__willow_gap_fill_${++tables}`;
  await db.run(`CREATE TEMP TABLE ${name} AS SELECT CASE WHEN p >= s THEN ${fill.perRow} END AS f FROM (SELECT unnest(range(r, e + 1)) AS p, * EXCLUDE (r, e) FROM (${perGap}))`);
  return name;
}

/**
 * Column `index` of `ds` with its missing values (NULL, or NaN in a float column) taken from
 * the fill table `fill` (createGapFill, listed in the change's `joins`) and the others as
 * `value` (an expression of ds.ref(index)), for a ColumnPlan expression.
 */
export function filledColumn(ds: Dataset, index: number, fill: string, value: string): string {
  return `CASE WHEN ${isMissing(ds.sqlName(index), ds.column(index).type)} THEN ${fill}.f ELSE ${value} END`;
}

/**
 * np.interp at p between (x0, y0) and (x1, y1), the last value after the data: as the
 * window formulation computed it, operation for operation (the slope q once per gap is the
 * same double as it was on each row).
 */
export const LINEAR_FILL: GapFill = {
  perGap: ['x0', 'y0', 'x1 IS NULL AS tail', '(y1 - y0) / CAST(x1 - x0 AS DOUBLE) AS q'],
  perRow: 'CASE WHEN x0 IS NULL THEN NULL WHEN tail THEN y0 ELSE q * CAST(p - x0 AS DOUBLE) + y0 END',
};

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

const t = 'CAST(p - x0 AS DOUBLE)';

/**
 * The Hermite cubic of a pchipSlopes() row at p (PPoly's evaluation, constant term first,
 * its coefficients once per gap); gaps without a valid point on each side stay missing
 * (API.md: only linear fills after the last valid value, and nothing fills before the first).
 */
export const PCHIP_FILL: GapFill = {
  perGap: ['x0', 'y0', 'd0', 'x0 IS NULL OR x1 IS NULL AS open', '((m - d0) / h - (d0 + d1 - 2 * m) / h) AS c2', '((d0 + d1 - 2 * m) / h / h) AS c3'],
  perRow: `CASE WHEN open THEN NULL ELSE (y0 + d0 * ${t}) + c2 * (${t} * ${t}) + c3 * ((${t} * ${t}) * ${t}) END`,
};

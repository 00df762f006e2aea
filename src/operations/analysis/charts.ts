// The data behind each chart type, reduced in DuckDB before anything reaches JavaScript:
// histograms arrive as bin counts, frequency charts as their top values, scatter and line
// charts as a deterministic sample of at most MAX_POINTS rows (while the trend statistics
// use every row). Each function returns a Vega-Lite spec and the window it draws.
import type { OperationContext } from '../types.ts';
import type { ColumnEntry } from '../../store/manifest.ts';
import { OperationError, invalidParameter } from '../errors.ts';
import { checkColumnIndex } from '../params.ts';
import { ident, literal } from '../../engine/sql.ts';
import { isWideInteger } from '../../engine/json-values.ts';
import { apiType, isNumeric, isTemporal, isText } from '../../engine/column-types.ts';
import { histogramSpec, frequencySpec, xySpec, type ChartWindow, type HistogramBar, type XYPoint } from '../../engine/chart/specs.ts';
import { clean, niceDomain, paddedDomain } from '../../engine/chart/scale.ts';
import { MAX_SERIES } from '../../engine/chart/palette.ts';
import { countValues, countWords, frequencies, jsonOf, jsNumber } from './values.ts';
import { pearsonPValue } from './pvalue.ts';
import { exactInteger, floatJson, textOf, type RawJson } from '../../exact-json.ts';

/**
 * Scatter and line charts draw at most this many points in all (rows evenly spaced in row
 * order, fewer rows when there are several y columns): enough to show the shape, and the
 * PNG stays well under 300 KB.
 */
export const MAX_POINTS = 5000;
export const MAX_BINS = 1000;
export const MAX_CUTOFF = 50;

/** A bound of the window asked for by the client; numbers, or ISO text on a date axis. */
export type Bound = number | string | null | undefined;
export interface AxisRequest {
  x?: { start?: Bound; end?: Bound } | null;
  y?: { start?: Bound; end?: Bound } | null;
}

/**
 * Axis window as reported to the client (ISO strings for a date axis). A bound beyond 2^53 is
 * raw JSON: the exact value of an integer column where the window ends at the data's least
 * or greatest value (the chart itself is drawn in doubles), else a float as Python writes it.
 */
export interface AxisReport {
  x: { start: number | string | RawJson; end: number | string | RawJson };
  y: { start: number | RawJson; end: number | RawJson };
}

export interface Chart {
  spec: Record<string, unknown>;
  axis?: AxisReport;
  /** Height in pixels when the chart needs other than the default (long frequency lists). */
  height?: number;
  /** The same chart with half the points, for when the PNG comes out too large (noisy data). */
  thinner?: () => Pick<Chart, 'spec' | 'thinner'>;
  /** Extra response fields (scatter: the trend statistics). */
  extra?: Record<string, unknown>;
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────

const emptySelection = (what: string): OperationError => new OperationError('empty selection', `nothing to draw: ${what}`);

/** A column to draw, with `sql`: its name in df / df_pos (Dataset.sqlName). */
type Drawn = ColumnEntry & { sql: string };

function column(ctx: OperationContext, index: number, param: string): Drawn {
  const i = checkColumnIndex(ctx.dataset, index, param);
  return { ...ctx.dataset.column(i), sql: ctx.dataset.sqlName(i) };
}

function requireNumeric(c: ColumnEntry, param: string, chart: string, dates = false): void {
  if (!isNumeric(c.type)) {
    throw new OperationError('invalid column type', `${param}: column ${JSON.stringify(c.name)} is ${apiType(c.type)}; a ${chart} needs numeric (int or float)${dates ? ' or datetime' : ''} columns`);
  }
}

function seriesColumns(ctx: OperationContext, indices: number[] | undefined, param: string, chart: string, dates = false): Drawn[] {
  if (!indices || indices.length === 0) throw invalidParameter(`${param}: list the columns to draw (at least one)`);
  const unique = [...new Set(indices)];
  if (unique.length > MAX_SERIES) throw invalidParameter(`${param}: at most ${MAX_SERIES} columns can be drawn in one chart (${unique.length} given)`);
  const cols = unique.map((i) => column(ctx, i, param));
  for (const c of cols) if (!(dates && isTemporal(c.type))) requireNumeric(c, param, chart, dates);
  return cols;
}

/** A column as a DOUBLE for charts: missing, NaN and infinities are NULL; dates are epoch ms. */
function chartNumber(c: Drawn): string {
  const v = ident(c.sql);
  if (isTemporal(c.type)) return `epoch_ms(CAST(${v} AS TIMESTAMP))::DOUBLE`;
  return `CASE WHEN isfinite(CAST(${v} AS DOUBLE)) THEN CAST(${v} AS DOUBLE) END`;
}

/** A window bound given by the client, as a number (dates: epoch ms); undefined when absent. */
function bound(value: Bound, param: string, temporal: boolean): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number') return value;
  if (temporal) {
    const ms = parseUtc(value);
    if (ms === undefined) throw invalidParameter(`${param}: ${JSON.stringify(value)} is not a date (use ISO 8601, e.g. 2020-01-31 or 2020-01-31T12:00:00)`);
    return ms;
  }
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n)) throw invalidParameter(`${param}: ${JSON.stringify(value)} is not a number`);
  return n;
}

/** ISO text read as UTC unless it names its own offset (the data's timestamps are zone-less). */
function parseUtc(text: string): number | undefined {
  let s = text.trim().replace(' ', 'T');
  if (/T/.test(s) && !/(Z|[+-]\d\d:?\d\d)$/i.test(s)) s += 'Z';
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

export const isoOf = (ms: number): string => new Date(ms).toISOString().slice(0, -1);

/**
 * One axis of the window: the client's bounds (either optional) laid over the data's. When
 * only one bound is given and it crosses the data's other bound, the data side moves to
 * keep the window's width.
 */
function axisRange(axis: AxisRequest | null | undefined, which: 'x' | 'y', data: [number, number], temporal = false): [number, number] {
  const given = axis?.[which];
  const start = bound(given?.start, `axis.${which}.start`, temporal);
  const end = bound(given?.end, `axis.${which}.end`, temporal);
  const r: [number, number] = [start ?? data[0], end ?? data[1]];
  if (r[0] < r[1]) return r;
  if (start !== undefined && end !== undefined) throw invalidParameter(`axis.${which}: start (${given?.start}) must be less than end (${given?.end})`);
  const width = Math.max(1, data[1] - data[0]);
  return start !== undefined ? [r[0], r[0] + width] : [r[1] - width, r[1]];
}

/**
 * `exactX`: the least and greatest values of the integer columns drawn along x (DuckDB's
 * bigints); a bound that is one of them as a double is reported as that exact value.
 */
const report = (w: ChartWindow, temporalX: boolean, exactX: ExactExtremes = NO_EXTREMES): AxisReport => ({
  x: temporalX ? { start: isoOf(w.x[0]), end: isoOf(w.x[1]) } : { start: reportedBound(w.x[0], exactX.lo), end: reportedBound(w.x[1], exactX.hi, true) },
  y: { start: reportedBound(w.y[0], []), end: reportedBound(w.y[1], []) },
});

/** Exact least (`lo`) and greatest (`hi`) values of integer columns, each column's own. */
interface ExactExtremes {
  lo: bigint[];
  hi: bigint[];
}
const NO_EXTREMES: ExactExtremes = { lo: [], hi: [] };

function reportedBound(bound: number, exact: bigint[], greatest = false): number | RawJson {
  // Two columns' extremes may round to one double: the least of them starts the window, the greatest ends it.
  const same = exact.filter((v) => Number(v) === bound).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (same.length) return exactInteger(greatest ? same[same.length - 1] : same[0]);
  return floatJson(bound) ?? bound;
}

/**
 * SQL for the exact least and greatest values of the wide integer columns among `cols`:
 * `columns`, the raw columns to select beside the doubles (as exact_v<i>); `aggregates`, their
 * min and max for extremesOf. Empty strings when none is.
 */
function integerExtremes(cols: Drawn[]): { columns: string; aggregates: string } {
  const wide = cols.map((c, i) => [c, i] as const).filter(([c]) => isWideInteger(c.type));
  return {
    columns: wide.map(([c, i]) => `, ${ident(c.sql)} AS exact_v${i}`).join(''),
    aggregates: wide.map(([, i]) => `, min(exact_v${i}) AS exact_lo${i}, max(exact_v${i}) AS exact_hi${i}`).join(''),
  };
}

/** The exact extremes integerExtremes' aggregates found. */
function extremesOf(row: Record<string, unknown>, cols: Drawn[]): ExactExtremes {
  const picked = (k: string) => cols.map((_, i) => row[`${k}${i}`]).filter((v): v is bigint | number => typeof v === 'bigint' || typeof v === 'number').map((v) => BigInt(v));
  return { lo: picked('exact_lo'), hi: picked('exact_hi') };
}

const titleOf = (cols: ColumnEntry[]): string => cols.map((c) => c.name).join(', ');
const quoted = (cols: ColumnEntry[]): string => cols.map((c) => JSON.stringify(c.name)).join(', ');

// ── histogram ───────────────────────────────────────────────────────────────────────────

export async function histogram(ctx: OperationContext, p: { columnIndices?: number[]; numberOfBins?: number; axis?: AxisRequest | null }): Promise<Chart> {
  // Dates are binned over time, as matplotlib's hist of datetimes: every column dates, or none.
  const cols = seriesColumns(ctx, p.columnIndices, 'columnIndices', 'histogram', true);
  const temporal = isTemporal(cols[0].type);
  const mixed = cols.find((c) => isTemporal(c.type) !== temporal);
  if (mixed) throw new OperationError('invalid column type', `columnIndices: column ${JSON.stringify(mixed.name)} is ${apiType(mixed.type)} and ${JSON.stringify(cols[0].name)} is ${apiType(cols[0].type)}; a histogram draws dates with dates and numbers with numbers`);
  const bins = p.numberOfBins ?? 10;
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_BINS) throw invalidParameter(`numberOfBins: ${bins} is not a bin count between 1 and ${MAX_BINS}`);
  const values = cols.map((c, i) => `${chartNumber(c)} AS v${i}`).join(', ');
  const exact = integerExtremes(cols);
  const range = await ctx.db.one(`SELECT min(least(${cols.map((_, i) => `v${i}`).join(', ')})) AS lo, max(greatest(${cols.map((_, i) => `v${i}`).join(', ')})) AS hi${exact.aggregates} FROM (SELECT ${values}${exact.columns} FROM df)`);
  const lo = jsNumber(range.lo);
  const hi = jsNumber(range.hi);
  if (lo === null || hi === null) throw emptySelection(`${quoted(cols)} ${cols.length > 1 ? 'have' : 'has'} no values (every row is missing)`);
  // Like numpy: a single value gets a bin of width 1 around it (a day for a date).
  const half = temporal ? 43_200_000 : 0.5;
  const data: [number, number] = lo === hi ? [lo - half, hi + half] : [lo, hi];
  const [x0, x1] = axisRange(p.axis, 'x', data, temporal);
  const width = (x1 - x0) / bins;
  // One scan: each row unnested into (series, value), binned, counted. The last bin is closed.
  const counts = await ctx.db.rows(`
    SELECT s, b, count(*)::BIGINT AS n FROM (
      SELECT s, least(floor((v - ${literal(x0)}) / ${literal(width)}), ${bins - 1})::INTEGER AS b
      FROM (SELECT unnest([${cols.map((_, i) => i).join(', ')}]) AS s, unnest([${cols.map((_, i) => `v${i}`).join(', ')}]) AS v FROM (SELECT ${values} FROM df))
      WHERE v BETWEEN ${literal(x0)} AND ${literal(x1)})
    GROUP BY s, b ORDER BY s, b`);
  const bars: HistogramBar[] = counts.map((r) => {
    const b = Number(r.b);
    return { series: cols[Number(r.s)].name, x0: x0 + b * width, x1: b === bins - 1 ? x1 : x0 + (b + 1) * width, count: Number(r.n) };
  });
  const maxCount = Math.max(0, ...bars.map((b) => b.count));
  // The count axis starts at 0 and ends at a round number a little above the tallest bar.
  const yData: [number, number] = [0, maxCount > 0 ? niceDomain(0, maxCount * 1.05)[1] : 1];
  const final: ChartWindow = { x: [x0, x1], y: axisRange(p.axis, 'y', yData) };
  return {
    spec: histogramSpec({ bars, series: cols.map((c) => c.name), xTitle: titleOf(cols), window: final, temporal }),
    axis: report(final, temporal, extremesOf(range, cols)),
  };
}

// ── frequency ───────────────────────────────────────────────────────────────────────────

const FREQ_VALUES = '__visualize_values';
const FREQ_WORDS = '__visualize_words';

export async function frequency(ctx: OperationContext, p: { columnIndex?: number; useWords?: boolean; cutoff?: number }): Promise<Chart> {
  if (p.columnIndex === undefined) throw invalidParameter('columnIndex: required parameter is missing (the column whose values are counted)');
  const c = column(ctx, p.columnIndex, 'columnIndex');
  const cutoff = Math.min(p.cutoff ?? MAX_CUTOFF, MAX_CUTOFF);
  if (!Number.isInteger(cutoff) || cutoff < 1) throw invalidParameter(`cutoff: ${p.cutoff} is not a count of bars between 1 and ${MAX_CUTOFF}`);
  if (p.useWords && !isText(c.type)) throw new OperationError('invalid column type', `useWords: column ${JSON.stringify(c.name)} is ${apiType(c.type)}; word frequencies need a text column`);
  await countValues(ctx.db, FREQ_VALUES, c.sql, c.type);
  try {
    let freq;
    if (p.useWords) {
      await countWords(ctx.db, FREQ_WORDS, FREQ_VALUES);
      freq = await frequencies(ctx.db, FREQ_WORDS, 'v', cutoff, 0);
    } else {
      freq = await frequencies(ctx.db, FREQ_VALUES, jsonOf('v', c.type), cutoff, 0);
    }
    if (freq.top.length === 0) throw emptySelection(`column ${JSON.stringify(c.name)} has no ${p.useWords ? 'words' : 'values'} (every row is missing${p.useWords ? ' or blank' : ''})`);
    // Dates read better without a midnight time and milliseconds.
    // (textOf: an int64 beyond 2^53 is labelled with its exact digits.)
    const text = (value: unknown): string => (isTemporal(c.type) && !p.useWords ? String(value).replace(/T00:00:00\.000$/, '').replace('T', ' ').replace(/\.000$/, '') : textOf(value));
    const bars = freq.top.map(([value, count], rank) => ({ label: text(value), count, rank }));
    // Room for the count written after the longest bar.
    const countMax = niceDomain(0, bars[0].count * 1.08)[1];
    return {
      spec: frequencySpec({ bars, valueTitle: p.useWords ? `words in ${c.name}` : c.name, countMax }),
      // About 20 px a bar keeps 50 labels legible.
      height: Math.min(1200, Math.max(300, 110 + 20 * bars.length)),
    };
  } finally {
    await ctx.db.run(`DROP TABLE IF EXISTS ${FREQ_VALUES}`);
    await ctx.db.run(`DROP TABLE IF EXISTS ${FREQ_WORDS}`);
  }
}

// ── scatter, line, date ─────────────────────────────────────────────────────────────────

export interface TrendStatistics {
  column: string;
  /** Pairs with both values present (all rows, not the drawn sample). */
  n: number;
  slope: number | null;
  intercept: number | null;
  r2: number | null;
  r: number | null;
  pValue: number | null;
}

export async function xy(
  ctx: OperationContext,
  kind: 'scatter' | 'line' | 'date',
  p: { xColumnIndex?: number; yColumnIndices?: number[]; axis?: AxisRequest | null },
): Promise<Chart> {
  if (p.xColumnIndex === undefined) throw invalidParameter(`xColumnIndex: required parameter is missing (the column on the x axis of the ${kind} chart)`);
  const xc = column(ctx, p.xColumnIndex, 'xColumnIndex');
  const ycs = seriesColumns(ctx, p.yColumnIndices, 'yColumnIndices', `${kind} chart`);
  const temporal = isTemporal(xc.type);
  if (kind === 'date' && !temporal) throw new OperationError('invalid column type', `xColumnIndex: column ${JSON.stringify(xc.name)} is ${apiType(xc.type)}; a date chart needs a datetime column on the x axis`);
  if (kind === 'scatter') requireNumeric(xc, 'xColumnIndex', 'scatter chart');
  if (kind === 'line' && !temporal) requireNumeric(xc, 'xColumnIndex', 'line chart');

  const ys = ycs.map((_, i) => `y${i}`);
  const drawable = `x IS NOT NULL AND (${ys.map((y) => `${y} IS NOT NULL`).join(' OR ')})`;
  const all = `(SELECT __pos, ${chartNumber(xc)} AS x, ${ycs.map((c, i) => `${chartNumber(c)} AS y${i}`).join(', ')} FROM df_pos)`;
  const xStart = bound(p.axis?.x?.start, 'axis.x.start', temporal);
  const xEnd = bound(p.axis?.x?.end, 'axis.x.end', temporal);
  const inWindow = [xStart !== undefined ? `x >= ${literal(xStart)}` : '', xEnd !== undefined ? `x <= ${literal(xEnd)}` : ''].filter(Boolean).join(' AND ') || 'true';
  // A line's rows: those inside the window, and those missing x (where every line breaks).
  const lineRows = `x IS NULL OR (${inWindow})`;
  // Every figure over all rows in one scan: the window, and each y column's least-squares fit.
  const perY = ys.map((y, i) => `min(${y}) FILTER (WHERE x IS NOT NULL) AS lo${i}, max(${y}) FILTER (WHERE x IS NOT NULL) AS hi${i}, regr_slope(${y}, x) AS b${i}, regr_intercept(${y}, x) AS a${i}, regr_r2(${y}, x) AS r2_${i}, corr(${y}, x) AS r${i}, regr_count(${y}, x)::BIGINT AS n${i}`);
  const s = await ctx.db.one(
    `SELECT count(*) FILTER (WHERE ${drawable})::BIGINT AS n, count(*) FILTER (WHERE ${drawable} AND ${inWindow})::BIGINT AS nw, count(*) FILTER (WHERE ${lineRows})::BIGINT AS nl,
       min(x) FILTER (WHERE ${drawable}) AS xlo, max(x) FILTER (WHERE ${drawable}) AS xhi, ${perY.join(', ')} FROM ${all}`,
  );
  const n = Number(s.n);
  if (n === 0) throw emptySelection(`no row has both ${JSON.stringify(xc.name)} and ${ycs.length > 1 ? 'one of ' : ''}${quoted(ycs)} present`);
  const xlo = jsNumber(s.xlo)!;
  const xhi = jsNumber(s.xhi)!;
  const ylo = Math.min(...ycs.map((_, i) => jsNumber(s[`lo${i}`]) ?? Infinity));
  const yhi = Math.max(...ycs.map((_, i) => jsNumber(s[`hi${i}`]) ?? -Infinity));
  const DAY = 86_400_000;
  // Lines get matplotlib's margins (axes.xmargin, 5% a side), not rounded: the first and last
  // points (and their markers) were cut in half at the window's edges.
  const margin = (xhi - xlo) * 0.05;
  const xData: [number, number] =
    kind === 'scatter' ? paddedDomain(xlo, xhi) : xlo < xhi ? [clean(xlo - margin), clean(xhi + margin)] : temporal ? [xlo - DAY / 2, xhi + DAY / 2] : niceDomain(xlo, xhi);
  const w: ChartWindow = { x: axisRange(p.axis, 'x', xData, temporal), y: axisRange(p.axis, 'y', paddedDomain(ylo, yhi)) };
  const stats: TrendStatistics[] = ycs.map((c, i) => {
    const r = jsNumber(s[`r${i}`]);
    const count = Number(s[`n${i}`]);
    return { column: c.name, n: count, slope: jsNumber(s[`b${i}`]), intercept: jsNumber(s[`a${i}`]), r2: jsNumber(s[`r2_${i}`]), r, pValue: pearsonPValue(r, count) };
  });
  const labels = kind === 'scatter' ? stats.map(trendLabel) : ycs.map((c) => c.name);
  const perSeries = Math.floor(MAX_POINTS / ycs.length);
  const points: XYPoint[] = [];
  if (kind === 'scatter') {
    // The drawn sample: every step-th row (in row order) of those inside the x window.
    const nw = Number(s.nw);
    const step = Math.max(1, Math.ceil(nw / perSeries));
    // When every row qualifies, a row's rank is its position: no numbering (a sort) needed.
    const every = step === 1 ? '' : nw === ctx.dataset.rows ? ` AND __pos % ${step} = 0` : ` QUALIFY (row_number() OVER (ORDER BY __pos) - 1) % ${step} = 0`;
    const rows = await ctx.db.rows(`SELECT x, ${ys.join(', ')} FROM ${all} WHERE ${drawable} AND ${inWindow}${every} ORDER BY __pos`);
    for (const row of rows) {
      for (let i = 0; i < ys.length; i++) {
        const y = row[ys[i]] as number | null;
        // Points outside the y window are left out rather than drawn on its edge.
        if (y === null || y < w.y[0] || y > w.y[1]) continue;
        points.push({ series: labels[i], x: row.x as number, y });
      }
    }
  } else {
    const nl = Number(s.nl);
    const step = Math.max(1, Math.ceil(nl / perSeries));
    points.push(...(await linePoints(ctx, { from: all, where: lineRows, ys, labels, step, numbered: nl === ctx.dataset.rows })));
  }
  const trends: XYPoint[] = [];
  if (kind === 'scatter') {
    stats.forEach((st, i) => {
      if (st.slope === null || st.intercept === null) return;
      for (const x of w.x) trends.push({ series: labels[i], x, y: st.intercept + st.slope * x });
    });
  }
  const specOf = (drawn: XYPoint[]): Record<string, unknown> =>
    xySpec({
      kind: kind === 'scatter' ? 'scatter' : 'line',
      temporal,
      points: drawn,
      trends,
      series: labels,
      legend: kind === 'scatter' || ycs.length > 1,
      xTitle: xc.name,
      yTitle: titleOf(ycs),
      window: w,
    });
  const build = (drawn: XYPoint[]): Pick<Chart, 'spec' | 'thinner'> => ({
    spec: specOf(drawn),
    thinner: drawn.length > 100 ? () => build(everyOther(drawn)) : undefined,
  });
  return {
    ...build(points),
    axis: report(w, temporal),
    extra: kind === 'scatter' ? { statistics: stats } : undefined,
  };
}

/**
 * The points of line charts: the rows `where` selects, in row order, in runs of `step` rows.
 * Each series takes the first row of each run in which it has a value (x and y); a run in
 * which it has none is a break in its line. With every row drawn (step 1) the line breaks
 * at each missing value, as matplotlib's at NaN; when rows are sampled, gaps shorter than a
 * run are below the chart's resolution (a few rows in a pixel) and a sparse scatter of
 * missing values does not cut the line to pieces. `numbered`: every row is selected, so a
 * row's position is its rank.
 */
async function linePoints(ctx: OperationContext, o: { from: string; where: string; ys: string[]; labels: string[]; step: number; numbered: boolean }): Promise<XYPoint[]> {
  const run = o.numbered ? `__pos // ${o.step}` : `(row_number() OVER (ORDER BY __pos) - 1) // ${o.step}`;
  const perY = o.ys.map((y, i) => {
    const present = `FILTER (WHERE x IS NOT NULL AND ${y} IS NOT NULL)`;
    return `arg_min(x, __pos) ${present} AS x${i}, arg_min(${y}, __pos) ${present} AS y${i}`;
  });
  const rows = await ctx.db.rows(`SELECT ${perY.join(', ')} FROM (SELECT *, ${run} AS run FROM ${o.from} WHERE ${o.where}) GROUP BY run ORDER BY run`);
  const points: XYPoint[] = [];
  for (const row of rows) {
    o.ys.forEach((_, i) => {
      const y = row[`y${i}`] as number | null;
      points.push(y === null ? { series: o.labels[i], x: null, y: null } : { series: o.labels[i], x: row[`x${i}`] as number, y });
    });
  }
  return points;
}

/**
 * Every other point of each series (points are in row order, so each stays evenly spaced);
 * breaks are all kept.
 */
function everyOther(points: XYPoint[]): XYPoint[] {
  const seen = new Map<string, number>();
  return points.filter((pt) => {
    if (pt.y === null) return true;
    const k = seen.get(pt.series) ?? 0;
    seen.set(pt.series, k + 1);
    return k % 2 === 0;
  });
}

function trendLabel(st: TrendStatistics): string {
  const r2 = st.r2 === null ? 'n/a' : st.r2.toFixed(3);
  const p = st.pValue === null ? 'n/a' : st.pValue === 0 ? (1 - (st.r ?? 0) ** 2 < 1e-12 ? '0' : '< 1e-300') : st.pValue < 0.001 ? st.pValue.toExponential(2) : st.pValue.toPrecision(3);
  return `${st.column}: R² = ${r2}, p ${p.startsWith('<') ? p : `= ${p}`}`;
}

// Vega-Lite specs of the charts, from data already reduced by DuckDB (bin counts, top
// values, a sample of points). Fields of the data rows are fixed names (series, x, y…), so
// column names of any spelling only ever appear as titles and legend labels.
import { PALETTE, HISTOGRAM_OPACITY, POINT_OPACITY } from './palette.ts';
import { numericTicks, dateTicks, type Ticks, type TickOptions } from './ticks.ts';

export interface ChartWindow {
  x: [number, number];
  y: [number, number];
}

type Spec = Record<string, unknown>;

// The legend sits above the plot, in a grid of up to `columns` entries a row, so that
// the plot keeps the full width.
const colour = (series: string[], legend: boolean, columns: number): Spec => ({
  field: 'series',
  type: 'nominal',
  scale: { domain: series, range: PALETTE.slice(0, series.length) },
  legend: legend ? { title: null, orient: 'top', direction: 'horizontal', columns: Math.min(columns, series.length), labelLimit: Math.floor(720 / Math.min(columns, series.length)) - 30, symbolOpacity: 1 } : null,
});

const fixed = (domain: [number, number]): Spec => ({ domain, nice: false, zero: false });

/** Room for the labels of a horizontal axis, in characters (about 700 px of plot at 12 px). */
const X_ROOM = 90;

/**
 * A quantitative position channel over a fixed window, with ticks and labels computed here
 * (ticks.ts) rather than by Vega; what the labels leave out (a power of ten, the shared
 * date) is added to the title.
 */
function positioned(field: string, title: string, window: [number, number], ticks: Ticks, axis: Spec = {}): Spec {
  const labelExpr = `${JSON.stringify(ticks.labels)}[indexof(${JSON.stringify(ticks.values)}, datum.value)]`;
  return {
    field,
    type: 'quantitative',
    scale: fixed(window),
    title: ticks.note ? `${title} (${ticks.note})` : title,
    axis: { values: ticks.values, labelExpr, ...axis },
  };
}

const numeric = (field: string, title: string, window: [number, number], opts: TickOptions = {}): Spec => positioned(field, title, window, numericTicks(window[0], window[1], opts));

export interface HistogramBar {
  series: string;
  x0: number;
  x1: number;
  count: number;
}

/** Overlaid histograms: one semi-transparent colour per column. */
export function histogramSpec(opts: { bars: HistogramBar[]; series: string[]; xTitle: string; window: ChartWindow; temporal?: boolean }): Spec {
  return {
    data: { values: opts.bars },
    mark: { type: 'rect', opacity: HISTOGRAM_OPACITY, clip: true, stroke: 'white', strokeWidth: 1, strokeOpacity: 1 },
    encoding: {
      // Bins of dates (epoch ms) on an axis of round dates, as the date chart's.
      x: opts.temporal
        ? positioned('x0', opts.xTitle, opts.window.x, dateTicks(opts.window.x[0], opts.window.x[1], { room: X_ROOM }), { labelAngle: 0 })
        : numeric('x0', opts.xTitle, opts.window.x, { room: X_ROOM }),
      x2: { field: 'x1' },
      y: numeric('count', 'count', opts.window.y, { minStep: 1 }),
      y2: { datum: 0 },
      color: colour(opts.series, opts.series.length > 1, 5),
    },
  };
}

export interface FrequencyBar {
  label: string;
  count: number;
  /** 0 for the most frequent: the order of the bars, top to bottom. */
  rank: number;
}

/** Horizontal bars of the most frequent values, most frequent on top, counts written at the ends. */
export function frequencySpec(opts: { bars: FrequencyBar[]; valueTitle: string; countMax: number }): Spec {
  const y = { field: 'label', type: 'nominal', sort: { field: 'rank', op: 'min', order: 'ascending' }, title: opts.valueTitle, axis: { labelLimit: 240 } };
  return {
    data: { values: opts.bars },
    encoding: {
      y,
      x: numeric('count', 'count', [0, opts.countMax], { minStep: 1, room: X_ROOM }),
    },
    layer: [
      { mark: { type: 'bar', color: PALETTE[0] } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 3, fontSize: 11, color: '#333' }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}

export interface XYPoint {
  series: string;
  /** null: a missing value, where the line of the series breaks. */
  x: number | null;
  y: number | null;
}

/**
 * Scatter (points, plus a trend line per series) or line chart. `temporal`: x holds epoch
 * milliseconds of UTC-naive timestamps, shown as dates. A line is drawn in the order of the
 * points (row order, as matplotlib) and breaks at a point missing x or y.
 */
export function xySpec(opts: {
  kind: 'scatter' | 'line';
  temporal: boolean;
  points: XYPoint[];
  trends?: XYPoint[];
  series: string[];
  legend: boolean;
  xTitle: string;
  yTitle: string;
  window: ChartWindow;
}): Spec {
  // Dates on a linear axis of milliseconds: the same positions as a UTC time scale, with
  // ticks placed on round dates here.
  const x = opts.temporal
    ? positioned('x', opts.xTitle, opts.window.x, dateTicks(opts.window.x[0], opts.window.x[1], { room: X_ROOM }), { labelAngle: 0 })
    : numeric('x', opts.xTitle, opts.window.x, { room: X_ROOM });
  const encoding = {
    x,
    y: numeric('y', opts.yTitle, opts.window.y),
    color: colour(opts.series, opts.legend, opts.kind === 'scatter' ? 3 : 5),
  };
  const perSeries = opts.points.length / Math.max(1, opts.series.length);
  // Smaller points when there are many: the cloud stays readable and the PNG small.
  const size = opts.points.length > 2000 ? 12 : opts.points.length > 500 ? 24 : 64;
  const main =
    opts.kind === 'scatter'
      ? { data: { values: opts.points }, mark: { type: 'circle', size, opacity: POINT_OPACITY } }
      : {
          data: { values: opts.points },
          // order null: the data's order, not sorted by x (which would give a missing x no place).
          encoding: { order: { value: null } },
          mark: { type: 'line', clip: true, strokeWidth: 1.5, invalid: 'break-paths-filter-domains', point: perSeries <= 60 ? { filled: true, size: 30 } : false },
        };
  const layer: Spec[] = [main];
  if (opts.trends && opts.trends.length > 0) {
    // Trend lines under the points, so that points on the line still show.
    layer.unshift({ data: { values: opts.trends }, mark: { type: 'line', clip: true, strokeWidth: 2 }, encoding: { detail: { field: 'series' } } });
  }
  return { encoding, layer };
}

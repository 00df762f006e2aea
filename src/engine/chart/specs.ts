// Vega-Lite specs of the charts, from data already reduced by DuckDB (bin counts, top
// values, a sample of points). Fields of the data rows are fixed names (series, x, y…), so
// column names of any spelling only ever appear as titles and legend labels.
import { PALETTE, HISTOGRAM_OPACITY, POINT_OPACITY } from './palette.ts';

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

export interface HistogramBar {
  series: string;
  x0: number;
  x1: number;
  count: number;
}

/** Overlaid histograms: one semi-transparent colour per column. */
export function histogramSpec(opts: { bars: HistogramBar[]; series: string[]; xTitle: string; window: ChartWindow }): Spec {
  return {
    data: { values: opts.bars },
    mark: { type: 'rect', opacity: HISTOGRAM_OPACITY, clip: true, stroke: 'white', strokeWidth: 1, strokeOpacity: 1 },
    encoding: {
      x: { field: 'x0', type: 'quantitative', scale: fixed(opts.window.x), title: opts.xTitle },
      x2: { field: 'x1' },
      y: { field: 'count', type: 'quantitative', scale: fixed(opts.window.y), title: 'count', axis: { tickMinStep: 1 } },
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
      x: { field: 'count', type: 'quantitative', title: 'count', scale: { domain: [0, opts.countMax], nice: false }, axis: { tickMinStep: 1 } },
    },
    layer: [
      { mark: { type: 'bar', color: PALETTE[0] } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 3, fontSize: 11, color: '#333' }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}

export interface XYPoint {
  series: string;
  x: number;
  y: number;
}

/**
 * Scatter (points, plus a trend line per series) or line chart. `temporal`: x holds epoch
 * milliseconds of UTC-naive timestamps, shown as dates.
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
  const x: Spec = opts.temporal
    ? {
        field: 'x',
        type: 'temporal',
        scale: { type: 'utc', domain: opts.window.x, nice: false },
        title: opts.xTitle,
        axis: { format: dateFormat(opts.window.x[1] - opts.window.x[0]), labelAngle: 0 },
      }
    : { field: 'x', type: 'quantitative', scale: fixed(opts.window.x), title: opts.xTitle };
  const encoding = {
    x,
    y: { field: 'y', type: 'quantitative', scale: fixed(opts.window.y), title: opts.yTitle },
    color: colour(opts.series, opts.legend, opts.kind === 'scatter' ? 3 : 5),
  };
  const perSeries = opts.points.length / Math.max(1, opts.series.length);
  // Smaller points when there are many: the cloud stays readable and the PNG small.
  const size = opts.points.length > 2000 ? 12 : opts.points.length > 500 ? 24 : 64;
  const main =
    opts.kind === 'scatter'
      ? { data: { values: opts.points }, mark: { type: 'circle', size, opacity: POINT_OPACITY } }
      : { data: { values: opts.points }, mark: { type: 'line', clip: true, strokeWidth: 1.5, point: perSeries <= 60 ? { filled: true, size: 30 } : false } };
  const layer: Spec[] = [main];
  if (opts.trends && opts.trends.length > 0) {
    // Trend lines under the points, so that points on the line still show.
    layer.unshift({ data: { values: opts.trends }, mark: { type: 'line', clip: true, strokeWidth: 2 }, encoding: { detail: { field: 'series' } } });
  }
  return { encoding, layer };
}

/** A date format that fits the span of the axis (milliseconds). */
export function dateFormat(spanMs: number): string {
  const day = 86_400_000;
  if (spanMs >= 3 * 365 * day) return '%Y';
  if (spanMs >= 90 * day) return '%Y-%m';
  if (spanMs >= 3 * day) return '%Y-%m-%d';
  if (spanMs >= 3 * 3_600_000) return '%Y-%m-%d %H:%M';
  if (spanMs >= 60_000) return '%H:%M';
  return '%H:%M:%S.%L';
}

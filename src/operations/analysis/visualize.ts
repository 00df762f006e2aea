import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';
import { annotate, bool, columnPosition, int, nonNegativeInt, indexList } from '../params.ts';
import { CHART_HEIGHT, CHART_WIDTH } from '../../engine/chart/palette.ts';
import { histogram, frequency, xy, type Chart } from './charts.ts';

/** Largest PNG a chart should produce. */
export const MAX_PNG_BYTES = 300_000;
const base64Bytes = (b64: string): number => Math.floor((b64.length * 3) / 4);

export const CHART_TYPES = ['histogram', 'frequency', 'scatter', 'line', 'date'] as const;

/**
 * Chart options may come at the top level of the body or inside `options` (the original
 * client sent them there). Both are merged; when a parameter is in both places, the
 * top-level value wins. A JSON-encoded `options` string is accepted too.
 */
export function mergeOptions(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const { options, ...top } = raw as Record<string, unknown>;
  let nested: unknown = options;
  if (typeof nested === 'string') {
    try {
      nested = JSON.parse(nested);
    } catch {
      return raw; // left as is: the schema reports `options` as invalid
    }
  }
  if (nested === undefined || nested === null) return top;
  if (typeof nested !== 'object' || Array.isArray(nested)) return raw;
  return { ...(nested as Record<string, unknown>), ...top };
}

// One index or a list of them: older clients send a lone index where a list is meant.
const indices = annotate(z.union([indexList, nonNegativeInt.transform((i) => [i])]), 'columnIndices');
const boundValue = z.union([z.number(), z.string()]).nullish();
const axisPart = z.object({ start: boundValue, end: boundValue }).partial().nullish();

const params = z.preprocess(
  mergeOptions,
  z.object({
    type: annotate(z.string({ error: `type: required parameter is missing (one of ${CHART_TYPES.join(', ')})` }), 'choice', { enum: [...CHART_TYPES] }),
    columnIndices: indices.optional(),
    columnIndex: columnPosition.optional(),
    numberOfBins: int.optional(),
    axis: z.object({ x: axisPart, y: axisPart }).partial().nullish(),
    useWords: bool.optional(),
    cutoff: int.optional(),
    xColumnIndex: columnPosition.optional(),
    yColumnIndices: indices.optional(),
    yColumnIndex: columnPosition.optional(),
    options: z.unknown().optional(),
  }),
);

export const visualize = defineOperation({
  name: 'visualize',
  kind: 'read',
  summary: 'a chart of the data (histogram, frequency, scatter, line or date) rendered to a base64 PNG, with the axis window it shows',
  params,
  async run(ctx, p) {
    if (p.options !== undefined) throw new OperationError('invalid parameters', 'options: must be an object of chart options');
    const type = p.type.trim().toLowerCase();
    let chart: Chart;
    switch (type) {
      case 'histogram':
        // A lone columnIndex is taken as a one-column list.
        chart = await histogram(ctx, { ...p, columnIndices: p.columnIndices ?? (p.columnIndex !== undefined ? [p.columnIndex] : undefined) });
        break;
      case 'frequency':
        chart = await frequency(ctx, { ...p, columnIndex: p.columnIndex ?? (p.columnIndices?.length === 1 ? p.columnIndices[0] : undefined) });
        break;
      case 'scatter':
      case 'line':
      case 'date':
        chart = await xy(ctx, type, { ...p, yColumnIndices: p.yColumnIndices ?? (p.yColumnIndex !== undefined ? [p.yColumnIndex] : undefined) });
        break;
      default:
        throw new OperationError('unknown chart type', `type ${JSON.stringify(p.type)} is not a chart type: use one of ${CHART_TYPES.join(', ')}`);
    }
    // Rasterizing is CPU work in JavaScript: a worker thread does it, the event loop stays free.
    const render = (spec: Record<string, unknown>): Promise<string> => ctx.cpu.run<string>('renderChart', { spec, width: CHART_WIDTH, height: chart.height ?? CHART_HEIGHT }, { owner: ctx.sessionId });
    let image = await render(chart.spec);
    // Thousands of points of pure noise compress badly; halve them until the PNG fits.
    for (let k = 0; k < 4 && base64Bytes(image) > MAX_PNG_BYTES && chart.thinner; k++) {
      chart = { ...chart, ...chart.thinner() };
      image = await render(chart.spec);
    }
    return { image, ...(chart.axis ? { axis: chart.axis } : {}), ...(chart.extra ?? {}) };
  },
});

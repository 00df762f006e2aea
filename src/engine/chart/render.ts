// Vega-Lite spec → PNG, entirely in this process: vega-lite compiles the spec to Vega,
// Vega renders it headless to SVG, resvg rasterizes the SVG with the DejaVu fonts shipped by
// the system (loaded explicitly, so the output does not depend on what else is installed).
// Called on a CPU worker thread (cpu-tasks.ts renderChart): all of it is synchronous work.
import fs from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY } from './palette.ts';
import { loadFontMetrics, type FontMetrics } from './font-metrics.ts';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const REGULAR = `${FONT_DIR}/DejaVuSans.ttf`;
const BOLD = `${FONT_DIR}/DejaVuSans-Bold.ttf`;
const FONT_FILES = [REGULAR, BOLD].filter((f) => fs.existsSync(f));

// Vega lays text out with these widths (see font-metrics.ts for why).
const metrics: { regular?: FontMetrics; bold?: FontMetrics } = {};
if (fs.existsSync(REGULAR)) metrics.regular = loadFontMetrics(REGULAR);
if (fs.existsSync(BOLD)) metrics.bold = loadFontMetrics(BOLD);
if (metrics.regular) {
  const regular = metrics.regular;
  // textMetrics is exported by vega (from vega-scenegraph) but missing from its typings.
  (vega as unknown as { textMetrics: { width: unknown } }).textMetrics.width = (item: { fontSize?: number; fontWeight?: string | number; limit?: number }, text: unknown): number => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const weight = item.fontWeight;
    const font = (weight === 'bold' || Number(weight) >= 600) && metrics.bold ? metrics.bold : regular;
    const lines = Array.isArray(text) ? text : [text];
    const width = Math.max(0, ...lines.map((line) => font.width(line == null ? '' : String(line).trim(), size)));
    // Vega asks for the width of the text as drawn: a label over its limit is cut to it.
    // (Its truncation search compares against limit − ellipsis, which this does not affect.)
    return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}

/** Looks shared by every chart: fonts and sizes legible at 800×500. */
const CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  view: { stroke: '#888' },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', labelColor: '#333', titleColor: '#222', gridColor: '#e6e6e6', labelOverlap: true },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 400, symbolSize: 120 },
};

const quiet = vega.logger(vega.Error);

/** Render a Vega-Lite spec to SVG text, the whole picture width × height pixels. */
export async function renderSpecToSvg(spec: unknown, width: number, height: number): Promise<string> {
  const top = {
    ...(spec as Record<string, unknown>),
    width,
    height,
    // The whole picture (axes, legend and padding included) is width × height.
    autosize: { type: 'fit', contains: 'padding' },
    padding: 12,
    config: { ...CONFIG, ...((spec as { config?: object }).config ?? {}) },
  } as vl.TopLevelSpec;
  const compiled = vl.compile(top, { logger: quiet }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Render a Vega-Lite spec to a PNG of exactly width × height pixels; base64. */
export async function renderSpecToPng(spec: unknown, width: number, height: number): Promise<string> {
  const svg = await renderSpecToSvg(spec, width, height);
  const resvg = new Resvg(svg, {
    font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    background: 'white',
  });
  return resvg.render().asPng().toString('base64');
}

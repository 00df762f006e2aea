import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { decodePng, hasPngSignature, pngSize, countColour, inkedPixels, hexRgb, overWhite, type Png } from '../../../test/helpers/png.ts';
import { Dataset } from '../../engine/dataset.ts';
import { PALETTE, HISTOGRAM_OPACITY, POINT_OPACITY, CHART_WIDTH, CHART_HEIGHT } from '../../engine/chart/palette.ts';
import { renderSpecToSvg } from '../../engine/chart/render.ts';
import { histogram, frequency, xy, MAX_POINTS } from './charts.ts';
import { mergeOptions, MAX_PNG_BYTES } from './visualize.ts';
import type { OperationContext } from '../types.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

/** The chart functions on a session's data, to check what they would draw (bins, samples). */
async function withContext<T>(sessionId: string, fn: (ctx: OperationContext) => Promise<T>): Promise<T> {
  const { manifest } = await h.rt.store.current(sessionId);
  const dataset = new Dataset(manifest, h.rt.store.filesDir(sessionId));
  return h.rt.duck.withConnection(async (db) => {
    for (const stmt of dataset.viewStatements()) await db.run(stmt);
    return fn({ db, dataset, cpu: h.rt.cpu } as unknown as OperationContext);
  });
}

/** The chart functions over a hand-made table (for column types an import cannot produce). */
async function withSql<T>(select: string, fn: (ctx: OperationContext) => Promise<T>): Promise<T> {
  return h.rt.duck.withConnection(async (db) => {
    const described = await db.describe(`(${select})`);
    const rows = Number(await db.scalar(`SELECT count(*) FROM (${select})`));
    const manifest = { rows, columns: described.map((c, i) => ({ name: c.name, type: c.type, file: 'none', field: `c${i}` })) };
    const dataset = new Dataset(manifest as never, '/nonexistent');
    // As the engine's views: column i under its SQL name, not its own.
    await db.run(`CREATE TEMP VIEW df AS SELECT * FROM (${select}) AS t(${described.map((_, i) => dataset.ref(i)).join(', ')})`);
    await db.run(`CREATE TEMP VIEW df_pos AS SELECT (row_number() OVER () - 1) AS __pos, * FROM df`);
    return fn({ db, dataset } as unknown as OperationContext);
  });
}

function image(res: Record<string, any>): { buf: Buffer; png: Png } {
  assert.equal(typeof res.image, 'string');
  const buf = Buffer.from(res.image, 'base64');
  assert.ok(hasPngSignature(buf), 'PNG signature');
  assert.ok(buf.length <= MAX_PNG_BYTES, `PNG of ${buf.length} bytes`);
  return { buf, png: decodePng(buf) };
}

/** The data drawn: the spec's own, or that of its last layer (scatter: points over trend lines). */
const values = (spec: Record<string, any>): Record<string, any>[] => spec.data?.values ?? spec.layer[spec.layer.length - 1].data.values;

/** The ticks a position channel of a spec asks Vega for: values, and the labels its labelExpr writes. */
function ticksOf(channel: Record<string, any>): { values: number[]; labels: string[]; title: string } {
  const expr: string = channel.axis.labelExpr;
  const labels = JSON.parse(expr.slice(0, expr.indexOf('[indexof(')));
  return { values: channel.axis.values, labels, title: channel.title };
}

const svgOf = (spec: Record<string, unknown>): Promise<string> => renderSpecToSvg(spec, CHART_WIDTH, CHART_HEIGHT);

/** The text of every label Vega drew. */
const svgTexts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

/** The runs of a line drawn in `colour`, as their point counts: [5, 3] is a line broken once. */
function lineRuns(svg: string, colour: string): number[] {
  const paths = [...svg.matchAll(/<path [^>]*aria-roledescription="line mark" d="([^"]*)" stroke="([^"]*)"/g)].filter((m) => m[2] === colour);
  assert.equal(paths.length, 1, `one line in ${colour}`);
  return paths[0][1].split('M').filter(Boolean).map((run) => run.split('L').length);
}

async function expectError(id: string, params: Record<string, unknown>, error: string, description: RegExp): Promise<void> {
  const res = await h.run(id, 'visualize', params);
  assert.equal(res.success, false, `expected ${error} for ${JSON.stringify(params)}`);
  assert.equal(res.error, error);
  assert.match(res.errorDescription, description);
}

// ── histogram ───────────────────────────────────────────────────────────────────────────

test('histogram: bins counted in DuckDB over the joint range, last bin closed', async () => {
  const id = await h.load('a,b\n1,5\n2,5\n2,6\n3,\n3,\n3,\n4,\n');
  const chart = await withContext(id, (ctx) => histogram(ctx, { columnIndices: [0, 1], numberOfBins: 5 }));
  // Range 1…6, width 1: a → [1,2):1 [2,3):2 [3,4):3 [4,5):1; b → [5,6]: 3 (6 is the closed end).
  const bars = values(chart.spec)
    .map((b) => [b.series, b.x0, b.x1, b.count])
    .sort((p, q) => String(p[0]).localeCompare(String(q[0])) || p[1] - q[1]);
  assert.deepEqual(bars, [
    ['a', 1, 2, 1],
    ['a', 2, 3, 2],
    ['a', 3, 4, 3],
    ['a', 4, 5, 1],
    ['b', 5, 6, 3],
  ]);
  // Count axis: 0 to a round number above the tallest bar (3 · 1.05 → 3.5 in steps of 0.5).
  assert.deepEqual(chart.axis, { x: { start: 1, end: 6 }, y: { start: 0, end: 3.5 } });
});

test('histogram: PNG 800×500, both series drawn in their own semi-transparent colour', async () => {
  const rows = Array.from({ length: 200 }, (_, i) => `${i % 50},${50 + (i % 30)}`);
  const id = await h.load(`left,right\n${rows.join('\n')}\n`);
  const res = await h.ok(id, 'visualize', { type: 'histogram', columnIndices: [0, 1], numberOfBins: 16 });
  const { buf, png } = image(res);
  assert.deepEqual(pngSize(buf), { width: 800, height: 500 });
  assert.equal(png.width, 800);
  assert.ok(inkedPixels(png) > 20_000, 'not blank');
  const left = countColour(png, overWhite(hexRgb(PALETTE[0]), HISTOGRAM_OPACITY), 2);
  const right = countColour(png, overWhite(hexRgb(PALETTE[1]), HISTOGRAM_OPACITY), 2);
  assert.ok(left > 10_000, `first series: ${left} pixels`);
  assert.ok(right > 10_000, `second series: ${right} pixels`);
  assert.deepEqual(res.axis, { x: { start: 0, end: 79 }, y: { start: 0, end: 40 } });
});

test('histogram: the window may be set in part; values outside it are not counted', async () => {
  const id = await h.load(`v\n${Array.from({ length: 100 }, (_, i) => i).join('\n')}\n`);
  const chart = await withContext(id, (ctx) => histogram(ctx, { columnIndices: [0], numberOfBins: 4, axis: { x: { start: 20 }, y: { end: 100 } } }));
  // [20, 99] in 4 bins of 19.75: 20 values each (the last bin closed takes 80…99).
  assert.deepEqual(
    values(chart.spec).map((b) => b.count).sort(),
    [20, 20, 20, 20],
  );
  assert.deepEqual(chart.axis, { x: { start: 20, end: 99 }, y: { start: 0, end: 100 } });
  // A single distinct value gets a bin of width 1 around it, like numpy.
  const one = await h.load('v\n7\n7\n');
  const single = await withContext(one, (ctx) => histogram(ctx, { columnIndices: [0], numberOfBins: 1 }));
  assert.deepEqual(values(single.spec), [{ series: 'v', x0: 6.5, x1: 7.5, count: 2 }]);
});

test('histogram of dates: bins over time with date ticks, ISO bounds; dates and numbers are not mixed', async () => {
  // 10 days of March 2021, one value a day, and a second column a week later.
  const rows = Array.from({ length: 10 }, (_, i) => `2021-03-${String(i + 1).padStart(2, '0')},2021-03-${String(i + 8).padStart(2, '0')},${i}`);
  const id = await h.load(`a,b,n\n${rows.join('\n')}\n`);
  const res = await h.ok(id, 'visualize', { type: 'histogram', columnIndices: [0], numberOfBins: 3 });
  assert.deepEqual(res.axis, { x: { start: '2021-03-01T00:00:00.000', end: '2021-03-10T00:00:00.000' }, y: { start: 0, end: 4.5 } });
  const chart = await withContext(id, (ctx) => histogram(ctx, { columnIndices: [0], numberOfBins: 3 }));
  // Three bins of three days: 3, 3 and (the last one closed) 4 values.
  assert.deepEqual(values(chart.spec).map((b) => b.count), [3, 3, 4]);
  const x = ticksOf((chart.spec as any).encoding.x);
  assert.ok(x.labels.includes('Mar 3') && x.title === 'a (2021)', JSON.stringify(x));
  const both = await withContext(id, (ctx) => histogram(ctx, { columnIndices: [0, 1], axis: { x: { start: '2021-03-05' } } }));
  assert.equal(both.axis!.x.start, '2021-03-05T00:00:00.000');
  await expectError(id, { type: 'histogram', columnIndices: [0, 2] }, 'invalid column type', /"n" is int and "a" is datetime; a histogram draws dates with dates/);
});

test('histogram of an int64 column beyond 2^53: the window reported at the data\'s extremes is the exact values', async () => {
  const id = await h.load('id,n\n123456789012345678,1\n-9007199254740993,2\n9007199254740993,3\n');
  const hist = await h.ok(id, 'visualize', { type: 'histogram', columnIndices: [0], numberOfBins: 4 });
  // As Socket.IO writes the reply: the digits themselves (the bins are drawn in doubles).
  assert.match(JSON.stringify(hist.axis), /^\{"x":\{"start":-9007199254740993,"end":123456789012345678\},"y":/);
  // Bounds that are not the data's own beyond 2^53 (a scatter's rounded window, a line's
  // margins) are floats, written as Python's json does.
  const line = await h.ok(id, 'visualize', { type: 'line', xColumnIndex: 0, yColumnIndices: [1] });
  assert.doesNotMatch(JSON.stringify(line.axis.x), /\d{17}/);
  const scatter = await h.ok(id, 'visualize', { type: 'scatter', xColumnIndex: 0, yColumnIndices: [1] });
  assert.doesNotMatch(JSON.stringify(scatter.axis.x), /\d{17}/);
});

test('histogram errors: text column, bad index, no values, bad bins and window', async () => {
  const id = await h.load('n,s,e\n1,x,\n2,y,\n');
  await expectError(id, { type: 'histogram', columnIndices: [1] }, 'invalid column type', /"s" is string; a histogram needs numeric/);
  await expectError(id, { type: 'histogram', columnIndices: [0, 9] }, 'index out of range', /columnIndices 9 is out of range/);
  await expectError(id, { type: 'histogram', columnIndices: [] }, 'invalid parameters', /columnIndices/);
  await expectError(id, { type: 'histogram' }, 'invalid parameters', /columnIndices/);
  await expectError(id, { type: 'histogram', columnIndices: [0], numberOfBins: 0 }, 'invalid parameters', /numberOfBins/);
  await expectError(id, { type: 'histogram', columnIndices: [0], axis: { x: { start: 5, end: 1 } } }, 'invalid parameters', /axis\.x/);
  await expectError(id, { type: 'histogram', columnIndices: [0], axis: { y: { end: 'lots' } } }, 'invalid parameters', /axis\.y\.end/);
  // A numeric column with nothing in it (NaN is missing too).
  await assert.rejects(
    withSql(`SELECT * FROM (VALUES (NULL::DOUBLE), ('NaN'::DOUBLE)) t(m)`, (ctx) => histogram(ctx, { columnIndices: [0] })),
    (err: Error & { code?: string }) => err.code === 'empty selection' && /"m" has no values/.test(err.message),
  );
  await assert.rejects(
    withSql(`SELECT 1.5 AS m WHERE false`, (ctx) => histogram(ctx, { columnIndices: [0] })),
    (err: Error & { code?: string }) => err.code === 'empty selection',
  );
});

// ── frequency ───────────────────────────────────────────────────────────────────────────

test('frequency: horizontal bars, most frequent first, ties by value; no axis reported', async () => {
  const id = await h.load('fruit\npear\napple\npear\nfig\napple\npear\nkiwi\n\n');
  const res = await h.ok(id, 'visualize', { type: 'frequency', columnIndex: 0 });
  assert.equal(res.axis, undefined);
  const { png } = image(res);
  assert.equal(png.width, 800);
  assert.equal(png.height, 300);
  assert.ok(countColour(png, hexRgb(PALETTE[0])) > 5_000, 'bars drawn in the first palette colour');
  const chart = await withContext(id, (ctx) => frequency(ctx, { columnIndex: 0, cutoff: 3 }));
  assert.deepEqual(
    values(chart.spec).map((b) => [b.label, b.count]),
    [
      ['pear', 3],
      ['apple', 2],
      ['fig', 1],
    ],
  );
});

test('frequency of an int64 column beyond 2^53: bars labelled with the exact digits', async () => {
  const id = await h.load('id\n123456789012345678\n-9223372036854775808\n123456789012345678\n9007199254740993\n');
  const chart = await withContext(id, (ctx) => frequency(ctx, { columnIndex: 0 }));
  assert.deepEqual(
    values(chart.spec).map((b) => [b.label, b.count]),
    [
      ['123456789012345678', 2],
      ['-9223372036854775808', 1],
      ['9007199254740993', 1],
    ],
  );
});

test('frequency: word counts of a text column; cutoff at most 50; taller image for many bars', async () => {
  const id = await h.load('t,n\n"the cat  the hat",1\n"The end",2\n"cat",3\n');
  const words = await withContext(id, (ctx) => frequency(ctx, { columnIndex: 0, useWords: true }));
  assert.deepEqual(
    values(words.spec).map((b) => [b.label, b.count]),
    [
      ['cat', 2],
      ['the', 2],
      ['The', 1],
      ['end', 1],
      ['hat', 1],
    ],
  );
  const many = await h.load(`v\n${Array.from({ length: 80 }, (_, i) => `value ${String(i).padStart(2, '0')}`).join('\n')}\n`);
  const chart = await withContext(many, (ctx) => frequency(ctx, { columnIndex: 0, cutoff: 500 }));
  assert.equal(values(chart.spec).length, 50);
  const res = await h.ok(many, 'visualize', { type: 'frequency', columnIndex: 0 });
  const { png } = image(res);
  assert.equal(png.height, 110 + 20 * 50);
  await expectError(id, { type: 'frequency', columnIndex: 1, useWords: true }, 'invalid column type', /word frequencies need a text column/);
  await expectError(id, { type: 'frequency', columnIndex: 0, cutoff: 0 }, 'invalid parameters', /cutoff/);
  await expectError(id, { type: 'frequency' }, 'invalid parameters', /columnIndex/);
});

// ── scatter ─────────────────────────────────────────────────────────────────────────────

test('scatter: least-squares trend with R² and p-value over all rows, in the legend', async () => {
  const id = await h.load('x,y,w\n1,2,5\n2,4,4\n3,5,3\n4,4,2\n5,5,1\n');
  const res = await h.ok(id, 'visualize', { type: 'scatter', xColumnIndex: 0, yColumnIndices: [1, 2] });
  // y on x: slope = Sxy/Sxx = 6/10, intercept 4 − 0.6·3 = 2.2, r = 6/√(10·6) = 0.7746, R² = 0.6;
  // t = r·√(3/(1−r²)) = 2.1213 on 3 df → p = 0.1240. w = 6 − x exactly: r = −1, p = 0.
  const [y, w] = res.statistics;
  assert.equal(y.column, 'y');
  assert.equal(y.n, 5);
  assert.ok(Math.abs(y.slope - 0.6) < 1e-12 && Math.abs(y.intercept - 2.2) < 1e-12);
  assert.ok(Math.abs(y.r2 - 0.6) < 1e-12);
  assert.ok(Math.abs(y.r - 0.7745966692414834) < 1e-12);
  assert.equal(Number(y.pValue.toFixed(4)), 0.124);
  assert.ok(Math.abs(w.slope + 1) < 1e-12 && Math.abs(w.intercept - 6) < 1e-12);
  assert.ok(Math.abs(w.r2 - 1) < 1e-12 && Math.abs(w.r + 1) < 1e-12);
  assert.equal(w.pValue, 0);
  // x padded 5% then rounded: [0.8, 5.2] → [0.5, 5.5]; y over both columns 1…5 → [0.5, 5.5].
  assert.deepEqual(res.axis, { x: { start: 0.5, end: 5.5 }, y: { start: 0.5, end: 5.5 } });

  const chart = await withContext(id, (ctx) => xy(ctx, 'scatter', { xColumnIndex: 0, yColumnIndices: [1, 2] }));
  const legend = (chart.spec as any).encoding.color.scale.domain;
  assert.deepEqual(legend, ['y: R² = 0.600, p = 0.124', 'w: R² = 1.000, p = 0']);

  const { png } = image(res);
  assert.deepEqual([png.width, png.height], [800, 500]);
  // Trend lines are opaque, each in its series' colour; points are 70% opaque (y's points lie
  // off its line, so their blended colour shows on white).
  for (const hex of PALETTE.slice(0, 2)) assert.ok(countColour(png, hexRgb(hex), 2) > 300, `trend line in ${hex}`);
  assert.ok(countColour(png, overWhite(hexRgb(PALETTE[0]), POINT_OPACITY), 3) > 100, 'points of y');
  // No third series colour anywhere.
  assert.ok(countColour(png, hexRgb(PALETTE[2]), 2) === 0);
});

test('scatter of many rows: at most MAX_POINTS points drawn, evenly spaced; statistics over every row', async () => {
  const n = 12_000;
  const lines: string[] = [];
  let sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const x = i % 1000;
    const y = 2 * x + ((i * 7919) % 101) - 50;
    lines.push(`${x},${y}`);
    sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y;
  }
  const id = await h.load(`x,y\n${lines.join('\n')}\n`);
  const chart = await withContext(id, (ctx) => xy(ctx, 'scatter', { xColumnIndex: 0, yColumnIndices: [1] }));
  const points = values(chart.spec);
  // Every third row (ceil(12000 / 5000) = 3): rows 0, 3, 6, …
  assert.equal(points.length, 4000);
  assert.ok(points.length <= MAX_POINTS);
  assert.deepEqual(points.slice(0, 3).map((p) => p.x), [0, 3, 6]);
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
  const stats = (chart.extra as any).statistics[0];
  assert.equal(stats.n, n);
  assert.ok(Math.abs(stats.slope - slope) < 1e-9);
  assert.ok(Math.abs(stats.r - r) < 1e-9);
  const res = await h.ok(id, 'visualize', { type: 'scatter', xColumnIndex: 0, yColumnIndices: [1] });
  image(res); // valid and within the size bound
});

test('scatter and line errors: missing x, text y, bad indices, nothing to draw', async () => {
  const id = await h.load('x,s,y,e,d\n1,a,2,,2020-01-01\n2,b,3,,2020-01-02\n');
  await expectError(id, { type: 'scatter', yColumnIndices: [2] }, 'invalid parameters', /xColumnIndex: required/);
  await expectError(id, { type: 'scatter', xColumnIndex: 0 }, 'invalid parameters', /yColumnIndices/);
  await expectError(id, { type: 'scatter', xColumnIndex: 0, yColumnIndices: [1] }, 'invalid column type', /"s" is string/);
  await expectError(id, { type: 'scatter', xColumnIndex: 1, yColumnIndices: [2] }, 'invalid column type', /xColumnIndex: column "s"/);
  await expectError(id, { type: 'line', xColumnIndex: 0, yColumnIndices: [2, 12] }, 'index out of range', /yColumnIndices 12/);
  await expectError(id, { type: 'line', xColumnIndex: 7, yColumnIndices: [2] }, 'index out of range', /xColumnIndex 7/);
  const apart = await h.load('x,y\n1,\n,2\n');
  await expectError(apart, { type: 'line', xColumnIndex: 0, yColumnIndices: [1] }, 'empty selection', /no row has both "x" and "y"/);
  await expectError(id, { type: 'date', xColumnIndex: 0, yColumnIndices: [2] }, 'invalid column type', /date chart needs a datetime column/);
  await expectError(id, { type: 'pie', columnIndex: 0 }, 'unknown chart type', /"pie" is not a chart type/);
  await expectError(id, { columnIndex: 0 }, 'invalid parameters', /type: required/);
});

// ── line and date ───────────────────────────────────────────────────────────────────────

test("line: several y columns in their own colours, x range with matplotlib's 5% margins, legend", async () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${i * 2},${80 - i}`);
  const id = await h.load(`t,up,down\n${rows.join('\n')}\n`);
  const res = await h.ok(id, 'visualize', { type: 'line', xColumnIndex: 0, yColumnIndices: [1, 2] });
  // The first and last points stand clear of the edges (they were cut in half at 0 and 39).
  assert.deepEqual(res.axis, { x: { start: -1.95, end: 40.95 }, y: { start: -10, end: 90 } });
  const { png } = image(res);
  for (const hex of PALETTE.slice(0, 2)) assert.ok(countColour(png, hexRgb(hex), 2) > 300, `series in ${hex}`);
});

test('date: datetime x, ISO bounds, dates on the axis; bounds may be given as ISO text', async () => {
  const rows = Array.from({ length: 10 }, (_, i) => `2021-03-${String(i + 1).padStart(2, '0')},${i * i}`);
  const id = await h.load(`day,v\n${rows.join('\n')}\n`);
  const res = await h.ok(id, 'visualize', { type: 'date', xColumnIndex: 0, yColumnIndices: [1] });
  // 5% of the 9 days either side, as matplotlib's margins.
  assert.deepEqual(res.axis, { x: { start: '2021-02-28T13:12:00.000', end: '2021-03-10T10:48:00.000' }, y: { start: -10, end: 90 } });
  const { png } = image(res);
  assert.ok(countColour(png, hexRgb(PALETTE[0]), 2) > 300);
  const chart = await withContext(id, (ctx) => xy(ctx, 'date', { xColumnIndex: 0, yColumnIndices: [1], axis: { x: { start: '2021-03-03', end: '2021-03-06 12:00' } } }));
  assert.deepEqual(chart.axis!.x, { start: '2021-03-03T00:00:00.000', end: '2021-03-06T12:00:00.000' });
  // Ticks over the window asked for: daily, the year in the title.
  const x = ticksOf((chart.spec as any).encoding.x);
  assert.deepEqual(x.labels, ['Mar 3', 'Mar 4', 'Mar 5', 'Mar 6']);
  assert.deepEqual(x.values, [3, 4, 5, 6].map((d) => Date.UTC(2021, 2, d)));
  assert.equal(x.title, 'day (2021)');
  // Only the rows inside the window are drawn: 3rd … 6th of March.
  assert.deepEqual(values(chart.spec).map((p) => p.y), [4, 9, 16, 25]);
  await expectError(id, { type: 'date', xColumnIndex: 0, yColumnIndices: [1], axis: { x: { start: 'soon' } } }, 'invalid parameters', /axis\.x\.start: "soon" is not a date/);
});

// ── parameters ──────────────────────────────────────────────────────────────────────────

test('options may come under `options`; a top-level value wins over the same option there', async () => {
  assert.deepEqual(mergeOptions({ type: 'histogram', options: { numberOfBins: 3, type: 'line' } }), { type: 'histogram', numberOfBins: 3 });
  assert.deepEqual(mergeOptions({ options: '{"cutoff": 5}' }), { cutoff: 5 });
  const id = await h.load('v\n1\n2\n3\n4\n');
  const res = await h.ok(id, 'visualize', { options: { type: 'histogram', columnIndices: [0], numberOfBins: 2, axis: { y: { end: 10 } } } });
  assert.deepEqual(res.axis, { x: { start: 1, end: 4 }, y: { start: 0, end: 10 } });
  const top = await h.ok(id, 'visualize', { type: 'histogram', columnIndices: [0], axis: { y: { end: 4 } }, options: { axis: { y: { end: 10 } } } });
  assert.equal(top.axis.y.end, 4);
  await expectError(id, { type: 'histogram', columnIndices: [0], options: 5 }, 'invalid parameters', /options/);
});

test('date: tick labels distinct and fitted to the span (two-week ticks once read "2024-01, 2024-01, 2024-02")', async () => {
  const id = await h.loadSql(`SELECT TIMESTAMP '2024-01-01' + i * INTERVAL '1 day' AS t, i AS v FROM range(150) r(i)`);
  // Its own window (with margins) runs from late December: monthly ticks, each with its year.
  const whole = await withContext(id, (ctx) => xy(ctx, 'date', { xColumnIndex: 0, yColumnIndices: [1] }));
  assert.deepEqual(ticksOf((whole.spec as any).encoding.x).labels, ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06']);
  // The 150 days exactly: two-week ticks, the year in the title.
  const chart = await withContext(id, (ctx) => xy(ctx, 'date', { xColumnIndex: 0, yColumnIndices: [1], axis: { x: { start: '2024-01-01', end: '2024-05-29' } } }));
  const x = ticksOf((chart.spec as any).encoding.x);
  assert.deepEqual(x.labels, ['Jan 1', 'Jan 15', 'Feb 1', 'Feb 15', 'Mar 1', 'Mar 15', 'Apr 1', 'Apr 15', 'May 1', 'May 15']);
  assert.equal(x.title, 't (2024)');
  // Vega writes exactly these labels.
  const texts = svgTexts(await svgOf(chart.spec));
  for (const label of x.labels) assert.equal(texts.filter((t) => t === label).length, 1, label);
  assert.ok(texts.includes('t (2024)'));
  // A window of hours inside one day: times, the day in the title.
  const hours = await withContext(id, (ctx) => xy(ctx, 'date', { xColumnIndex: 0, yColumnIndices: [1], axis: { x: { start: '2024-02-01T03:00', end: '2024-02-01T09:00' } } }));
  const hx = ticksOf((hours.spec as any).encoding.x);
  assert.deepEqual(hx.labels, ['03:00', '04:00', '05:00', '06:00', '07:00', '08:00', '09:00']);
  assert.equal(hx.title, 't (2024-02-01)');
  // One instant: half a day either side, times with their dates (the window crosses midnight).
  const one = await h.loadSql(`SELECT TIMESTAMP '2024-01-01 03:00' AS t, 1.5 AS v`);
  const single = await withContext(one, (ctx) => xy(ctx, 'date', { xColumnIndex: 0, yColumnIndices: [1] }));
  assert.deepEqual(ticksOf((single.spec as any).encoding.x).labels, ['2023-12-31 18:00', '2024-01-01 00:00', '2024-01-01 06:00', '2024-01-01 12:00']);
});

test('line and date: the line breaks at a missing y and at a missing x, as matplotlib at NaN', async () => {
  // a: missing at rows 3–4 (one as NaN); b: missing at row 8; row 6 has no x (both break).
  const id = await h.loadWithNaN('x,a,b\n0,1,5\n1,2,4\n2,3,3\n3,,2\n4,NAN,1\n5,6,0\n,7,1\n7,8,2\n8,9,\n9,10,4\n');
  const chart = await withContext(id, (ctx) => xy(ctx, 'line', { xColumnIndex: 0, yColumnIndices: [1, 2] }));
  const svg = await svgOf(chart.spec);
  assert.deepEqual(lineRuns(svg, PALETTE[0]), [3, 1, 3]);
  assert.deepEqual(lineRuns(svg, PALETTE[1]), [6, 1, 1]);
  const dates = await h.load('d,v\n2024-01-01,1\n2024-01-02,2\n2024-01-03,\n2024-01-04,4\n2024-01-05,5\n');
  const date = await withContext(dates, (ctx) => xy(ctx, 'date', { xColumnIndex: 0, yColumnIndices: [1] }));
  assert.deepEqual(lineRuns(await svgOf(date.spec), PALETTE[0]), [2, 2]);
  // A scatter of the same rows only leaves the missing points out.
  const scatter = await withContext(id, (ctx) => xy(ctx, 'scatter', { xColumnIndex: 0, yColumnIndices: [1] }));
  assert.deepEqual(values(scatter.spec).map((p) => p.x), [0, 1, 2, 5, 7, 8, 9]);
});

test('line of many rows: a gap as long as the sampling step breaks the line, and survives thinning; single missing rows do not', async () => {
  // 20 000 rows sampled in runs of 4: rows 10 001–10 010 are missing (run 2 501, rows
  // 10 004–10 007, has no value), and so is every 97th row (never a whole run).
  const id = await h.loadSql(`SELECT i AS x, CASE WHEN i BETWEEN 10001 AND 10010 OR i % 97 = 50 THEN NULL ELSE i % 100 END AS y FROM range(20000) r(i)`);
  const chart = await withContext(id, (ctx) => xy(ctx, 'line', { xColumnIndex: 0, yColumnIndices: [1] }));
  const drawn = values(chart.spec);
  assert.equal(drawn.length, MAX_POINTS);
  const breaks = drawn.flatMap((p, i) => (p.y === null ? [i] : []));
  assert.deepEqual(breaks, [2501]);
  // The first row with a value of the runs either side.
  assert.deepEqual([drawn[2500].x, drawn[2502].x], [10000, 10011]);
  const thinned = values(chart.thinner!().spec);
  assert.equal(thinned.filter((p) => p.y === null).length, 1);
  assert.ok(thinned.length <= drawn.length / 2 + 1);
  assert.deepEqual(lineRuns(await svgOf(chart.spec), PALETTE[0]), [2501, 2498]);
});

test('numeric axes: labels distinct however narrow, large or small the range; constant columns and single points', async () => {
  const narrow = await h.loadSql(`SELECT 1.00001 + (i % 7) * 0.000003 AS v, i::DOUBLE AS x FROM range(100) r(i)`);
  const hist = await withContext(narrow, (ctx) => histogram(ctx, { columnIndices: [0] }));
  const hx = ticksOf((hist.spec as any).encoding.x);
  assert.deepEqual(hx.labels, ['1.000010', '1.000015', '1.000020', '1.000025']);
  // Counts: whole numbers only.
  assert.ok(ticksOf((hist.spec as any).encoding.y).labels.every((l) => /^\d+$/.test(l)));
  const line = await withContext(narrow, (ctx) => xy(ctx, 'line', { xColumnIndex: 1, yColumnIndices: [0] }));
  const ly = ticksOf((line.spec as any).encoding.y);
  assert.equal(new Set(ly.labels).size, ly.labels.length, ly.labels.join(', '));

  const huge = await h.loadSql(`SELECT i * 3.7e12 AS x, i * 1e-9 AS y FROM range(30) r(i)`);
  const scatter = await withContext(huge, (ctx) => xy(ctx, 'scatter', { xColumnIndex: 0, yColumnIndices: [1] }));
  const sx = ticksOf((scatter.spec as any).encoding.x);
  const sy = ticksOf((scatter.spec as any).encoding.y);
  assert.deepEqual([sx.title, sx.labels], ['x (×1e14)', ['−0.2', '0.0', '0.2', '0.4', '0.6', '0.8', '1.0', '1.2']]);
  assert.deepEqual([sy.title, sy.labels], ['y (×1e-8)', ['−0.5', '0.0', '0.5', '1.0', '1.5', '2.0', '2.5', '3.0', '3.5']]);
  const texts = svgTexts(await svgOf(scatter.spec));
  for (const label of [...sx.labels, sx.title, sy.title]) assert.ok(texts.includes(label), label);

  // A constant column, a single point: a window around the value, ticks inside it.
  for (const select of [`SELECT i::DOUBLE AS x, 5.0 AS y FROM range(30) r(i)`, `SELECT 1e-7 AS x, 123456789.0 AS y`, `SELECT 3.0 AS x, 0.0 AS y`]) {
    const sid = await h.loadSql(select);
    for (const kind of ['scatter', 'line'] as const) {
      const c = await withContext(sid, (ctx) => xy(ctx, kind, { xColumnIndex: 0, yColumnIndices: [1] }));
      for (const axis of ['x', 'y']) {
        const t = ticksOf((c.spec as any).encoding[axis]);
        assert.ok(t.values.length >= 2, `${select} ${kind} ${axis}: ${t.labels}`);
        assert.equal(new Set(t.labels).size, t.labels.length, `${select} ${kind} ${axis}: ${t.labels}`);
      }
    }
  }
  const constant = await h.loadSql(`SELECT 2.5 AS v FROM range(10) r(i)`);
  const ch = await withContext(constant, (ctx) => histogram(ctx, { columnIndices: [0] }));
  assert.deepEqual(ticksOf((ch.spec as any).encoding.x).labels, ['2.0', '2.2', '2.4', '2.6', '2.8', '3.0']);
});

// pandas cut / qcut edges and interval labels, reproduced operation for operation (numpy's
// linspace, percentile and around) so that edges, and the labels printed from them, are the
// same doubles and the same text as pandas': `(0.996, 3.0]`.

import { pyFloatRepr } from './python.ts';

/** np.linspace(start, stop, num) with endpoint=True. */
export function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const delta = stop - start;
  const out: number[] = [];
  if (div <= 0) {
    for (let i = 0; i < num; i++) out.push(i * delta + start);
    return out;
  }
  const step = delta / div;
  for (let i = 0; i < num; i++) out.push((step === 0 ? (i / div) * delta : i * step) + start);
  out[num - 1] = stop;
  return out;
}

/** pd.cut(x, n) edges: n equal-width bins over [min, max], the first edge lowered by 0.1% of the range. */
export function cutEdges(min: number, max: number, bins: number): number[] {
  let mn = min + 0.0;
  let mx = max + 0.0;
  if (mn === mx) {
    mn -= mn !== 0 ? 0.001 * Math.abs(mn) : 0.001;
    mx += mx !== 0 ? 0.001 * Math.abs(mx) : 0.001;
    return linspace(mn, mx, bins + 1);
  }
  const edges = linspace(mn, mx, bins + 1);
  edges[0] -= (mx - mn) * 0.001;
  return edges;
}

/** The quantile fractions pd.qcut(x, q) uses for an integer q. */
export function evenQuantiles(q: number): number[] {
  return linspace(0, 1, q + 1);
}

/**
 * Series.quantile(qs) as pandas computes it: np.percentile(values, qs * 100) with the linear
 * method. `at(i)` gives the i-th smallest of the n values.
 */
export function quantileEdges(n: number, qs: number[], at: (i: number) => number): number[] {
  return qs.map((q0) => {
    const q = (q0 * 100.0) / 100;
    const virtual = (n - 1) * q;
    let prev = Math.floor(virtual);
    let next = prev + 1;
    if (virtual >= n - 1) {
      prev = n - 1;
      next = n - 1;
    }
    const gamma = virtual - (virtual >= n - 1 ? -1 : prev);
    return lerp(at(prev), at(next), gamma);
  });
}

/** The order statistics quantileEdges will ask for. */
export function quantilePositions(n: number, qs: number[]): number[] {
  const positions = new Set<number>();
  for (const q0 of qs) {
    const virtual = (n - 1) * ((q0 * 100.0) / 100);
    if (virtual >= n - 1) positions.add(n - 1);
    else {
      positions.add(Math.floor(virtual));
      positions.add(Math.floor(virtual) + 1);
    }
  }
  return [...positions].sort((a, b) => a - b);
}

/** numpy's _lerp: a + (b−a)·t, computed from b when t ≥ 0.5. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** np.rint: round half to even. */
function rint(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
}

const POWERS = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
/** numpy's power_of_ten, used by np.around. */
function powerOfTen(n: number): number {
  if (n < 9) return POWERS[n];
  let r = 1e9;
  while (n-- > 9) r *= 10;
  return r;
}

/** np.around(x, decimals). */
function around(x: number, decimals: number): number {
  if (decimals >= 0) {
    const f = powerOfTen(decimals);
    return rint(x * f) / f;
  }
  const f = powerOfTen(-decimals);
  return rint(x / f) * f;
}

/** pandas' _round_frac: `precision` decimals, or significant digits for numbers below 1. */
function roundFrac(x: number, precision: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const whole = Math.trunc(x);
  const frac = x - whole;
  const digits = whole === 0 ? -Math.floor(Math.log10(Math.abs(frac))) - 1 + precision : precision;
  return around(x, digits);
}

/** pandas' _infer_precision: the least precision from 3 that keeps the edges apart. */
function inferPrecision(base: number, bins: number[]): number {
  for (let p = base; p < 20; p++) {
    const levels = new Set(bins.map((b) => roundFrac(b, p)));
    if (levels.size === bins.length) return p;
  }
  return base;
}

/** The interval labels pandas prints for the bins (right-closed), `include_lowest` lowering the first edge. */
export function intervalLabels(bins: number[], includeLowest: boolean): string[] {
  const precision = inferPrecision(3, bins);
  const breaks = bins.map((b) => roundFrac(b, precision));
  if (includeLowest) breaks[0] = breaks[0] - Number(`1e-${precision}`);
  const labels: string[] = [];
  for (let i = 0; i + 1 < breaks.length; i++) labels.push(`(${pyFloatRepr(breaks[i])}, ${pyFloatRepr(breaks[i + 1])}]`);
  return labels;
}

/** Bins with a repeated edge are refused (pandas' duplicates='raise'), except a single bin. */
export function hasDuplicateEdges(bins: number[]): boolean {
  return new Set(bins).size < bins.length && bins.length !== 2;
}

/** repr(ndarray) of the edges, as pandas' message shows them. */
/** Edges as pandas prints them, `[0.0, 1.5, 3.0]`; past 12 edges the first and last 5 only (an error message stays short). */
export function edgesText(bins: number[]): string {
  if (bins.length <= 12) return `[${bins.map(pyFloatRepr).join(', ')}]`;
  return `[${bins.slice(0, 5).map(pyFloatRepr).join(', ')}, … (${bins.length - 10} more), ${bins.slice(-5).map(pyFloatRepr).join(', ')}]`;
}

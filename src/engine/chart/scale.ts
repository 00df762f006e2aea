// Axis windows. Charts report the window they draw, so it is decided here, in numbers,
// and handed to Vega as a fixed domain (Vega's own "nice" would move it after the fact).

/** Step between ~count ticks covering [lo, hi]: 1, 2 or 5 times a power of ten (like d3). */
export function tickStep(lo: number, hi: number, count = 8): number {
  const raw = (hi - lo) / count;
  if (!(raw > 0) || !Number.isFinite(raw)) return 0;
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return factor * power;
}

/** [lo, hi] widened outwards to multiples of the tick step. */
export function niceDomain(lo: number, hi: number, count = 8): [number, number] {
  if (lo === hi) return lo === 0 ? [-1, 1] : niceDomain(lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1, count);
  const step = tickStep(lo, hi, count);
  if (step === 0) return [lo, hi];
  // Rounding the quotient first keeps 0.30000000000000004 from becoming the next step.
  return [clean(Math.floor(round(lo / step)) * step), clean(Math.ceil(round(hi / step)) * step)];
}

/** A window around data: a 5% margin each side (so edge points are not cut), then nice. */
export function paddedDomain(lo: number, hi: number, count = 8): [number, number] {
  const margin = (hi - lo) * 0.05;
  return niceDomain(lo - margin, hi + margin, count);
}

const round = (x: number): number => Math.round(x * 1e9) / 1e9;
/** `x` without the last digits of floating-point noise (-1.9500000000000002 → -1.95). */
export const clean = (x: number): number => Number(x.toPrecision(12));

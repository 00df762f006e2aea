// Piecewise cubic interpolants defined by their slopes at the data points, as scipy builds
// them: PchipInterpolator (monotone, Fritsch–Carlson slopes with Moler's end conditions) and
// Akima1DInterpolator. Both are evaluated like scipy's PPoly (local power basis per interval).

export interface PiecewiseCubic {
  x: Float64Array;
  /** Per interval i: value = c3 + c2·s + c1·s² + c0·s³ with s = v − x[i]. */
  c0: Float64Array;
  c1: Float64Array;
  c2: Float64Array;
  c3: Float64Array;
  extrapolate: boolean;
}

const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : NaN);

/** CubicHermiteSpline coefficients from values and slopes. */
function hermite(x: Float64Array, y: Float64Array, d: Float64Array, extrapolate: boolean): PiecewiseCubic {
  const n = x.length - 1;
  const c0 = new Float64Array(n);
  const c1 = new Float64Array(n);
  const c2 = new Float64Array(n);
  const c3 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const dx = x[i + 1] - x[i];
    const slope = (y[i + 1] - y[i]) / dx;
    const t = (d[i] + d[i + 1] - 2 * slope) / dx;
    c0[i] = t / dx;
    c1[i] = (slope - d[i]) / dx - t;
    c2[i] = d[i];
    c3[i] = y[i];
  }
  return { x, c0, c1, c2, c3, extrapolate };
}

/** scipy PchipInterpolator (extrapolates, as scipy's default). */
export function pchip(x: Float64Array, y: Float64Array): PiecewiseCubic {
  const n = x.length;
  const h = new Float64Array(n - 1);
  const m = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) {
    h[i] = x[i + 1] - x[i];
    m[i] = (y[i + 1] - y[i]) / h[i];
  }
  const d = new Float64Array(n);
  if (n === 2) {
    d[0] = m[0];
    d[1] = m[0];
    return hermite(x, y, d, true);
  }
  for (let k = 1; k < n - 1; k++) {
    const mPrev = m[k - 1];
    const mNext = m[k];
    if (sign(mNext) !== sign(mPrev) || mNext === 0 || mPrev === 0) {
      d[k] = 0;
    } else {
      const w1 = 2 * h[k] + h[k - 1];
      const w2 = h[k] + 2 * h[k - 1];
      const whmean = (w1 / mPrev + w2 / mNext) / (w1 + w2);
      d[k] = 1 / whmean;
    }
  }
  d[0] = pchipEdge(h[0], h[1], m[0], m[1]);
  d[n - 1] = pchipEdge(h[n - 2], h[n - 3], m[n - 2], m[n - 3]);
  return hermite(x, y, d, true);
}

/** One-sided three-point slope at an end, kept shape-preserving (scipy's _edge_case). */
function pchipEdge(h0: number, h1: number, m0: number, m1: number): number {
  let d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
  if (sign(d) !== sign(m0)) d = 0;
  else if (sign(m0) !== sign(m1) && Math.abs(d) > 3 * Math.abs(m0)) d = 3 * m0;
  return d;
}

/** scipy Akima1DInterpolator (method 'akima'; no extrapolation). */
export function akima(x: Float64Array, y: Float64Array): PiecewiseCubic {
  const n = x.length;
  if (n === 2) {
    // scipy reads uninitialised memory for two points; the only sensible answer is the line.
    const s = (y[1] - y[0]) / (x[1] - x[0]);
    return hermite(x, y, Float64Array.from([s, s]), false);
  }
  // m[2 … n] are the n-1 interval slopes; two extra slopes extrapolated on each side.
  const m = new Float64Array(n + 3);
  for (let i = 0; i < n - 1; i++) m[i + 2] = (y[i + 1] - y[i]) / (x[i + 1] - x[i]);
  m[1] = 2 * m[2] - m[3];
  m[0] = 2 * m[1] - m[2];
  m[n + 1] = 2 * m[n] - m[n - 1];
  m[n + 2] = 2 * m[n + 1] - m[n];
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = 0.5 * (m[i + 3] + m[i]);
  const dm = new Float64Array(n + 2);
  for (let i = 0; i < n + 2; i++) dm[i] = Math.abs(m[i + 1] - m[i]);
  const f1 = new Float64Array(n);
  const f2 = new Float64Array(n);
  const f12 = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    f1[i] = dm[i + 2];
    f2[i] = dm[i];
    f12[i] = f1[i] + f2[i];
    if (f12[i] > max) max = f12[i];
  }
  for (let i = 0; i < n; i++) {
    if (f12[i] > 1e-9 * max) t[i] = (f1[i] * m[i + 1] + f2[i] * m[i + 2]) / f12[i];
  }
  const c0 = new Float64Array(n - 1);
  const c1 = new Float64Array(n - 1);
  const c2 = new Float64Array(n - 1);
  const c3 = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) {
    const dx = x[i + 1] - x[i];
    c1[i] = (3 * m[i + 2] - 2 * t[i] - t[i + 1]) / dx;
    c0[i] = (t[i] + t[i + 1] - 2 * m[i + 2]) / (dx * dx);
    c2[i] = t[i];
    c3[i] = y[i];
  }
  return { x, c0, c1, c2, c3, extrapolate: false };
}

/** Evaluate at increasing points, as PPoly does (NaN outside the breakpoints unless extrapolating). */
export function evaluateCubic(p: PiecewiseCubic, xs: Float64Array): Float64Array {
  const { x } = p;
  const last = x.length - 1;
  const out = new Float64Array(xs.length);
  let i = 0;
  for (let r = 0; r < xs.length; r++) {
    const v = xs[r];
    if (!p.extrapolate && (v < x[0] || v > x[last])) {
      out[r] = NaN;
      continue;
    }
    while (i < last - 1 && v >= x[i + 1]) i++;
    const s = v - x[i];
    // PPoly's evaluate_poly1 accumulates from the constant term up
    let res = p.c3[i];
    let z = s;
    res += p.c2[i] * z;
    z *= s;
    res += p.c1[i] * z;
    z *= s;
    res += p.c0[i] * z;
    out[r] = res;
  }
  return out;
}

// Interpolating B-splines as scipy's `interp1d(kind=…)` builds them (through
// `make_interp_spline`): degree 0 is a step (previous value), degree 1 is a broken line, and
// higher degrees use the not-a-knot knot vector and a collocation solve. pandas'
// `interpolate(method='zero'|'slinear'|'quadratic'|'cubic'|'polynomial')` delegates here.

/** The k+1 B-splines of degree k that are non-zero at x, for t[l] <= x < t[l+1] (de Boor–Cox, as FITPACK's fpbspl and scipy's _deBoor_D). */
export function basis(t: Float64Array, k: number, x: number, l: number, h: Float64Array, hh: Float64Array): void {
  h[0] = 1;
  for (let j = 1; j <= k; j++) {
    for (let i = 0; i < j; i++) hh[i] = h[i];
    h[0] = 0;
    for (let n = 1; n <= j; n++) {
      const xb = t[l + n];
      const xa = t[l + n - j];
      if (xb === xa) {
        h[n] = 0;
        continue;
      }
      const w = hh[n - 1] / (xb - xa);
      h[n - 1] += w * (xb - x);
      h[n] = w * (x - xa);
    }
  }
}

export interface BSpline {
  t: Float64Array;
  c: Float64Array;
  k: number;
}

/** Knots and coefficients of the spline of degree k through (x, y); x strictly increasing, x.length > k. */
export function makeInterpSpline(x: Float64Array, y: Float64Array, k: number): BSpline {
  const n = x.length;
  if (k === 0) {
    // scipy: t = [x…, x[-1]], c = y: the value on [x_i, x_{i+1}) is y_i.
    const t = new Float64Array(n + 1);
    t.set(x);
    t[n] = x[n - 1];
    return { t, c: Float64Array.from(y), k };
  }
  if (k === 1) {
    const t = new Float64Array(n + 2);
    t[0] = x[0];
    t.set(x, 1);
    t[n + 1] = x[n - 1];
    return { t, c: Float64Array.from(y), k };
  }
  const t = notAKnot(x, k);
  return { t, c: solveCollocation(x, y, t, k), k };
}

/** scipy's `_not_a_knot`: odd k uses data points as interior knots, even k the midpoints, skipping the (k+1)/2 (or k/2) nearest each end. */
function notAKnot(x: Float64Array, k: number): Float64Array {
  const n = x.length;
  const interior: number[] = [];
  if (k % 2 === 1) {
    const k2 = (k + 1) / 2;
    for (let j = k2; j < n - k2; j++) interior.push(x[j]);
  } else {
    const k2 = k / 2;
    // midpoints m_j = (x_j + x_{j+1}) / 2, j = 0 … n-2; keep m[k2 : -k2]
    for (let j = k2; j < n - 1 - k2; j++) interior.push((x[j + 1] + x[j]) / 2);
  }
  const t = new Float64Array(n + k + 1);
  for (let i = 0; i <= k; i++) {
    t[i] = x[0];
    t[n + k - i] = x[n - 1];
  }
  t.set(interior, k + 1);
  return t;
}

/** The interval l (k <= l < nc) with t[l] <= v < t[l+1]; the right end belongs to the last interval. */
function findInterval(t: Float64Array, k: number, nc: number, v: number, from: number): number {
  let l = Math.min(Math.max(from, k), nc - 1);
  while (l > k && v < t[l]) l--;
  while (l < nc - 1 && v >= t[l + 1]) l++;
  return l;
}

/**
 * Solve the collocation system B c = y. Each row holds the k+1 B-splines non-zero at x_j,
 * starting at column l_j - k; the matrix is banded and totally positive, so Gaussian
 * elimination without pivoting is stable (de Boor & Pinkus) and keeps the band.
 */
function solveCollocation(x: Float64Array, y: Float64Array, t: Float64Array, k: number): Float64Array {
  const n = x.length;
  const start = new Int32Array(n);
  const h = new Float64Array(k + 2);
  const hh = new Float64Array(k + 2);
  let lower = 0;
  let upper = 0;
  const rowsBasis: Float64Array[] = [];
  let l = k;
  for (let j = 0; j < n; j++) {
    l = findInterval(t, k, n, x[j], l);
    basis(t, k, x[j], l, h, hh);
    start[j] = l - k;
    rowsBasis.push(Float64Array.from(h.subarray(0, k + 1)));
    lower = Math.max(lower, j - start[j]);
    upper = Math.max(upper, start[j] + k - j);
  }
  // Band storage: row j keeps columns j-lower … j+upper at offsets 0 … lower+upper.
  const width = lower + upper + 1;
  const band = new Float64Array(n * width);
  for (let j = 0; j < n; j++) {
    for (let a = 0; a <= k; a++) band[j * width + (start[j] + a - j + lower)] = rowsBasis[j][a];
  }
  const rhs = Float64Array.from(y);
  const at = (row: number, col: number): number => row * width + (col - row + lower);
  for (let p = 0; p < n; p++) {
    const pivot = band[at(p, p)];
    if (pivot === 0) throw new Error('singular collocation matrix');
    for (let r = p + 1; r <= Math.min(n - 1, p + lower); r++) {
      const f = band[at(r, p)] / pivot;
      if (f === 0) continue;
      band[at(r, p)] = 0;
      for (let col = p + 1; col <= Math.min(n - 1, p + upper); col++) band[at(r, col)] -= f * band[at(p, col)];
      rhs[r] -= f * rhs[p];
    }
  }
  const c = new Float64Array(n);
  for (let p = n - 1; p >= 0; p--) {
    let s = rhs[p];
    for (let col = p + 1; col <= Math.min(n - 1, p + upper); col++) s -= band[at(p, col)] * c[col];
    c[p] = s / band[at(p, p)];
  }
  return c;
}

/** Evaluate at increasing points xs (each within the knots' span, as interior gaps are). */
export function evaluateSpline(spline: BSpline, xs: Float64Array): Float64Array {
  const { t, c, k } = spline;
  const nc = t.length - k - 1;
  const out = new Float64Array(xs.length);
  const h = new Float64Array(k + 2);
  const hh = new Float64Array(k + 2);
  let l = k;
  for (let i = 0; i < xs.length; i++) {
    l = findInterval(t, k, nc, xs[i], l);
    basis(t, k, xs[i], l, h, hh);
    let s = 0;
    for (let a = 0; a <= k; a++) s += c[l - k + a] * h[a];
    out[i] = s;
  }
  return out;
}

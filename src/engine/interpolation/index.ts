// Filling the gaps of a numeric series the way pandas' `Series.interpolate(method=…)` does,
// with x = row position. pandas hands the valid points to scipy and asks for every missing
// position, then puts back the gaps before the first valid value. What happens after the last
// valid value is the interpolant's own business: interp1d-based methods and Akima give NaN,
// PCHIP and the FITPACK spline extrapolate.

import { makeInterpSpline, evaluateSpline } from './bspline.ts';
import { univariateSpline, splev } from './fitpack.ts';
import { pchip, akima, evaluateCubic } from './hermite.ts';

export const INTERPOLATION_METHODS = ['linear', 'nearest', 'zero', 'slinear', 'quadratic', 'cubic', 'polynomial', 'spline', 'pchip', 'akima'] as const;
export type InterpolationMethod = (typeof INTERPOLATION_METHODS)[number];

/** Too few valid values for the method (scipy raises; pandas passes it on). */
export class NotEnoughPointsError extends Error {
  readonly needed: number;
  readonly have: number;
  constructor(method: string, needed: number, have: number) {
    super(`interpolation method ${method} needs at least ${needed} valid value${needed === 1 ? '' : 's'}, the column has ${have}`);
    this.name = 'NotEnoughPointsError';
    this.needed = needed;
    this.have = have;
  }
}

/** The order a method needs to be given, and the range it accepts. */
export function orderRange(method: InterpolationMethod): { min: number; max: number } | null {
  if (method === 'polynomial') return { min: 0, max: Number.MAX_SAFE_INTEGER };
  if (method === 'spline') return { min: 1, max: 5 };
  return null;
}

/** Smallest number of valid values the method works with. */
export function pointsNeeded(method: InterpolationMethod, order: number): number {
  switch (method) {
    case 'linear':
    case 'nearest':
    case 'zero':
      return 1;
    case 'slinear':
    case 'pchip':
    case 'akima':
      return 2;
    case 'quadratic':
      return 3;
    case 'cubic':
      return 4;
    case 'polynomial':
    case 'spline':
      return order + 1;
  }
}

/**
 * The series with its gaps filled; missing values are NaN in and out. Returns null when there
 * is nothing to fill (no gap, or no valid value at all), as pandas returns the series as is.
 */
export function interpolate(values: Float64Array, method: InterpolationMethod, order = 0): Float64Array | null {
  const total = values.length;
  let valid = 0;
  for (let i = 0; i < total; i++) if (!Number.isNaN(values[i])) valid++;
  if (valid === 0 || valid === total) return null;
  const needed = pointsNeeded(method, order);
  if (valid < needed) throw new NotEnoughPointsError(method, needed, valid);

  const x = new Float64Array(valid);
  const y = new Float64Array(valid);
  const targets: number[] = [];
  let v = 0;
  for (let i = 0; i < total; i++) {
    if (Number.isNaN(values[i])) {
      // gaps before the first valid value stay missing whatever the method
      if (v > 0) targets.push(i);
    } else {
      x[v] = i;
      y[v] = values[i];
      v++;
    }
  }
  // After the last valid value only `linear` fills (with that value). API.md's contract
  // leaves those gaps missing for every other method: pandas would extrapolate with pchip
  // and spline (scipy's defaults), which can invent values far outside the data.
  const lastValid = x[valid - 1];
  const inRange = method === 'linear' ? targets : targets.filter((i) => i < lastValid);
  if (inRange.length === 0) return null;
  const xs = Float64Array.from(inRange);
  const filled = evaluate(method, order, x, y, xs);
  const out = Float64Array.from(values);
  for (let r = 0; r < inRange.length; r++) out[inRange[r]] = filled[r];
  return out;
}

function evaluate(method: InterpolationMethod, order: number, x: Float64Array, y: Float64Array, xs: Float64Array): Float64Array {
  switch (method) {
    case 'linear':
      return linear(x, y, xs);
    case 'nearest':
      return inside(x, xs, (inner) => nearest(x, y, inner));
    case 'zero':
      return inside(x, xs, (inner) => evaluateSpline(makeInterpSpline(x, y, 0), inner));
    case 'slinear':
      return inside(x, xs, (inner) => evaluateSpline(makeInterpSpline(x, y, 1), inner));
    case 'quadratic':
      return inside(x, xs, (inner) => evaluateSpline(makeInterpSpline(x, y, 2), inner));
    case 'cubic':
      return inside(x, xs, (inner) => evaluateSpline(makeInterpSpline(x, y, 3), inner));
    case 'polynomial':
      return inside(x, xs, (inner) => evaluateSpline(makeInterpSpline(x, y, order), inner));
    case 'spline':
      return splev(univariateSpline(x, y, order), xs);
    case 'pchip':
      return evaluateCubic(pchip(x, y), xs);
    case 'akima':
      return evaluateCubic(akima(x, y), xs);
  }
}

/** interp1d: points beyond the data are NaN (pandas passes fill_value=None); the rest are computed. */
function inside(x: Float64Array, xs: Float64Array, compute: (inner: Float64Array) => Float64Array): Float64Array {
  const last = x[x.length - 1];
  let count = 0;
  while (count < xs.length && xs[count] <= last) count++;
  const out = new Float64Array(xs.length).fill(NaN);
  if (count > 0) out.set(compute(xs.subarray(0, count)));
  return out;
}

/** interp1d(kind='nearest'): the closer neighbour, the left one on a tie. */
function nearest(x: Float64Array, y: Float64Array, xs: Float64Array): Float64Array {
  const out = new Float64Array(xs.length);
  let j = 0;
  for (let r = 0; r < xs.length; r++) {
    const v = xs[r];
    while (j < x.length - 1 && x[j + 1] < v) j++;
    if (j === x.length - 1) {
      out[r] = y[j];
      continue;
    }
    // scipy compares against x[j]/2 + x[j+1]/2 with searchsorted(side='left')
    const mid = x[j + 1] / 2 + x[j] / 2;
    out[r] = v > mid ? y[j + 1] : y[j];
  }
  return out;
}

/** np.interp: slope·(x − x_j) + y_j inside, the last value after the data. */
function linear(x: Float64Array, y: Float64Array, xs: Float64Array): Float64Array {
  const out = new Float64Array(xs.length);
  const last = x.length - 1;
  let j = 0;
  for (let r = 0; r < xs.length; r++) {
    const v = xs[r];
    if (v >= x[last]) {
      out[r] = y[last];
      continue;
    }
    while (j < last - 1 && x[j + 1] <= v) j++;
    const slope = (y[j + 1] - y[j]) / (x[j + 1] - x[j]);
    out[r] = slope * (v - x[j]) + y[j];
  }
  return out;
}

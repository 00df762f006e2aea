import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, NotEnoughPointsError } from './index.ts';

// The numeric core without the engine around it. The spline case is large enough for FITPACK
// to run out of its first knot storage (nest = m/2) and continue with m+k+1, as
// UnivariateSpline does; expected values are scipy's for the same data.

function series(): Float64Array {
  const y = new Float64Array(40);
  for (let i = 0; i < 40; i++) y[i] = i % 4 === 1 ? NaN : Math.round((Math.sin(i / 3) * 50 + ((i * 37) % 11) * 7) * 1000) / 1000;
  return y;
}
const GAPS = [1, 5, 9, 13, 17, 21, 25, 29, 33, 37];
const SCIPY: Record<number, number[]> = {
  1: [43.052943618515116, 71.63779559056897, 66.07572786411147, -27.023126154368867, 24.943734331332827, 41.94133306469926, 87.60183716977616, 30.687187324029175, -8.727831379144806, 24.28354477694255],
  3: [115.58263843801679, 77.98814875165309, 84.81708985399048, -25.007631826931068, 19.713792811419573, 25.024521859783796, 85.609798207009, 30.003528981479846, -11.490296652690242, 13.123046148076453],
  5: [216.4903986684465, 78.18621393432299, 91.34457366551491, -18.41941298034033, 13.0951820863127, 18.66710653932974, 78.3387944184806, 30.514275448179234, -7.926825644010668, -45.41994050474707],
};

test('spline: FITPACK smoothing spline with s = m, knots added past the first storage', () => {
  const y = series();
  for (const k of [1, 3, 5]) {
    const out = interpolate(y, 'spline', k)!;
    GAPS.forEach((pos, i) => assert.ok(Math.abs(out[pos] - SCIPY[k][i]) < 1e-9 * Math.max(1, Math.abs(SCIPY[k][i])), `k=${k} at ${pos}: ${out[pos]} vs ${SCIPY[k][i]}`));
    // valid values are kept as they are
    for (let i = 0; i < 40; i++) if (!Number.isNaN(y[i])) assert.equal(out[i], y[i]);
  }
});

test('interpolate: null when there is nothing to fill; too few points is an error', () => {
  assert.equal(interpolate(Float64Array.from([1, 2, 3]), 'cubic'), null);
  assert.equal(interpolate(Float64Array.from([NaN, NaN]), 'cubic'), null);
  assert.throws(() => interpolate(Float64Array.from([1, NaN, 2]), 'cubic'), (e: unknown) => e instanceof NotEnoughPointsError && e.needed === 4 && e.have === 2);
});

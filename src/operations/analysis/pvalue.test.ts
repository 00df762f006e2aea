import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, pearsonPValue, regularizedIncompleteBeta, studentTTwoSided } from './pvalue.ts';

const close = (actual: number | null, expected: number, tol = 1e-12): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} ≉ ${expected}`);
};

test('logGamma matches factorials and Γ(1/2) = √π', () => {
  close(logGamma(10), Math.log(362880));
  close(logGamma(1), 0);
  close(logGamma(0.5), 0.5 * Math.log(Math.PI));
  close(logGamma(0.1), Math.log(9.513507698668732), 1e-12);
});

test('regularized incomplete beta: closed forms for integer parameters', () => {
  // I_x(2, 3) = P(Binomial(4, x) ≥ 2) = 1 − (1−x)^4 − 4x(1−x)^3.
  for (const x of [0.05, 0.3, 0.6, 0.95]) close(regularizedIncompleteBeta(x, 2, 3), 1 - (1 - x) ** 4 - 4 * x * (1 - x) ** 3);
  // I_x(a, 1) = x^a.
  close(regularizedIncompleteBeta(0.7, 3.5, 1), 0.7 ** 3.5);
  assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
  assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
});

test('Student t two-sided p-values: closed forms for 1, 2 and 3 degrees of freedom', () => {
  // df = 1 (Cauchy): p = 1 − (2/π)·atan|t|.
  close(studentTTwoSided(1, 1), 0.5);
  close(studentTTwoSided(3, 1), 1 - (2 / Math.PI) * Math.atan(3));
  // df = 2: p = 1 − |t| / √(2 + t²).
  close(studentTTwoSided(2, 2), 1 - 2 / Math.sqrt(6));
  // df = 3: p = 1 − (2/π)(θ + sinθ·cosθ), θ = atan(t/√3).
  const t = 2.5;
  const th = Math.atan(t / Math.sqrt(3));
  close(studentTTwoSided(t, 3), 1 - (2 / Math.PI) * (th + Math.sin(th) * Math.cos(th)));
});

test('Pearson p-value: x=[1..5], y=[2,4,5,4,5] gives r=0.7746, p≈0.1240', () => {
  // r = 6 / √(10·6) = √0.6; t = r√(3/0.4) = 2.1213 with 3 df; by the df = 3 closed form:
  const r = Math.sqrt(0.6);
  const th = Math.atan((r * Math.sqrt(3 / 0.4)) / Math.sqrt(3));
  const expected = 1 - (2 / Math.PI) * (th + Math.sin(th) * Math.cos(th));
  close(pearsonPValue(r, 5), expected);
  assert.equal(Number(pearsonPValue(r, 5)!.toFixed(4)), 0.124);
  // Sign of r does not matter for a two-sided test.
  close(pearsonPValue(-r, 5), expected);
});

test('Pearson p-value edge cases', () => {
  assert.equal(pearsonPValue(1, 10), 0);
  assert.equal(pearsonPValue(-1, 3), 0);
  assert.equal(pearsonPValue(0.5, 2), null);
  assert.equal(pearsonPValue(null, 10), null);
  assert.equal(pearsonPValue(NaN, 10), null);
  close(pearsonPValue(0, 10), 1);
  // Large n: t = 0.001·√(1e7 − 2) ≈ 3.1623 is effectively normal: p = erfc(3.1623/√2) ≈ 0.0015654.
  close(pearsonPValue(0.001, 10_000_000), 0.0015654, 1e-4);
});

// Significance of a Pearson correlation, the way scipy.stats.pearsonr reports it: the
// statistic t = r·√(df / (1 − r²)) with df = n − 2 follows Student's t distribution, and the
// two-sided p-value is P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2), the regularized incomplete
// beta function. DuckDB has no t distribution, so the few scalar steps live here; the sums
// (r and n over all rows) come from DuckDB.

/** Two-sided p-value of Pearson's r over n pairs; null when it is undefined (n < 3, r unknown). */
export function pearsonPValue(r: number | null, n: number): number | null {
  if (r === null || !Number.isFinite(r) || n < 3) return null;
  const df = n - 2;
  const r2 = Math.min(1, r * r);
  // An exact linear relation computes as |r| = 1 − ε in floating point: call it exact
  // rather than report a p-value made of rounding noise.
  if (r2 >= 1 - 1e-12) return 0;
  // x = df / (df + t²) with t² = df·r² / (1 − r²) simplifies to 1 − r², which avoids the
  // overflow of t for |r| close to 1.
  return regularizedIncompleteBeta(1 - r2, df / 2, 0.5);
}

/** Two-sided p-value of Student's t statistic with df degrees of freedom. */
export function studentTTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms: ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the series in its accurate range.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 ≤ x ≤ 1. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // The prefactor x^a (1−x)^b / (a·B(a,b)), in logs so large a and b do not overflow.
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The continued fraction converges fast only for x below the mean (a+1)/(a+b+2); above
  // it, use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

// Continued fraction of the incomplete beta function, evaluated with the modified Lentz
// method (Numerical Recipes §6.4). Iterations grow like √max(a, b), hence the generous cap.
function betaContinuedFraction(x: number, a: number, b: number): number {
  const EPS = 1e-15;
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    // Even step.
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) return h;
  }
  return h;
}

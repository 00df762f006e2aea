// pandas' `interpolate(method='spline', order=k)` is scipy's `UnivariateSpline(x, y, k=k)`
// with the default smoothing factor s = len(x): a *smoothing* spline found by FITPACK's
// curve fitting routine (Dierckx, fpcurf), not an interpolating one. To give the same numbers
// this is a line-by-line port of fpcurf and its helpers (fpbspl, fpgivs, fprota, fpback,
// fpdisc, fpknot, fprati) and of splev, keeping FITPACK's 1-based indexing so the port can be
// read against the Fortran. scipy calls fpcurf with iopt=0, tol=0.001, maxit=20 and
// nest = max(m/2, 2k+2), and when that storage is too small (ier=1) continues once with
// iopt=1 and nest = m+k+1 (UnivariateSpline._reset_nest).

import type { BSpline } from './bspline.ts';

interface State {
  n: number;
  t: Float64Array;
  c: Float64Array;
  fp: number;
  fpint: Float64Array;
  nrdata: Int32Array;
  ier: number;
}

/** Smoothing spline of degree k through (x, y) with unit weights and s = m, as UnivariateSpline builds it. */
export function univariateSpline(xIn: Float64Array, yIn: Float64Array, k: number): BSpline {
  const m = xIn.length;
  const s = m;
  const k1 = k + 1;
  const nestMax = m + k + 1;
  // 1-based copies
  const x = new Float64Array(m + 1);
  const y = new Float64Array(m + 1);
  const w = new Float64Array(m + 1).fill(1);
  x.set(xIn, 1);
  y.set(yIn, 1);
  const state: State = {
    n: 0,
    t: new Float64Array(nestMax + 1),
    c: new Float64Array(nestMax + 1),
    fp: 0,
    fpint: new Float64Array(nestMax + 1),
    nrdata: new Int32Array(nestMax + 1),
    ier: 0,
  };
  const nest = Math.max(Math.trunc(m / 2), 2 * k1);
  fpcurf(0, x, y, w, m, x[1], x[m], k, s, nest, 0.001, 20, state);
  if (state.ier === 1) fpcurf(1, x, y, w, m, x[1], x[m], k, s, nestMax, 0.001, 20, state);
  const n = state.n;
  return { t: state.t.slice(1, n + 1), c: state.c.slice(1, n + 1), k };
}

function fpcurf(iopt: number, x: Float64Array, y: Float64Array, w: Float64Array, m: number, xb: number, xe: number, k: number, s: number, nest: number, tol: number, maxit: number, st: State): void {
  const { t, c, fpint, nrdata } = st;
  const k1 = k + 1;
  const k2 = k + 2;
  const size = st.t.length; // arrays are allocated for the largest nest
  // a(nest,k1), b(nest,k2), g(nest,k2), q(m,k1) as row-major 1-based arrays
  const A = new Float64Array((size + 1) * (k1 + 1));
  const B = new Float64Array((size + 1) * (k2 + 1));
  const G = new Float64Array((size + 1) * (k2 + 1));
  const Q = new Float64Array((m + 1) * (k1 + 1));
  const z = new Float64Array(size + 1);
  const a = (i: number, j: number) => i * (k1 + 1) + j;
  const bg = (i: number, j: number) => i * (k2 + 1) + j;
  const q = (i: number, j: number) => i * (k1 + 1) + j;
  const h = new Float64Array(21);
  const hh = new Float64Array(21);
  const rot = { cos: 0, sin: 0 };

  let n = st.n;
  let ier = st.ier;
  let fp = st.fp;
  let fp0 = 0;
  let fpold = 0;
  let nplus = 0;
  let fpms = 0;
  let nk1 = 0;
  const nmin = 2 * k1;
  const acc = tol * s;
  const nmax = m + k1;

  const interpolationKnots = (): void => {
    // label 10: interior knots for an interpolating spline
    const mk1 = m - k1;
    if (mk1 === 0) return;
    const k3 = Math.trunc(k / 2);
    let i = k2;
    let j = k3 + 2;
    if (k3 * 2 === k) {
      for (let l = 1; l <= mk1; l++) {
        t[i] = (x[j] + x[j - 1]) * 0.5;
        i++;
        j++;
      }
    } else {
      for (let l = 1; l <= mk1; l++) {
        t[i] = x[j];
        i++;
        j++;
      }
    }
  };

  // label 45 (s > 0)
  let restart = true;
  if (iopt !== 0 && n !== nmin) {
    fp0 = fpint[n];
    fpold = fpint[n - 1];
    nplus = nrdata[n];
    if (fp0 > s) restart = false;
  }
  if (restart) {
    n = nmin;
    fpold = 0;
    nplus = 0;
    nrdata[1] = m - 2;
  }

  // part 1: number and position of the knots
  let done = false; // reached label 440
  let toPart2 = false; // reached label 250
  mainLoop: for (let iter = 1; iter <= m; iter++) {
    if (n === nmin) ier = -2;
    const nrint = n - nmin + 1;
    nk1 = n - k1;
    {
      let i = n;
      for (let j = 1; j <= k1; j++) {
        t[j] = xb;
        t[i] = xe;
        i--;
      }
    }
    fp = 0;
    for (let i = 1; i <= nk1; i++) {
      z[i] = 0;
      for (let j = 1; j <= k1; j++) A[a(i, j)] = 0;
    }
    let l = k1;
    for (let it = 1; it <= m; it++) {
      const xi = x[it];
      const wi = w[it];
      let yi = y[it] * wi;
      while (!(xi < t[l + 1] || l === nk1)) l++;
      fpbspl(t, k, xi, l, h, hh);
      for (let i = 1; i <= k1; i++) {
        Q[q(it, i)] = h[i];
        h[i] = h[i] * wi;
      }
      let j = l - k1;
      for (let i = 1; i <= k1; i++) {
        j++;
        const piv = h[i];
        if (piv === 0) continue;
        A[a(j, 1)] = fpgivs(piv, A[a(j, 1)], rot);
        const cs = rot.cos;
        const sn = rot.sin;
        // fprota on (yi, z(j))
        {
          const s1 = yi;
          const s2 = z[j];
          z[j] = cs * s2 + sn * s1;
          yi = cs * s1 - sn * s2;
        }
        if (i === k1) break;
        let i2 = 1;
        for (let i1 = i + 1; i1 <= k1; i1++) {
          i2++;
          const s1 = h[i1];
          const s2 = A[a(j, i2)];
          A[a(j, i2)] = cs * s2 + sn * s1;
          h[i1] = cs * s1 - sn * s2;
        }
      }
      fp += yi * yi;
    }
    if (ier === -2) fp0 = fp;
    fpint[n] = fp0;
    fpint[n - 1] = fpold;
    nrdata[n] = nplus;
    fpback((i, j) => A[a(i, j)], z, nk1, k1, c);
    if (iopt < 0) {
      done = true;
      break;
    }
    fpms = fp - s;
    if (Math.abs(fpms) < acc) {
      done = true;
      break;
    }
    if (fpms < 0) {
      toPart2 = true;
      break;
    }
    if (n === nmax) {
      ier = -1;
      done = true;
      break;
    }
    if (n === nest) {
      ier = 1;
      done = true;
      break;
    }
    if (ier !== 0) {
      nplus = 1;
      ier = 0;
    } else {
      let npl1 = nplus * 2;
      const rn = nplus;
      if (fpold - fp > acc) npl1 = Math.trunc((rn * fpms) / (fpold - fp));
      nplus = Math.min(nplus * 2, Math.max(npl1, Math.trunc(nplus / 2), 1));
    }
    fpold = fp;
    // sum of squared residuals per knot interval
    let fpart = 0;
    let i = 1;
    l = k2;
    let isNew = 0;
    for (let it = 1; it <= m; it++) {
      if (!(x[it] < t[l] || l > nk1)) {
        isNew = 1;
        l++;
      }
      let term = 0;
      let l0 = l - k2;
      for (let j = 1; j <= k1; j++) {
        l0++;
        term += c[l0] * Q[q(it, j)];
      }
      term = (w[it] * (term - y[it])) ** 2;
      fpart += term;
      if (isNew === 0) continue;
      const store = term * 0.5;
      fpint[i] = fpart - store;
      i++;
      fpart = store;
      isNew = 0;
    }
    fpint[nrint] = fpart;
    const counts = { n, nrint };
    for (let ll = 1; ll <= nplus; ll++) {
      fpknot(x, t, counts, fpint, nrdata, 1);
      n = counts.n;
      if (n === nmax) {
        interpolationKnots();
        iter = 0; // "go to 10" re-enters the main loop from its start
        continue mainLoop;
      }
      if (n === nest) continue mainLoop;
    }
  }
  if (!done) toPart2 = true;
  if (toPart2 && ier !== -2) {
    // part 2: the smoothing spline, finding p with f(p) = s by rational interpolation
    fpdisc(t, n, k2, (i, j, v) => {
      B[bg(i, j)] = v;
    });
    let p1 = 0;
    let f1 = fp0 - s;
    let p3 = -1;
    let f3 = fpms;
    let p = 0;
    for (let i = 1; i <= nk1; i++) p += A[a(i, 1)];
    p = nk1 / p;
    let ich1 = 0;
    let ich3 = 0;
    const n8 = n - nmin;
    for (let iter = 1; iter <= maxit; iter++) {
      const pinv = 1 / p;
      for (let i = 1; i <= nk1; i++) {
        c[i] = z[i];
        G[bg(i, k2)] = 0;
        for (let j = 1; j <= k1; j++) G[bg(i, j)] = A[a(i, j)];
      }
      for (let it = 1; it <= n8; it++) {
        for (let i = 1; i <= k2; i++) h[i] = B[bg(it, i)] * pinv;
        let yi = 0;
        for (let j = it; j <= nk1; j++) {
          const piv = h[1];
          G[bg(j, 1)] = fpgivs(piv, G[bg(j, 1)], rot);
          const cs = rot.cos;
          const sn = rot.sin;
          {
            const s1 = yi;
            const s2 = c[j];
            c[j] = cs * s2 + sn * s1;
            yi = cs * s1 - sn * s2;
          }
          if (j === nk1) break;
          let i2 = k1;
          if (j > n8) i2 = nk1 - j;
          for (let i = 1; i <= i2; i++) {
            const i1 = i + 1;
            const s1 = h[i1];
            const s2 = G[bg(j, i1)];
            G[bg(j, i1)] = cs * s2 + sn * s1;
            h[i1] = cs * s1 - sn * s2;
            h[i] = h[i1];
          }
          h[i2 + 1] = 0;
        }
      }
      fpback((i, j) => G[bg(i, j)], c, nk1, k2, c);
      fp = 0;
      let l = k2;
      for (let it = 1; it <= m; it++) {
        if (!(x[it] < t[l] || l > nk1)) l++;
        let l0 = l - k2;
        let term = 0;
        for (let j = 1; j <= k1; j++) {
          l0++;
          term += c[l0] * Q[q(it, j)];
        }
        fp += (w[it] * (term - y[it])) ** 2;
      }
      fpms = fp - s;
      if (Math.abs(fpms) < acc) break;
      if (iter === maxit) {
        ier = 3;
        break;
      }
      const p2 = p;
      const f2 = fpms;
      let goRati = false;
      if (ich3 === 0) {
        if (!(f2 - f3 > acc)) {
          // initial p too large
          p3 = p2;
          f3 = f2;
          p = p * 0.04;
          if (p <= p1) p = p1 * 0.9 + p2 * 0.1;
          continue;
        }
        if (f2 < 0) ich3 = 1;
      }
      if (ich1 === 0) {
        if (!(f1 - f2 > acc)) {
          // initial p too small
          p1 = p2;
          f1 = f2;
          p = p / 0.04;
          if (p3 < 0) continue;
          if (p >= p3) p = p2 * 0.1 + p3 * 0.9;
          continue;
        }
        if (f2 > 0) ich1 = 1;
      }
      goRati = true;
      if (goRati) {
        if (f2 >= f1 || f2 <= f3) {
          ier = 2;
          break;
        }
        // fprati, which also moves (p1,f1) or (p3,f3)
        let np: number;
        if (p3 > 0) {
          const h1 = f1 * (f2 - f3);
          const h2 = f2 * (f3 - f1);
          const h3 = f3 * (f1 - f2);
          np = -(p1 * p2 * h3 + p2 * p3 * h1 + p3 * p1 * h2) / (p1 * h1 + p2 * h2 + p3 * h3);
        } else {
          np = (p1 * (f1 - f3) * f2 - p2 * (f2 - f3) * f1) / ((f1 - f2) * f3);
        }
        if (f2 < 0) {
          p3 = p2;
          f3 = f2;
        } else {
          p1 = p2;
          f1 = f2;
        }
        p = np;
      }
    }
  }
  st.n = n;
  st.fp = fp;
  st.ier = ier;
}

/** fpbspl: the k+1 non-zero B-splines at t(l) <= x < t(l+1), into h(1..k+1). */
function fpbspl(t: Float64Array, k: number, x: number, l: number, h: Float64Array, hh: Float64Array): void {
  h[1] = 1;
  for (let j = 1; j <= k; j++) {
    for (let i = 1; i <= j; i++) hh[i] = h[i];
    h[1] = 0;
    for (let i = 1; i <= j; i++) {
      const li = l + i;
      const lj = li - j;
      if (t[li] === t[lj]) {
        h[i + 1] = 0;
        continue;
      }
      const f = hh[i] / (t[li] - t[lj]);
      h[i] = h[i] + f * (t[li] - x);
      h[i + 1] = f * (x - t[lj]);
    }
  }
}

/** fpgivs: a Givens rotation zeroing piv against ww; returns the new ww. */
function fpgivs(piv: number, ww: number, rot: { cos: number; sin: number }): number {
  const store = Math.abs(piv);
  let dd: number;
  if (store >= ww) dd = store * Math.sqrt(1 + (ww / piv) ** 2);
  else dd = ww * Math.sqrt(1 + (piv / ww) ** 2);
  rot.cos = ww / dd;
  rot.sin = piv / dd;
  return dd;
}

/** fpback: solve a*c = z with a upper triangular of bandwidth k (c may be z itself). */
function fpback(a: (i: number, j: number) => number, z: Float64Array, n: number, k: number, c: Float64Array): void {
  const k1 = k - 1;
  c[n] = z[n] / a(n, 1);
  let i = n - 1;
  if (i === 0) return;
  for (let j = 2; j <= n; j++) {
    let store = z[i];
    let i1 = k1;
    if (j <= k1) i1 = j - 1;
    let mm = i;
    for (let l = 1; l <= i1; l++) {
      mm++;
      store -= c[mm] * a(i, l + 1);
    }
    c[i] = store / a(i, 1);
    i--;
  }
}

/** fpdisc: jumps of the kth derivative of the B-splines at the interior knots, into b(lmk, j). */
function fpdisc(t: Float64Array, n: number, k2: number, set: (i: number, j: number, v: number) => void): void {
  const k1 = k2 - 1;
  const k = k1 - 1;
  const nk1 = n - k1;
  const nrint = nk1 - k;
  const an = nrint;
  const fac = an / (t[nk1 + 1] - t[k1]);
  const h = new Float64Array(13);
  for (let l = k2; l <= nk1; l++) {
    const lmk = l - k1;
    for (let j = 1; j <= k1; j++) {
      const ik = j + k1;
      const lj = l + j;
      const lk = lj - k2;
      h[j] = t[l] - t[lk];
      h[ik] = t[l] - t[lj];
    }
    let lp = lmk;
    for (let j = 1; j <= k2; j++) {
      let jk = j;
      let prod = h[j];
      for (let i = 1; i <= k; i++) {
        jk++;
        prod = prod * h[jk] * fac;
      }
      const lk = lp + k1;
      set(lmk, j, (t[lk] - t[lp]) / prod);
      lp++;
    }
  }
}

/** fpknot: add a knot inside the interval with the largest residual sum that still holds data. */
function fpknot(x: Float64Array, t: Float64Array, counts: { n: number; nrint: number }, fpint: Float64Array, nrdata: Int32Array, istart: number): void {
  const { n, nrint } = counts;
  const k = Math.trunc((n - nrint - 1) / 2);
  let fpmax = 0;
  let jbegin = istart;
  let number = 0;
  let maxpt = 0;
  let maxbeg = 0;
  for (let j = 1; j <= nrint; j++) {
    const jpoint = nrdata[j];
    if (!(fpmax >= fpint[j] || jpoint === 0)) {
      fpmax = fpint[j];
      number = j;
      maxpt = jpoint;
      maxbeg = jbegin;
    }
    jbegin = jbegin + jpoint + 1;
  }
  const ihalf = Math.trunc(maxpt / 2) + 1;
  const nrx = maxbeg + ihalf;
  const next = number + 1;
  if (next <= nrint) {
    for (let j = next; j <= nrint; j++) {
      const jj = next + nrint - j;
      fpint[jj + 1] = fpint[jj];
      nrdata[jj + 1] = nrdata[jj];
      const jk = jj + k;
      t[jk + 1] = t[jk];
    }
  }
  nrdata[number] = ihalf - 1;
  nrdata[next] = maxpt - ihalf;
  const am = maxpt;
  let an = nrdata[number];
  fpint[number] = (fpmax * an) / am;
  an = nrdata[next];
  fpint[next] = (fpmax * an) / am;
  const jk = next + k;
  t[jk] = x[nrx];
  counts.n = n + 1;
  counts.nrint = nrint + 1;
}

/** splev with e=0: evaluate, extrapolating from the end intervals outside the knots' span. */
export function splev(spline: BSpline, xs: Float64Array): Float64Array {
  const { k } = spline;
  const n = spline.t.length;
  const t = new Float64Array(n + 1);
  const c = new Float64Array(n + 1);
  t.set(spline.t, 1);
  c.set(spline.c, 1);
  const k1 = k + 1;
  const k2 = k1 + 1;
  const nk1 = n - k1;
  const h = new Float64Array(21);
  const hh = new Float64Array(21);
  const out = new Float64Array(xs.length);
  let l = k1;
  let l1 = l + 1;
  for (let i = 0; i < xs.length; i++) {
    const arg = xs[i];
    while (!(arg >= t[l] || l1 === k2)) {
      l1 = l;
      l--;
    }
    while (!(arg < t[l1] || l === nk1)) {
      l = l1;
      l1 = l + 1;
    }
    fpbspl(t, k, arg, l, h, hh);
    let sp = 0;
    let ll = l - k1;
    for (let j = 1; j <= k1; j++) {
      ll++;
      sp += c[ll] * h[j];
    }
    out[i] = sp;
  }
  return out;
}

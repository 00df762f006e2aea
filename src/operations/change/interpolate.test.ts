import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';

// Expected values are pandas' Series.interpolate results, worked out from the algorithms:
// exact polynomials reproduce themselves, the PCHIP/Akima slopes and Hermite midpoints
// (y0+y1)/2 + h(d0−d1)/8 by hand, and for the FITPACK smoothing spline on irregular data the
// numbers scipy's UnivariateSpline gives. x is the row position.

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

const csv = (values: (number | null)[], name = 'v'): string => `${name}\n${values.map((v) => (v === null ? '' : String(v))).join('\n')}\n`;

function close(actual: unknown[], expected: (number | null)[], message = ''): void {
  assert.equal(actual.length, expected.length, message);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (e === null) assert.equal(a, null, `${message} [${i}]: expected missing, got ${a}`);
    else assert.ok(typeof a === 'number' && Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${message} [${i}]: expected ${e}, got ${a}`);
  });
}

async function interpolated(values: (number | null)[], method: string, order?: number): Promise<unknown[]> {
  const id = await h.load(csv(values));
  await h.ok(id, 'interpolate', { columnIndex: 0, method, ...(order === undefined ? {} : { order }) });
  return h.column(id, 'v');
}

// x = 0, 2, 5 with y = x + 1; gaps at 1, 3, 4 and a trailing one at 6.
const A = [1, null, 3, null, null, 6, null];

test('interpolate: every method on [1, NaN, 3, NaN, NaN, 6, NaN]', async () => {
  close(await interpolated(A, 'linear'), [1, 2, 3, 4, 5, 6, 6], 'linear: np.interp repeats the last value');
  // nearest: position 1 is halfway between 0 and 2 and takes the left neighbour, as scipy does
  close(await interpolated(A, 'nearest'), [1, 1, 3, 3, 6, 6, null], 'nearest');
  close(await interpolated(A, 'zero'), [1, 1, 3, 3, 3, 6, null], 'zero');
  close(await interpolated(A, 'slinear'), [1, 2, 3, 4, 5, 6, null], 'slinear');
  // three collinear points: the quadratic through them is the line
  close(await interpolated(A, 'quadratic'), [1, 2, 3, 4, 5, 6, null], 'quadratic');
  close(await interpolated(A, 'polynomial', 2), [1, 2, 3, 4, 5, 6, null], 'polynomial 2');
  // the least-squares line fits exactly (fp0 = 0 <= s): FITPACK returns it; the trailing gap
  // stays missing (API.md: only linear fills after the last valid value)
  close(await interpolated(A, 'spline', 1), [1, 2, 3, 4, 5, 6, null], 'spline 1');
  // PCHIP slopes are all 1 (harmonic mean of equal slopes)
  close(await interpolated(A, 'pchip'), [1, 2, 3, 4, 5, 6, null], 'pchip');
  close(await interpolated(A, 'akima'), [1, 2, 3, 4, 5, 6, null], 'akima');
});

test('interpolate: polynomials of the degree are reproduced exactly (non-uniform x)', async () => {
  // y = x³ at x = 0, 2, 3, 5
  const C = [0, null, 8, 27, null, 125, null];
  close(await interpolated(C, 'cubic'), [0, 1, 8, 27, 64, 125, null], 'cubic');
  close(await interpolated(C, 'polynomial', 3), [0, 1, 8, 27, 64, 125, null], 'polynomial 3');
  // four points, degree 3: the least-squares cubic interpolates (fp0 = 0); nothing after the last value
  close(await interpolated(C, 'spline', 3), [0, 1, 8, 27, 64, 125, null], 'spline 3');
  // y = x² at x = 0, 2, 3, 5: any quadratic or cubic interpolating spline is x² itself
  const Q = [0, null, 4, 9, null, 25, null];
  close(await interpolated(Q, 'quadratic'), [0, 1, 4, 9, 16, 25, null], 'quadratic');
  close(await interpolated(Q, 'cubic'), [0, 1, 4, 9, 16, 25, null], 'cubic on x²');
  close(await interpolated(Q, 'spline', 2), [0, 1, 4, 9, 16, 25, null], 'spline 2');
});

test('interpolate: PCHIP and Akima slopes on y = x³ sampled at 0, 2, 3, 5', async () => {
  // PCHIP: d = [0 (end estimate -6 has the wrong sign), 171/24, 8379/321, 69]
  // midpoints: 4 + 2(0 − 171/24)/8 = 71/32 and 76 + 2(8379/321 − 69)/8; x = 6 stays missing
  const C = [0, null, 8, 27, null, 125, null];
  close(await interpolated(C, 'pchip'), [0, 71 / 32, 8, 27, 76 + (8379 / 321 - 69) / 4, 125, null], 'pchip');
  // Akima: slopes 4, 19, 49 padded to −26, −11 … 79, 109; t = [−3.5, 9, 29, 64]
  close(await interpolated(C, 'akima'), [0, 0.875, 8, 27, 67.25, 125, null], 'akima');
  // a peak: PCHIP and Akima both give slopes 2, 0, −2 → 1.5 on each side
  const P = [0, null, 2, null, 0, null];
  close(await interpolated(P, 'pchip'), [0, 1.5, 2, 1.5, 0, null], 'pchip peak');
  close(await interpolated(P, 'akima'), [0, 1.5, 2, 1.5, 0, null], 'akima peak');
  close(await interpolated(P, 'quadratic'), [0, 1.5, 2, 1.5, 0, null], 'quadratic peak: y = x(4 − x)/2');
});

test('interpolate: leading gaps stay missing; smoothing spline on irregular data', async () => {
  const W = [null, 0, null, 4, null, 2, 7, null, null, 1, null];
  close(await interpolated(W, 'linear'), [null, 0, 2, 4, 3, 2, 7, 5, 3, 1, 1], 'linear');
  close(await interpolated(W, 'nearest'), [null, 0, 0, 4, 4, 2, 7, 7, 1, 1, null], 'nearest');
  close(await interpolated(W, 'zero'), [null, 0, 0, 4, 4, 2, 7, 7, 7, 1, null], 'zero');
  // the least-squares line leaves fp0 > s = 5: FITPACK adds knots and smooths (scipy's values)
  close(await interpolated(W, 'spline', 3), [null, 0, 2.7209395262359193, 4, 3.110550862496404, 2, 7, 7.614943513934137, 6.836577494695216, 1, null], 'spline 3');
  close(await interpolated(W, 'cubic'), [null, 0, 4.730468750000001, 4, 1.7695312499999991, 2, 7, 12.46875, 12.453125, 1, null], 'cubic (not-a-knot)');
  close(await interpolated(W, 'quadratic'), [null, 0, 3.3127753303964758, 4, 2.0616740088105727, 2, 7, 9.158590308370044, 7.158590308370044, 1, null], 'quadratic');
  close(await interpolated(W, 'pchip'), [null, 0, 2.875, 4, 3, 2, 7, 6.777777777777778, 5.222222222222222, 1, null], 'pchip');
  close(await interpolated(W, 'akima'), [null, 0, 2.625, 4, 3.05, 2, 7, 7.452991452991454, 5.3931623931623935, 1, null], 'akima');
});

test('interpolate: an int column with gaps becomes float; method names are case-insensitive', async () => {
  const id = await h.load('n,s\n1,a\n,b\n4,c\n');
  assert.deepEqual((await h.table(id)).types, ['int', 'string']);
  const res = await h.ok(id, 'interpolate', { columnIndex: '0', method: 'Linear', order: '' });
  assert.equal(res.changed, true);
  assert.deepEqual(await h.table(id), { columns: ['n', 's'], types: ['float', 'string'], rows: [[1, 'a'], [2.5, 'b'], [4, 'c']] });
  const id2 = await h.load('n\n1\n\n4\n\n');
  await h.ok(id2, 'interpolate', { columnIndex: 0, method: 'PCHIP' });
  assert.deepEqual(await h.table(id2), { columns: ['n'], types: ['float'], rows: [[1], [2.5], [4], [null]] });
});

test('interpolate: nothing to fill is no change (no gaps, all missing, empty, single row)', async () => {
  const noGaps = await h.load('v\n1\n2\n');
  const single = await h.load('v\n3\n');
  // an all-missing numeric column and an empty dataset, made with other operations
  const allMissing = await h.load('v,w\n,1\n,2\n');
  await h.ok(allMissing, 'changeColumnDataType', { column: 'v', newDataType: 'float' });
  const empty = await h.load('v\n1.5\n');
  await h.ok(empty, 'deleteRows', { rowIndices: [0] });
  for (const id of [noGaps, single, allMissing, empty]) {
    const before = await h.table(id);
    for (const method of ['linear', 'akima']) {
      const res = await h.ok(id, 'interpolate', { columnIndex: 0, method });
      assert.equal(res.changed, false, JSON.stringify(before));
    }
    assert.deepEqual(await h.table(id), before);
  }
});

test('interpolate: bad parameters', async () => {
  const id = await h.load('v,s\n1,a\n,b\n3,c\n');
  const expectError = async (params: Record<string, unknown>, error: string, description: RegExp) => {
    const res = await h.run(id, 'interpolate', params);
    assert.equal(res.success, false, JSON.stringify(params));
    assert.equal(res.error, error);
    assert.match(res.errorDescription, description);
  };
  await expectError({ columnIndex: 1, method: 'linear' }, 'invalid column type', /"s" is string; interpolation needs a numeric/);
  await expectError({ columnIndex: 2, method: 'linear' }, 'index out of range', /columnIndex 2/);
  await expectError({ columnIndex: 0, method: 'time' }, 'invalid parameters', /method/);
  await expectError({ columnIndex: 0 }, 'invalid parameters', /method/);
  await expectError({ columnIndex: 0, method: 'polynomial' }, 'invalid parameters', /order: the polynomial method needs an order/);
  await expectError({ columnIndex: 0, method: 'spline', order: 6 }, 'invalid parameters', /order from 1 to 5; got 6/);
  await expectError({ columnIndex: 0, method: 'spline', order: 0 }, 'invalid parameters', /order from 1 to 5; got 0/);
  // two valid values: too few for these methods, as scipy refuses
  await expectError({ columnIndex: 0, method: 'cubic' }, 'not enough values', /cubic interpolation needs at least 4 valid values in the column; it has 2/);
  await expectError({ columnIndex: 0, method: 'quadratic' }, 'not enough values', /needs at least 3 valid values/);
  await expectError({ columnIndex: 0, method: 'spline', order: 2 }, 'not enough values', /spline interpolation of order 2 needs at least 3 valid values/);
  await expectError({ columnIndex: 0, method: 'polynomial', order: 5 }, 'not enough values', /order 5 needs at least 6/);
  const one = await h.load('v\n\n1\n\n');
  const res = await h.run(one, 'interpolate', { columnIndex: 0, method: 'pchip' });
  assert.equal(res.error, 'not enough values');
  assert.match(res.errorDescription, /pchip interpolation needs at least 2 valid values in the column; it has 1/);
  // with one value, linear still fills what follows it
  await h.ok(one, 'interpolate', { columnIndex: 0, method: 'linear' });
  assert.deepEqual(await h.column(one, 'v'), [null, 1, 1]);
});

test('interpolate: undo restores exactly the previous table, redo the interpolated one', async () => {
  const id = await h.load('a,v,b\nx,1.5,1\ny,,2\nz,4.5,3\nw,,4\n');
  const before = await h.table(id);
  await h.ok(id, 'interpolate', { columnIndex: 1, method: 'akima' });
  const after1 = await h.table(id);
  assert.deepEqual(after1.rows, [['x', 1.5, 1], ['y', 3, 2], ['z', 4.5, 3], ['w', null, 4]]);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after1);
});

test('interpolate: replayed by applyOperations, two numeric passes and a linear one in one step', async () => {
  const id = await h.load('a,b\n0,1\n,\n2,5\n,\n4,9\n');
  await h.ok(id, 'applyOperations', {
    operations: [
      { operation: 'interpolate', parameters: { columnIndex: 0, method: 'pchip' } },
      { operation: 'interpolate', parameters: { columnIndex: 1, method: 'akima' } },
      { operation: 'interpolate', parameters: { columnIndex: 1, method: 'linear' } },
    ],
  });
  // a: 0, 2, 4 is a line, PCHIP keeps it (and extrapolates nothing: the last value is valid)
  // b: 1, 5, 9 likewise for Akima; linear then finds nothing left to fill
  assert.deepEqual(await h.table(id), { columns: ['a', 'b'], types: ['float', 'float'], rows: [[0, 1], [1, 3], [2, 5], [3, 7], [4, 9]] });
  await h.ok(id, 'undo');
  assert.deepEqual((await h.table(id)).rows, [[0, 1], [null, null], [2, 5], [null, null], [4, 9]]);
});

test('interpolate: a column of many blocks is read and written back in row order (method zero)', async () => {
  // 10,000 rows: missing at the start, the end and two rows in every seven, across block edges.
  const rows = 10000;
  const x = (i: number): number | null => (i < 3 || i > rows - 5 || i % 7 === 2 || i % 7 === 3 ? null : i * 1.5);
  const id = await h.loadSql(`SELECT CASE WHEN i < 3 OR i > ${rows - 5} OR i % 7 IN (2, 3) THEN NULL ELSE i * 1.5 END AS v, i AS k FROM range(${rows}) r(i)`);
  const values = Array.from({ length: rows }, (_, i) => x(i));
  const first = values.findIndex((v) => v !== null);
  const last = values.length - 1 - [...values].reverse().findIndex((v) => v !== null);
  // zero: the previous value inside the data, missing outside it (scipy's interp1d).
  let previous: number | null = null;
  const zero = values.map((v, i) => {
    if (v !== null) previous = v;
    return i < first || i > last ? (v ?? null) : previous;
  });
  await h.ok(id, 'interpolate', { columnIndex: 0, method: 'zero' });
  const got = await h.column(id, 'v');
  const wrong = got.findIndex((v, i) => v !== zero[i]);
  assert.equal(wrong, -1, `row ${wrong}: ${got[wrong]} instead of ${zero[wrong]}`);
  const k = await h.column(id, 'k');
  assert.equal(k.findIndex((v, i) => v !== i), -1);
});

test('interpolate linear and pchip: a lone gap deep in a long column, NaN as the only missing value, a single valid value among NaN', async () => {
  // Whether there is a gap and enough valid values is asked with queries that stop early:
  // they must still find one missing value among 300,000 rows (after deleted rows), see NaN
  // as missing, and count the valid values exactly below what the method needs.
  const n = 300_000;
  const id = await h.loadSql(`SELECT CASE WHEN i = 250001 THEN 'NaN'::DOUBLE ELSE i * 2.0 END AS v FROM range(${n}) t(i)`);
  await h.ok(id, 'deleteRows', { rowIndices: [0, 122880] });
  for (const method of ['linear', 'pchip']) {
    const res = await h.ok(id, 'interpolate', { columnIndex: 0, method });
    assert.equal(res.changed, true, method);
    const v = await h.column(id, 'v');
    assert.equal(v.length, n - 2);
    assert.equal(v[249999], 500002, method);
    await h.ok(id, 'undo');
  }
  const nan = await h.loadSql(`SELECT CASE WHEN i = 1 THEN 1.0 ELSE 'NaN'::DOUBLE END AS v FROM range(4) t(i)`);
  const res = await h.run(nan, 'interpolate', { columnIndex: 0, method: 'pchip' });
  assert.equal(res.error, 'not enough values');
  assert.match(res.errorDescription, /it has 1$/);
  await h.ok(nan, 'interpolate', { columnIndex: 0, method: 'linear' });
  assert.deepEqual(await h.column(nan, 'v'), [null, 1, 1, 1]);
});

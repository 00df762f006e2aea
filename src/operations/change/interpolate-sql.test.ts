import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, withKeyColumn, type EngineHarness } from '../../../test/helpers/engine.ts';
import { interpolate as reference } from '../../engine/interpolation/index.ts';
import { mulberry32 } from '../../../bench/prng.ts';
import { Dataset } from '../../engine/dataset.ts';

// linear and pchip are computed in SQL over the gaps (engine/interpolation/gaps.ts), the
// other methods in JavaScript (engine/interpolation/index.ts, checked against pandas in
// interpolate.test.ts). The SQL must give the very same doubles as that JavaScript on any
// pattern of gaps: runs of every length, lone valid values between gaps, gaps at both ends,
// two or three valid values only, NaN in float columns, and versions with deleted rows.

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

/** A series of `n` values, about `missing` of them missing, in runs of 1 to `run`; y integers or floats. */
function series(random: () => number, n: number, missing: number, run: number, floats: boolean): (number | null)[] {
  const out: (number | null)[] = [];
  while (out.length < n) {
    if (random() < missing) {
      const len = 1 + Math.floor(random() * run);
      for (let i = 0; i < len && out.length < n; i++) out.push(null);
    } else {
      const y = floats ? Math.round((random() * 200 - 100) * 1000) / 1000 : Math.floor(random() * 21) - 10;
      out.push(y);
    }
  }
  return out;
}

async function compare(values: (number | null)[], method: 'linear' | 'pchip', label: string, nanText = false): Promise<void> {
  const csv = withKeyColumn(`v\n${values.map((v) => (v === null ? (nanText ? 'NAN' : '') : String(v))).join('\n')}\n`);
  const id = nanText ? await h.loadWithNaN(csv) : await h.load(csv);
  await h.run(id, 'interpolate', { columnIndex: 0, method });
  const actual = await h.column(id, 'v');
  const expected = Array.from(reference(Float64Array.from(values, (v) => (v === null ? NaN : v)), method) ?? Float64Array.from(values, (v) => (v === null ? NaN : v)), (v) => (Number.isNaN(v) ? null : v));
  const at = expected.findIndex((e, i) => actual[i] !== e);
  assert.equal(at, -1, `${label} (${method}): row ${at} is ${actual[at]}, JavaScript gives ${expected[at]}; values ${JSON.stringify(values)}`);
}

test('interpolate in SQL: the same doubles as the JavaScript interpolants on random gap patterns', async () => {
  const random = mulberry32(20261130);
  for (let round = 0; round < 12; round++) {
    const n = 2 + Math.floor(random() * 60);
    const values = series(random, n, [0.2, 0.5, 0.8][round % 3], 1 + (round % 4) * 2, round % 2 === 1);
    if (values.every((v) => v === null) || values.every((v) => v !== null)) continue;
    for (const method of ['linear', 'pchip'] as const) await compare(values, method, `round ${round}`);
  }
});

test('interpolate in SQL: two and three valid values, lone values between gaps, gaps at both ends', async () => {
  const cases: (number | null)[][] = [
    [null, 1, null, null, 4, null],
    [1, null, 3],
    [null, 2, null, 5, null, 1, null],
    [3, null, 1, null, null, 7, 7, null, 2],
    [0, null, 0, null, 5, null, null, -5, null, 10, 10, null, 0],
    [1, 2, null, 4, 8, 16, null, null, 128],
  ];
  for (const [k, values] of cases.entries()) for (const method of ['linear', 'pchip'] as const) await compare(values, method, `case ${k}`);
});

test('interpolate in SQL: NaN in a float column is a gap like a missing value', async () => {
  await compare([1.5, null, null, 4.25, null, 2, null], 'linear', 'NaN', true);
  await compare([1.5, null, null, 4.25, null, 2, 3, null], 'pchip', 'NaN', true);
});

test('interpolate in SQL: a version with deleted rows fills from the rows it still has', async () => {
  const values = [1, null, 100, 3, null, null, 6, null, 8, 200, null, 10];
  const id = await h.load(withKeyColumn(`v\n${values.map((v) => (v === null ? '' : String(v))).join('\n')}\n`));
  // rows 2 and 9 (the outliers) go: the gaps around them join up
  await h.ok(id, 'deleteRows', { rowIndices: [2, 9] });
  const kept = values.filter((_, i) => i !== 2 && i !== 9);
  for (const method of ['linear', 'pchip'] as const) {
    const res = await h.ok(id, 'interpolate', { columnIndex: 0, method });
    assert.equal(res.changed, true);
    const expected = Array.from(reference(Float64Array.from(kept, (v) => (v === null ? NaN : v)), method)!, (v) => (Number.isNaN(v) ? null : v));
    assert.deepEqual(await h.column(id, 'v'), expected, method);
    await h.ok(id, 'undo');
  }
});

test('interpolate in SQL: gaps only before the first or after the last value', async () => {
  const id = await h.load(withKeyColumn('v\n\n\n1\n2\n\n'));
  // pchip leaves both ends missing: nothing to do; linear repeats the last value
  const pchip = await h.ok(id, 'interpolate', { columnIndex: 0, method: 'pchip' });
  assert.equal(pchip.changed, false);
  await h.ok(id, 'interpolate', { columnIndex: 0, method: 'linear' });
  assert.deepEqual(await h.column(id, 'v'), [null, null, 1, 2, 2]);
});

test('interpolate in SQL: a long column, its gaps many and spread over several row groups', async () => {
  // 300,000 values and ~50,000 gaps: the gaps are found and their starts and ends paired by
  // streaming windows that read the rows in order, which must hold beyond one vector or row
  // group, and the fill is a table unnested from them in gap order.
  const values = series(mulberry32(7), 300_000, 0.3, 5, true);
  for (const method of ['linear', 'pchip'] as const) await compare(values, method, 'long');
});

test('interpolate: 300,000 values after deleteRows, every value against the reference over the rows kept', async () => {
  const values = series(mulberry32(11), 300_000, 0.25, 7, true);
  const id = await h.load(withKeyColumn(`v\n${values.map((v) => (v === null ? '' : String(v))).join('\n')}\n`));
  // deleted: scattered rows, and a run across the boundary of the first two row groups (16,384 rows)
  const random = mulberry32(12);
  const deleted = new Set<number>();
  while (deleted.size < 3000) deleted.add(Math.floor(random() * values.length));
  for (let i = 16_000; i < 17_000; i++) deleted.add(i);
  await h.ok(id, 'deleteRows', { rowIndices: [...deleted] });
  const kept = values.filter((_, i) => !deleted.has(i));
  for (const method of ['linear', 'pchip'] as const) {
    await h.ok(id, 'interpolate', { columnIndex: 0, method });
    const actual = await h.column(id, 'v');
    const expected = Array.from(reference(Float64Array.from(kept, (v) => (v === null ? NaN : v)), method)!, (v) => (Number.isNaN(v) ? null : v));
    assert.equal(actual.length, expected.length);
    const at = expected.findIndex((e, i) => actual[i] !== e);
    assert.equal(at, -1, `${method}: row ${at} is ${actual[at]}, the reference gives ${expected[at]}`);
    await h.ok(id, 'undo');
  }
});

test('interpolate: a value computed as NaN (infinite neighbours) is stored as NaN, a gap left unfilled as NULL', async () => {
  const id = await h.loadSql(`SELECT * FROM (VALUES (1.0::DOUBLE), (NULL), ('inf'::DOUBLE), (NULL), (3.0)) t(v)`);
  await h.ok(id, 'interpolate', { columnIndex: 0, method: 'linear' });
  const { manifest } = await h.rt.store.current(id);
  const ds = new Dataset(manifest, h.rt.store.filesDir(id));
  const rows = await h.rt.duck.withConnection((db) => db.rows(`SELECT __pos, ${ds.ref(0)} IS NULL AS missing, isnan(${ds.ref(0)}) AS nan, ${ds.ref(0)} AS v FROM (${ds.select({ withPosition: true })}) ORDER BY __pos`));
  // (inf - 1) / 2 · 1 + 1 = inf; (3 - inf) / 2 · 1 + inf = NaN, as np.interp gives
  assert.deepEqual(rows.map((r) => [r.missing, r.nan, r.v]), [[false, false, 1], [false, false, Infinity], [false, false, Infinity], [false, true, NaN], [false, false, 3]]);
  const pchip = await h.loadSql(`SELECT * FROM (VALUES (NULL::DOUBLE), (1.0), (NULL), (2.0), (NULL)) t(v)`);
  await h.ok(pchip, 'interpolate', { columnIndex: 0, method: 'pchip' });
  assert.deepEqual(await h.column(pchip, 'v'), [null, 1, 1.5, 2, null]);
});

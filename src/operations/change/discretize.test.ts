import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, sameSequence, type EngineHarness } from '../../../test/helpers/engine.ts';
import { evenQuantiles, intervalLabels, quantileEdges } from './transforms/binning.ts';
import { intervalOf } from './discretize.ts';
import { doubleLiteral } from './transforms/python.ts';

// Expected labels are pandas' cut/qcut(...).astype(str), worked out from tile.py: integer bins
// are linspace(min, max, n+1) with the first edge lowered by 0.1% of the range; qcut edges
// are linear-interpolated quantiles and the first interval starts 10^-precision lower; edges
// are printed rounded to 3 decimals (3 significant digits below 1), more when needed to keep
// them apart.

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

async function binned(content: string, cutMode: string, numberOfBins: unknown, column = 'x'): Promise<unknown[]> {
  const id = await h.load(content);
  await h.ok(id, 'discretize', { columnIndex: 0, cutMode, numberOfBins });
  const t = await h.table(id);
  assert.equal(t.types[0], 'string');
  return h.column(id, column);
}

const FIVE = 'x\n1\n2\n3\n4\n5\n';

test('discretize: cut into equal-width bins, first edge lowered by 0.1% of the range', async () => {
  // cut([1..5], 2): edges 0.996, 3, 5
  assert.deepEqual(await binned(FIVE, 'discretization', 2), ['(0.996, 3.0]', '(0.996, 3.0]', '(0.996, 3.0]', '(3.0, 5.0]', '(3.0, 5.0]']);
  // missing stays missing; cut([1, 10], 3): edges 0.991, 4, 7, 10
  assert.deepEqual(await binned('x,y\n1,a\n,b\n10,c\n', 'discretization', '3'), ['(0.991, 4.0]', null, '(7.0, 10.0]']);
  // small numbers keep 3 significant digits: edges 0.000998, 0.002, 0.003
  assert.deepEqual(await binned('x\n0.001\n0.002\n0.003\n', 'discretization', 2), ['(0.000998, 0.002]', '(0.000998, 0.002]', '(0.002, 0.003]']);
  // one value: the range is widened by 0.1% on both sides before binning
  assert.deepEqual(await binned('x\n5\n', 'discretization', 2), ['(4.995, 5.0]']);
  // NaN in a float column is missing too
  assert.deepEqual(await binned('x\n-1.5\nNaN\n1.5\n', 'discretization', 1), ['(-1.503, 1.5]', null, '(-1.503, 1.5]']);
});

test('discretize: cut with explicit edges, right-closed; values outside are missing', async () => {
  assert.deepEqual(await binned('x\n0\n1\n2.5\n3\n10\n11\n', 'discretization', '0, 2.5, 10'), [null, '(0.0, 2.5]', '(0.0, 2.5]', '(2.5, 10.0]', '(2.5, 10.0]', null]);
  assert.deepEqual(await binned('x\n-5\n5\n', 'discretization', ['-inf', 0, 'inf']), ['(-inf, 0.0]', '(0.0, inf]']);
});

test('discretize: qcut into equal-count bins, the lowest value included', async () => {
  // qcut([1..5], 2): edges 1, 3, 5; the first interval printed from 1 − 0.001
  assert.deepEqual(await binned(FIVE, 'quantiling', 2), ['(0.999, 3.0]', '(0.999, 3.0]', '(0.999, 3.0]', '(3.0, 5.0]', '(3.0, 5.0]']);
  // pandas' own docstring example: qcut(range(5), 4)
  assert.deepEqual(await binned('x\n0\n1\n2\n3\n4\n', 'quantiling', 4), ['(-0.001, 1.0]', '(-0.001, 1.0]', '(1.0, 2.0]', '(2.0, 3.0]', '(3.0, 4.0]']);
  // explicit quantiles: the median of 1..4 is 2.5 by linear interpolation
  assert.deepEqual(await binned('x\n4\n1\n\n3\n2\n', 'quantiling', '0,0.5,1'), ['(2.5, 4.0]', '(0.999, 2.5]', null, '(2.5, 4.0]', '(0.999, 2.5]']);
  // a single value with one bin: the two equal edges are allowed
  assert.deepEqual(await binned('x\n7\n', 'quantiling', 1), ['(6.999, 7.0]']);
  // unicode column name, float column
  assert.deepEqual(await binned('größe\n0.5\n0.25\n', 'quantiling', [0, 1], 'größe'), ['(0.249, 0.5]', '(0.249, 0.5]']);
});

test('discretize: errors', async () => {
  const id = await h.load('x,s\n1,a\n1,b\n1,c\n2,d\n');
  const expectError = async (params: Record<string, unknown>, error: string, description: RegExp) => {
    const res = await h.run(id, 'discretize', { columnIndex: 0, cutMode: 'discretization', ...params });
    assert.equal(res.success, false, JSON.stringify(params));
    assert.equal(res.error, error);
    assert.match(res.errorDescription, description);
  };
  await expectError({ columnIndex: 1, numberOfBins: 2 }, 'invalid column type', /"s" is string; discretizing needs a numeric/);
  await expectError({ numberOfBins: 0 }, 'invalid parameters', /positive integer; got 0/);
  await expectError({ numberOfBins: 2.5 }, 'invalid parameters', /not a whole number/);
  await expectError({ numberOfBins: 'a,b' }, 'invalid parameters', /"a" is not a number/);
  await expectError({ numberOfBins: [3] }, 'invalid parameters', /at least two bin edges/);
  await expectError({ numberOfBins: '3,1' }, 'invalid bins', /must increase monotonically; got \[3.0, 1.0\]/);
  await expectError({ numberOfBins: '0,0,1' }, 'invalid bins', /Bin edges must be unique: \[0.0, 0.0, 1.0\]; numberOfBins lists the edge 0 more than once$/);
  await expectError({ cutMode: 'quantiling', numberOfBins: 4 }, 'invalid bins', /Bin edges must be unique: \[1.0, 1.0, 1.0, 1.25, 2.0\]; the column has too few distinct values for 4 quantiles$/);
  // A quantile the user repeats is named as such, not blamed on the column.
  await expectError({ cutMode: 'quantiling', numberOfBins: '0,0.5,0.5,1' }, 'invalid bins', /Bin edges must be unique: .*; numberOfBins lists the quantile 0.5 more than once$/);
  await expectError({ cutMode: 'quantiling', numberOfBins: '0,1.5' }, 'invalid parameters', /quantiles must be between 0 and 1/);
  await expectError({ cutMode: 'equalWidth', numberOfBins: 2 }, 'invalid parameters', /cutMode/);
  // counts and edge lists past MAX_BINS are refused before anything is computed; a long
  // list of edges in an error is cut short
  await expectError({ numberOfBins: 10_001 }, 'invalid parameters', /10001 bins; at most 10000 \(MAX_BINS\)/);
  await expectError({ numberOfBins: 1e9 }, 'invalid parameters', /at most 10000 \(MAX_BINS\)/);
  await expectError({ numberOfBins: Array.from({ length: 10_002 }, (_, i) => i) }, 'invalid parameters', /10002 bin edges; at most 10001/);
  const many = await h.run(id, 'discretize', { columnIndex: 0, cutMode: 'quantiling', numberOfBins: 5000 });
  assert.equal(many.error, 'invalid bins');
  assert.match(many.errorDescription, /^Bin edges must be unique: \[1\.0, 1\.0, 1\.0, 1\.0, 1\.0, … \(4991 more\), [^\]]*\]; the column has too few distinct values for 5000 quantiles$/);
  await expectError({ numberOfBins: null }, 'invalid parameters', /numberOfBins/);
  const inf = await h.load('x\n1\ninf\n');
  const res = await h.run(inf, 'discretize', { columnIndex: 0, cutMode: 'discretization', numberOfBins: 2 });
  assert.equal(res.error, 'invalid bins');
  const empty = await h.load('x\n1\n');
  await h.ok(empty, 'deleteRows', { rowIndices: [0] });
  const none = await h.run(empty, 'discretize', { columnIndex: 0, cutMode: 'quantiling', numberOfBins: 2 });
  assert.equal(none.error, 'no values');
  // explicit edges need no data: the empty column just becomes text
  await h.ok(empty, 'discretize', { columnIndex: 0, cutMode: 'discretization', numberOfBins: '0,1' });
  assert.deepEqual(await h.table(empty), { columns: ['x'], types: ['string'], rows: [] });
});

test('discretize: undo restores exactly the previous table, redo the labels', async () => {
  const id = await h.load('a,x\np,1\nq,2\n');
  const before = await h.table(id);
  await h.ok(id, 'discretize', { columnIndex: 1, cutMode: 'quantiling', numberOfBins: 1 });
  const after1 = await h.table(id);
  assert.deepEqual(after1, { columns: ['a', 'x'], types: ['string', 'string'], rows: [['p', '(0.999, 2.0]'], ['q', '(0.999, 2.0]']] });
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after1);
});

test('discretize: qcut of a long column with ties and NaN labels each value by the exact quantiles', async () => {
  // 200,000 values (two Parquet row groups), many equal, some NaN and missing: the edges are
  // order statistics found by histograms (engine/order-statistics.ts), checked here against
  // the sorted values and pandas' interpolation (binning.ts), and every label against its value.
  const id = await h.loadSql(`SELECT CASE WHEN i % 97 = 0 THEN NULL WHEN i % 89 = 0 THEN 'NaN'::DOUBLE ELSE (hash(i) % 5000)::DOUBLE / 8 END AS x FROM range(200000) t(i)`);
  const before = (await h.column(id, 'x')) as (number | null)[];
  await h.ok(id, 'discretize', { columnIndex: 0, cutMode: 'quantiling', numberOfBins: 10 });
  const valid = before.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const qs = evenQuantiles(10);
  const edges = quantileEdges(valid.length, qs, (i) => valid[i]);
  const labels = intervalLabels(edges, true);
  const expected = before.map((v) => {
    if (v === null) return null;
    const bin = edges.findIndex((e) => v <= e);
    return labels[Math.max(0, bin - 1)];
  });
  sameSequence(await h.column(id, 'x'), expected);
});

test('discretize: MAX_BINS bins, each value labelled by its interval (the SQL grows linearly with the bins)', async () => {
  // 0…19,999 in 10,000 bins: cut's edges are linspace(0, 19999, 10001), the first lowered
  // by 0.1% of the range; value v lies in interval ceil(v / 1.9999) (1-based), 0 in the first.
  const values = Array.from({ length: 20_000 }, (_, i) => i);
  const labels = await binned(`x\n${values.join('\n')}\n`, 'discretization', 10_000);
  const edges = Array.from({ length: 10_001 }, (_, i) => (i === 10_000 ? 19_999 : i * (19_999 / 10_000)));
  edges[0] -= 19_999 * 0.001;
  const expected = intervalLabels(edges, false);
  const interval = (v: number) => edges.findIndex((e) => v <= e);
  sameSequence(labels, values.map((v) => expected[Math.max(0, interval(v) - 1)]));
  assert.equal(new Set(labels).size, 10_000);
});

test('discretize: the binary search of intervals gives what one CASE branch per edge gave, on edges, their neighbours, ±inf, NaN, NULL', async () => {
  // The first formulation, kept as the reference: branches in edge order, the first edge
  // included (qcut) or not (cut), NaN and NULL missing.
  const linear = (value: string, missing: string, bins: number[], includeLowest: boolean): string => {
    const cases = [`WHEN ${value} <= ${doubleLiteral(bins[0])} THEN ${includeLowest ? `CASE WHEN ${value} = ${doubleLiteral(bins[0])} THEN 1 END` : 'NULL'}`];
    for (let i = 1; i < bins.length; i++) cases.push(`WHEN ${value} <= ${doubleLiteral(bins[i])} THEN ${i}`);
    return `CASE WHEN ${missing} THEN NULL ${cases.join(' ')} ELSE NULL END`;
  };
  const edgeSets: number[][] = [
    [0, 1],
    [-1, 0, 1],
    [-Infinity, 0, Infinity],
    [-Infinity, -1e300, 5e-324, 1e300],
    [0.1, 0.2, 0.30000000000000004, 0.5, 0.7, 1.1],
    Array.from({ length: 11 }, (_, i) => i * 99.99),
    Array.from({ length: 1001 }, (_, i) => -500 + i * 1.0000001),
    Array.from({ length: 10_001 }, (_, i) => i * i),
  ];
  await h.rt.duck.withConnection(async (db) => {
    for (const bins of edgeSets) {
      // Every edge, its two neighbouring doubles, values between and outside, ±inf, ±0, NaN, NULL.
      const edges = `[${bins.map(doubleLiteral).join(', ')}]`;
      await db.run(`CREATE OR REPLACE TEMP TABLE t AS
        SELECT unnest([e, nextafter(e, 'inf'::DOUBLE), nextafter(e, '-inf'::DOUBLE), e + 0.5, e - 0.5, e * 1.5]) AS v FROM (SELECT unnest(${edges}) AS e)
        UNION ALL SELECT unnest(['inf'::DOUBLE, '-inf'::DOUBLE, 'nan'::DOUBLE, 0.0, '-0.0'::DOUBLE, NULL, 1e308, -1e308])
        UNION ALL SELECT ${doubleLiteral(bins[0])} + (${doubleLiteral(bins[bins.length - 1])} - ${doubleLiteral(bins[0])}) * (hash(i) % 100000) / 99999.0 FROM range(20000) r(i)`);
      for (const includeLowest of [false, true]) {
        const missing = '(v IS NULL OR isnan(v))';
        const differ = await db.rows(`SELECT v, a, b FROM (SELECT v, ${linear('v', missing, bins, includeLowest)} AS a, ${intervalOf('v', missing, bins, includeLowest)} AS b FROM t) WHERE a IS DISTINCT FROM b LIMIT 5`);
        assert.deepEqual(differ, [], `${bins.length} edges from ${bins[0]}, include lowest ${includeLowest}`);
      }
      const counted = await db.one(`SELECT count(*) AS n, count(DISTINCT ${intervalOf('v', 'v IS NULL', bins, true)}) AS k FROM t`);
      assert.ok(Number(counted.n) > 20_000 && Number(counted.k) >= Math.min(2, bins.length - 1), `${counted.k} intervals met`);
    }
  });
});

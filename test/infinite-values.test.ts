import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from './helpers/engine.ts';

// A float column holding inf (pandas reads "inf" as a float): analyze and the outliers
// filter answered `operation failed: STDDEV_SAMP is out of range!` (fresh-user trial).
// pandas: describe()'s std is NaN there, and no row is an outlier of a NaN deviation.

const h = await engineHarness();

test('analyze and the outliers filter of a column holding inf answer', async () => {
  const id = await h.load('x,y\n1,1\ninf,2\n3,3\n4,4\n');
  const a = await h.ok(id, 'analyze', { column: 'x' });
  const stats = a.analysis ?? a.data ?? a;
  const text = JSON.stringify(stats);
  assert.ok(!/out of range/i.test(text), text);
  const m = await h.ok(id, 'metadata', { filterType: 'outliers', filterColumnIndices: [0] });
  assert.equal(m.dataSize.rows, 0);
  // Finite values whose squares overflow: a real deviation, so the usual outliers.
  const big = await h.load('x\n1e308\n-1e308\n0\n0\n0\n0\n0\n0\n0\n0\n');
  await h.ok(big, 'analyze', { column: 'x' });
  const o = await h.ok(big, 'metadata', { filterType: 'outliers', filterColumnIndices: [0], outliersStdDev: 1 });
  assert.equal(o.dataSize.rows, 2);
});

test.after(() => h.close());

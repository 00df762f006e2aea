import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { Duck } from './duck.ts';
import type { Db } from './duck.ts';
import { orderStatistics } from './order-statistics.ts';

// orderStatistics must give exactly what a sort gives, whatever the values: ties, negative
// values, infinities, one value, values crowded into a sliver of their range (several
// rounds of histograms), a wrong range hint, NULLs left out.

let duck: Duck;
let db: Db;
before(async () => {
  duck = await Duck.open({ threads: 2, memoryLimit: '512MB', tempDirectory: os.tmpdir() });
  db = await duck.connect();
});
after(() => {
  db.close();
  duck.close();
});

/** Every rank asked of `select` (a SELECT of a DOUBLE column v) against the sorted values. */
async function check(label: string, select: string, pick: (n: number) => number[], hint?: { lo: number; hi: number }): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE t AS ${select}`);
  const sorted = (await db.rows('SELECT v FROM t WHERE v IS NOT NULL ORDER BY v')).map((r) => Number(r.v));
  const { n, at } = await orderStatistics(db, '(SELECT v FROM t)', pick, hint);
  assert.equal(n, sorted.length, label);
  // (=== rather than Object.is: -0.0 and 0.0 are equal values, and sorts keep either first.)
  for (const k of pick(n)) assert.ok(at.get(k) === sorted[k], `${label}: rank ${k} of ${n} is ${at.get(k)}, a sort gives ${sorted[k]}`);
}

const spread = (n: number) => [0, 1, Math.floor(n / 10), Math.floor(n / 2), Math.floor(n / 2) + 1, n - 2, n - 1].filter((k) => k >= 0 && k < n);

test('orderStatistics: the values a sort puts at the ranks, on spread, tied and skewed columns', async () => {
  await check('uniform', 'SELECT (hash(i) % 1000000) / 100.0 AS v FROM range(300000) t(i)', spread);
  await check('ties', 'SELECT (hash(i) % 7)::DOUBLE AS v FROM range(100000) t(i)', spread);
  await check('negative and NULL', 'SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE -1e6 + (hash(i) % 2000000)::DOUBLE END AS v FROM range(200000) t(i)', spread);
  // 99% of the values within 1e-9 of each other, the rest far off: the crowded bucket is split again.
  await check('crowded', 'SELECT CASE WHEN i % 100 = 0 THEN (hash(i) % 1000)::DOUBLE * 1e6 ELSE 1 + (hash(i) % 1000000) * 1e-15 END AS v FROM range(400000) t(i)', spread);
  await check('infinities', "SELECT CASE WHEN i % 10 = 0 THEN '-Infinity'::DOUBLE WHEN i % 10 = 1 THEN 'Infinity'::DOUBLE ELSE (hash(i) % 1000)::DOUBLE END AS v FROM range(50000) t(i)", spread);
  await check('only infinities', "SELECT CASE WHEN i % 2 = 0 THEN '-Infinity'::DOUBLE ELSE 'Infinity'::DOUBLE END AS v FROM range(11) t(i)", spread);
  await check('one value', 'SELECT 2.5::DOUBLE AS v', () => [0]);
  await check('every rank of a few', 'SELECT (hash(i) % 13)::DOUBLE - 6 AS v FROM range(40) t(i)', (n) => [...Array(n).keys()]);
  await check('zeros of both signs', "SELECT CASE WHEN i % 3 = 0 THEN '-0.0'::DOUBLE WHEN i % 3 = 1 THEN 0.0 ELSE 1.0 END AS v FROM range(30) t(i)", spread);
});

test('orderStatistics: a range hint narrower or wider than the values changes nothing', async () => {
  const select = 'SELECT (hash(i) % 100000)::DOUBLE / 7 AS v FROM range(200000) t(i)';
  await check('narrow hint', select, spread, { lo: 5000, hi: 5001 });
  await check('wide hint', select, spread, { lo: -1e300, hi: 1e300 });
});

test('orderStatistics: no values, and ranks outside them', async () => {
  await db.run('CREATE OR REPLACE TEMP TABLE t AS SELECT NULL::DOUBLE AS v FROM range(3)');
  assert.deepEqual(await orderStatistics(db, '(SELECT v FROM t)', () => []), { n: 0, at: new Map() });
  await assert.rejects(orderStatistics(db, '(SELECT v FROM t)', () => [0]), /asked of 0 values/);
});

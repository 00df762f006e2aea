import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { Duck } from './duck.ts';
import type { Db } from './duck.ts';
import { sampleStd, withSampleStd } from './moments.ts';

// pandas' Series.std (ddof 1) where DuckDB's stddev_samp throws "out of range": NaN with an
// infinite or NaN value, the true deviation of finite values whose squares overflow.

let duck: Duck;
let db: Db;
before(async () => {
  duck = await Duck.open({ threads: 1, memoryLimit: '256MB', tempDirectory: os.tmpdir() });
  db = await duck.connect();
});
after(() => {
  db.close();
  duck.close();
});

const from = (values: string[]) => `(SELECT x FROM (VALUES ${values.map((v) => `(${v}::DOUBLE)`).join(', ')}) t(x))`;

test('an infinite or NaN value makes the deviation NaN, and the other aggregates are kept', async () => {
  for (const bad of ["'inf'", "'-inf'", "'nan'"]) {
    const src = from(['1', bad, '3']);
    assert.ok(Number.isNaN(await sampleStd(db, 'x', src)), bad);
    const row = await withSampleStd(db, `SELECT count(x) AS n, stddev_samp(x) AS sd, min(x) AS lo FROM ${src}`, 'sd', 'x', src);
    assert.equal(Number(row.n), 3, bad);
    assert.equal(row.lo, bad === "'-inf'" ? -Infinity : 1, bad);
    assert.ok(Number.isNaN(row.sd as number), bad);
  }
});

test('finite values whose squares overflow get their true deviation', async () => {
  const src = from(['1e308', '-1e308']);
  const row = await withSampleStd(db, `SELECT stddev_samp(x) AS sd FROM ${src}`, 'sd', 'x', src);
  // std of ±a (ddof 1) is a·√2 = 1.414e308, a finite double.
  assert.ok(Math.abs((row.sd as number) / (Math.SQRT2 * 1e308) - 1) < 1e-12, String(row.sd));
});

test('ordinary values keep DuckDB answer; fewer than two values give none', async () => {
  const src = from(['1', '2', '4', '8']);
  const row = await withSampleStd(db, `SELECT stddev_samp(x) AS sd FROM ${src}`, 'sd', 'x', src);
  assert.equal(row.sd, await db.scalar(`SELECT stddev_samp(x) FROM ${src}`));
  assert.ok(Math.abs((await sampleStd(db, 'x', src))! - (row.sd as number)) < 1e-12);
  assert.equal(await sampleStd(db, 'x', from(['5'])), null);
  assert.equal(await sampleStd(db, 'x', from(['0', '0', '0'])), 0);
});

import type { Db, Row } from './duck.ts';

/** DuckDB's error when a standard deviation (or its square) is not a finite DOUBLE. */
const OUT_OF_RANGE = /^Out of Range Error: STDDEV_SAMP/;

/**
 * `SELECT stddev_samp(x) …` as pandas' Series.std (ddof 1) answers it, where DuckDB throws
 * "STDDEV_SAMP is out of range" instead: NaN when a value is ±inf or NaN (inf − inf in the
 * deviations), and for finite values whose squares overflow (±1e308) the deviation computed
 * on values scaled by the largest magnitude, then scaled back (finite when it fits a DOUBLE).
 *
 * `sql`: a query computing `stddev_samp(<x>)` among other aggregates; `x`: the SQL of the
 * values (DOUBLE), `from`: the FROM clause they are read from, for the fallback only.
 * Returns `sql`'s one row with `std` (the column holding the deviation) as a JS number when
 * it had to be recomputed. Other errors are rethrown.
 */
export async function withSampleStd(db: Db, sql: string, std: string, x: string, from: string): Promise<Row> {
  try {
    return await db.one(sql);
  } catch (err) {
    if (!OUT_OF_RANGE.test(err instanceof Error ? err.message : '')) throw err;
  }
  const row = await db.one(sql.replace(/stddev_samp\(/g, 'count('));
  return { ...row, [std]: await sampleStd(db, x, from) };
}

/** Sample standard deviation (ddof 1) of `x` over `from` that never throws (see withSampleStd); null for fewer than two values. */
export async function sampleStd(db: Db, x: string, from: string): Promise<number | null> {
  const r = await db.one(`SELECT count(v) AS n, coalesce(bool_and(isfinite(v)), true) AS finite, max(abs(v)) FILTER (WHERE isfinite(v)) AS m FROM (SELECT (${x})::DOUBLE AS v FROM ${from})`);
  if (Number(r.n) < 2) return null;
  if (r.finite !== true) return NaN;
  const m = Number(r.m);
  if (m === 0) return 0;
  const scaled = await db.scalar(`SELECT stddev_samp(v / ${m}) FROM (SELECT (${x})::DOUBLE AS v FROM ${from})`);
  return Number(scaled) * m;
}

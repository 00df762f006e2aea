import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { Duck, type Db } from '../../engine/duck.ts';
import { textOf } from './convert.ts';

// textOf builds the text of numbers and time stamps in cheaper ways than the plain cast or
// strftime it was first written with; the text must stay the very same. Each check here
// compares textOf with that first formulation, kept below as the reference, value by value
// on tricky data: every magnitude and sign of double, the edges of Python's fixed notation,
// NaN, ±inf, ±0, NULL.

let duck: Duck;
let db: Db;
before(async () => {
  duck = await Duck.open({ threads: 2, memoryLimit: '1GB', tempDirectory: os.tmpdir() });
  db = await duck.connect();
});
after(() => {
  db.close();
  duck.close();
});

/** The values of `t.x` whose text by `expr` differs from `reference`, up to 10, with the count checked. */
async function differences(expr: string, reference: string): Promise<{ checked: number; differ: unknown[] }> {
  const row = await db.one(`SELECT count(*) AS n FROM t`);
  const differ = await db.rows(`SELECT CAST(x AS VARCHAR) AS x, a, b FROM (SELECT x, ${reference} AS a, ${expr} AS b FROM t) WHERE a IS DISTINCT FROM b LIMIT 10`);
  return { checked: Number(row.n), differ };
}

// Doubles of every kind: random bit patterns over 2^-60…2^60 (mantissas from a hash, so
// every digit count occurs), decimals rounded to 0…17 places, short decimals, powers of ten
// and their neighbours, and the special values.
const DOUBLES = `
  SELECT ((1 + (hash(i) >> 12)::DOUBLE / 4503599627370496.0) * pow(2, (hash(i * 7 + 1) % 120)::INT - 60)) * (CASE WHEN hash(i * 3) % 2 = 0 THEN 1 ELSE -1 END) AS x FROM range(400000) r(i)
  UNION ALL SELECT round((hash(i) % 100000000000)::DOUBLE / pow(10, (hash(i * 5) % 22)::INT), (hash(i * 11) % 18)::INT) FROM range(400000) r(i)
  UNION ALL SELECT (hash(i) % 1000000)::DOUBLE / pow(10, (hash(i * 5) % 10)::INT) FROM range(200000) r(i)
  UNION ALL SELECT pow(10, e) * m FROM range(-30, 30) a(e), (SELECT unnest([1, 0.9999999999999999, 1.0000000000000002, 9.999999999999998, 5, 2.5, 1.5, -1]) AS m)
  UNION ALL SELECT unnest([1e-4, 9.999999999999999e-5, 1.0000000000000001e-4, -1e-4, 1e16, 9999999999999998.0, 1.0000000000000002e16, -1e16,
    0.0, '-0.0'::DOUBLE, 'nan'::DOUBLE, -'nan'::DOUBLE, 'inf'::DOUBLE, '-inf'::DOUBLE, NULL, 2.2250738585072014e-308, 5e-324, 1.7976931348623157e308,
    123456789012345678, 0.1 + 0.2, 1 / 3, 2 / 3, 100, 1e15, 999999999999999.9, 9007199254740993, 846.4, 3.0, 2.5, 1e-5])`;

test('textOf(float): the text of the plain cast, NaN missing, on every kind of double', async () => {
  await db.run(`CREATE OR REPLACE TEMP TABLE t AS ${DOUBLES}`);
  // The first formulation: DuckDB's cast (Python's repr), NaN made NULL first.
  const reference = `CAST((CASE WHEN isnan(CAST(x AS DOUBLE)) THEN NULL ELSE CAST(x AS DOUBLE) END) AS VARCHAR)`;
  const { checked, differ } = await differences(textOf('x', 'DOUBLE'), reference);
  assert.ok(checked > 1_000_000, `${checked} values checked`);
  assert.deepEqual(differ, []);
  // FLOAT columns are widened to DOUBLE first, as before.
  await db.run(`CREATE OR REPLACE TEMP TABLE t AS SELECT TRY_CAST(x AS FLOAT) AS x FROM (${DOUBLES})`);
  assert.deepEqual((await differences(textOf('x', 'FLOAT'), reference)).differ, []);
});

test('textOf(float): the texts pandas prints', async () => {
  const texts = await db.rows(`SELECT ${textOf('x', 'DOUBLE')} AS s FROM (SELECT unnest([2.5, 3.0, 1e-05, 0.0001, 1e16, 1e15, '-0.0'::DOUBLE, 'nan'::DOUBLE, 'inf'::DOUBLE, '-inf'::DOUBLE, 0.30000000000000004]) AS x)`);
  assert.deepEqual(texts.map((r) => r.s), ['2.5', '3.0', '1e-05', '0.0001', '1e+16', '1000000000000000.0', '-0.0', null, 'inf', '-inf', '0.30000000000000004']);
});

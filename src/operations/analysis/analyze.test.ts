import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { Duck } from '../../engine/duck.ts';
import { Dataset } from '../../engine/dataset.ts';
import { ident, literal } from '../../engine/sql.ts';
import { analyze, MODE_LIMIT } from './analyze.ts';
import type { OperationContext } from '../types.ts';
import type { Manifest } from '../../store/manifest.ts';

let h: EngineHarness;
let duck: Duck;
let tmp: string;

before(async () => {
  h = await engineHarness();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-analyze-'));
  duck = await Duck.open({ threads: 1, memoryLimit: '256MB', tempDirectory: tmp });
});
after(async () => {
  duck.close();
  await h.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

/**
 * Run analyze over a hand-made dataset (a SELECT written to a Parquet file, as the engine's
 * column files), for values an import cannot produce (NaN, empty strings, DATE columns).
 */
let files = 0;
async function analyzeSql(select: string, column = 'x'): Promise<Record<string, any>> {
  return duck.withConnection(async (db) => {
    const described = await db.describe(`(${select})`);
    const file = `analyze-${++files}.parquet`;
    const fields = described.map((c, i) => `${ident(c.name)} AS c${i}`).join(', ');
    const rows = Number(await db.scalar(`COPY (SELECT ${fields} FROM (${select})) TO ${literal(path.join(tmp, file))} (FORMAT parquet)`));
    const stored = await db.describe(`SELECT * FROM read_parquet(${literal(path.join(tmp, file))})`);
    const manifest = { rows, columns: described.map((c, i) => ({ name: c.name, type: stored[i].type, file, field: `c${i}` })) } as unknown as Manifest;
    const dataset = new Dataset(manifest, tmp);
    for (const statement of dataset.viewStatements()) await db.run(statement);
    const ctx = { db, dataset } as unknown as OperationContext;
    const result = await analyze.run(ctx, { column });
    return result.data as Record<string, any>;
  });
}

const close = (actual: unknown, expected: number, tol = 1e-12): void => {
  assert.equal(typeof actual, 'number', `${actual} is not a number`);
  assert.ok(Math.abs((actual as number) - expected) <= tol, `${actual} ≉ ${expected}`);
};

test('integer column: describe() figures, frequencies most frequent first, ties by value', async () => {
  const id = await h.load('n\n5\n2\n1\n2\n');
  const res = await h.ok(id, 'analyze', { column: 'n' });
  // Mean 10/4; squared deviations 6.25+0.25+2.25+0.25 = 9, 9/3 = 3; quartiles at positions
  // 0.75, 1.5, 2.25 of [1,2,2,5]: 1.75, 2, 2.75.
  assert.deepEqual(res.data, {
    invalid: 0,
    unique_count: 3,
    frequencies: [
      [2, 2],
      [1, 1],
      [5, 1],
    ],
    mode: [2],
    mode_frequency: 2,
    mean: 2.5,
    std: Math.sqrt(3),
    min: 1,
    '25%': 1.75,
    '50%': 2,
    '75%': 2.75,
    max: 5,
    range: 4,
  });
});

test('float column: NaN and NULL are missing; several modes are all listed, sorted', async () => {
  const d = await analyzeSql(`SELECT * FROM (VALUES (3.0::DOUBLE), ('NaN'::DOUBLE), (NULL), (1.0), (3.0), (1.0), (0.5)) t(x)`);
  // Valid: 3, 1, 3, 1, 0.5 → mean 8.5/5 = 1.7; deviations 1.3, -0.7, 1.3, -0.7, -1.2:
  // squares 1.69+0.49+1.69+0.49+1.44 = 5.8, /4 = 1.45.
  assert.equal(d.invalid, 2);
  assert.equal(d.unique_count, 3);
  assert.deepEqual(d.frequencies, [
    [1, 2],
    [3, 2],
    [0.5, 1],
  ]);
  assert.deepEqual(d.mode, [1, 3]);
  assert.equal(d.mode_frequency, 2);
  close(d.mean, 1.7);
  close(d.std, Math.sqrt(1.45));
  // Sorted [0.5, 1, 1, 3, 3]: positions 1, 2, 3.
  assert.deepEqual([d.min, d['25%'], d['50%'], d['75%'], d.max, d.range], [0.5, 1, 1, 3, 3, 2.5]);
});

test('quartiles interpolate linearly between values (pandas / quantile_cont)', async () => {
  const d = await analyzeSql(`SELECT * FROM (VALUES (10), (20), (30), (40), (50), (60)) t(x)`);
  // Positions 1.25, 2.5, 3.75 of 6 values.
  assert.deepEqual([d['25%'], d['50%'], d['75%']], [22.5, 35, 47.5]);
  // Deviations ±25, ±15, ±5: 2·(625 + 225 + 25) = 1750, /5 = 350.
  close(d.std, Math.sqrt(350));
});

test('single value, all missing and empty columns give null, never NaN', async () => {
  const one = await analyzeSql(`SELECT 7 AS x`);
  assert.deepEqual(one, { invalid: 0, unique_count: 1, frequencies: [[7, 1]], mode: [7], mode_frequency: 1, mean: 7, std: null, min: 7, '25%': 7, '50%': 7, '75%': 7, max: 7, range: 0 });
  const missing = await analyzeSql(`SELECT * FROM (VALUES (NULL::DOUBLE), ('NaN'::DOUBLE)) t(x)`);
  assert.deepEqual(missing, { invalid: 2, unique_count: 0, frequencies: [], mode: [], mode_frequency: null, mean: null, std: null, min: null, '25%': null, '50%': null, '75%': null, max: null, range: null });
  const empty = await analyzeSql(`SELECT 1::BIGINT AS x WHERE false`);
  assert.deepEqual(empty, { ...missing, invalid: 0 });
  const emptyText = await analyzeSql(`SELECT 'a' AS x WHERE false`);
  assert.deepEqual(emptyText, {
    invalid: 0,
    unique_count: 0,
    frequencies: [],
    mode: [],
    mode_frequency: null,
    word_count_min: null,
    word_count_max: null,
    word_count_average: null,
    word_length_min: null,
    word_length_max: null,
    word_length_average: null,
    word_total: 0,
    word_unique_count: 0,
    word_mode: [],
    word_mode_frequency: null,
    word_frequencies: [],
  });
});

test('text column: word statistics split like str.split(), weighted by occurrences', async () => {
  const d = await analyzeSql(`SELECT * FROM (VALUES ('hello world'), ('  a  b c '), ('hello'), ('hello'), (''), (E'\\tx\\ny  '), (NULL)) t(x)`);
  // Words per value: 2, 3, 1, 1, 0, 2 → min 0, max 3, average 9/6.
  // Words: hello world a b c hello hello x y → 9, 7 distinct; characters 25 → 25/9.
  assert.deepEqual(d, {
    invalid: 1,
    unique_count: 5,
    // Ties in byte order: '' < '\t…' < '  a…' < 'hello world'.
    frequencies: [
      ['hello', 2],
      ['', 1],
      ['\tx\ny  ', 1],
      ['  a  b c ', 1],
      ['hello world', 1],
    ],
    mode: ['hello'],
    mode_frequency: 2,
    word_count_min: 0,
    word_count_max: 3,
    word_count_average: 1.5,
    word_length_min: 1,
    word_length_max: 5,
    word_length_average: 25 / 9,
    word_total: 9,
    word_unique_count: 7,
    word_mode: ['hello'],
    word_mode_frequency: 3,
    word_frequencies: [
      ['hello', 3],
      ['a', 1],
      ['b', 1],
      ['c', 1],
      ['world', 1],
      ['x', 1],
      ['y', 1],
    ],
  });
});

test('text column: Unicode spaces separate words, characters are code points', async () => {
  const d = await analyzeSql(`SELECT * FROM (VALUES ('naïve\u00a0café'), ('日本\u3000語'), ('a\u2003b\u000bc'), ('zero\u200bwidth')) t(x)`);
  // naïve café | 日本 語 | a b c | zero\u200bwidth (U+200B is not whitespace in Python)
  assert.equal(d.word_total, 8);
  assert.equal(d.word_length_max, 10);
  assert.equal(d.word_length_min, 1);
  assert.deepEqual([d.word_count_min, d.word_count_max, d.word_count_average], [1, 3, 2]);
  close(d.word_length_average, (5 + 4 + 2 + 1 + 1 + 1 + 1 + 10) / 8);
});

test('frequencies stop at 50, the mode lists every tie (up to the limit)', async () => {
  const d = await analyzeSql(`SELECT (range % 60)::BIGINT AS x FROM range(120)`);
  assert.equal(d.unique_count, 60);
  assert.equal(d.frequencies.length, 50);
  assert.deepEqual(d.frequencies[0], [0, 2]);
  assert.deepEqual(d.frequencies[49], [49, 2]);
  assert.equal(d.mode.length, 60);
  assert.equal(d.mode_frequency, 2);
  const many = await analyzeSql(`SELECT range::BIGINT AS x FROM range(${MODE_LIMIT + 5})`);
  assert.equal(many.mode.length, MODE_LIMIT);
  assert.equal(many.unique_count, MODE_LIMIT + 5);
});

test('datetime column: min, max, median and frequencies as ISO strings', async () => {
  const id = await h.load('d\n2020-01-03\n2020-01-01\n\n2020-01-03 06:30:00\n2020-01-03\n');
  const res = await h.ok(id, 'analyze', { column: 'd' });
  assert.deepEqual(res.data, {
    invalid: 1,
    unique_count: 3,
    frequencies: [
      ['2020-01-03T00:00:00.000', 2],
      ['2020-01-01T00:00:00.000', 1],
      ['2020-01-03T06:30:00.000', 1],
    ],
    mode: ['2020-01-03T00:00:00.000'],
    mode_frequency: 2,
    min: '2020-01-01T00:00:00.000',
    max: '2020-01-03T06:30:00.000',
    median: '2020-01-03T00:00:00.000',
  });
  // An even count interpolates halfway, like pandas; DATE columns behave as timestamps.
  const d = await analyzeSql(`SELECT * FROM (VALUES ('2021-05-01'::DATE), ('2021-05-02'::DATE)) t(x)`);
  assert.equal(d.median, '2021-05-01T12:00:00.000');
  assert.deepEqual(d.mode, ['2021-05-01T00:00:00.000', '2021-05-02T00:00:00.000']);
});

test('bool column: the common figures only', async () => {
  const id = await h.load('b\ntrue\nfalse\ntrue\n\n');
  const res = await h.ok(id, 'analyze', { column: 'b' });
  assert.deepEqual(res.data, {
    invalid: 1,
    unique_count: 2,
    frequencies: [
      [true, 2],
      [false, 1],
    ],
    mode: [true],
    mode_frequency: 2,
  });
});

test('unknown or missing column is a clear error', async () => {
  const id = await h.load('a,b\n1,2\n');
  const res = await h.run(id, 'analyze', { column: 'nope' });
  assert.equal(res.success, false);
  assert.equal(res.error, 'unknown column');
  assert.match(res.errorDescription, /"nope" is not a column/);
  const none = await h.run(id, 'analyze', {});
  assert.equal(none.success, false);
  assert.equal(none.error, 'invalid parameters');
  assert.match(none.errorDescription, /column/);
});

test('distinct integers (an id column): counts of 1, the smallest values first; quartiles of a dense range', async () => {
  const d = await analyzeSql(`SELECT (range + 10)::BIGINT AS x FROM range(1001)`);
  assert.equal(d.unique_count, 1001);
  assert.equal(d.mode_frequency, 1);
  assert.deepEqual(d.frequencies.slice(0, 3), [
    [10, 1],
    [11, 1],
    [12, 1],
  ]);
  assert.equal(d.frequencies.length, 50);
  assert.deepEqual([d.mode.length, d.mode[0], d.mode[999]], [1000, 10, 1009]);
  // 10…1010: positions 250, 500, 750.
  assert.deepEqual([d.min, d['25%'], d['50%'], d['75%'], d.max, d.range, d.mean], [10, 260, 510, 760, 1010, 1000, 510]);
  // Sample variance of n consecutive integers: n(n+1)/12.
  close(d.std, Math.sqrt((1001 * 1002) / 12), 1e-9);
  // Distinct but with gaps, in no order: −5, −2, 1, … 16 at positions 1.75, 3.5, 5.25.
  const sparse = await analyzeSql(`SELECT x::INTEGER AS x FROM (VALUES (16), (-5), (7), (1), (13), (-2), (10), (4)) t(x)`);
  assert.deepEqual([sparse['25%'], sparse['50%'], sparse['75%']], [0.25, 5.5, 10.75]);
  assert.deepEqual(sparse.frequencies.slice(0, 2), [
    [-5, 1],
    [-2, 1],
  ]);
  assert.deepEqual([sparse.unique_count, sparse.mode.length, sparse.mode_frequency], [8, 8, 1]);
});

test('quartiles and median of much repeated values (read from the value counts) interpolate like quantile_cont', async () => {
  // 0 ×5, 2.5 ×5, 5 ×4: positions 3.25, 6.5, 9.75 of 14.
  const d = await analyzeSql(`SELECT ((range % 3) * 2.5)::DOUBLE AS x FROM range(14)`);
  assert.deepEqual([d['25%'], d['50%'], d['75%']], [0, 2.5, 4.375]);
  assert.deepEqual(d.frequencies, [
    [0, 5],
    [2.5, 5],
    [5, 4],
  ]);
  const t = await analyzeSql(`SELECT TIMESTAMP '2020-01-01' + INTERVAL (range % 2) DAY AS x FROM range(8)`);
  assert.deepEqual([t.min, t.median, t.max], ['2020-01-01T00:00:00.000', '2020-01-01T12:00:00.000', '2020-01-02T00:00:00.000']);
});

test('distinct values of other types: doubles, timestamps, text', async () => {
  // −2.5 … 1e6 sorted: positions 1.5, 3, 4.5 of 7 valid values (NaN and NULL are missing).
  const d = await analyzeSql(`SELECT * FROM (VALUES (3.5::DOUBLE), (-2.5), ('NaN'), (1e6), (0.25), (NULL), (7), (-1), (2)) t(x)`);
  assert.deepEqual([d.invalid, d.unique_count, d.mode_frequency, d.mode], [2, 7, 1, [-2.5, -1, 0.25, 2, 3.5, 7, 1e6]]);
  assert.deepEqual(d.frequencies.slice(0, 2), [
    [-2.5, 1],
    [-1, 1],
  ]);
  assert.deepEqual([d.min, d['25%'], d['50%'], d['75%'], d.max], [-2.5, -0.375, 2, 5.25, 1e6]);
  const t = await analyzeSql(`SELECT * FROM (VALUES (TIMESTAMP '2021-01-03 00:00:01'), (TIMESTAMP '2021-01-01'), (TIMESTAMP '2021-01-02'), (TIMESTAMP '2021-01-04')) t(x)`);
  assert.deepEqual([t.unique_count, t.min, t.median, t.max], [4, '2021-01-01T00:00:00.000', '2021-01-02T12:00:00.500', '2021-01-04T00:00:00.000']);
  const s = await analyzeSql(`SELECT * FROM (VALUES ('b a'), ('a'), ('c c c')) t(x)`);
  assert.deepEqual([s.unique_count, s.frequencies, s.word_total, s.word_unique_count, s.word_frequencies, s.word_count_average], [
    3,
    [
      ['a', 1],
      ['b a', 1],
      ['c c c', 1],
    ],
    6,
    3,
    [
      ['c', 3],
      ['a', 2],
      ['b', 1],
    ],
    2,
  ]);
});

test('distinct in the first rows, repeated further on: counted exactly', async () => {
  // 0…199999 / 4, then 0…99 again: the first 122880 rows are all distinct.
  const d = await analyzeSql(`SELECT (CASE WHEN range < 200000 THEN range ELSE range - 200000 END) / 4 AS x FROM range(200100)`);
  assert.equal(d.unique_count, 200000);
  assert.equal(d.mode_frequency, 2);
  assert.deepEqual(d.frequencies.slice(0, 2), [
    [0, 2],
    [0.25, 2],
  ]);
  assert.deepEqual([d.mode.length, d.mode[99], d.frequencies.length, d.frequencies[49]], [100, 24.75, 50, [12.25, 2]]);
  // 200100 values: positions 50024.75, 100049.5, 150074.25; sorted, value i is (i − 100) / 4
  // past the 200 doubled ones.
  assert.deepEqual([d['25%'], d['50%'], d['75%']], [12481.1875, 24987.375, 37493.5625]);
});

test('analyze of nearly distinct values: the sort that finds the repeats answers as the counts table does', async () => {
  // The same 200,000 values twice, about 2,000 of them repeated: spread thinly (the first
  // rows look distinct, so the sort counts them), then with the repeated values first (the
  // first rows repeat, so the counts table does). Every statistic must agree: repeats
  // counted, top list, modes, extremes, quartiles.
  const kinds = [
    { name: 'time stamps', v: `TIMESTAMP '2015-01-01' + to_seconds((hash(i) % 10000000)::BIGINT)` },
    { name: 'doubles', v: `(hash(i) % 10000000)::DOUBLE / 8` },
  ];
  for (const kind of kinds) {
    const values = `SELECT i, ${kind.v} AS x FROM range(200000) t(i)`;
    const spread = await analyzeSql(`SELECT x FROM (${values}) ORDER BY i`);
    const clustered = await analyzeSql(`SELECT x FROM (${values}) ORDER BY count(*) OVER (PARTITION BY x) DESC, x, i`);
    assert.ok(spread.mode_frequency >= 2, kind.name);
    assert.deepEqual(withoutSums(spread), withoutSums(clustered), kind.name);
  }
});

test('analyze of nearly distinct time stamps: sorted as whole seconds or as time stamps, the figures the counts table gives', async () => {
  // Whole seconds within 136 years are sorted as 4-byte seconds since the least of them; the
  // others as time stamps. Each layout is compared with the counts table (clustered, as above):
  // before 1970, leap days, a DATE column, the span right at and past the 2^32 s limit, a
  // fraction of a second, infinity, NULLs.
  const spreadOf = (base: string, span: string) => `${base} + to_seconds((hash(i) % ${span})::BIGINT)`;
  const kinds = [
    { name: 'before and after 1970, leap days', v: `CASE WHEN i % 1000 = 0 THEN TIMESTAMP '2000-02-29 12:00:00' WHEN i % 777 = 0 THEN NULL ELSE ${spreadOf(`TIMESTAMP '1968-02-29 23:59:59'`, '200000000')} END` },
    { name: 'span of 2^32 - 1 s', v: `CASE WHEN i = 5 THEN TIMESTAMP '1900-01-01' + to_seconds(4294967295) WHEN i % 1000 = 1 THEN TIMESTAMP '1900-01-01' ELSE ${spreadOf(`TIMESTAMP '1900-01-01'`, '4294967295')} END` },
    { name: 'span of 2^32 s', v: `CASE WHEN i = 5 THEN TIMESTAMP '1900-01-01' + to_seconds(4294967296) WHEN i % 1000 = 1 THEN TIMESTAMP '1900-01-01' ELSE ${spreadOf(`TIMESTAMP '1900-01-01'`, '4294967295')} END` },
    { name: 'a fraction of a second', v: `CASE WHEN i = 7 THEN TIMESTAMP '2020-01-01 00:00:00.5' ELSE ${spreadOf(`TIMESTAMP '2015-01-01'`, '10000000')} END` },
    { name: 'infinity', v: `CASE WHEN i = 7 THEN 'infinity'::TIMESTAMP WHEN i = 8 THEN '-infinity'::TIMESTAMP ELSE ${spreadOf(`TIMESTAMP '2015-01-01'`, '10000000')} END` },
    { name: 'dates', v: `CAST(${spreadOf(`TIMESTAMP '1500-01-01'`, '100000000000')} AS DATE)` },
  ];
  for (const kind of kinds) {
    const values = `SELECT i, ${kind.v} AS x FROM range(200000) t(i)`;
    const spread = await analyzeSql(`SELECT x FROM (${values}) ORDER BY i`);
    const clustered = await analyzeSql(`SELECT x FROM (${values}) ORDER BY count(*) OVER (PARTITION BY x) DESC, x, i`);
    assert.ok(spread.mode_frequency >= 2, kind.name);
    assert.deepEqual(spread, clustered, kind.name);
  }
});

test('analyze of nearly distinct time stamps keyed from the file statistics: rows deleted at the range edges, fractions, wide spans', async () => {
  // The seconds' range comes from the Parquet statistics, which cover deleted rows too: here
  // the least and greatest values (with fractions of a second, or 2^32 s away) are deleted,
  // so the statistics' bounds are fractional or too wide while the version's values are whole
  // seconds. Each version is compared with the same rows uploaded plainly, in the clustered
  // order that makes analyze use the counts table instead of a sort.
  const spread = `TIMESTAMP '1969-12-31 23:59:59' + to_seconds((hash(i) % 200000000)::BIGINT - 100000000)`;
  const kinds = [
    { name: 'fractional bounds deleted', first: `TIMESTAMP '1960-01-01 00:00:00.25'`, last: `TIMESTAMP '1980-06-01 12:00:00.75'` },
    { name: 'bounds 2^32 s apart deleted', first: `TIMESTAMP '1900-01-01'`, last: `TIMESTAMP '1900-01-01' + to_seconds(4294967296)` },
    { name: 'a fraction kept', first: `TIMESTAMP '1960-01-01 00:00:00.25'`, last: `TIMESTAMP '1965-01-01 00:00:00.5'` },
  ];
  const n = 200000;
  for (const kind of kinds) {
    const values = `SELECT i, CASE WHEN i = 0 THEN ${kind.first} WHEN i = ${n - 1} THEN ${kind.last} WHEN i % 1000 = 3 THEN TIMESTAMP '2000-02-29 12:00:00' WHEN i % 777 = 0 THEN NULL ELSE ${spread} END AS x FROM range(${n}) t(i)`;
    // The last kind deletes its first row only: a fraction stays and the keys must give way.
    const deleted = kind.name === 'a fraction kept' ? [0] : [0, n - 1];
    const id = await h.loadSql(`SELECT x FROM (${values}) ORDER BY i`);
    await h.ok(id, 'deleteRows', { rowIndices: deleted });
    const after = (await h.ok(id, 'analyze', { column: 'x' })).data;
    const kept = `SELECT * FROM (${values}) WHERE i NOT IN (${deleted.join(', ')})`;
    const plain = (await h.ok(await h.loadSql(`SELECT x FROM (${kept}) ORDER BY i`), 'analyze', { column: 'x' })).data;
    const clustered = (await h.ok(await h.loadSql(`SELECT x FROM (${kept}) ORDER BY count(*) OVER (PARTITION BY x) DESC, x, i`), 'analyze', { column: 'x' })).data;
    assert.ok(after.mode_frequency >= 2, kind.name);
    assert.deepEqual(after, clustered, kind.name);
    assert.deepEqual(plain, clustered, kind.name);
  }
});

test('analyze of nearly distinct values: repeated values first in the top list, then the smallest seen once', async () => {
  // 1e9 twelve times, twenty values twice, every other value once.
  const r = await analyzeSql(`SELECT CASE WHEN i % 50000 < 3 THEN 1e9 WHEN i % 5000 = 7 THEN 2e9 + i // 10000 ELSE i * 1.5 END AS x FROM range(200000) t(i)`);
  assert.equal(r.unique_count, 200000 - 12 - 40 + 1 + 20);
  assert.deepEqual(r.frequencies.slice(0, 23), [[1e9, 12], ...Array.from({ length: 20 }, (_, k) => [2e9 + k, 2]), [4.5, 1], [6, 1]]);
  assert.equal(r.frequencies.length, 50);
  assert.deepEqual([r.mode, r.mode_frequency, r.min, r.max], [[1e9], 12, 4.5, 2e9 + 19]);
});

/** Statistics without mean and std, whose parallel sums may differ in the last bit between runs. */
function withoutSums(r: Record<string, any>): Record<string, any> {
  const { mean, std, ...rest } = r;
  return rest;
}

// ── integers beyond 2^53 ────────────────────────────────────────────────────────────────
// Replies carry them exactly (JSON.rawJSON of their digits): these compare the JSON text a
// reply is sent as, which a JSON.parse'd number could not show (it rounds them again).

/** The JSON text of some statistics, as Socket.IO writes them. */
const jsonText = (d: Record<string, any>, keys: string[]): string => JSON.stringify(Object.fromEntries(keys.map((k) => [k, d[k]])));
const BASE = 2n ** 60n + 1n; // 1152921504606846977: Number() makes it ...976

test('int64 beyond 2^53, every integer of a range (bitmap, dense): exact extremes, range, top values and quartiles', async () => {
  const d = await analyzeSql(`SELECT (${BASE} + range)::BIGINT AS x FROM range(1001)`);
  const v = (k: number) => String(BASE + BigInt(k));
  assert.equal(jsonText(d, ['min', 'max', 'range', '25%', '50%', '75%']), `{"min":${v(0)},"max":${v(1000)},"range":1000,"25%":${v(250)},"50%":${v(500)},"75%":${v(750)}}`);
  assert.equal(JSON.stringify(d.frequencies.slice(0, 2)), `[[${v(0)},1],[${v(1)},1]]`);
  assert.equal(JSON.stringify(d.mode.slice(0, 2)), `[${v(0)},${v(1)}]`);
  // Floats beyond 2^53 as Python's json writes them, not as integer-looking text.
  assert.equal(jsonText(d, ['mean']), '{"mean":1.1529215046068475e+18}');
});

test('int64 beyond 2^53, distinct but not dense: quartiles between two values interpolated exactly', async () => {
  // Six values 3 apart: positions 1.25, 2.5 and 3.75 lie between values.
  const d = await analyzeSql(`SELECT (${BASE} + 3 * range)::BIGINT AS x FROM range(6)`);
  const at = (x: string) => `${BASE / 100n}${x}`; // BASE ends in 77: BASE + 3.75 ends in 80.75
  assert.equal(jsonText(d, ['25%', '50%', '75%', 'range']), `{"25%":${at('80.75')},"50%":${at('84.5')},"75%":${at('88.25')},"range":15}`);
});

test('int64 beyond 2^53, much repeated (quartiles from the value counts) and mostly distinct (quantile_disc): exact', async () => {
  const counted = await analyzeSql(`SELECT (${BASE} + range % 3)::BIGINT AS x FROM range(12)`);
  const v = (k: number) => String(BASE + BigInt(k));
  // Sorted: four of each; positions 2.75, 5.5, 8.25.
  assert.equal(jsonText(counted, ['min', 'max', '25%', '50%', '75%', 'mode']), `{"min":${v(0)},"max":${v(2)},"25%":${v(0)},"50%":${v(1)},"75%":${v(2)},"mode":[${v(0)},${v(1)},${v(2)}]}`);
  // Far apart (no bitmap), one repeat: quantile_disc picks the values at the positions.
  const raw = await analyzeSql(`SELECT * FROM (VALUES ('-9223372036854775808'::BIGINT), (9007199254740993), (9007199254740993), (123456789012345678), (9223372036854775807), (-9007199254740993)) t(x)`);
  // Sorted: -2^63, -(2^53+1), 2^53+1, 2^53+1, 123456789012345678, 2^63-1; positions 1.25, 2.5,
  // 3.75. The first quartile is within 2^53 but no double: its exact text all the same.
  assert.equal(
    jsonText(raw, ['min', 'max', 'range', '25%', '50%', '75%', 'mode', 'frequencies']),
    '{"min":-9223372036854775808,"max":9223372036854775807,"range":18446744073709551615,"25%":-4503599627370496.5,"50%":9007199254740993,"75%":94844391572944506.75,' +
      '"mode":[9007199254740993],"frequencies":[[9007199254740993,2],[-9223372036854775808,1],[-9007199254740993,1],[123456789012345678,1],[9223372036854775807,1]]}',
  );
});

test('int64 beyond 2^53, nearly distinct (sorted in search of repeats): the exact figures the counts table gives', async () => {
  // 200,000 odd numbers from 2^53 + 1, every 1000th twice: the first rows look distinct, so
  // the sort counts the repeats; clustered, the counts table does. Both must give the same text.
  const values = `SELECT i, (9007199254740993 + 2 * CASE WHEN i % 1000 = 999 THEN i - 1 ELSE i END)::BIGINT AS x FROM range(200000) t(i)`;
  const spread = await analyzeSql(`SELECT x FROM (${values}) ORDER BY i`);
  const clustered = await analyzeSql(`SELECT x FROM (${values}) ORDER BY count(*) OVER (PARTITION BY x) DESC, x, i`);
  assert.equal(spread.mode_frequency, 2);
  assert.equal(JSON.stringify(withoutSums(spread)), JSON.stringify(withoutSums(clustered)));
  assert.equal(JSON.stringify(spread.mode.slice(0, 2)), '[9007199254742989,9007199254744989]');
  assert.equal(jsonText(spread, ['min', 'max']), `{"min":9007199254740993,"max":${9007199254740993n + 2n * 199998n}}`);
});

test('a UBIGINT column beyond int64 (a command can make one) is exact too', async () => {
  const d = await analyzeSql(`SELECT * FROM (VALUES (18446744073709551615::UBIGINT), (18446744073709551615::UBIGINT), (1::UBIGINT)) t(x)`);
  assert.equal(jsonText(d, ['min', 'max', 'range', 'mode', '50%']), '{"min":1,"max":18446744073709551615,"range":18446744073709551614,"mode":[18446744073709551615],"50%":18446744073709551615}');
});

test('a DECIMAL column (a command\'s ::DECIMAL(38,0) keeps 38 digits): values as numbers, exact, as data slices write them', async () => {
  const d = await analyzeSql(`SELECT * FROM (VALUES ('12345678901234567890123456789012345678'::DECIMAL(38,0)), ('12345678901234567890123456789012345678'), ('-5'), ('123456789012345678')) t(x)`);
  assert.equal(
    jsonText(d, ['min', 'max', 'range', 'mode', 'frequencies']),
    '{"min":-5,"max":12345678901234567890123456789012345678,"range":12345678901234567890123456789012345683,' +
      '"mode":[12345678901234567890123456789012345678],"frequencies":[[12345678901234567890123456789012345678,2],[-5,1],[123456789012345678,1]]}',
  );
  const small = await analyzeSql(`SELECT * FROM (VALUES (1.50::DECIMAL(10,2)), (1.50), (0.05)) t(x)`);
  assert.equal(jsonText(small, ['min', 'max', 'range', 'mode', 'frequencies']), '{"min":0.05,"max":1.5,"range":1.45,"mode":[1.5],"frequencies":[[1.5,2],[0.05,1]]}');
});

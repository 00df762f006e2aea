import { withSampleStd } from '../../engine/moments.ts';
import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { annotate, resolveColumn } from '../params.ts';
import { isNumeric, isTemporal, isText } from '../../engine/column-types.ts';
import { literal } from '../../engine/sql.ts';
import { valueExpr, valueType, jsonOf, jsNumber, jsonNumber, jsValue, frequencies, countValues, countWords, words, type Frequencies } from './values.ts';
import { exactDecimal, exactInteger, floatJson, type RawJson } from '../../exact-json.ts';
import type { Db, Row } from '../../engine/duck.ts';
import { DuckDBDecimalValue, type DuckDBValue } from '@duckdb/node-api';
import { scanOf } from '../change/scan.ts';

/** How many [value, count] pairs `frequencies` and `word_frequencies` list. */
const TOP = 50;
/**
 * `mode` lists every most frequent value, up to this many: in a column of distinct values
 * every value is a mode, and a response of millions of them helps nobody.
 */
export const MODE_LIMIT = 1000;

const VALUES = '__analyze_values';
const WORDS = '__analyze_words';
const AT = '__analyze_at';
const ISO = `'%Y-%m-%dT%H:%M:%S.%g'`;
const QUARTILES = [0.25, 0.5, 0.75];

// Integer types whose quantile_cont is computed in DOUBLE either way (cast first or not: the
// same doubles, interpolated alike), so the cast (which makes DuckDB's quantile 3× slower
// on 10M rows) can be left out. HUGEINT and DECIMAL interpolate in their own type.
const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/i;
// Largest value range checked for distinct integers with a bitmap (bitstring_agg: one bit
// per value of the range, 8 MB per thread at this size).
const BITMAP_RANGE = 1n << 26n;
// First rows looked at to guess whether a column is an id (all distinct).
const SAMPLE_ROWS = 122880;
// Integers beyond this (in magnitude) have no exact DOUBLE, which DuckDB's quantile_cont
// interpolates in: the quartiles of such a column are interpolated exactly instead.
const EXACT_DOUBLE = 2n ** 53n;

export const analyze = defineOperation({
  name: 'analyze',
  kind: 'read',
  summary: 'statistics of one column: missing and distinct counts, frequencies, mode; numeric, word and date statistics by type',
  params: z.object({ column: annotate(z.union([z.string(), z.number().int()]), 'column') }),
  // The statistics are the column's own: an edit of another column, or a rename, keeps them.
  pure: true,
  versionKey(ds, params) {
    const c = ds.column(resolveColumn(ds, params.column));
    return `${c.file}/${c.field}/${c.deleted?.file ?? ''}/${c.type}`;
  },
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = resolveColumn(ds, params.column);
    const column = ds.column(index);
    const db = ctx.db;
    // The column's non-missing values (NaN counts as missing; dates widened to timestamps),
    // read from its own file: through df, every file of the version is positionally joined.
    const source = scanOf(ds, [index]);
    const values = `(SELECT v FROM (SELECT ${valueExpr(ds.sqlName(index), column.type)} AS v FROM ${source}) WHERE v IS NOT NULL)`;
    const integer = INTEGER.test(column.type);
    try {
      // Numbers: mean, std, min, max and count in one pass first.
      const moments = isNumeric(column.type) ? await withSampleStd(db, `SELECT count(v) AS n, avg(v)::DOUBLE AS mean, stddev_samp(v)::DOUBLE AS std, min(v) AS min, max(v) AS max FROM ${values}`, 'std', 'v', values) : null;
      const wanted = moments ? QUARTILES : isTemporal(column.type) ? [0.5] : [];
      // A column of distinct values (an id) needs no table of counts, whose hash table of
      // 10M entries would take seconds: every count is 1. Integers are checked with a bitmap,
      // other columns that look distinct with a sort (which also gives the quantiles).
      const bitmap = moments && integer ? await distinctIntegers(db, values, moments) : undefined;
      // A column no longer than the sample is counted whole: its sample would be a hash
      // aggregate over every value (count DISTINCT) that the counts table repeats anyway.
      const sampled = bitmap === undefined && column.type.toUpperCase() !== 'BOOLEAN' && ds.rows > SAMPLE_ROWS;
      const timestamps = valueType(column.type).toUpperCase() === 'TIMESTAMP';
      const sorted = sampled ? await sortedCheck(db, values, moments ? Number(moments.n) : null, !isText(column.type), wanted, timestamps ? () => statsRange(db, ds.filePath(column.file), column.field) : null) : null;
      const distinct = bitmap ?? (sorted?.distinct ? sorted : null);
      const counts = distinct ? `(SELECT v, 1::BIGINT AS n FROM ${values})` : VALUES;
      let freq: Frequencies;
      if (distinct) freq = await distinctFrequencies(db, values, column.type, distinct.total);
      else if (sorted?.repeats) {
        // Mostly distinct values: the sort found the repeated ones; with the smallest values
        // seen once they are every value the top list and the modes can hold.
        await db.run(`CREATE OR REPLACE TEMP TABLE ${VALUES} AS SELECT unnest(map_keys(d)) AS v, unnest(map_values(d)) + 1 AS n FROM (SELECT dups AS d FROM ${AT}) UNION ALL SELECT unnest(singles), 1 FROM ${AT}`);
        freq = { ...(await frequencies(db, VALUES, jsonOf('v', column.type), TOP, MODE_LIMIT)), unique: sorted.unique, total: sorted.total };
      } else {
        // Everything else reads the table of distinct values and their counts, built in one
        // pass over the column: frequencies, mode, quantiles of repeated values and word
        // statistics never rescan the data.
        await countValues(db, VALUES, ds.sqlName(index), column.type, source);
        freq = await frequencies(db, VALUES, jsonOf('v', column.type), TOP, MODE_LIMIT);
      }
      const data: Record<string, unknown> = {
        invalid: ds.rows - freq.total,
        unique_count: freq.unique,
        frequencies: freq.top,
        mode: freq.mode,
        mode_frequency: freq.modeFrequency,
      };
      // Order statistics: from what the sort found; from the counts when values repeat a lot
      // (100k distinct values in 10M rows: a sort of 100k rows instead of a selection over
      // 10M); of min, min+1, … by arithmetic; else from the column.
      const quantiles = (out: Out) => {
        if (freq.total === 0) return Promise.resolve(wanted.map(() => null));
        if (sorted) return atQuantiles(db, freq.total, wanted, out);
        if (bitmap?.dense) return denseQuantiles(db, bitmap.min, column.type, freq.total, wanted, out);
        if (!distinct && freq.unique * 4 <= freq.total) return countedQuantiles(db, VALUES, freq.total, wanted, out);
        return rawQuantiles(db, values, freq.total, wanted, out);
      };
      if (moments) {
        // pandas' describe(): sample std, quartiles interpolated linearly (quantile_cont).
        // Integers beyond 2^53 (int64 ids) are answered exactly: min, max and range as
        // integers, quartiles interpolated in exact arithmetic (DOUBLE would round them).
        const cast = integer ? '' : '::DOUBLE';
        const bigMin = integer && moments.min !== null ? BigInt(moments.min as bigint | number) : null;
        const bigMax = integer && moments.max !== null ? BigInt(moments.max as bigint | number) : null;
        const wide = bigMin !== null && bigMax !== null && (bigMin < -EXACT_DOUBLE || bigMax > EXACT_DOUBLE);
        const q = await quantiles(wide ? EXACT : (x) => `quantile_cont(${x}${cast}, ?)`);
        const min = jsNumber(moments.min);
        const max = jsNumber(moments.max);
        const quartile = (v: unknown) => (wide ? v : jsonNumber(v as number | null));
        Object.assign(data, {
          mean: jsonNumber(moments.mean),
          std: jsonNumber(moments.std),
          min: jsonNumber(moments.min),
          '25%': quartile(q[0]),
          '50%': quartile(q[1]),
          '75%': quartile(q[2]),
          max: jsonNumber(moments.max),
          range: bigMin !== null && bigMax !== null ? exactInteger(bigMax - bigMin) : exactRange(moments.min, moments.max) ?? (min === null || max === null ? null : floatJson(max - min)),
        });
      } else if (isTemporal(column.type)) {
        // (The counts table of repeated values holds only some of them: the sort kept the extremes.)
        const r = await db.one(`SELECT strftime(min(v), ${ISO}) AS min, strftime(max(v), ${ISO}) AS max FROM ${distinct ? values : sorted?.repeats ? `(SELECT lo AS v FROM ${AT} UNION ALL SELECT hi FROM ${AT})` : VALUES}`);
        const [median] = await quantiles((x) => `strftime(quantile_cont(${x}, ?), ${ISO})`);
        Object.assign(data, { min: r.min as string | null, max: r.max as string | null, median: median as string | null });
      } else if (isText(column.type)) Object.assign(data, await wordStats(db, counts));
      return { data };
    } finally {
      // One call for the three (each statement of its own is a round trip to a pool thread).
      await db.run(`DROP TABLE IF EXISTS ${VALUES}; DROP TABLE IF EXISTS ${WORDS}; DROP TABLE IF EXISTS ${AT}`);
    }
  },
});

/** max − min of a DECIMAL column, exactly (both have the column's scale); undefined for other types. */
function exactRange(min: DuckDBValue, max: DuckDBValue): number | RawJson | undefined {
  if (!(min instanceof DuckDBDecimalValue) || !(max instanceof DuckDBDecimalValue) || min.scale !== max.scale) return undefined;
  return exactDecimal(max.value - min.value, min.scale);
}

/**
 * Whether an integer column holds distinct values only, exactly: a bitmap of its value
 * range (one bit per value seen) counts the distinct values in one cheap pass. Null when
 * they are not all distinct, undefined when the range is too wide to check this way;
 * `dense` when they are every integer from min to max.
 */
async function distinctIntegers(db: Db, values: string, moments: Row): Promise<{ total: number; min: bigint; dense: boolean } | null | undefined> {
  const count = BigInt(moments.n as bigint | number);
  if (count < 2n) return null;
  const min = BigInt(moments.min as bigint | number);
  const span = BigInt(moments.max as bigint | number) - min + 1n;
  // Fewer possible values than values: some repeat.
  if (span < count) return null;
  if (span > BITMAP_RANGE) return undefined;
  const seen = await db.scalar(`SELECT bit_count(bitstring_agg(v, ${moments.min}, ${moments.max})) FROM ${values}`);
  if (BigInt(seen as bigint | number) !== count) return null;
  return { total: Number(count), min, dense: span === count };
}

/**
 * A column whose first rows are (nearly) all distinct may well be an id or a time stamp:
 * sorting it finds equal neighbours exactly, at about half the cost of counting 10M distinct
 * values in a hash table, and gives the values at the quantiles' positions on the way (kept
 * in AT). Null when the first rows repeat too much (then the counts table is the way).
 *
 * The sorted values are read by a streaming window (lag, lead, row_number over an empty
 * OVER: one thread, in the order the sort yields them), which costs far less than a window
 * ordered by the value (10M time stamps: 1.4 s of CPU for everything here, where the counts
 * table alone took 2.4 s). With `repeats` allowed, AT also keeps the repeated values (`dups`:
 * value → count − 1) and the TOP smallest values seen once (`singles`), for columns whose
 * counts table is not needed for more (text needs it for word statistics).
 */
async function sortedCheck(
  db: Db,
  values: string,
  count: number | null,
  repeats: boolean,
  qs: number[],
  timestampRange: (() => Promise<TimeRange | null>) | null = null,
): Promise<{ total: number; unique: number; distinct: boolean; repeats: boolean } | null> {
  const sample = await db.one(`SELECT count(v) AS n, count(DISTINCT v) AS u FROM (SELECT v FROM ${values} LIMIT ${SAMPLE_ROWS})`);
  const n = Number(sample.n);
  const u = Number(sample.u);
  // Nearly distinct: a few repeats in 10^5 (time stamps in seconds over years have some).
  if (n < 2 || (repeats ? u < n * 0.99 : u !== n)) return null;
  // Time stamps: the range from the file's statistics when they have one narrow enough (no
  // pass over the column; the sort's keys check each value against it), else from a pass.
  const range = timestampRange ? await timestampRange() : null;
  let seconds: SecondsOrder | null = (range ? secondsFromRange(values, range) : null) ?? (timestampRange ? await secondsKey(db, values) : null);
  const total = seconds?.total ?? count ?? Number(await db.scalar(`SELECT count(v) FROM ${values}`));
  const single = '(prev IS NULL OR v <> prev) AND (next IS NULL OR v <> next)';
  // After the sort everything runs on one thread: as few aggregates (each tests its FILTER on
  // every row) as will do. The values at the quantiles' positions and the extremes come as one
  // list of (row number, value); the distinct count is the count less the repeats.
  const raw = `${AT}_raw`;
  const at = [...new Set([...positions(total, qs).flatMap((p) => [p.lo, p.hi]), 0, total - 1])];
  for (;;) {
    const ordered = seconds?.ordered ?? `(SELECT v FROM ${values} ORDER BY v)`;
    try {
      await db.run(`CREATE OR REPLACE TEMP TABLE ${raw} AS SELECT count(*) AS n, count(*) FILTER (WHERE v = prev) AS same, list({'rn': rn, 'v': v}) FILTER (WHERE rn IN (${at.map((p) => p + 1).join(', ')})) AS picks
          ${repeats ? `, histogram(v) FILTER (WHERE v = prev) AS dups, coalesce(min_by(v, v, ${TOP}) FILTER (WHERE ${single}), []) AS singles` : ''}
        FROM (SELECT v, lag(v) OVER () AS prev, lead(v) OVER () AS next, row_number() OVER () AS rn FROM ${ordered})`);
    } catch (err) {
      // A value the statistics' range did not foresee (a fraction of a second, outside it):
      // the time stamps are sorted as they are.
      if (!seconds?.checked || !String((err as Error).message).includes(NOT_WHOLE_SECONDS)) throw err;
      seconds = null;
      continue;
    }
    break;
  }
  const pick = (p: number) => `list_filter(picks, lambda x: x.rn = ${p + 1})[1].v`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${AT} AS SELECT same, n - same AS uniq, ${pick(0)} AS lo, ${pick(total - 1)} AS hi${at.map((p) => `, ${pick(p)} AS a${p}`).join('')}${repeats ? ', dups, singles' : ''} FROM ${raw}`);
  await db.run(`DROP TABLE ${raw}`);
  const row = await db.one(`SELECT same, uniq FROM ${AT}`);
  const distinct = Number(row.same) === 0;
  if (!distinct && !repeats) return null;
  return { total, unique: Number(row.uniq), distinct, repeats: !distinct };
}

/**
 * Time stamps (a TIMESTAMP column `v`) that are all whole seconds within 2^32 s (136 years)
 * of the least of them, sorted as those seconds: a 4-byte key, which DuckDB sorts in about
 * half the CPU of the 8-byte time stamps (10M of them: 1.0 s instead of 1.5-2.0 s), in the
 * same order, equal exactly where the time stamps are. `ordered`: the time stamps in that
 * order (a FROM item with column v), turned back from the keys after the sort (the window
 * and aggregates after it cost more on UINTEGER keys than on time stamps: 0.9-1.6 s instead
 * of 0.5-0.6 s). Null when some value has a fraction of a second or is infinite, or the span
 * is wider; the key's pass then was for nothing (~0.1-0.2 s). `total`: the count of values.
 */
async function secondsKey(db: Db, values: string): Promise<SecondsOrder | null> {
  // (epoch_us of an infinite time stamp is NULL: isfinite is tested first.)
  const row = await db.one(`SELECT count(v) AS n, min(epoch_us(v)) AS lo, max(epoch_us(v)) AS hi, bool_and(isfinite(v) AND epoch_us(v) % 1000000 = 0) AS whole FROM ${values}`);
  if (row.whole !== true || row.lo === null || row.hi === null) return null;
  const lo = BigInt(row.lo as bigint);
  if ((BigInt(row.hi as bigint) - lo) / 1_000_000n >= 1n << 32n) return null;
  const keys = `(SELECT CAST((epoch_us(v) - ${lo}) // 1000000 AS UINTEGER) AS k FROM ${values})`;
  return { total: Number(row.n), checked: false, ordered: `(SELECT make_timestamp(${lo} + CAST(k AS BIGINT) * 1000000) AS v FROM (SELECT k FROM ${keys} ORDER BY k))` };
}

/**
 * Time stamps in order of their whole seconds: `ordered`, a FROM item with column v; `total`,
 * their count when known; `checked`: the sort fails with NOT_WHOLE_SECONDS at a value its
 * keys cannot order (the keys were not proven to fit beforehand).
 */
interface SecondsOrder {
  total?: number;
  ordered: string;
  checked: boolean;
}

/** Bounds of a time stamp column's values, as epoch microseconds (not necessarily reached). */
interface TimeRange {
  lo: bigint;
  hi: bigint;
}

/** The message of the error secondsFromRange's keys raise at a value they cannot key. */
const NOT_WHOLE_SECONDS = 'willow: not whole seconds within the statistics';

/**
 * The least and greatest values of a TIMESTAMP or DATE field from the Parquet statistics of
 * its file (the metadata, which DuckDB caches: no data read). They cover every row of the
 * file, deleted ones too, so they bound a version's values. Null when a row group holding
 * values has no statistics or a bound is infinite.
 */
async function statsRange(db: Db, path: string, field: string): Promise<TimeRange | null> {
  try {
    const row = await db.one(
      `SELECT epoch_us(min(TRY_CAST(stats_min_value AS TIMESTAMP))) AS lo, epoch_us(max(TRY_CAST(stats_max_value AS TIMESTAMP))) AS hi,
         count(*) FILTER (WHERE (TRY_CAST(stats_min_value AS TIMESTAMP) IS NULL OR TRY_CAST(stats_max_value AS TIMESTAMP) IS NULL) AND coalesce(stats_null_count, -1) <> num_values) AS unknown
       FROM parquet_metadata(${literal(path)}) WHERE path_in_schema = ${literal(field)}`,
    );
    if (Number(row.unknown) !== 0 || row.lo === null || row.hi === null) return null;
    return { lo: BigInt(row.lo as bigint), hi: BigInt(row.hi as bigint) };
  } catch {
    return null;
  }
}

/**
 * secondsKey's order of the time stamps from a range known beforehand (statsRange) instead
 * of a pass over the column: keys are seconds since the range's least whole second. Each
 * value is checked as it is keyed (finite, a whole second, within the range), and one that
 * is not fails the sort with NOT_WHOLE_SECONDS (`checked`): the caller then sorts the time
 * stamps themselves. Null when the range spans 2^32 s or more. `total` is left to the caller.
 * On the bench's 10M time stamps the pass it saves took 0.18–0.27 s of CPU, the checks add
 * about 0.05 s to the sort's scan (the count of values comes from the statistics too).
 */
function secondsFromRange(values: string, range: TimeRange): SecondsOrder | null {
  const second = 1_000_000n;
  // The least whole second at or below the range (floor, before 1970 too).
  const lo = range.lo - (((range.lo % second) + second) % second);
  if (range.hi < lo || (range.hi - lo) / second >= 1n << 32n) return null;
  // (epoch_us of an infinite time stamp is NULL, which fails the test as well.)
  const us = 'epoch_us(v)';
  const key = `CASE WHEN ${us} % 1000000 = 0 AND ${us} BETWEEN ${lo} AND ${range.hi} THEN CAST((${us} - ${lo}) // 1000000 AS UINTEGER) ELSE error(${literal(NOT_WHOLE_SECONDS)}) END`;
  return { checked: true, ordered: `(SELECT make_timestamp(${lo} + CAST(k AS BIGINT) * 1000000) AS v FROM (SELECT k FROM (SELECT ${key} AS k FROM ${values}) ORDER BY k))` };
}

/** Quantiles from the values sortedCheck kept at their positions. */
function atQuantiles(db: Db, total: number, qs: number[], out: Out): Promise<unknown[]> {
  return interpolate(db, positions(total, qs), (p) => [`(SELECT a${p.lo} FROM ${AT})`, `(SELECT a${p.hi} FROM ${AT})`], out);
}

/** Frequencies of distinct values: each counted once, so the top and the modes are the smallest values. */
async function distinctFrequencies(db: Db, values: string, duckType: string, total: number): Promise<Frequencies> {
  const smallest = await db.rows(`SELECT ${jsonOf('v', duckType)} AS value FROM (SELECT v FROM ${values} ORDER BY v LIMIT ${Math.max(TOP, MODE_LIMIT)})`);
  const first = smallest.map((r) => jsValue(r.value));
  return { unique: total, total, modeFrequency: 1, top: first.slice(0, TOP).map((v) => [v, 1]), mode: first.slice(0, MODE_LIMIT) };
}

// quantile_cont(q) over n sorted values: position (n − 1)·q, interpolated between the values
// at its floor and ceiling by the fraction d (DuckDB: RN = (n − 1)·q, FRN/CRN, RN − FRN).
// Given those two values, quantile_cont(d) over just [lo, hi] computes the very same
// interpolation (position 1·d, floor 0, ceiling 1), so DuckDB's own arithmetic (and types:
// doubles, timestamps) gives the result bit for bit.
interface Position {
  lo: number;
  hi: number;
  d: number;
}

function positions(total: number, qs: number[]): Position[] {
  return qs.map((q) => {
    const rn = (total - 1) * q;
    const lo = Math.floor(rn);
    return { lo, hi: Math.ceil(rn), d: rn - lo };
  });
}

/**
 * How quantiles are answered: `out(x)` is the output expression with `?` where the quantile
 * goes; EXACT: integers interpolated exactly (exactQuantile) instead of in DOUBLE.
 */
type Out = ((x: string) => string) | typeof EXACT;
const EXACT = 'exact';

/** Quantiles given the SQL of the two values each lies between (`loHi(p)`). */
async function interpolate(db: Db, ps: Position[], loHi: (p: Position) => [string, string], out: Out): Promise<unknown[]> {
  if (out === EXACT) {
    const row = await db.one(`SELECT ${ps.map((p, k) => loHi(p).map((sql, i) => `${sql} AS ${i ? 'h' : 'l'}${k}`).join(', ')).join(', ')}`);
    return ps.map((p, k) => exactQuantile(row[`l${k}`], row[`h${k}`], p.d));
  }
  const outputs = ps.map((p, k) => {
    const [lo, hi] = loHi(p);
    return `(SELECT ${out('x').replace('?', literal(p.d))} FROM (SELECT ${lo} AS x UNION ALL SELECT ${hi})) AS q${k}`;
  });
  const row = await db.one(`SELECT ${outputs.join(', ')}`);
  return ps.map((_, k) => row[`q${k}`] ?? null);
}

/** Quantiles from the value counts: the value at position p is the first whose running count exceeds p. */
async function countedQuantiles(db: Db, counts: string, total: number, qs: number[], out: Out): Promise<unknown[]> {
  const ps = positions(total, qs);
  const wanted = [...new Set(ps.flatMap((p) => [p.lo, p.hi]))];
  const at = (position: number) => `a${wanted.indexOf(position)}`;
  await db.run(`CREATE OR REPLACE TEMP TABLE ${AT} AS SELECT ${wanted.map((p) => `min(v) FILTER (WHERE cum > ${p}) AS ${at(p)}`).join(', ')}
    FROM (SELECT v, sum(n) OVER (ORDER BY v ROWS UNBOUNDED PRECEDING) AS cum FROM ${counts})`);
  return interpolate(db, ps, (p) => [`(SELECT ${at(p.lo)} FROM ${AT})`, `(SELECT ${at(p.hi)} FROM ${AT})`], out);
}

/** Quantiles of the integers min, min+1, …: the value at position p is min + p. */
function denseQuantiles(db: Db, min: bigint, duckType: string, total: number, qs: number[], out: Out): Promise<unknown[]> {
  const at = (position: number) => `${min + BigInt(position)}::${duckType}`;
  return interpolate(db, positions(total, qs), (p) => [at(p.lo), at(p.hi)], out);
}

async function rawQuantiles(db: Db, values: string, total: number, qs: number[], out: Out): Promise<unknown[]> {
  if (out === EXACT) {
    // The values at the positions themselves: quantile_disc(q) is the value at position
    // ceil(n·q) − 1, so q = (p + 0.5) / n names position p whatever the rounding of q.
    const ps = positions(total, qs);
    const at = ps.flatMap((p) => [p.lo, p.hi]).map((p) => literal((p + 0.5) / total));
    const row = await db.one(`SELECT quantile_disc(v, [${at.join(', ')}]) AS q FROM ${values}`);
    const picked = (row.q as { items: DuckDBValue[] }).items;
    return ps.map((p, k) => exactQuantile(picked[2 * k], picked[2 * k + 1], p.d));
  }
  if (qs.length === 1) return [(await db.one(`SELECT ${out('v').replace('?', literal(qs[0]))} AS q FROM ${values}`)).q ?? null];
  const row = await db.one(`SELECT ${out('v').replace('?', `[${qs.map(literal).join(', ')}]`)} AS q FROM ${values}`);
  return (row.q as { items?: unknown[] } | null)?.items ?? qs.map(() => null);
}

/**
 * The quantile between two integers `lo` ≤ `hi` at fraction `d` of the way, lo + (hi − lo)·d,
 * in exact arithmetic: d is a double, m / 2^k exactly, so the result is a decimal of at most k
 * places. An integer as exactInteger answers it, a fraction as its exact decimal text (e.g.
 * 123456789012345678.25), which a client reads as precisely as its numbers allow.
 */
function exactQuantile(lo: DuckDBValue | undefined, hi: DuckDBValue | undefined, d: number): number | RawJson | null {
  if (lo === null || lo === undefined || hi === null || hi === undefined) return null;
  const a = BigInt(lo as bigint | number);
  const b = BigInt(hi as bigint | number);
  if (d === 0 || a === b) return exactInteger(a);
  let m = d;
  let k = 0;
  for (; !Number.isInteger(m); k++) m *= 2; // exact: doubling a double only moves its exponent
  const scaled = (a * 2n ** BigInt(k) + (b - a) * BigInt(m)) * 5n ** BigInt(k); // the result × 10^k
  const unit = 10n ** BigInt(k);
  const magnitude = scaled < 0n ? -scaled : scaled;
  const fraction = (magnitude % unit).toString().padStart(k, '0').replace(/0+$/, '');
  const whole = magnitude / unit;
  if (fraction === '') return exactInteger(scaled < 0n ? -whole : whole);
  return JSON.rawJSON(`${scaled < 0n ? '-' : ''}${whole}.${fraction}`);
}

// Words per value and characters per word, weighted by how often each distinct value occurs.
async function wordStats(db: Db, counts: string): Promise<Record<string, unknown>> {
  const perValue = await db.one(`
    SELECT min(k)::BIGINT AS min, max(k)::BIGINT AS max, (sum(k * n) / sum(n))::DOUBLE AS avg
    FROM (SELECT len(${words('v')}) AS k, n FROM ${counts})`);
  await countWords(db, WORDS, counts);
  const perWord = await db.one(`
    SELECT min(length(v))::BIGINT AS min, max(length(v))::BIGINT AS max, (sum(length(v) * n) / sum(n))::DOUBLE AS avg
    FROM ${WORDS}`);
  const wf: Frequencies = await frequencies(db, WORDS, 'v', TOP, MODE_LIMIT);
  return {
    word_count_min: jsNumber(perValue.min),
    word_count_max: jsNumber(perValue.max),
    word_count_average: jsNumber(perValue.avg),
    word_length_min: jsNumber(perWord.min),
    word_length_max: jsNumber(perWord.max),
    word_length_average: jsNumber(perWord.avg),
    word_total: wf.total,
    word_unique_count: wf.unique,
    word_mode: wf.mode,
    word_mode_frequency: wf.modeFrequency,
    word_frequencies: wf.top,
  };
}

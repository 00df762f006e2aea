import { z } from 'zod';
import { defineOperation, type OperationContext } from '../types.ts';
import { checkColumnIndices, columnPositions } from '../params.ts';
import { invalidParameter } from '../errors.ts';
import { apiType, isNumeric, isTemporal } from '../../engine/column-types.ts';
import { isMissing, isWideInteger } from '../../engine/json-values.ts';
import { ident } from '../../engine/sql.ts';
import { scanOf } from '../change/scan.ts';
import { exactInteger } from '../../exact-json.ts';
import type { ColumnProfile } from '../../protocol/messages.ts';

/** Bins of a number or date column's histogram. */
export const PROFILE_BINS = 24;
/** Most frequent values listed for other columns. */
export const PROFILE_TOP = 5;
/**
 * Most columns one request profiles. Each column costs a few statements whatever its rows
 * (30–40 ms: 2,000 columns of a 2-row file held a queue slot for 79 s); the workbench asks
 * for one column at a time. A request for more is refused naming the limit.
 */
export const MAX_PROFILE_COLUMNS = 100;
/** Above this many rows, top values are counted on a sample of about this many rows. */
export const PROFILE_SAMPLE_ROWS = 200_000;

// Profiles by the immutable file field that holds the column (as metadata's missing counts):
// a column kept across versions is profiled once; a change recomputes only its own columns.
const cache = new Map<string, Omit<ColumnProfile, 'name'>>();
const MAX_CACHED = 20_000;

/**
 * One column's distribution in one SQL statement over that column's own file: an
 * equal-width histogram of [min, max] for numbers and dates (dates as epoch milliseconds),
 * else the PROFILE_TOP most frequent values, the distinct count and the rest's count.
 */
async function profileColumn(ctx: OperationContext, index: number): Promise<Omit<ColumnProfile, 'name'>> {
  const ds = ctx.dataset;
  const { type } = ds.column(index);
  const name = ds.sqlName(index); // scanOf names the column by position, never by its user name
  const rows = ds.rows;
  const c = ident(name);
  const from = scanOf(ds, [index]);
  const present = `NOT ${isMissing(name, type)}`;
  if (isNumeric(type) || isTemporal(type)) {
    const x = isTemporal(type) ? `epoch_ms(${c}::TIMESTAMP)::DOUBLE` : `${c}::DOUBLE`;
    // The bins are equal-width in doubles; an int64 column's min and max are reported as its
    // exact values (123456789012345678, not the double 123456789012345680).
    const wide = isWideInteger(type);
    const bins = await ctx.db.rows(`
      WITH v AS (SELECT ${x} AS x${wide ? `, ${c} AS exact` : ''} FROM ${from} WHERE ${present} AND isfinite(${x})),
           b AS (SELECT min(x) AS lo, max(x) AS hi${wide ? ', min(exact) AS exact_lo, max(exact) AS exact_hi' : ''} FROM v)
      SELECT least(CAST(floor((x - lo) / CASE WHEN hi > lo THEN (hi - lo) / ${PROFILE_BINS} ELSE 1 END) AS INTEGER), ${PROFILE_BINS - 1}) AS k,
             count(*) AS n, any_value(lo) AS lo, any_value(hi) AS hi${wide ? ', any_value(exact_lo) AS exact_lo, any_value(exact_hi) AS exact_hi' : ''}
      FROM v, b GROUP BY k`);
    const counts = new Array<number>(PROFILE_BINS).fill(0);
    let total = 0;
    for (const r of bins) {
      counts[Number(r.k)] += Number(r.n);
      total += Number(r.n);
    }
    // (On the wire a number: ColumnProfile's type is what clients parse.)
    const exact = (v: unknown, double: number) => (wide && typeof v === 'bigint' ? (exactInteger(v) as number) : double);
    const lo = bins.length ? exact(bins[0].exact_lo, Number(bins[0].lo)) : 0;
    const hi = bins.length ? exact(bins[0].exact_hi, Number(bins[0].hi)) : 0;
    // Infinities are neither missing nor in a bin: they are the `other` part.
    const missing = Number(await ctx.db.scalar(`SELECT count(*) FROM ${from} WHERE NOT (${present})`));
    return { dataType: apiType(type), rows, missing, distinct: null, histogram: total ? { min: lo, max: hi, counts } : null, top: null, other: rows - missing - total, sampled: false };
  }
  // Counting every distinct text of a large column (a GROUP BY over millions of strings) would
  // hold the session's queue for seconds, and the grid's slices wait in that queue: above
  // PROFILE_SAMPLE_ROWS the top values are counted on a sample of row groups and scaled.
  // The missing count stays exact (a scan that stops at nothing but is cheap).
  const sampled = rows > PROFILE_SAMPLE_ROWS;
  const source = sampled ? `(SELECT ${c} FROM ${from} USING SAMPLE ${((100 * PROFILE_SAMPLE_ROWS) / rows).toFixed(4)}% (system, 7)) AS df` : from;
  const top = await ctx.db.rows(`
    WITH g AS (SELECT CAST(${c} AS VARCHAR) AS v, count(*) AS n FROM ${source} WHERE ${present} GROUP BY ALL)
    SELECT v, n, count(*) OVER () AS d, sum(n) OVER () AS t FROM g ORDER BY n DESC, v LIMIT ${PROFILE_TOP}`);
  const missing = Number(await ctx.db.scalar(`SELECT count(*) FROM ${from} WHERE NOT (${present})`));
  const counted = top.length ? Number(top[0].t) : 0;
  const scale = sampled && counted > 0 ? (rows - missing) / counted : 1;
  const listed = top.map((r) => ({ value: String(r.v), count: Math.round(Number(r.n) * scale) }));
  return {
    dataType: apiType(type),
    rows,
    missing,
    // A sample's distinct count says little about the whole column: not reported then.
    distinct: sampled ? null : top.length ? Number(top[0].d) : 0,
    histogram: null,
    top: listed,
    other: Math.max(0, rows - missing - listed.reduce((s, r) => s + r.count, 0)),
    sampled,
  };
}

export const columnProfiles = defineOperation({
  name: 'columnProfiles',
  kind: 'read',
  summary: 'a small distribution of each column (histogram of numbers and dates, top values of the rest, missing count) for data-quality bars',
  params: z.object({ columnIndices: columnPositions.nullish() }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const indices = params.columnIndices ? checkColumnIndices(ds, params.columnIndices) : ds.columns.map((_, i) => i);
    if (indices.length > MAX_PROFILE_COLUMNS) {
      throw invalidParameter(
        `columnIndices: ${params.columnIndices ? `${indices.length} columns listed` : `absent, which asks for all ${indices.length} columns`}; columnProfiles profiles at most ${MAX_PROFILE_COLUMNS} columns a request: list the ones wanted in columnIndices, in several requests`,
      );
    }
    const profiles: ColumnProfile[] = [];
    // One column at a time: each statement already uses DuckDB's threads.
    for (const i of indices) {
      const col = ds.columns[i];
      const key = `${ctx.sessionId}/${col.file}/${col.field}/${ds.rows}`;
      let p = cache.get(key);
      if (!p) {
        p = await profileColumn(ctx, i);
        if (cache.size >= MAX_CACHED) cache.clear();
        cache.set(key, p);
      }
      profiles.push({ name: col.name, ...p });
    }
    return { profiles };
  },
});

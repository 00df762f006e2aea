import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { resolveColumn } from '../params.ts';
import { isNumeric, isTemporal, isText } from '../../engine/column-types.ts';
import { valueExpr, jsonOf, jsNumber, frequencies, countValues, countWords, words, type Frequencies } from './values.ts';
import type { Db } from '../../engine/duck.ts';

/** How many [value, count] pairs `frequencies` and `word_frequencies` list. */
const TOP = 50;
/**
 * `mode` lists every most frequent value, up to this many: in a column of distinct values
 * every value is a mode, and a response of millions of them helps nobody.
 */
export const MODE_LIMIT = 1000;

const VALUES = '__analyze_values';
const WORDS = '__analyze_words';
const ISO = `'%Y-%m-%dT%H:%M:%S.%g'`;

export const analyze = defineOperation({
  name: 'analyze',
  kind: 'read',
  summary: 'statistics of one column: missing and distinct counts, frequencies, mode; numeric, word and date statistics by type',
  params: z.object({ column: z.union([z.string(), z.number().int()]) }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const column = ds.column(resolveColumn(ds, params.column));
    const db = ctx.db;
    // Everything below reads the table of distinct values and their counts, built in one
    // pass over the column: frequencies, mode and word statistics never rescan the data.
    await countValues(db, VALUES, column.name, column.type);
    try {
      const freq = await frequencies(db, VALUES, jsonOf('v', column.type), TOP, MODE_LIMIT);
      const data: Record<string, unknown> = {
        invalid: ds.rows - freq.total,
        unique_count: freq.unique,
        frequencies: freq.top,
        mode: freq.mode,
        mode_frequency: freq.modeFrequency,
      };
      if (isNumeric(column.type)) Object.assign(data, await numericStats(db, valueExpr(column.name, column.type)));
      else if (isTemporal(column.type)) Object.assign(data, await temporalStats(db, valueExpr(column.name, column.type)));
      else if (isText(column.type)) Object.assign(data, await wordStats(db));
      return { data };
    } finally {
      await db.run(`DROP TABLE IF EXISTS ${VALUES}`);
      await db.run(`DROP TABLE IF EXISTS ${WORDS}`);
    }
  },
});

// pandas' describe(): sample std, quartiles interpolated linearly (quantile_cont).
async function numericStats(db: Db, v: string): Promise<Record<string, number | null>> {
  const r = await db.one(`
    SELECT avg(v)::DOUBLE AS mean, stddev_samp(v)::DOUBLE AS std, min(v) AS min, max(v) AS max,
           quantile_cont(v::DOUBLE, [0.25, 0.5, 0.75]) AS q
    FROM (SELECT ${v} AS v FROM df)`);
  const q = (r.q as { items?: unknown[] } | null)?.items ?? [null, null, null];
  const min = jsNumber(r.min);
  const max = jsNumber(r.max);
  return {
    mean: jsNumber(r.mean),
    std: jsNumber(r.std),
    min,
    '25%': jsNumber(q[0] as number | null),
    '50%': jsNumber(q[1] as number | null),
    '75%': jsNumber(q[2] as number | null),
    max,
    range: min === null || max === null ? null : jsNumber(max - min),
  };
}

async function temporalStats(db: Db, v: string): Promise<Record<string, string | null>> {
  const r = await db.one(`
    SELECT strftime(min(v), ${ISO}) AS min, strftime(max(v), ${ISO}) AS max, strftime(quantile_cont(v, 0.5), ${ISO}) AS median
    FROM (SELECT ${v} AS v FROM df)`);
  return { min: r.min as string | null, max: r.max as string | null, median: r.median as string | null };
}

// Words per value and characters per word, weighted by how often each distinct value occurs.
async function wordStats(db: Db): Promise<Record<string, unknown>> {
  const perValue = await db.one(`
    SELECT min(k)::BIGINT AS min, max(k)::BIGINT AS max, (sum(k * n) / sum(n))::DOUBLE AS avg
    FROM (SELECT len(${words('v')}) AS k, n FROM ${VALUES})`);
  await countWords(db, WORDS, VALUES);
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

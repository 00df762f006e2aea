// SQL pieces shared by analyze and visualize: how a column's values are counted, split
// into words and handed to JSON.
import { DuckDBDecimalValue, type DuckDBValue } from '@duckdb/node-api';
import type { Db } from '../../engine/duck.ts';
import { ident, literal } from '../../engine/sql.ts';
import { isFloatType, jsonValue } from '../../engine/json-values.ts';
import { exactDecimal, exactInteger, floatJson, type RawJson } from '../../exact-json.ts';

/**
 * Words as Python's `str.split()` finds them: maximal runs of non-whitespace. Python's
 * whitespace is RE2's \s plus \v, the separators \x1c–\x1f, NEL and every Unicode space
 * (category Z: no-break space, em space, line/paragraph separators…).
 */
export const WORD_PATTERN = literal('[^\\s\\x{0B}\\x{1C}-\\x{1F}\\x{85}\\pZ]+');

/** SQL list of the words of a text expression (an empty or blank string has none). */
export const words = (textExpr: string): string => `regexp_extract_all(${textExpr}, ${WORD_PATTERN})`;

/**
 * A column's value with every kind of missing (NULL, NaN) as NULL; dates widened to
 * timestamps. `column`: its SQL name in df (Dataset.sqlName).
 */
export function valueExpr(column: string, duckType: string): string {
  const c = ident(column);
  const t = duckType.toUpperCase();
  if (isFloatType(t)) return `CASE WHEN NOT isnan(${c}) THEN ${c} END`;
  if (t === 'DATE') return `CAST(${c} AS TIMESTAMP)`;
  return c;
}

/** DuckDB type of valueExpr's result. */
export const valueType = (duckType: string): string => (duckType.toUpperCase() === 'DATE' ? 'TIMESTAMP' : duckType);

/** JSON form of a value column named `v` of the given type (ISO dates, infinities as null). */
export const jsonOf = (column: string, duckType: string): string => jsonValue(column, valueType(duckType));

/** A DuckDB result value as a JS number, for arithmetic and counts: integers as numbers, non-finite numbers as null. */
export function jsNumber(v: DuckDBValue | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(String(v));
  return Number.isFinite(n) ? n : null;
}

/**
 * A DuckDB number as a reply carries it: integers exactly (BIGINT's beyond 2^53 as their
 * digits, not rounded by Number()), floats as Python's json writes them (floatJson),
 * non-finite numbers as null.
 */
export function jsonNumber(v: DuckDBValue | undefined): number | RawJson | null {
  if (typeof v === 'bigint') return exactInteger(v);
  if (v instanceof DuckDBDecimalValue) return exactDecimal(v.value, v.scale);
  const n = jsNumber(v);
  return n === null ? null : floatJson(n);
}

/**
 * A value of a column as a reply carries it: numbers (DECIMAL too, as `data` slices write
 * them) as jsonNumber, text and booleans as they are, anything else as text.
 */
export function jsValue(v: DuckDBValue | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'number' || v instanceof DuckDBDecimalValue) return jsonNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

export interface Frequencies {
  /** Distinct non-missing values. */
  unique: number;
  /** Non-missing values. */
  total: number;
  /** Count of the most frequent value; null when there is none. */
  modeFrequency: number | null;
  /** Top `limit` values as [value, count], most frequent first, ties by value ascending. */
  top: [unknown, number][];
  /** The most frequent values, sorted (at most `modeLimit`). */
  mode: unknown[];
}

/**
 * Frequencies of a counts table (`v`, `n`: one row per distinct non-missing value).
 * `valueJson` is the SQL expression over `v` giving the value as clients see it.
 */
export async function frequencies(db: Db, counts: string, valueJson: string, limit: number, modeLimit: number): Promise<Frequencies> {
  const summary = await db.one(`SELECT count(*)::BIGINT AS unique_count, coalesce(sum(n), 0)::BIGINT AS total, max(n)::BIGINT AS mode_frequency FROM ${counts}`);
  const modeFrequency = jsNumber(summary.mode_frequency);
  // The values are turned into JSON after the LIMIT: in the same SELECT DuckDB computes the
  // expression for every row before its top-N (strftime of 10M distinct dates: 0.85 s).
  const top = limit > 0 ? await db.rows(`SELECT ${valueJson} AS value, n FROM (SELECT v, n FROM ${counts} ORDER BY n DESC, v ASC LIMIT ${limit}) ORDER BY n DESC, v ASC`) : [];
  const mode = modeFrequency === null || modeLimit <= 0 ? [] : await db.rows(`SELECT ${valueJson} AS value FROM (SELECT v FROM ${counts} WHERE n = ${modeFrequency} ORDER BY v ASC LIMIT ${modeLimit}) ORDER BY v ASC`);
  return {
    unique: jsNumber(summary.unique_count) ?? 0,
    total: jsNumber(summary.total) ?? 0,
    modeFrequency,
    top: top.map((r) => [jsValue(r.value), jsNumber(r.n) ?? 0]),
    mode: mode.map((r) => jsValue(r.value)),
  };
}

/**
 * Temp table of value counts (`v`, `n`) of one column of df (`column`: its SQL name), missing
 * values left out. `source`: a FROM item holding the column (scanOf, to read its file alone).
 */
export async function countValues(db: Db, table: string, column: string, duckType: string, source = 'df'): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT v, count(*)::BIGINT AS n FROM (SELECT ${valueExpr(column, duckType)} AS v FROM ${source}) WHERE v IS NOT NULL GROUP BY v`);
}

/** Temp table of word counts (`v` the word, `n`) from a value-counts table of text. */
export async function countWords(db: Db, table: string, valueCounts: string): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT v, sum(n)::BIGINT AS n FROM (SELECT unnest(${words('v')}) AS v, n FROM ${valueCounts}) GROUP BY v`);
}

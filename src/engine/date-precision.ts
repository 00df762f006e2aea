import type { Dataset } from './dataset.ts';
import type { Db } from './duck.ts';

// How pandas prints a datetime column, which depends on every value of the column: dates
// alone when every value is at midnight, fractions of a second when any value has one
// (milliseconds, or microseconds when some value is not a whole millisecond), seconds
// otherwise. The CSV download writes each column so (export.ts), and
// `metadata` tells clients which datetime columns are dates alone (columnInfo.dateOnly), so
// that the grid shows them as the download writes them.

/** Column types whose values pandas' rule applies to (a TIMESTAMP WITH TIME ZONE is written with its time). */
export const PANDAS_DATETIME = /^(DATE|TIMESTAMP(_S|_MS|_NS)?)$/;

/**
 * pandas' Timestamp.min and Timestamp.max (datetime64[ns]: 1677-09-21 00:12:43.145224193 …
 * 2262-04-11 23:47:16.854775807), to the microsecond inside them (DuckDB's TIMESTAMP
 * resolution), as SQL literals. A date or time outside them is no datetime pandas can hold:
 * read_csv leaves its column text (object), as changeColumnDataType does.
 */
export const PANDAS_MIN_TIMESTAMP = "TIMESTAMP '1677-09-21 00:12:43.145225'";
export const PANDAS_MAX_TIMESTAMP = "TIMESTAMP '2262-04-11 23:47:16.854775'";

/** The same bounds in milliseconds since the epoch (JavaScript's Date), inclusive. */
export const PANDAS_MIN_MS = -9_223_372_036_854;
export const PANDAS_MAX_MS = 9_223_372_036_854;

/**
 * SQL: whether the TIMESTAMP expression `t` lies within pandas' range; false (never NULL)
 * when `t` is NULL, so that it can stand in bool_and and CASE alike.
 */
export const inPandasRange = (t: string): string => `coalesce(${t} BETWEEN ${PANDAS_MIN_TIMESTAMP} AND ${PANDAS_MAX_TIMESTAMP}, false)`;

/** Microseconds in a millisecond, a second and a day: a value that is not a whole number of them has a fraction, or a time of day. */
export const MILLISECOND_US = 1_000;
export const SECOND_US = 1_000_000;
export const DAY_US = 86_400_000_000;

/**
 * Whether some value of column `i` is not a whole number of `unitUs` microseconds since the
 * epoch (missing values are not). Integer tests on the microseconds (no TIME values made),
 * stopping at the first value that decides: a column with times of day most often has one
 * in its first rows; a column of dates alone is scanned whole (one integer column).
 */
export async function someValueOff(db: Db, ds: Dataset, i: number, unitUs: number): Promise<boolean> {
  const sql = `SELECT count(*) FROM (SELECT 1 FROM (${ds.select({ columns: [i] })}) WHERE epoch_us(${ds.ref(i)}::TIMESTAMP) % ${unitUs} <> 0 LIMIT 1)`;
  return Number(await db.scalar(sql)) > 0;
}

/** Whether pandas prints column `i` as dates alone: a DATE column, or a timestamp column whose every value is at midnight. */
export async function isDateOnly(db: Db, ds: Dataset, i: number): Promise<boolean> {
  const type = ds.column(i).type;
  if (!PANDAS_DATETIME.test(type)) return false;
  return type === 'DATE' || !(await someValueOff(db, ds, i, DAY_US));
}

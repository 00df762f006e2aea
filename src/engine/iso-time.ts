// ISO 8601 time stamps with a UTC offset, as SQL over text: shared by the import's type
// inference (import/csv.ts) and changeColumnDataType (operations/change/convert.ts), so that
// a zoned value means the same instant whichever way it becomes a datetime.

/**
 * An ISO 8601 time with a UTC offset (`Z`, `+02`, `+0200`, `+02:00`) at its end (spaces
 * after it allowed, so that the text need not be trimmed first: trim() costs as much as the
 * test), as a regular expression's SQL literal. DuckDB's TIMESTAMP cast reads such a time and
 * drops the offset (`10:00+02:00` becomes 10:00); its TIMESTAMPTZ cast honours it.
 */
export const OFFSET_TEXT = `':\\d{2}(\\.\\d*)?([zZ]|[+-]\\d{2}(:?\\d{2})?) *$'`;

/**
 * Text (SQL) given `:00` seconds where its time has none before the offset: DuckDB's
 * TIMESTAMPTZ cast reads an offset only after seconds, and `10:00+02:00` is ISO 8601 (and
 * Python's fromisoformat, and pandas) all the same.
 */
export const withSeconds = (text: string): string => `regexp_replace(${text}, '([T ]\\d{1,2}:\\d{2})([zZ+-])', '\\1:00\\2')`;

/**
 * A TIMESTAMPTZ (SQL) as the naive TIMESTAMP of the UTC time it stands for. Not CAST(… AS
 * TIMESTAMP), which gives the wall time of the session's TimeZone: the server's zone, which
 * must not change the data; nor timezone('UTC', …), which goes through ICU's calendar (1.5 s
 * of CPU on 10M values, against nothing for this arithmetic on the instant's microseconds).
 */
export const utcOf = (instant: string): string => `make_timestamp(epoch_us(${instant}))`;

/**
 * Zoned ISO text (SQL) as a TIMESTAMPTZ, NULL when it does not read: as it is, else given its
 * seconds (withSeconds) and a lower-case `z` made `Z`, which DuckDB's cast does not read.
 */
export const zonedInstant = (text: string): string => `coalesce(TRY_CAST(${text} AS TIMESTAMPTZ), TRY_CAST(regexp_replace(${withSeconds(text)}, 'z( *)$', 'Z\\1') AS TIMESTAMPTZ))`;

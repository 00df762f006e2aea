import { literal } from '../../engine/sql.ts';
import { apiType } from '../../engine/column-types.ts';
import { OFFSET_TEXT, utcOf, zonedInstant } from '../../engine/iso-time.ts';
import { inPandasRange } from '../../engine/date-precision.ts';
import { fitsInt64, integerOfNumber, integerOfText } from '../exact-number.ts';
import { OperationError, patternReason } from '../errors.ts';
import type { Db } from '../../engine/duck.ts';
import type { ColumnPlan } from '../types.ts';

// Value ↔ column-type conversions shared by newCellValue, fillWithCustomValue and
// changeColumnDataType. Everything here builds SQL expressions; nothing loops over rows.

/** The column types the engine writes, by the API name clients see. */
export type Kind = 'int' | 'float' | 'bool' | 'datetime' | 'string';
export const DUCK_TYPE: Record<Kind, string> = { int: 'BIGINT', float: 'DOUBLE', bool: 'BOOLEAN', datetime: 'TIMESTAMP', string: 'VARCHAR' };

/** A column's kind; exotic engine types (lists, structs…) are 'other' and handled as text. */
export function kindOf(duckType: string): Kind | 'other' {
  const t = apiType(duckType);
  return t === 'int' || t === 'float' || t === 'bool' || t === 'datetime' || t === 'string' ? t : 'other';
}

const isFloatType = (duckType: string): boolean => /^(DOUBLE|FLOAT|REAL)$/i.test(duckType);

/** Drop NaN from a floating point expression so that it reads as missing everywhere. */
export function withoutNaN(expr: string, duckType: string): string {
  return isFloatType(duckType) ? `(CASE WHEN isnan(${expr}) THEN NULL ELSE ${expr} END)` : expr;
}

/**
 * A value as Python's str() prints it (the text pandas shows once a column holds text):
 * integers without a decimal point, floats in shortest round-trip form ('2.5', '3.0',
 * '1e-05' — DuckDB's DOUBLE → VARCHAR cast prints them exactly so), True/False, datetimes
 * in ISO 8601. Missing values (NaN included) stay missing rather than becoming 'nan'.
 */
export function textOf(expr: string, duckType: string): string {
  const t = duckType.toUpperCase();
  switch (kindOf(duckType)) {
    case 'string':
      return expr;
    case 'float': {
      // In Python's fixed-notation range, [1e-4, 1e16), the JSON writer's shortest round-trip
      // form is the cast's text digit for digit and costs half as much (10M doubles: 0.46 s
      // of CPU instead of 0.93 s, which goes through a format string per value); the
      // exponent forms ('1e-05', '1e+16'), ±0, ±inf and NaN (NULL) keep the cast. NaN
      // compares greater than every number in DuckDB, so it fails the first test.
      // (text-of.test.ts compares both on millions of doubles of every magnitude.)
      const x = `CAST(${expr} AS DOUBLE)`;
      return `(CASE WHEN abs(${x}) >= 1e-4 AND abs(${x}) < 1e16 THEN CAST(to_json(${x}) AS VARCHAR) WHEN NOT isnan(${x}) THEN CAST(${x} AS VARCHAR) END)`;
    }
    case 'bool':
      return `(CASE WHEN ${expr} THEN 'True' WHEN NOT ${expr} THEN 'False' END)`;
    case 'datetime':
      if (t === 'DATE') return `strftime(${expr}, '%Y-%m-%d')`;
      // pandas' isoformat: microseconds only when there are some. strftime is about 1.0 s of
      // CPU on 10M time stamps, CAST AS VARCHAR 0.47 s, but turning the cast's ' ' into 'T'
      // costs more than it saves: replace() 1.3-1.5 s, substrings around a 'T' 1.36 s, date
      // || 'T' || time 1.05-1.09 s (DuckDB 1.5.6, loaded machine, count over the column).
      return `(CASE WHEN microsecond(${expr}) % 1000000 = 0 THEN strftime(CAST(${expr} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S') ELSE strftime(CAST(${expr} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%f') END)`;
    default:
      return `CAST(${expr} AS VARCHAR)`;
  }
}

// Text parsers: NULL when the text does not read as the type (pandas' errors='coerce').

const NUMBER_TEXT = `'^[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?$'`;
const SPECIAL_TEXT = `'^[-+]?(inf|infinity|nan)$'`;
const INTEGER_TEXT = `'^[-+]?\\d+$'`;

/** Text → DOUBLE, accepting what pandas.to_numeric does (decimal, exponent, inf, nan). */
export function parseNumber(text: string): string {
  const t = `trim(${text})`;
  return `(CASE WHEN regexp_matches(${t}, ${NUMBER_TEXT}) OR regexp_matches(lower(${t}), ${SPECIAL_TEXT}) THEN TRY_CAST(${t} AS DOUBLE) END)`;
}

/**
 * Text → BIGINT: a whole number, in any spelling pandas.to_numeric reads (`7`, ` +7 `, `7.0`,
 * `7.`, `0.7e1`, `1e3`), becomes that integer exactly; anything else is NULL: a fraction
 * (`2.5`, `-0.5`), a value beyond int64 (`9223372036854775808`, `1e19`), inf, nan, text
 * that is no number. Text is never rounded or truncated into an integer: pandas refuses such a
 * conversion (`astype(int)` on '2.5' raises, as does the float → Int64 cast of
 * `to_numeric(…).astype('Int64')` on 2.5); with errors='coerce' semantics the value becomes
 * missing, which changeColumnDataType counts (valuesMadeMissing). Floats are another matter
 * (floatToInt: truncation, as `astype(int)`).
 */
export function parseInteger(text: string): string {
  const t = `trim(${text})`;
  return `(CASE WHEN regexp_matches(${t}, ${INTEGER_TEXT}) THEN TRY_CAST(${t} AS BIGINT) WHEN regexp_matches(${t}, ${NUMBER_TEXT}) THEN ${wholeNumber(t)} END)`;
}

/**
 * A number written in decimal or exponent notation (`t`: SQL of a trimmed text matching
 * NUMBER_TEXT) as a BIGINT when it is a whole number that fits, else NULL; read from its
 * digits, not through a double (which would take `9007199254740993.0` for 9007199254740992
 * and `2.0000000000000000001` for 2). Its digits without the point, without leading zeros
 * (`digits`) and then without trailing ones (`significant`), stand for a number whose integer
 * part has `places` digits (those before the point, less the leading zeros, plus the
 * exponent): it is whole when no significant digit lies past them, and fits BIGINT only with
 * at most 19 of them. Zero in any spelling (`-0.0`, `0e5`) is 0.
 */
function wholeNumber(t: string): string {
  const mantissa = `regexp_extract(${t}, '^[-+]?([0-9.]*)', 1)`;
  const all = `replace(${mantissa}, '.', '')`;
  const digits = `ltrim(${all}, '0')`;
  const significant = `rtrim(${digits}, '0')`;
  const exponent = `regexp_extract(${t}, '[eE]([-+]?[0-9]+)$', 1)`;
  // An exponent beyond INTEGER is NULL: so is the number then (unless it is zero).
  const shift = `(CASE WHEN ${exponent} = '' THEN 0 ELSE TRY_CAST(${exponent} AS INTEGER) END)`;
  const places = `(length(regexp_extract(${t}, '^[-+]?([0-9]*)', 1)) - (length(${all}) - length(${digits})) + ${shift})`;
  const sign = `(CASE WHEN starts_with(${t}, '-') THEN '-' ELSE '' END)`;
  return `(CASE WHEN ${significant} = '' THEN 0 WHEN ${places} IS NULL OR ${places} > 19 OR length(${significant}) > ${places} THEN NULL ELSE TRY_CAST(${sign} || rpad(${significant}, CAST(${places} AS INTEGER), '0') AS BIGINT) END)`;
}

// The spellings of a boolean that pandas and SQL users write (`astype(bool)` on text is not
// one: it makes every non-empty text True). DuckDB's own cast accepts most of these but not
// with spaces around them, and which it accepts is its choice, not ours: the list is explicit.
const TRUE_TEXT = ['true', 't', 'yes', 'y', '1'];
const FALSE_TEXT = ['false', 'f', 'no', 'n', '0'];
const textList = (words: string[]): string => words.map((w) => literal(w)).join(', ');

/** Text → BOOLEAN: true/t/yes/y/1 and false/f/no/n/0, in any case, spaces around ignored. */
export function parseBool(text: string): string {
  const t = `lower(trim(${text}))`;
  return `(CASE WHEN ${t} IN (${textList(TRUE_TEXT)}) THEN true WHEN ${t} IN (${textList(FALSE_TEXT)}) THEN false END)`;
}

/**
 * The layouts automatic date detection chooses from (detectDateLayouts): one for the whole
 * column, so that `03/04/2024` is not read month first in one row and `25/12/2024` day first
 * in the next. A layout is one order of a date's parts with its usual time parts (a column of
 * dates with and without times is one layout); `name` is the format the answer reports, which
 * a client may send back as `dateFormat`. No `formats`: ISO 8601, which a cast reads (with or
 * without time, offset or fraction). On a tie the earlier layout wins: month first before day
 * first, as pandas reads ambiguous dates (`dayfirst=False`).
 */
export interface DateLayout {
  name: string;
  formats?: readonly string[];
  /** Layouts that read the same texts as other dates (`03/04/2024`: March 4 or 3 April): one column uses at most one of them. */
  conflicts?: readonly string[];
}
export const DATE_LAYOUTS: readonly DateLayout[] = [
  { name: 'ISO 8601' },
  { name: '%m/%d/%Y', formats: ['%m/%d/%Y', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%y'], conflicts: ['%d/%m/%Y'] },
  { name: '%d/%m/%Y', formats: ['%d/%m/%Y', '%d/%m/%Y %H:%M', '%d/%m/%Y %H:%M:%S', '%d/%m/%y'], conflicts: ['%m/%d/%Y'] },
  { name: '%m-%d-%Y', formats: ['%m-%d-%Y', '%m-%d-%Y %H:%M', '%m-%d-%Y %H:%M:%S'] },
  { name: '%d.%m.%Y', formats: ['%d.%m.%Y', '%d.%m.%Y %H:%M', '%d.%m.%Y %H:%M:%S'] },
  { name: '%Y%m%d', formats: ['%Y%m%d'] },
  { name: '%B %d, %Y', formats: ['%B %d, %Y', '%b %d, %Y', '%B %d %Y', '%b %d %Y'] },
  { name: '%d %B %Y', formats: ['%d %B %Y', '%d %b %Y'] },
];

// A `%z` in a strftime format (not the text `%%z`): try_strptime then gives a TIMESTAMPTZ.
const HAS_OFFSET_CODE = /(^|[^%])(%%)*%z/;

/**
 * Text → TIMESTAMP in one layout: ISO 8601 (no `layout`), a user's strftime format, or the
 * formats of a DateLayout, tried in order. Values with a UTC offset become the UTC time they
 * stand for (pandas `to_datetime(utc=True)`); values without one stay as written (naive), also
 * in a column that mixes both, where pandas refuses unless told utc=True: the offset is the
 * value's own statement of its time, the naive ones give no zone to convert from. In a strftime
 * format `%z` reads `+02:00`, `+0200` and, as in Python, `Z`.
 */
export function parseDatetime(text: string, layout?: string | DateLayout | readonly DateLayout[]): string {
  // Several layouts: each value in the first that reads it (coalesce tries the next ones only
  // on the values still missing, so a column in its first layout pays for that one alone).
  if (isLayoutList(layout)) return layout.length === 1 ? parseDatetime(text, layout[0]) : `coalesce(${layout.map((l) => parseDatetime(text, l)).join(', ')})`;
  const t = `trim(${text})`;
  if (typeof layout === 'string') {
    if (!HAS_OFFSET_CODE.test(layout)) return `CAST(try_strptime(${t}, ${literal(layout)}) AS TIMESTAMP)`;
    return utcOf(`try_strptime(regexp_replace(${t}, '[zZ]$', '+00:00'), ${literal(layout)})`);
  }
  if (layout?.formats) return `CAST(try_strptime(${t}, [${layout.formats.map((f) => literal(f)).join(', ')}]) AS TIMESTAMP)`;
  // The text is trimmed, and given its seconds, only when it does not read as it is: each
  // costs more than the cast (trim() 0.85 s of CPU on 10M values, the cast 0.6 s).
  return `(CASE WHEN regexp_matches(${text}, ${OFFSET_TEXT}) THEN ${utcOf(zonedInstant(text))} ELSE coalesce(TRY_CAST(${text} AS TIMESTAMP), TRY_CAST(${t} AS TIMESTAMP)) END)`;
}

// Array.isArray does not narrow a readonly array out of a union.
const isLayoutList = (l: string | DateLayout | readonly DateLayout[] | undefined): l is readonly DateLayout[] => Array.isArray(l);

/** Text → TIMESTAMP in whichever layout of DATE_LAYOUTS reads it first: for one value (a cell), not a column. */
export function parseAnyDatetime(text: string): string {
  return `coalesce(${DATE_LAYOUTS.map((l) => parseDatetime(text, l)).join(', ')})`;
}

// Detection reads about this many rows of a column, spread over it (every k-th row), and its
// first DETECT_HEAD values, so that a column whose values are few and far between shows some.
// Trying the layouts that do not read a value is most of the cost: about 0.2 s of CPU for
// 10,000 ISO 8601 values (DuckDB 1.5.6), which no other layout reads.
const DETECT_ROWS = 10_000;
const DETECT_HEAD = 1_000;

/**
 * The layouts of DATE_LAYOUTS a column's text is read in: the one that reads the most of the
 * values `text` (SQL of a column's text over `scan`, a FROM item with `__pos`: scanOf) of a
 * column of `rows` rows first (the detected format), then the others by how many they read,
 * leaving out every layout that conflicts with one before it. Judged on a sample of the
 * values (DETECT_ROWS, DETECT_HEAD); ties go to the earlier layout (month first), ISO 8601
 * first when none reads any. So `25/12/2024` in a column of month-first dates is not read
 * day first (it is missing, and counted: lostValues), while an ISO 8601 or `January 5, 2020`
 * value beside them, which no other layout would read as another date, is read.
 */
export async function detectDateLayouts(db: Db, scan: string, text: string, rows: number): Promise<readonly DateLayout[]> {
  const step = Math.max(1, Math.ceil(rows / DETECT_ROWS));
  // Blank texts, which no layout reads, are left in: they count for none, and testing for
  // them took DuckDB longer than the rest of the detection (it tests before sampling).
  const present = `${text} IS NOT NULL`;
  const sample = `(SELECT ${text} AS t FROM ${scan} WHERE __pos % ${step} = 0 AND ${present}) UNION ALL (SELECT ${text} AS t FROM ${scan} WHERE ${present} LIMIT ${DETECT_HEAD})`;
  const counts = await db.one(`SELECT ${DATE_LAYOUTS.map((l, i) => `count(${parseDatetime('t', l)}) AS n${i}`).join(', ')} FROM (${sample})`);
  const read = Object.values(counts).map(Number);
  // A stable sort: equal counts keep the list's order, so the earlier layout wins a tie.
  const ranked = DATE_LAYOUTS.map((layout, i) => ({ layout, n: read[i] })).sort((a, b) => b.n - a.n);
  const chosen: DateLayout[] = [];
  for (const { layout } of ranked) if (!chosen.some((c) => c.conflicts?.includes(layout.name))) chosen.push(layout);
  return chosen;
}

/**
 * Whether text (SQL) holds more than spaces, the only character trim() removes and so the
 * only one the parsers here ignore; NULL for NULL. trim() only where the text starts with a
 * space, in a CASE, the one form DuckDB evaluates lazily (`… OR trim(…) <> ''` trims every
 * value: 0.85 s of CPU on 10M, more than the conversion it is counted for).
 */
function notBlank(text: string): string {
  return `(CASE WHEN starts_with(${text}, ' ') THEN trim(${text}) <> '' ELSE ${text} <> '' END)`;
}

/** Check a user's strftime format before it reaches a query that would fail on it. */
export async function checkDateFormat(db: Db, format: string, param = 'dateFormat'): Promise<void> {
  try {
    await db.run(`SELECT try_strptime('', ${literal(format)})`);
  } catch (err) {
    const reason = patternReason(err);
    throw new OperationError('invalid parameters', `${param} ${JSON.stringify(format)} is not a valid strftime format: ${reason}`);
  }
}

/**
 * DOUBLE → BIGINT truncating toward zero (pandas astype(int)); NaN, infinities and values
 * beyond int64 (where pandas gives an arbitrary integer) are missing, counted by
 * changeColumnDataType like any value a conversion loses (losesValues).
 */
function floatToInt(expr: string): string {
  return `(CASE WHEN isfinite(${expr}) THEN TRY_CAST(trunc(${expr}) AS BIGINT) END)`;
}

/**
 * A column converted to another kind (changeColumnDataType). `expr` is the column's SQL,
 * `from` its DuckDB type, `dateLayout` how text reads as dates (parseDatetime). Returns null
 * when the column already has that type. Conversions pandas refuses (datetime ↔ bool,
 * datetime → float) are errors.
 */
export function convertColumn(expr: string, from: string, to: Kind, dateLayout?: string | DateLayout | readonly DateLayout[]): string | null {
  const source = kindOf(from);
  if (from.toUpperCase() === DUCK_TYPE[to]) return null;
  const refuse = (): never => {
    throw new OperationError('invalid conversion', `a ${source === 'other' ? from.toLowerCase() : source} column cannot be converted to ${to}`);
  };
  if (source === 'other' || source === 'string') {
    const text = source === 'string' ? expr : textOf(expr, from);
    switch (to) {
      case 'int': return parseInteger(text);
      case 'float': return parseNumber(text);
      case 'bool': return parseBool(text);
      case 'datetime': return parseDatetime(text, dateLayout);
      case 'string': return text;
    }
  }
  if (to === 'string') return textOf(expr, from);
  switch (source) {
    case 'int':
      if (to === 'int' || to === 'float') return `CAST(${expr} AS ${DUCK_TYPE[to]})`;
      if (to === 'bool') return `(${expr} <> 0)`;
      // pandas reads integers as nanoseconds since the epoch.
      return `CAST(make_timestamp_ns(CAST(${expr} AS BIGINT)) AS TIMESTAMP)`;
    case 'float': {
      const x = `CAST(${expr} AS DOUBLE)`;
      if (to === 'float') return x;
      if (to === 'int') return floatToInt(x);
      if (to === 'bool') return `(${withoutNaN(x, 'DOUBLE')} <> 0)`;
      return `CAST(make_timestamp_ns(${floatToInt(x)}) AS TIMESTAMP)`;
    }
    case 'bool':
      if (to === 'int') return `CAST(${expr} AS BIGINT)`;
      if (to === 'float') return `CAST(${expr} AS DOUBLE)`;
      return refuse();
    case 'datetime':
      if (to === 'datetime') return `CAST(${expr} AS TIMESTAMP)`;
      if (to === 'int') return `epoch_ns(CAST(${expr} AS TIMESTAMP))`;
      return refuse();
  }
}

/**
 * Whether convertColumn from DuckDB type `from` to `to` can make a value that was there
 * missing: text that does not read as the type, and floats that no integer or time stamp
 * holds (±inf, out of range). Every other conversion keeps every value (NaN is missing already).
 */
export function losesValues(from: string, to: Kind): boolean {
  const source = kindOf(from);
  if (to === 'string') return false;
  return source === 'string' || source === 'other' || (source === 'float' && (to === 'int' || to === 'datetime'));
}

let tables = 0;

/**
 * A column converted once (convertedTable): `table` holds the values (`v`) in row order, for
 * the change's `joins`, and whether each row held a value (`p`), for lostValues.
 */
export interface Converted {
  table: string;
  /** The column's SQL over `scan`. */
  expr: string;
  /** The column's DuckDB type. */
  from: string;
  /** The FROM item the column was read from: scanOf(dataset, [its index]). */
  scan: string;
}

/**
 * Write the conversion `converted` of column `expr` (SQL over `scan`, of DuckDB type `from`)
 * to a new temp table on `db`: `v` the converted value, `p` whether the row held a value to
 * lose (not missing, NaN counting as missing, text not blank: an empty or all-space text held
 * none), rows in order (DuckDB's preserve_insertion_order, on by default). Parsing text is
 * most of a conversion's cost: done once here, writing the column (joins) and counting what
 * it lost read the table instead of parsing again.
 */
export async function convertedTable(db: Db, scan: string, expr: string, from: string, converted: string): Promise<Converted> {
  const table = `__willow_converted_${++tables}`;
  const present = kindOf(from) === 'string' ? notBlank(expr) : `${withoutNaN(expr, from)} IS NOT NULL`;
  await db.run(`CREATE TEMP TABLE ${table} AS SELECT ${converted} AS v, ${present} AS p FROM ${scan}`);
  return { table, expr, from, scan };
}

/** How many example values lostValues gives at most, their longest length in characters, and how many lost values it picks them from. */
export const LOST_EXAMPLES = 5;
const EXAMPLE_CHARS = 60;
const EXAMPLES_FROM = 1_000;

/**
 * What a conversion lost: of the column's `present` values, how many it made missing (`lost`),
 * and examples of those as text (at most LOST_EXAMPLES, each cut to EXAMPLE_CHARS characters):
 * the most frequent among the first EXAMPLES_FROM lost values, ties in text order. Those are
 * read by a scan that stops once it has them: when values are lost often, it reads the head of
 * the column only.
 */
export async function lostValues(db: Db, c: Converted): Promise<{ present: number; lost: number; examples: string[] }> {
  const counts = await db.one(`SELECT count(*) FILTER (WHERE p) AS present, count(*) FILTER (WHERE p AND v IS NULL) AS lost FROM ${c.table}`);
  const [present, lost] = [Number(counts.present), Number(counts.lost)];
  if (lost === 0) return { present, lost, examples: [] };
  const lostText = `SELECT left(${textOf(c.expr, c.from)}, ${EXAMPLE_CHARS}) AS e FROM ${c.scan} POSITIONAL JOIN ${c.table} WHERE p AND v IS NULL LIMIT ${EXAMPLES_FROM}`;
  const rows = await db.rows(`SELECT e FROM (${lostText}) GROUP BY e ORDER BY count(*) DESC, e LIMIT ${LOST_EXAMPLES}`);
  return { present, lost, examples: rows.map((r) => String(r.e)) };
}

/** A column's values as another column type: the same kind, a wider number, or text. */
export function columnAs(expr: string, from: string, to: string): string {
  if (from.toUpperCase() === to) return expr;
  if (to === 'VARCHAR') return textOf(expr, from);
  return `CAST(${expr} AS ${to})`;
}

export type JsonScalar = string | number | boolean | null;

/**
 * A client's value for a cell of a column. `missing`: null in any column, and "" in a column
 * that is not text (no number, boolean or date: a cleared cell, where widening the column to
 * text would surprise). In a text column "" is the empty string, as pandas stores
 * `df.iat[r, c] = ""`: a value of its own, which emptyStringToNaN makes missing. Otherwise
 * `sql` is the value as SQL of DuckDB type `type`, the type the column needs to hold it: the column's own, DOUBLE for a fractional number in an integer column,
 * or VARCHAR when the value does not read as the column's type (`fits` false), text written
 * as an integer beyond int64 in an integer column included.
 */
export type ValueConversion = { missing: true } | { missing: false; sql: string; type: string; fits: boolean };

export async function convertValue(db: Db, value: JsonScalar, columnType: string): Promise<ValueConversion> {
  const kind = kindOf(columnType);
  if (value === null || (value === '' && kind !== 'string')) return { missing: true };
  const asText = (): ValueConversion => ({ missing: false, fits: kind === 'string', type: 'VARCHAR', sql: textLiteral(value) });
  switch (kind) {
    case 'int':
    case 'float': {
      const n = readNumber(value);
      if (n === 'missing') return { missing: true };
      if (n === null) return asText();
      // An integer beyond int64 (readNumber's double): an integer column widens to text, every
      // digit kept, as pandas' int64 column becomes object for it; a DOUBLE column would round
      // it, and the column's other integers past 2^53 with it.
      if (kind === 'int' && typeof n === 'number' && typeof value === 'string' && /^[-+]?\d+$/.test(value.trim())) return asText();
      if (kind === 'int' && typeof n === 'bigint') return { missing: false, fits: true, type: 'BIGINT', sql: `CAST(${n} AS BIGINT)` };
      const x = Number(n);
      return { missing: false, fits: true, type: 'DOUBLE', sql: `CAST(${literal(x)} AS DOUBLE)` };
    }
    case 'bool': {
      const b = typeof value === 'boolean' ? value : typeof value === 'string' ? { true: true, false: false }[value.trim().toLowerCase()] : undefined;
      return b === undefined ? asText() : { missing: false, fits: true, type: 'BOOLEAN', sql: literal(b) };
    }
    case 'datetime': {
      if (typeof value !== 'string') return asText();
      const sql = parseAnyDatetime(literal(value));
      // Within pandas' datetime64[ns] (1677-09-21 … 2262-04-11): a value beyond it ("1500-01-01",
      // "99999-01-01", "23-08-08" read as year 23) is no datetime pandas can hold, and makes
      // the column text, as a value that reads as no date does.
      const parsed = await db.scalar(`SELECT ${inPandasRange(sql)}`);
      return parsed === true ? { missing: false, fits: true, type: 'TIMESTAMP', sql } : asText();
    }
    default:
      return asText();
  }
}

/** The value as a text literal, printed as Python would print it. */
function textLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return literal(value);
  if (typeof value === 'boolean') return literal(value ? 'True' : 'False');
  return Number.isInteger(value) ? literal(String(value)) : `CAST(${literal(value)} AS VARCHAR)`;
}

/**
 * A value read as a number: a bigint when it is integral and fits a BIGINT (so that a
 * value like 7.0 keeps an integer column integral, as pandas does), a number otherwise,
 * 'missing' for "nan", null when it is not a number at all. Integral is decided on the
 * value itself, not its double: `9007199254740993.0` and `9.007199254740993e15` are the
 * integer 9007199254740993 (Number() made them 9007199254740992, and a DOUBLE of an int
 * column), and a JSON number beyond 2^53 is the integer it is (the gateway let only exact
 * ones through: 9007199254740994 keeps an int column int).
 */
function readNumber(value: string | number | boolean): bigint | number | 'missing' | null {
  if (typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    const n = integerOfNumber(value);
    return n !== null && fitsInt64(n) ? n : value;
  }
  const s = value.trim();
  if (/^[-+]?\d+$/.test(s)) {
    const big = BigInt(s);
    return fitsInt64(big) ? big : Number(s);
  }
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) {
    const n = integerOfText(s);
    return n !== null && fitsInt64(n) ? n : Number(s);
  }
  const special = /^([-+]?)(inf|infinity|nan)$/i.exec(s);
  if (!special) return null;
  if (special[2].toLowerCase() === 'nan') return 'missing';
  return special[1] === '-' ? -Infinity : Infinity;
}

/** The column list of a version with column `index` replaced by a computed expression. */
export function replaceColumn(names: string[], index: number, expr: string): ColumnPlan[] {
  return names.map((name, keep) => (keep === index ? { name, expr } : { name, keep }));
}

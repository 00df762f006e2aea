import { ident } from './sql.ts';

// `column` below is the column's SQL name in the query (Dataset.sqlName), not a user's name.

/**
 * SQL expression turning a column into the value clients get in JSON: dates as ISO 8601,
 * NaN and infinities as null (JSON has no NaN), exotic types as text.
 */
export function jsonValue(column: string, duckType: string): string {
  const c = ident(column);
  const t = duckType.toUpperCase();
  if (t === 'DATE') return `strftime(${c}::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%g')`;
  if (t.startsWith('TIMESTAMP')) return `strftime(${c}, '%Y-%m-%dT%H:%M:%S.%g')`;
  if (t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL') return `CASE WHEN isfinite(${c}) THEN ${c} END`;
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|DECIMAL.*|BOOLEAN|VARCHAR)$/.test(t)) return c;
  if (/\[\]$|^(STRUCT|MAP|LIST|JSON)/.test(t)) return c;
  return `CAST(${c} AS VARCHAR)`;
}

/**
 * jsonValue for a JSON download: in a text column marked ColumnEntry.jsonValues, a value
 * whose text is a JSON number (JSON's own grammar: not `01`, `.5`, `NaN` or ` 1`), `true`,
 * `false`, or a valid object or array is written as that JSON value (JSON typed: DuckDB's
 * writers put it in raw), any other as a string. `null` stays the string "null": a JSON null
 * was imported as a missing value. Reads, CSV and operations keep seeing the text forms.
 */
export function jsonDownloadValue(column: string, entry: { type: string; jsonValues?: true }): string {
  if (!entry.jsonValues || entry.type.toUpperCase() !== 'VARCHAR') return jsonValue(column, entry.type);
  const c = ident(column);
  const typed = `regexp_full_match(${c}, '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false') OR (left(${c}, 1) IN ('{', '[') AND json_valid(${c}))`;
  return `CASE WHEN ${typed} THEN ${c}::JSON ELSE to_json(${c}) END`;
}

/** Text form of a value for searching, as Python's str() would print most of them. */
export function textValue(column: string, duckType: string): string {
  const c = ident(column);
  return duckType.toUpperCase() === 'VARCHAR' ? c : `CAST(${c} AS VARCHAR)`;
}

/**
 * Whether a DuckDB integer type has values beyond 2^53, which a double (and so a JS number)
 * rounds: replies carry those as exact integers (exact-json.ts), charts draw them as doubles.
 */
export function isWideInteger(duckType: string): boolean {
  return /^(BIGINT|UBIGINT|HUGEINT|UHUGEINT)$/i.test(duckType);
}

/** Whether a DuckDB type is a floating point type, whose NaN counts as missing. */
export function isFloatType(duckType: string): boolean {
  return /^(DOUBLE|FLOAT|REAL)$/i.test(duckType);
}

/** Predicate: the value is missing (null, or NaN for floating point columns). */
export function isMissing(column: string, duckType: string): string {
  const c = ident(column);
  return isFloatType(duckType) ? `(${c} IS NULL OR isnan(${c}))` : `${c} IS NULL`;
}

/**
 * The column's value, or NULL where isMissing holds: count(presentValue(…)) counts the values
 * that are not missing (DuckDB compares NaN equal to NaN, so nullif removes it).
 */
export function presentValue(column: string, duckType: string): string {
  const c = ident(column);
  return isFloatType(duckType) ? `nullif(${c}, 'NaN'::${duckType.toUpperCase()})` : c;
}

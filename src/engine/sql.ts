// Quoting helpers. Every name or value that reaches SQL text goes through one of these:
// column names come from users' files and are arbitrary text.

export function ident(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

const quoted = (text: string): string => "'" + text.replaceAll("'", "''") + "'";

/**
 * A value as SQL text. Text holding NUL (U+0000), which SQL text cannot carry (DuckDB's
 * parser stops at it: "unterminated quoted string"), becomes a concatenation with chr(0):
 * text from a request is refused before (assertPlainData), but text taken from the data
 * (a JSON import may hold "\u0000") must not break the statement it is put into.
 */
export function literal(value: string | number | boolean | null | bigint): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "'NaN'::DOUBLE";
    if (!Number.isFinite(value)) return value > 0 ? "'Infinity'::DOUBLE" : "'-Infinity'::DOUBLE";
    return Number.isInteger(value) ? `${value}` : `${value}::DOUBLE`;
  }
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value.includes('\u0000')) return '(' + value.split('\u0000').map(quoted).join(' || chr(0) || ') + ')';
  return quoted(value);
}

export function stringList(values: string[]): string {
  return '[' + values.map(literal).join(', ') + ']';
}

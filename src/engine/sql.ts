// Quoting helpers. Every name or value that reaches SQL text goes through one of these:
// column names come from users' files and are arbitrary text.

export function ident(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

export function literal(value: string | number | boolean | null | bigint): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return "'NaN'::DOUBLE";
    if (!Number.isFinite(value)) return value > 0 ? "'Infinity'::DOUBLE" : "'-Infinity'::DOUBLE";
    return Number.isInteger(value) ? `${value}` : `${value}::DOUBLE`;
  }
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return "'" + value.replaceAll("'", "''") + "'";
}

export function stringList(values: string[]): string {
  return '[' + values.map(literal).join(', ') + ']';
}

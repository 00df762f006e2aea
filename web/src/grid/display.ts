/** Numbers as a spreadsheet shows them: at most 6 decimals, exponents for the very large or small (the editor has the full value). */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return Math.abs(v) >= 1e15 ? v.toExponential(6) : String(v);
  const a = Math.abs(v);
  if (a >= 1e15 || a < 1e-6) return v.toExponential(6).replace(/\.?0+e/, 'e');
  return String(Number(v.toFixed(6)));
}

/**
 * A datetime as the server sends it (2020-01-17T00:00:00.000) in one form for its whole
 * column: date and time, as pandas shows a column with any time of day. pandas shows dates
 * alone only when every value of the column is at midnight, which neither the metadata nor
 * the profile tells, and the rows loaded are not the column: dropping the time of the values
 * that happen to be at midnight made one column show two forms. The milliseconds only when
 * there are some (the server sends no finer).
 */
function formatDatetime(v: string): string {
  return v.replace('T', ' ').replace(/\.000$/, '');
}

/**
 * A cell's text in the grid (and a value's in the Analyze panel) for a column of API type `type`.
 * An int column's values are whole: every digit (an id of 16 digits is no 1.234568e+15), as
 * for those beyond 2^53, which arrive as their digits (a string, web/src/exact-json.ts).
 */
export function display(value: unknown, type: string): string {
  if (typeof value === 'number') return type === 'int' && Number.isInteger(value) ? String(value) : formatNumber(value);
  if (typeof value === 'string') return type === 'datetime' ? formatDatetime(value) : value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

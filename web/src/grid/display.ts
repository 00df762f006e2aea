/** Numbers as a spreadsheet shows them: at most 6 decimals, exponents for the very large or small (the editor has the full value). */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return Math.abs(v) >= 1e15 ? v.toExponential(6) : String(v);
  const a = Math.abs(v);
  if (a >= 1e15 || a < 1e-6) return v.toExponential(6).replace(/\.?0+e/, 'e');
  return String(Number(v.toFixed(6)));
}

/**
 * A datetime as the server sends it (2020-01-17T00:00:00.000) in one form for its whole
 * column, as pandas prints it and the CSV download writes it: dates alone when every value
 * of the column is at midnight (`dateOnly`, metadata's columnInfo.dateOnly, which the server
 * finds over the whole column: the rows loaded are not the column, and dropping the time of
 * the values that happen to be at midnight made one column show two forms), else date and
 * time. The milliseconds only when there are some (the server sends no finer). A value not at
 * midnight keeps its time whatever `dateOnly` says (a median between two dates).
 */
function formatDatetime(v: string, dateOnly: boolean): string {
  if (dateOnly) {
    const day = /^(.*)T00:00:00(?:\.0+)?$/.exec(v);
    if (day) return day[1];
  }
  return v.replace('T', ' ').replace(/\.000$/, '');
}

/**
 * A cell's text in the grid (and a value's in the Analyze panel) for a column of API type `type`
 * (`dateOnly`: a datetime column whose values are all at midnight, see formatDatetime).
 * An int column's values are whole: every digit (an id of 16 digits is no 1.234568e+15), as
 * for those beyond 2^53, which arrive as their digits (a string, web/src/exact-json.ts).
 */
export function display(value: unknown, type: string, dateOnly = false): string {
  if (typeof value === 'number') return type === 'int' && Number.isInteger(value) ? String(value) : formatNumber(value);
  if (typeof value === 'string') return type === 'datetime' ? formatDatetime(value, dateOnly) : value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

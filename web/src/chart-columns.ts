// Which columns each chart type can draw, as the server checks them (visualize, in
// src/operations/analysis/charts.ts): the chart form offers only those, so a person never
// picks a column just to be told in a protocol message that it cannot be drawn.

export type ChartType = 'histogram' | 'frequency' | 'scatter' | 'line' | 'date';

interface Typed {
  name: string;
  /** The API's type: int, float, string, bool, datetime. */
  type: string;
}

export const isNumericColumn = (c: Typed | undefined): boolean => c?.type === 'int' || c?.type === 'float';
const isDate = (c: Typed): boolean => c.type === 'datetime';
/** Word frequencies (useWords) count the words of a text column only. */
export const countsWords = (c: Typed | undefined): boolean => c?.type === 'string';

const X_RULE: Record<ChartType, { ok(c: Typed): boolean; needs: string }> = {
  histogram: { ok: (c) => isNumericColumn(c) || isDate(c), needs: 'a numeric or date column' },
  frequency: { ok: () => true, needs: 'a column' },
  scatter: { ok: isNumericColumn, needs: 'a numeric X column' },
  line: { ok: (c) => isNumericColumn(c) || isDate(c), needs: 'a numeric or date X column' },
  date: { ok: isDate, needs: 'a date column for the X axis' },
};

/** The chart draws Y columns (scatter, line, time series); every Y column is numeric. */
export const hasYColumns = (type: ChartType): boolean => type === 'scatter' || type === 'line' || type === 'date';

/** The columns `type` can take as its X column (its only column for a histogram or frequency chart). */
export function xColumnsFor<C extends Typed>(type: ChartType, columns: readonly C[]): C[] {
  return columns.filter(X_RULE[type].ok);
}

/** The columns `type` can draw as Y columns, X excluded; none when it has no Y. */
export function yColumnsFor<C extends Typed>(type: ChartType, columns: readonly C[], x: string): C[] {
  return hasYColumns(type) ? columns.filter((c) => c.name !== x && isNumericColumn(c)) : [];
}

/** Why `type` cannot be drawn from these columns at all, in words; null when it can. */
export function chartUnavailable(type: ChartType, columns: readonly Typed[]): string | null {
  const xs = xColumnsFor(type, columns);
  if (xs.length === 0) return `This chart needs ${X_RULE[type].needs}; the dataset has none.`;
  if (hasYColumns(type) && !xs.some((x) => yColumnsFor(type, columns, x.name).length > 0)) return `This chart needs a numeric column for the Y axis besides the X column; the dataset has none.`;
  return null;
}

const TYPE_WORDS: Record<string, string> = { int: 'whole numbers', float: 'decimal numbers', string: 'text', bool: 'true/false values', datetime: 'dates' };

// Parameter names the server starts its messages with, as the form calls them; a column
// parameter's name is left out, the message names the column itself.
const PARAM_WORDS: Record<string, string> = {
  numberOfBins: 'Bins',
  'axis.x': 'Axis window (x)',
  'axis.y': 'Axis window (y)',
  'axis.x.start': 'Axis window, x from',
  'axis.x.end': 'Axis window, x to',
  'axis.y.start': 'Axis window, y from',
  'axis.y.end': 'Axis window, y to',
};

/**
 * A failed visualize request's description in the words of the chart form: no parameter
 * names (`columnIndices:`), a column's type said plainly ("holds text", not "is string").
 */
export function chartErrorText(description: string): string {
  let text = description.trim();
  const param = /^([A-Za-z]+(?:\.[A-Za-z]+)*): /.exec(text);
  if (param) {
    const words = PARAM_WORDS[param[1]];
    text = (words ? `${words}: ` : '') + text.slice(param[0].length);
  }
  text = text.replace(/column ("(?:[^"\\]|\\.)*") is (\w+)/g, (_, quoted: string, type: string) => `“${JSON.parse(quoted) as string}” holds ${TYPE_WORDS[type] ?? type}`);
  text = text.replace(/ \(int or float\)/g, '');
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(text) ? text : `${text}.`;
}

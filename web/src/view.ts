// What the grid shows: the dataset, or a view of it (a filter, a search, a sort), sent
// with every metadata and data request as API.md's shared view parameters.
//
// The view names its columns: positions change when columns are added or deleted (here or
// in another tab), so they are looked up in the current column list for every request.

export type FilterType = 'invalid' | 'outliers' | 'duplicates';

export interface View {
  filter?: { type: FilterType; columns: string[]; trim: number; stdDev: number };
  /** `'all'`: every column there is at the time of the request. */
  /** `matchCase` false: letters match in either case (the search box's default, as a browser's find). */
  search?: { query: string; columns: string[] | 'all'; regex: boolean; matchCase: boolean };
  sort?: { column: string; ascending: boolean };
}

export type ViewParams = Record<string, string | number | boolean | number[]>;

/** The request parameters of `view` over the columns `names` (a part naming a column not there is left out). */
export function viewParams(view: View, names: string[]): ViewParams {
  const p: ViewParams = {};
  const at = (list: string[]) => list.map((n) => names.indexOf(n));
  const filterCols = view.filter ? at(view.filter.columns) : [];
  if (view.filter && filterCols.length && !filterCols.includes(-1)) {
    p.filterType = view.filter.type;
    p.filterColumnIndices = filterCols;
    if (view.filter.type === 'outliers') {
      p.outliersTrimPortion = view.filter.trim;
      p.outliersStdDev = view.filter.stdDev;
    }
  }
  const searchCols = view.search ? (view.search.columns === 'all' ? names.map((_, i) => i) : at(view.search.columns)) : [];
  if (view.search && view.search.query !== '' && searchCols.length && !searchCols.includes(-1)) {
    p.searchQuery = view.search.query;
    p.searchColumnIndices = searchCols;
    p.searchIsRegex = view.search.regex;
    p.searchCaseSensitive = view.search.matchCase;
  }
  const sortCol = view.sort ? names.indexOf(view.sort.column) : -1;
  if (view.sort && sortCol >= 0) {
    p.sortColumnIndex = sortCol;
    p.sortAscending = view.sort.ascending;
  }
  return p;
}

/**
 * The column `name` in the columns `names`: itself while it is there, else what this tab
 * renamed it to (`renamed`, old → new name) when that is there, else `name` (gone).
 */
export function followRename(name: string, names: readonly string[], renamed: ReadonlyMap<string, string>): string {
  if (names.includes(name)) return name;
  const to = renamed.get(name);
  return to !== undefined && names.includes(to) ? to : name;
}

/**
 * The view after the columns changed to `names`: columns renamed (`renamed`, old → new name,
 * what this tab knows of) are followed; a part of the view naming a column that is gone is
 * dropped, and `dropped` says so in words. The same object when nothing changed.
 */
export function reconcileView(view: View, names: string[], renamed: ReadonlyMap<string, string> = new Map()): { view: View; dropped: string[] } {
  const have = new Set(names);
  const follow = (n: string) => followRename(n, names, renamed);
  const dropped: string[] = [];
  const next: View = {};
  let changed = false;
  // A list of columns followed through renames: the columns that are gone, noted as a change.
  const track = (list: string[]) => {
    const columns = list.map(follow);
    const missing = columns.filter((n) => !have.has(n));
    changed ||= missing.length > 0 || columns.some((c, i) => c !== list[i]);
    return { columns, missing };
  };
  const noLonger = (missing: string[]) => `the column${missing.length > 1 ? 's' : ''} ${missing.map((n) => `“${n}”`).join(', ')} no longer exist${missing.length > 1 ? '' : 's'}`;
  if (view.filter) {
    const { columns, missing } = track(view.filter.columns);
    if (missing.length) dropped.push(`The filter “${FILTER_LABEL[view.filter.type]}” was removed: ${noLonger(missing)}.`);
    else next.filter = { ...view.filter, columns };
  }
  if (view.search?.columns === 'all') next.search = view.search;
  else if (view.search) {
    const { columns, missing } = track(view.search.columns);
    if (missing.length) dropped.push(`The search for “${view.search.query}” was removed: ${noLonger(missing)}.`);
    else next.search = { ...view.search, columns };
  }
  if (view.sort) {
    const { columns: [column], missing } = track([view.sort.column]);
    if (missing.length) dropped.push(`The sort by “${column}” was removed: the column no longer exists.`);
    else next.sort = { ...view.sort, column };
  }
  return changed ? { view: next, dropped } : { view, dropped };
}

/** The view keeps only some rows (its row count is asked for). */
export const hasRowView = (p: ViewParams): boolean => 'filterType' in p || 'searchQuery' in p;

/** `text` with every character Python's regex syntax gives a meaning to escaped. */
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A regex matching exactly the rows holding `value` in a column of type `type` ("show rows
 * with this value"), `value` as a reply carries it. The server searches a value's text form
 * (src/engine/json-values.ts textValue: DuckDB's CAST to text), which for dates and floats is
 * not the reply's: the datetime `2021-10-17T00:00:00.000` is searched as `2021-10-17 00:00:00`
 * (a DATE column's as `2021-10-17`), the float 1000000 as `1000000.0`, 1e16 as `1e+16`; a
 * regex built from the reply's form found nothing. `\Z`, not `$`: Python's `$` also matches
 * before a last line break, so `a$` found `a` and `a⏎`.
 */
export function valueRegex(value: unknown, type: string): string {
  const exact = (pattern: string) => `^${pattern}\\Z`;
  if (type === 'float') {
    const x = Number(value);
    if (Number.isFinite(x)) return exact(floatPattern(x));
  }
  if (type === 'datetime' && typeof value === 'string') {
    const pattern = datetimePattern(value);
    if (pattern !== null) return exact(pattern);
  }
  return exact(escapeRegex(String(value)));
}

/**
 * The text forms of the double `x`: DuckDB writes Python's repr (shortest digits, as
 * JavaScript's; fixed notation with `.0` from 1e-4 up to 1e16, else `1e+16`, `1.5e-05`), a
 * DECIMAL its scale's digits (`1.50`, `3` when the scale is 0): both are matched.
 */
function floatPattern(x: number): string {
  if (x === 0) return '-?0(?:\\.0*)?';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const sign = x < 0 ? '-' : '';
  const digits = mantissa.replace('.', '');
  if (exp < -4 || exp >= 16) return `${sign}${escapeRegex(mantissa)}e${exp < 0 ? '-' : '\\+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const whole = exp < 0 ? '0' : digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fraction = exp < 0 ? '0'.repeat(-exp - 1) + digits : digits.slice(exp + 1);
  return fraction === '' ? `${sign}${whole}(?:\\.0*)?` : `${sign}${whole}\\.${fraction}0*`;
}

/**
 * The text forms of the datetime a reply writes `2021-10-17T12:30:00.120` (milliseconds):
 * DuckDB writes `2021-10-17 12:30:00.12` (the fraction's last zeros left out, to the
 * microsecond or nanosecond the column holds, so any further digits match), a DATE column
 * `2021-10-17`. Null when `text` is not of that form.
 */
function datetimePattern(text: string): string | null {
  const m = /^(-?\d{4,}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{3})$/.exec(text);
  if (!m) return null;
  const [, date, time, millis] = m;
  const kept = millis.replace(/0+$/, '');
  const rest = kept.length === 3 ? '\\d*' : `(?:${'0'.repeat(3 - kept.length)}\\d*)?`;
  const fraction = kept === '' ? '(?:\\.000\\d*)?' : `\\.${kept}${rest}`;
  const clock = `${time}${fraction}`;
  return time === '00:00:00' ? `${date}(?: ${clock})?` : `${date} ${clock}`;
}

export const FILTER_LABEL: Record<FilterType, string> = { invalid: 'Missing values', outliers: 'Outliers', duplicates: 'Duplicates' };

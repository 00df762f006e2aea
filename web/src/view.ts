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
 * The view after the columns changed to `names`: columns renamed (`renamed`, old → new name,
 * what this tab knows of) are followed; a part of the view naming a column that is gone is
 * dropped, and `dropped` says so in words. The same object when nothing changed.
 */
export function reconcileView(view: View, names: string[], renamed: ReadonlyMap<string, string> = new Map()): { view: View; dropped: string[] } {
  const have = new Set(names);
  const follow = (n: string) => (have.has(n) ? n : renamed.has(n) && have.has(renamed.get(n)!) ? renamed.get(n)! : n);
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

/** A regex matching exactly `value` (for "show rows with this value"). */
export function exactRegex(value: string): string {
  return `^${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

export const FILTER_LABEL: Record<FilterType, string> = { invalid: 'Missing values', outliers: 'Outliers', duplicates: 'Duplicates' };

// What the grid shows: the dataset, or a view of it (a filter, a search, a sort), sent
// with every metadata and data request as API.md's shared view parameters.

export type FilterType = 'invalid' | 'outliers' | 'duplicates';

export interface View {
  filter?: { type: FilterType; columns: number[]; trim: number; stdDev: number };
  search?: { query: string; columns: number[]; regex: boolean };
  sort?: { column: number; ascending: boolean };
}

export type ViewParams = Record<string, string | number | boolean | number[]>;

export function viewParams(view: View): ViewParams {
  const p: ViewParams = {};
  if (view.filter && view.filter.columns.length) {
    p.filterType = view.filter.type;
    p.filterColumnIndices = view.filter.columns;
    if (view.filter.type === 'outliers') {
      p.outliersTrimPortion = view.filter.trim;
      p.outliersStdDev = view.filter.stdDev;
    }
  }
  if (view.search && view.search.query !== '' && view.search.columns.length) {
    p.searchQuery = view.search.query;
    p.searchColumnIndices = view.search.columns;
    p.searchIsRegex = view.search.regex;
  }
  if (view.sort) {
    p.sortColumnIndex = view.sort.column;
    p.sortAscending = view.sort.ascending;
  }
  return p;
}

export const hasRowView = (v: View): boolean => !!(v.filter || v.search);

/** A regex matching exactly `value` (for "show rows with this value"). */
export function exactRegex(value: string): string {
  return `^${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

export const FILTER_LABEL: Record<FilterType, string> = { invalid: 'Missing values', outliers: 'Outliers', duplicates: 'Duplicates' };

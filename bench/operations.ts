import type { ColumnRole } from './generate.ts';

/** What parameters are built from: the bench dataset's shape as the server reports it. */
export interface BenchContext {
  rows: number;
  /** Column index of each role (see BENCH_COLUMNS). */
  index: Record<ColumnRole, number>;
  /** Column name of each role. */
  name: Record<ColumnRole, string>;
  /** Deterministic pseudo-random numbers in [0, 1). */
  random: () => number;
}

export interface BenchCase {
  /** What this case does, for the table. */
  label: string;
  /** `column`: touches one column (target ≤ 1 s); `table`: rewrites rows or many columns (target ≤ 5 s). */
  scope: 'column' | 'table';
  /** Other operations this case calls; when one is not registered the case is skipped. */
  requires?: string[];
  params: (c: BenchContext) => Record<string, unknown>;
}

const hundredRows = (c: BenchContext): number[] => {
  const picked = new Set<number>();
  while (picked.size < Math.min(100, c.rows)) picked.add(Math.floor(c.random() * c.rows));
  return [...picked].sort((a, b) => a - b);
};

/**
 * Bench parameters per changing operation (names as registered; parameters from
 * /work/shared/API.md). Each case runs once and is undone right after, so every case sees
 * the freshly imported dataset. A registered operation missing here is reported as
 * "no bench parameters".
 */
export const OPERATION_CASES: Record<string, BenchCase[]> = {
  renameColumn: [{ label: 'category → category_renamed', scope: 'column', params: (c) => ({ column: c.name.category, newName: 'category_renamed' }) }],
  newCellValue: [{ label: 'one float cell, middle row', scope: 'column', params: (c) => ({ columnIndex: c.index.float, rowIndex: Math.floor(c.rows / 2), newValue: '42.5' }) }],
  emptyStringToNaN: [{ label: 'text column', scope: 'column', params: (c) => ({ columnIndex: c.index.text }) }],
  deleteRows: [{ label: '100 random rows', scope: 'table', params: (c) => ({ rowIndices: hundredRows(c) }) }],
  deleteColumns: [{ label: 'text column', scope: 'column', params: (c) => ({ columnIndices: [c.index.text] }) }],
  changeColumnDataType: [
    { label: 'float → string', scope: 'column', params: (c) => ({ column: c.name.float, newDataType: 'str' }) },
    { label: 'int (missing) → float', scope: 'column', params: (c) => ({ column: c.name.intMissing, newDataType: 'float' }) },
    { label: 'datetime → string', scope: 'column', params: (c) => ({ column: c.name.datetime, newDataType: 'str' }) },
  ],
  fillDown: [{ label: 'ffill int (missing)', scope: 'column', params: (c) => ({ columnFrom: c.index.intMissing, columnTo: c.index.intMissing, method: 'ffill' }) }],
  interpolate: [
    { label: 'linear, int (missing)', scope: 'column', params: (c) => ({ columnIndex: c.index.intMissing, method: 'linear', order: 1 }) },
    { label: 'pchip, int (missing)', scope: 'column', params: (c) => ({ columnIndex: c.index.intMissing, method: 'pchip', order: 1 }) },
  ],
  fillWithCustomValue: [{ label: 'int (missing) ← 0', scope: 'column', params: (c) => ({ columnIndex: c.index.intMissing, newValue: '0' }) }],
  fillWithAverage: [
    { label: 'mean, int (missing)', scope: 'column', params: (c) => ({ columnIndex: c.index.intMissing, metric: 'mean' }) },
    { label: 'median, int (missing)', scope: 'column', params: (c) => ({ columnIndex: c.index.intMissing, metric: 'median' }) },
    { label: 'mode, int (missing)', scope: 'column', params: (c) => ({ columnIndex: c.index.intMissing, metric: 'mode' }) },
  ],
  normalize: [{ label: 'float into [0, 1]', scope: 'column', params: (c) => ({ columnIndex: c.index.float, rangeFrom: 0, rangeTo: 1 }) }],
  standardize: [{ label: 'float with outliers', scope: 'column', params: (c) => ({ columnIndex: c.index.outliers }) }],
  deleteRowsWithNA: [{ label: 'int (missing): ~10% of rows', scope: 'table', params: (c) => ({ columnIndex: c.index.intMissing }) }],
  findReplace: [
    { label: 'category, whole value', scope: 'column', params: (c) => ({ columnIndex: c.index.category, toReplace: ['alpha', 'beta'], replaceWith: ['ALPHA', 'BETA'], matchRegex: false }) },
    { label: 'text, regex swap two words', scope: 'column', params: (c) => ({ columnIndex: c.index.text, toReplace: ['^(\\w+) (\\w+)'], replaceWith: ['\\2 \\1'], matchRegex: true }) },
  ],
  generateDummies: [{ label: 'category (20 values)', scope: 'table', params: (c) => ({ columnIndex: c.index.category, inplace: false }) }],
  insertDuplicateColumn: [{ label: 'text column', scope: 'column', params: (c) => ({ columnIndex: c.index.text }) }],
  splitColumn: [{ label: "text by ' ' (≤ 3 pieces)", scope: 'table', params: (c) => ({ columnIndex: c.index.text, delimiter: ' ', regex: false }) }],
  combineColumns: [{ label: 'category + text', scope: 'column', params: (c) => ({ columnsToCombine: [c.name.category, c.name.text], seperator: ' - ', newName: 'combined', insertIndex: 0 }) }],
  discretize: [
    { label: 'float, 10 equal-width bins', scope: 'column', params: (c) => ({ columnIndex: c.index.float, cutMode: 'discretization', numberOfBins: 10 }) },
    { label: 'float, 10 quantile bins', scope: 'column', params: (c) => ({ columnIndex: c.index.float, cutMode: 'quantiling', numberOfBins: 10 }) },
  ],
  executeCommand: [
    { label: 'SELECT *, price*2 AS price2 FROM df', scope: 'table', params: (c) => ({ command: `SELECT *, ${c.name.float} * 2 AS ${c.name.float}2 FROM df` }) },
    { label: 'filter: WHERE flag', scope: 'table', params: (c) => ({ command: `SELECT * FROM df WHERE ${c.name.bool}` }) },
    // Modifications load df as a table: only the columns they name (a whole 10M x 8 table did not fit in 1 GB).
    { label: 'UPDATE df SET price = price * 2 WHERE qty > 100', scope: 'table', params: (c) => ({ command: `UPDATE df SET ${c.name.float} = ${c.name.float} * 2 WHERE ${c.name.intMissing} > 100` }) },
    { label: 'DELETE FROM df WHERE qty > 400', scope: 'table', params: (c) => ({ command: `DELETE FROM df WHERE ${c.name.intMissing} > 400` }) },
  ],
  applyOperations: [
    {
      label: 'recipe: fill + normalize',
      scope: 'table',
      requires: ['fillWithCustomValue', 'normalize'],
      params: (c) => ({
        operations: [
          { operation: 'fillWithCustomValue', parameters: { columnIndex: c.index.intMissing, newValue: '0' } },
          { operation: 'normalize', parameters: { columnIndex: c.index.float, rangeFrom: 0, rangeTo: 1 } },
        ],
      }),
    },
  ],
};

/** Registered history operations that change the dataset and get a row of their own (undo is measured after every case). */
export const CHANGING_HISTORY_OPERATIONS = ['applyOperations'];

export interface ChartCase {
  label: string;
  params: (c: BenchContext) => Record<string, unknown>;
}

/** One `visualize` request per chart type. */
export const CHART_CASES: ChartCase[] = [
  { label: 'histogram (float, 10 bins)', params: (c) => ({ type: 'histogram', columnIndices: [c.index.float], numberOfBins: 10 }) },
  { label: 'frequency (category)', params: (c) => ({ type: 'frequency', columnIndex: c.index.category, cutoff: 50 }) },
  { label: 'frequency (text, words)', params: (c) => ({ type: 'frequency', columnIndex: c.index.text, useWords: true, cutoff: 50 }) },
  { label: 'scatter (float × outliers)', params: (c) => ({ type: 'scatter', xColumnIndex: c.index.float, yColumnIndices: [c.index.outliers] }) },
  { label: 'line (id × float)', params: (c) => ({ type: 'line', xColumnIndex: c.index.int, yColumnIndices: [c.index.float] }) },
  { label: 'date (datetime × float)', params: (c) => ({ type: 'date', xColumnIndex: c.index.datetime, yColumnIndices: [c.index.float] }) },
];

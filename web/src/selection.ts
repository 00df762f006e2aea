// The grid's selection is held by Glide as view positions (row i of the view, column j of
// the grid). Rows have no identity in the protocol besides their position in the dataset
// (the `data` answer's `index`), renumbered by every deletion; a view position names another
// row as soon as the view (filter, search, sort) or the row layout changes. So a selection
// lives only as long as the view and row layout it was made in: after either changes it is
// cleared (where the selected rows went in the new view is not known until it is read, and a
// search may hide them), never left on whatever rows now hold its positions. Columns keep
// their names, so selected columns follow their names to their new positions.

/** What a selection was made on: the view's parameters, the row layout shown, the columns. */
export interface SelectionLayout {
  /** The view parameters as a key (JSON of ViewParams). */
  view: string;
  /** WillowClient.rowEpoch of the rows the grid showed. */
  rowEpoch: number;
  /** The data columns' names, in order. */
  columns: readonly string[];
}

export interface SelectionCarry {
  /** The selected rows (and the current cell's rows) still name the same rows. */
  rows: boolean;
  /** A selected data column's position after the change; undefined when it is gone. */
  column(before: number): number | undefined;
}

/** How a selection made in `from` carries over to `to`. */
export function carrySelection(from: SelectionLayout, to: SelectionLayout): SelectionCarry {
  const at = new Map(to.columns.map((name, i) => [name, i]));
  return {
    rows: from.view === to.view && from.rowEpoch === to.rowEpoch,
    column: (before) => {
      const name = from.columns[before];
      return name === undefined ? undefined : at.get(name);
    },
  };
}

/**
 * A range of data columns `[x, x + width)` after the change, when its columns are all still
 * there side by side in the same order; else undefined.
 */
export function carryRange(x: number, width: number, column: SelectionCarry['column']): number | undefined {
  const start = column(x);
  if (start === undefined) return undefined;
  for (let k = 1; k < width; k++) if (column(x + k) !== start + k) return undefined;
  return start;
}

/**
 * The same for a range of the grid's columns, where column 0 is the row-position column
 * (it never moves) and data column i is grid column i + 1.
 */
export function carryGridRange(x: number, width: number, column: SelectionCarry['column']): number | undefined {
  if (x > 0) {
    const start = carryRange(x - 1, width, column);
    return start === undefined ? undefined : start + 1;
  }
  return width === 1 || carryRange(0, width - 1, column) === 0 ? 0 : undefined;
}

/** Where a view row is in the dataset, as the block that shows it was read. */
export interface RowPlace {
  index: number;
  rowEpoch: number;
}

export type SelectedRows = { rows: number[] } | { refused: string };

export const ROWS_REFUSED_TITLE = 'Nothing was deleted';

/**
 * The dataset positions of the selected view rows `viewRows`, all or none: a row not loaded,
 * or read in another row layout than `rowEpoch` (the one now), refuses the lot, so an
 * operation never acts on a part of the selection or on rows that merely took its positions.
 */
export function selectedRows(viewRows: Iterable<number>, rowAt: (row: number) => RowPlace | undefined, rowEpoch: number): SelectedRows {
  const rows: number[] = [];
  let missing = 0;
  for (const r of viewRows) {
    const place = rowAt(r);
    if (place === undefined) missing++;
    else if (place.rowEpoch !== rowEpoch) return { refused: rowsMoved };
    else rows.push(place.index);
  }
  if (missing > 0) return { refused: `${missing === 1 ? '1 selected row is' : `${missing.toLocaleString()} selected rows are`} not loaded yet: scroll through the selection, or select fewer rows, and try again.` };
  return { rows };
}

const rowsMoved = 'Rows were deleted, added or reordered by another change since you selected them: the selection may now name other rows. Select them again.';

/** A list of rows taken in row layout `then` is still good in layout `now`; else why not. */
export const rowsStillPlaced = (then: number, now: number): string | null => (then === now ? null : rowsMoved);

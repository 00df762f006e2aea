// A cell edit is committed some time after its editor opened: while the person types, another
// tab (or person) may delete or insert columns and delete or reorder rows. Positions seen when
// the editor opened may then name another cell, so the edit keeps what it is about in terms
// that survive such changes, and is placed (or refused) when it is committed.
//
// Columns keep their names (as the view, the forms and the panels hold them, see view.ts and
// ops.ts). Rows have no identity of their own in the protocol, only positions, renumbered by
// every deletion (API.md "Sessions"): the edit records the dataset's row layout it saw
// (`rowEpoch`) and is refused when a change that may have moved rows came after it.

import { positionOf } from './ops.ts';

/** What an open cell editor is about, as the grid showed it when the editor opened. */
export interface EditTarget {
  /** The column's name. */
  column: string;
  /** The row's position in the dataset (not in the view). */
  row: number;
  /** The row layout the position belongs to (WillowClient.rowEpoch when it was read). */
  rowEpoch: number;
}

/** Where an edit goes now, or, in words, why it goes nowhere. */
export type EditPlace = { columnIndex: number; rowIndex: number } | { refused: string };

export const EDIT_REFUSED_TITLE = 'The edit was not applied';

/**
 * The position an edit opened on `target` takes among the columns `names` of now, when the
 * row layout is `rowEpoch`. A column this tab renamed (`renamed`, old → new name) is followed;
 * a column that is gone, or a row that may have moved, refuses the edit: it is never sent to
 * whatever column or row now has the old position.
 */
export function placeEdit(target: EditTarget, names: readonly string[], rowEpoch: number, renamed: ReadonlyMap<string, string> = new Map()): EditPlace {
  const columns = names.map((name) => ({ name }));
  let columnIndex = positionOf(columns, target.column);
  const newName = renamed.get(target.column);
  if (columnIndex < 0 && newName !== undefined) columnIndex = positionOf(columns, newName);
  if (columnIndex < 0) return { refused: `The column “${target.column}” was removed or renamed by another change while you were editing it.` };
  if (rowEpoch !== target.rowEpoch) {
    return { refused: `Rows were deleted, added or reordered by another change while you were editing row ${target.row}: that position may now hold another row. Open the cell again to edit it.` };
  }
  return { columnIndex, rowIndex: target.row };
}

/**
 * The `newValue` an edit's text `text` is sent as, in a column of API type `type`: a number
 * for a numeric column (null when blank), a boolean for a bool column, null for a blank date
 * and for no text at all, else the text. An integer a double cannot hold (beyond 2^53: 9007199254740993) is sent as
 * the text typed, which the server reads digit by digit: Number() would send another value.
 */
export function newValueOf(text: string, type: string | undefined): string | number | boolean | null {
  const t = text.trim();
  if (type === 'int' || type === 'float') {
    if (t === '') return null;
    if (/^[-+]?\d+$/.test(t) && !Number.isSafeInteger(Number(t))) return t;
    return Number.isFinite(Number(text)) ? Number(text) : text;
  }
  if (type === 'bool' && /^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  // A cell emptied is a missing value, in a text column too: the server stores "" there as
  // the empty string (a value of its own, drawn `""`), which a person clearing a cell does not mean.
  if (text === '') return null;
  if (type === 'datetime' && t === '') return null;
  return text;
}

// The changes that never move a row: each rewrites, adds, renames or removes columns only. Any
// other change (deleteRows, deleteRowsWithNA, executeCommand, applyOperations, undo, redo, and
// an operation this list does not know) may delete, add or reorder rows.
const ROW_KEEPING = new Set([
  'newCellValue',
  'renameColumn',
  'deleteColumns',
  'changeColumnDataType',
  'emptyStringToNaN',
  'emptyStringToNan',
  'fillDown',
  'interpolate',
  'fillWithCustomValue',
  'fillWithAverage',
  'normalize',
  'standardize',
  'findReplace',
  'generateDummies',
  'insertDuplicateColumn',
  'splitColumn',
  'combineColumns',
  'discretize',
]);

/** A successful change `operation` may have deleted, added or reordered rows (unless it answered `changed: false`). */
export const rowsMayMove = (operation: string): boolean => !ROW_KEEPING.has(operation);

const EDIT_TARGET = Symbol('editTarget');

/**
 * `cell` carrying its edit target. Glide's editors hand back a copy of the cell they opened
 * with (`{...cell, data}`), so the target travels with the edit from the moment it opened.
 */
export function withEditTarget<C extends object>(cell: C, target: EditTarget): C {
  return Object.assign(cell, { [EDIT_TARGET]: target });
}

/** The edit target a cell (or an editor's copy of it) carries, if any. */
export function editTargetOf(cell: object): EditTarget | undefined {
  return (cell as { [EDIT_TARGET]?: EditTarget })[EDIT_TARGET];
}

import type { Operation } from '../types.ts';
import { renameColumn } from './rename-column.ts';
import { newCellValue } from './new-cell-value.ts';
import { emptyStringToNaN } from './empty-string-to-nan.ts';
import { deleteRows } from './delete-rows.ts';
import { deleteColumns } from './delete-columns.ts';
import { changeColumnDataType } from './change-column-data-type.ts';
import { fillDown } from './fill-down.ts';
import { fillWithCustomValue } from './fill-with-custom-value.ts';
import { fillWithAverage } from './fill-with-average.ts';
import { normalize } from './normalize.ts';
import { standardize } from './standardize.ts';
import { deleteRowsWithNA } from './delete-rows-with-na.ts';
import { insertDuplicateColumn } from './insert-duplicate-column.ts';

// Operations on single cells and whole columns; each lives in its own module beside its test.
export const cellAndColumnOperations: Operation[] = [
  renameColumn,
  newCellValue,
  emptyStringToNaN,
  deleteRows,
  deleteColumns,
  changeColumnDataType,
  fillDown,
  fillWithCustomValue,
  fillWithAverage,
  normalize,
  standardize,
  deleteRowsWithNA,
  insertDuplicateColumn,
];

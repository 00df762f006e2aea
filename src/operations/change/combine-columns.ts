import { z } from 'zod';
import { defineOperation, type ColumnPlan } from '../types.ts';
import { OperationError, invalidParameter } from '../errors.ts';
import { annotate, checkColumnIndex, columnInsertPosition, columnNamesOrPositions, resolveColumn } from '../params.ts';
import { literal } from '../../engine/sql.ts';
import type { Dataset } from '../../engine/dataset.ts';
import { textOf } from './convert.ts';

// The original: df[columns].apply(lambda x: seperator.join(x.astype(str)[x.astype(str) != "nan"]), axis=1)
// inserted at insertIndex as newName (without one: right after the last of the combined
// columns, where splitColumn and generateDummies put theirs, not at the far left). Each value is written as Python's str() prints it
// (integers plain, floats '2.5'/'3.0', True/False, datetimes ISO 8601); missing values are
// left out, and a row with nothing to join is missing.
export const combineColumns = defineOperation({
  name: 'combineColumns',
  kind: 'change',
  summary: 'join the values of several columns as text into a new column',
  params: z
    .object({
      columnsToCombine: annotate(columnNamesOrPositions, 'columns'),
      // 'seperator' is the original's spelling; 'separator' is accepted too
      seperator: z.string().optional(),
      separator: z.string().optional().meta({ 'x-aliasOf': 'seperator' }),
      newName: z.string().optional().default('merged_column'),
      // A position (role columnInsertIndex): a recipe records the column the new one went next to (recipe-columns.ts).
      insertIndex: columnInsertPosition.optional().meta({ description: 'empty: right after the last combined column' }),
    })
    .transform(({ seperator, separator, ...rest }) => ({ ...rest, separator: seperator ?? separator ?? '' })),
  async run(ctx, params) {
    const ds = ctx.dataset;
    if (params.columnsToCombine.length < 2) {
      throw invalidParameter(`columnsToCombine: at least two columns are needed to combine; got ${params.columnsToCombine.length}`);
    }
    const indices = params.columnsToCombine.map((c, i) => columnOf(ds, c, `columnsToCombine[${i}]`));
    if (params.newName === '') throw new OperationError('invalid column name', 'newName: a column name cannot be empty');
    if (ds.indexOf(params.newName) >= 0) {
      throw new OperationError('duplicate column name', `newName ${JSON.stringify(params.newName)} is already a column of the dataset; choose a new name`);
    }
    const insertIndex = params.insertIndex ?? Math.max(...indices) + 1;
    if (insertIndex > ds.columns.length) {
      throw new OperationError('index out of range', `insertIndex ${insertIndex} is out of range: the new column can go at 0…${ds.columns.length}`);
    }
    const texts = indices.map((i) => textOf(ds.ref(i), ds.column(i).type));
    const expr = `CASE WHEN ${texts.map((t) => `${t} IS NULL`).join(' AND ')} THEN NULL ELSE concat_ws(${literal(params.separator)}, ${texts.join(', ')}) END`;
    const columns: ColumnPlan[] = ds.columns.map((c, keep) => ({ name: c.name, keep }));
    columns.splice(insertIndex, 0, { name: params.newName, expr });
    return { kind: 'columns', columns };
  },
});

/** A column by name, or by position (a number, or a numeric string that is not a name). */
function columnOf(ds: Dataset, column: string | number, param: string): number {
  if (typeof column === 'number') return checkColumnIndex(ds, column, param);
  if (ds.indexOf(column) < 0 && /^\d+$/.test(column.trim())) return checkColumnIndex(ds, Number(column.trim()), param);
  return resolveColumn(ds, column, param);
}

import { z } from 'zod';
import { OperationError } from './errors.ts';
import type { Dataset } from '../engine/dataset.ts';

// Parameter building blocks shared by the operations' schemas. Legacy clients sometimes
// send numbers as numeric strings ("3"); those are accepted, anything else is an error.
export const int = z.union([z.number().int(), z.string().trim().regex(/^-?\d+$/, 'expected an integer').transform(Number)]);
export const nonNegativeInt = int.pipe(z.number().int().min(0, 'must be ≥ 0'));
export const number = z.union([z.number(), z.string().trim().regex(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'expected a number').transform(Number)]);
export const bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False', '1', '0']).transform((v) => v === 'true' || v === 'True' || v === '1'), z.literal(0).transform(() => false), z.literal(1).transform(() => true)]);
export const indexList = z.array(nonNegativeInt);
export const columnName = z.string();

/** Check a column position against the current shape. */
export function checkColumnIndex(ds: Dataset, index: number, param = 'columnIndex'): number {
  if (index < 0 || index >= ds.columns.length) {
    throw new OperationError('index out of range', `${param} ${index} is out of range: the dataset has ${ds.columns.length} column${ds.columns.length === 1 ? '' : 's'} (0…${ds.columns.length - 1})`);
  }
  return index;
}

export function checkColumnIndices(ds: Dataset, indices: number[], param = 'columnIndices'): number[] {
  for (const i of indices) checkColumnIndex(ds, i, param);
  return indices;
}

/** Resolve a column name (or, leniently, a position) to its index. */
export function resolveColumn(ds: Dataset, column: string | number, param = 'column'): number {
  if (typeof column === 'number') return checkColumnIndex(ds, column, param);
  const index = ds.indexOf(column);
  if (index < 0) throw new OperationError('unknown column', `${param} ${JSON.stringify(column)} is not a column of the dataset (columns: ${ds.names.map((n) => JSON.stringify(n)).join(', ')})`);
  return index;
}

export function checkRowIndex(ds: Dataset, index: number, param = 'rowIndex'): number {
  if (index < 0 || index >= ds.rows) {
    throw new OperationError('index out of range', `${param} ${index} is out of range: the dataset has ${ds.rows} row${ds.rows === 1 ? '' : 's'}`);
  }
  return index;
}

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'body';
      if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${where}: required parameter is missing`;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

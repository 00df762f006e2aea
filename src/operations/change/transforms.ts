import type { Operation } from '../types.ts';
import { interpolate } from './interpolate.ts';
import { findReplace } from './find-replace.ts';
import { generateDummies } from './generate-dummies.ts';
import { splitColumn } from './split-column.ts';
import { combineColumns } from './combine-columns.ts';
import { discretize } from './discretize.ts';

// Operations that derive values or columns from a column's content (interpolation, find and
// replace, dummies, split, combine, binning); each lives in its own module beside its test.
export const transformOperations: Operation[] = [interpolate, findReplace, generateDummies, splitColumn, combineColumns, discretize];

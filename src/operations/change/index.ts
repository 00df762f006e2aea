import type { Operation } from '../types.ts';
import { cellAndColumnOperations } from './cell-and-column.ts';
import { transformOperations } from './transforms.ts';
import { commandOperations } from './command.ts';

// Every operation that changes the dataset; each lives in its own module beside its test.
export const changeOperations: Operation[] = [...cellAndColumnOperations, ...transformOperations, ...commandOperations];

import type { Operation } from '../types.ts';

// Every operation that changes the dataset; each lives in its own module beside its test.
export const changeOperations: Operation[] = [];

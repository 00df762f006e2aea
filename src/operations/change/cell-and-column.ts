import type { Operation } from '../types.ts';

export const cellAndColumnOperations: Operation[] = [];

import type { Operation } from '../types.ts';

export const transformOperations: Operation[] = [];

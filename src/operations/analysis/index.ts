import type { Operation } from '../types.ts';

// analyze and visualize.
export const analysisOperations: Operation[] = [];

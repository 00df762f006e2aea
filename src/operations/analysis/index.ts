import type { Operation } from '../types.ts';
import { analyze } from './analyze.ts';

// analyze and visualize.
export const analysisOperations: Operation[] = [analyze];

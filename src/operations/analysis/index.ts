import type { Operation } from '../types.ts';
import { analyze } from './analyze.ts';
import { visualize } from './visualize.ts';

// analyze and visualize.
export const analysisOperations: Operation[] = [analyze, visualize];

import type { Operation } from '../types.ts';

export const commandOperations: Operation[] = [];

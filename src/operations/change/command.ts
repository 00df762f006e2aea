import type { Operation } from '../types.ts';
import { executeCommand } from './execute-command.ts';

export const commandOperations: Operation[] = [executeCommand];

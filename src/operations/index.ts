import type { Operation } from './types.ts';
import { metadata } from './read/metadata.ts';
import { data } from './read/data.ts';
import { columnProfiles } from './read/profiles.ts';
import { undo, redo, history, applyOperations } from './history/index.ts';
import { changeOperations } from './change/index.ts';
import { analysisOperations } from './analysis/index.ts';

// The one list of operations. Gateway, queue and workers serve whatever is here.
export const operations: Operation[] = [metadata, data, columnProfiles, undo, redo, history, applyOperations, ...changeOperations, ...analysisOperations];

const byName = new Map<string, Operation>();
for (const op of operations) {
  for (const name of [op.name, ...(op.aliases ?? [])]) {
    if (byName.has(name)) throw new Error(`operation name ${name} registered twice`);
    byName.set(name, op);
  }
}

export function findOperation(name: string): Operation | undefined {
  return byName.get(name);
}

/**
 * Whether a job of `operation` (a name or alias) with `body` (the client's, unvalidated)
 * takes a command process when it runs: itself (Operation.commandProcess) or through a step
 * of its recipe (HistoryOperation.steps). For the queue, which starts at most
 * COMMAND_PROCESSES such jobs at once.
 */
export function takesCommandProcess(operation: string, body: Record<string, unknown>): boolean {
  const op = findOperation(operation);
  if (!op) return false;
  if (op.commandProcess) return true;
  return op.kind === 'history' && (op.steps?.(body) ?? []).some((step) => findOperation(step)?.commandProcess === true);
}

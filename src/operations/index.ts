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

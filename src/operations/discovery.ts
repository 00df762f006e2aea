import { z } from 'zod';
import { operations } from './index.ts';
import type { OperationDescription } from '../protocol/messages.ts';

/** The discovery request itself: answered by the gateway, needs no session. */
export const DISCOVERY_OPERATION = 'operations';

let described: OperationDescription[] | null = null;

/**
 * Every request of the registry as API.md's "Discovery" section gives it: `{name, aliases,
 * kind, summary, parameters}`, `parameters` the JSON Schema (draft 2020-12) of what a client
 * sends, i.e. the schema's input side (`io: 'input'`: "3" is as good as 3; transforms and
 * defaults do not hide a parameter). Parts JSON Schema cannot express become `{}`. The
 * `x-role` annotations come from params.ts. Computed once: the registry is fixed at start.
 */
export function describeOperations(): OperationDescription[] {
  if (described) return described;
  const list: OperationDescription[] = operations.map((op) => ({
    name: op.name,
    aliases: op.aliases ?? [],
    kind: op.kind,
    summary: op.summary,
    parameters: z.toJSONSchema(op.params, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  }));
  list.push({
    name: DISCOVERY_OPERATION,
    aliases: [],
    kind: 'read',
    summary: 'every request this server knows, with the JSON Schema of its parameters (no sessionID needed)',
    parameters: z.toJSONSchema(z.object({})) as Record<string, unknown>,
  });
  described = list;
  return list;
}

import { z } from 'zod';
import { operations } from './index.ts';
import type { OperationDescription } from '../protocol/messages.ts';

/** The discovery request itself: answered by the gateway, needs no session. */
export const DISCOVERY_OPERATION = 'operations';

type Json = { type?: unknown; anyOf?: Json[]; items?: Json; minimum?: number; maximum?: number; pattern?: string; 'x-role'?: unknown };

/**
 * Positions are ≥ 0, but that bound lives in the output side of their schema (a pipe after
 * the lenient "number or numeric string" input), which `io: 'input'` leaves out: it is put
 * back on the input's integer and string branches.
 */
function nonNegativePositions(schema: Json): void {
  const role = schema['x-role'];
  if (role === 'columnIndex' || role === 'columnInsertIndex' || role === 'rowIndex') tighten(schema);
  if ((role === 'columnIndices' || role === 'rowIndices') && schema.items) tighten(schema.items);
}
function tighten(s: Json): void {
  if (s.type === 'integer') {
    s.minimum = 0;
    delete s.maximum;
  }
  if (s.type === 'string' && s.pattern === '^-?\\d+$') s.pattern = '^\\d+$';
  for (const b of s.anyOf ?? []) tighten(b);
}

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
    parameters: z.toJSONSchema(op.params, { io: 'input', unrepresentable: 'any', override: ({ jsonSchema }) => nonNegativePositions(jsonSchema as Json) }) as Record<string, unknown>,
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

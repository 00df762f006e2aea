import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError } from '../errors.ts';

export const undo = defineOperation({
  name: 'undo',
  kind: 'history',
  summary: 'step back one version',
  params: z.object({}),
  async run(_ctx, _params, control) {
    const manifest = await control.move(-1);
    if (!manifest) throw new OperationError('nothing to undo', 'there is no earlier version of this dataset to go back to');
    return { result: {}, changed: true };
  },
});

export const redo = defineOperation({
  name: 'redo',
  kind: 'history',
  summary: 'step forward again after undo',
  params: z.object({}),
  async run(_ctx, _params, control) {
    const manifest = await control.move(1);
    if (!manifest) throw new OperationError('nothing to redo', 'there is no undone version to step forward to');
    return { result: {}, changed: true };
  },
});

export const history = defineOperation({
  name: 'history',
  kind: 'history',
  summary: 'the changing operations applied to the session, oldest first',
  params: z.object({}),
  async run(ctx) {
    const { state, manifests } = await ctx.store.all(ctx.sessionId);
    const operations = manifests.flatMap((m, i) => m.operations.map((op) => ({ ...op, undone: i > state.current })));
    return { result: { operations }, changed: false };
  },
});

const recipeEntry = z.object({
  operation: z.string(),
  parameters: z.record(z.string(), z.unknown()).default({}),
  appliedAt: z.string().optional(),
  undone: z.boolean().optional(),
});

export const applyOperations = defineOperation({
  name: 'applyOperations',
  kind: 'history',
  summary: 'replay a list of operations (a recipe from history) as one step',
  params: z.object({ operations: z.array(recipeEntry) }),
  async run(ctx, params, control) {
    const todo = params.operations.filter((o) => !o.undone);
    if (todo.length === 0) throw new OperationError('nothing to apply', 'operations is empty (or every entry is marked undone)');
    let dataset = ctx.dataset;
    const applied = [];
    for (const [i, entry] of todo.entries()) {
      try {
        dataset = await control.stage(dataset, entry.operation, entry.parameters);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new OperationError('operation failed', `operation ${i + 1} of ${todo.length} (${entry.operation}) failed, so none was applied: ${reason}`);
      }
      applied.push({ operation: entry.operation, parameters: entry.parameters, appliedAt: new Date().toISOString() });
    }
    if (dataset === ctx.dataset) return { result: { applied: applied.length }, changed: false };
    await control.commit(dataset, applied);
    return { result: { applied: applied.length }, changed: true };
  },
});

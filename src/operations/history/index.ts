import { z } from 'zod';
import { defineOperation, type Recorded } from '../types.ts';
import { columnNames } from '../../protocol/messages.ts';
import { OperationError, engineReason } from '../errors.ts';
import { nonNegativeInt, operationParameters } from '../params.ts';
import { LOST_EXAMPLES } from '../change/convert.ts';

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

/** Most bytes of operations one `history` reply carries (at least one entry is always sent). */
export const HISTORY_PAGE_BYTES = 8 * 1024 * 1024;
const HISTORY_PAGE_ENTRIES = 1000;

export const history = defineOperation({
  name: 'history',
  kind: 'history',
  readOnly: true,
  summary: 'the changing operations applied to the session, oldest first, a page at a time',
  params: z.object({
    offset: nonNegativeInt.default(0),
    limit: nonNegativeInt.pipe(z.number().int().min(1, 'limit must be ≥ 1').max(HISTORY_PAGE_ENTRIES, `limit must be ≤ ${HISTORY_PAGE_ENTRIES}`)).default(HISTORY_PAGE_ENTRIES),
  }),
  async run(ctx, params) {
    const { state, manifests } = await ctx.store.all(ctx.sessionId);
    // Operations of versions dropped by the history caps come first: still part of the log.
    const earlier = (state.earlier ?? []).map((op) => ({ ...op, undone: false }));
    const all = [...earlier, ...manifests.flatMap((m, i) => m.operations.map((op) => ({ ...op, undone: i > state.current })))];
    // A page: at most `limit` entries and about HISTORY_PAGE_BYTES of them, so that a reply
    // stays bounded however large the recorded values are; nextOffset continues it.
    const operations = [];
    let bytes = 0;
    for (let i = params.offset; i < all.length && operations.length < params.limit; i++) {
      const size = Buffer.byteLength(JSON.stringify(all[i]));
      if (operations.length > 0 && bytes + size > HISTORY_PAGE_BYTES) break;
      operations.push(all[i]);
      bytes += size;
    }
    const next = params.offset + operations.length;
    return { result: { operations, total: all.length, offset: params.offset, nextOffset: next < all.length ? next : null }, changed: false };
  },
});

const recipeEntry = z.object({
  operation: z.string(),
  parameters: z.record(z.string(), z.unknown()).default({}),
  // Absent (entries recorded before names were, recipes written by hand): positions as they are.
  columns: columnNames.optional(),
  appliedAt: z.string().optional(),
  undone: z.boolean().optional(),
});

/** Error codes of a recipe's step that the recipe answers with as they are: the server's state, not the recipe, refused it. */
const RETRYABLE = new Set(['busy', 'operation timed out', 'command timed out']);

export const applyOperations = defineOperation({
  name: 'applyOperations',
  kind: 'history',
  summary: 'replay a list of operations (a recipe from history) as one step',
  params: z.object({ operations: z.array(recipeEntry) }),
  // The recipe as run() will read it: a body it would refuse runs no step.
  steps: (body) => {
    const recipe = z.array(recipeEntry).safeParse(body.operations);
    return recipe.success ? recipe.data.flatMap((e) => (e.undone ? [] : [e.operation])) : [];
  },
  async run(ctx, params, control) {
    // Positions are those of the list as sent (undone entries included), so an error names
    // the entry the client sees.
    const todo = params.operations.map((entry, index) => ({ entry, index })).filter((o) => !o.entry.undone);
    if (todo.length === 0) throw new OperationError('nothing to apply', 'operations is empty (or every entry is marked undone)');
    let dataset = ctx.dataset;
    const applied = [];
    // Each step's own answer (a conversion's values made missing…), which would be lost in the one reply.
    const stepAnswers: Record<string, unknown>[] = [];
    for (const { entry, index } of todo) {
      const parameters = operationParameters(entry.parameters);
      let recorded: Recorded;
      let answer: Record<string, unknown> | undefined;
      try {
        // `dataset` is the earlier steps' result: names are found where those steps left them.
        ({ dataset, recorded, answer } = await control.stage(dataset, entry.operation, parameters, entry.columns));
      } catch (err) {
        // The step ran on `dataset` (the earlier steps' result): its columns are the ones DuckDB names.
        const why = reason(err, dataset.names);
        // The full message (paths, internal names) is the operator's; the client gets clientText of it.
        if (!(err instanceof OperationError)) ctx.log.error({ err, step: entry.operation }, 'applyOperations entry failed'); // `operation` is the job's (applyOperations), bound to the logger
        // Refusals that say "try again later" keep their code, which clients act on.
        const code = err instanceof OperationError && RETRYABLE.has(err.code) ? err.code : 'operation failed';
        throw new OperationError(code, `operation ${index + 1} of ${params.operations.length} (${entry.operation}) failed, so none was applied: ${why}`, err instanceof OperationError && err.cause ? { cause: err.cause } : undefined);
      }
      applied.push({ operation: entry.operation, ...recorded, appliedAt: new Date().toISOString() });
      if (answer && Object.keys(answer).length > 0) stepAnswers.push({ step: index + 1, operation: entry.operation, ...answer });
    }
    const result = { applied: applied.length, ...recipeAnswer(stepAnswers) };
    if (dataset === ctx.dataset) return { result, changed: false };
    await control.commit(dataset, applied);
    return { result, changed: true };
  },
});

// Why an entry failed, as the client would have been told had it been sent alone (DuckDB's
// reason without paths or internal names; `names`: the columns of the version it ran on).
/**
 * What a recipe's reply says of its steps' own answers: `steps`, each step's answer with its
 * 1-based `step` (its place in the list as sent) and `operation`; and, when steps made values
 * missing, their sum as `valuesMadeMissing` and the first LOST_EXAMPLES of their examples as
 * `madeMissingExamples` (the fields a single changeColumnDataType answers), so that a client
 * tells a recipe's losses as it tells one conversion's.
 */
function recipeAnswer(steps: Record<string, unknown>[]): Record<string, unknown> {
  if (steps.length === 0) return {};
  const lost = steps.reduce((n, a) => n + (typeof a.valuesMadeMissing === 'number' ? a.valuesMadeMissing : 0), 0);
  if (lost === 0) return { steps };
  const examples = steps.flatMap((a) => (Array.isArray(a.madeMissingExamples) ? (a.madeMissingExamples as unknown[]) : []));
  return { steps, valuesMadeMissing: lost, madeMissingExamples: examples.slice(0, LOST_EXAMPLES) };
}

function reason(err: unknown, names: readonly string[]): string {
  if (err instanceof OperationError) return `${err.code}: ${err.message}`;
  return engineReason(err instanceof Error ? err.message : String(err), names) ?? 'internal error';
}

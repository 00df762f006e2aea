import { z } from 'zod';
import crypto from 'node:crypto';
import { defineOperation, type Change, type ColumnPlan, type OperationContext } from '../types.ts';
import { runSandboxed } from '../../engine/sandbox.ts';
import { ident } from '../../engine/sql.ts';

/**
 * The power-user escape hatch: one SQL statement over the table `df`, run in a sandbox
 * (src/engine/sandbox.ts: no files, network or extensions, bounded time and memory).
 * A query's result replaces the dataset; UPDATE/DELETE/INSERT/ALTER TABLE modify it.
 */
export const executeCommand = defineOperation({
  name: 'executeCommand',
  kind: 'change',
  summary: 'run one sandboxed SQL statement over the table df; its result becomes the dataset',
  params: z.object({ command: z.string().trim().min(1, 'command must be a non-empty SQL statement') }),
  async run(ctx, params): Promise<Change> {
    const ds = ctx.dataset;
    const source = ds.columns.length ? ds.select() : 'SELECT NULL AS __empty WHERE false';
    const table = `__command_${crypto.randomBytes(6).toString('hex')}`;
    const outcome = await runSandboxed(source, params.command, ctx.db, table, {
      timeoutMs: ctx.config.COMMAND_TIMEOUT_MS,
      memoryLimit: ctx.config.COMMAND_MEMORY_LIMIT,
      // Half the engine's threads: a runaway command must not starve other sessions' jobs.
      threads: Math.max(1, Math.ceil(ctx.config.DUCKDB_THREADS / 2)),
    });
    if (outcome.kind === 'unchanged') return { kind: 'none' };
    if (outcome.rows !== ds.rows) return { kind: 'table', sql: `SELECT * FROM ${ident(outcome.table)}` };
    return keepUnchanged(ctx, outcome.table);
  },
});

/**
 * Same number of rows: a column whose values (and type) are exactly those of a column of the
 * current version is kept as a pointer to its existing file, so `UPDATE df SET a = …` on a
 * wide dataset writes one column, and a renamed column costs nothing.
 */
async function keepUnchanged(ctx: OperationContext, table: string): Promise<Change> {
  const ds = ctx.dataset;
  const result = await ctx.db.describe(`SELECT * FROM ${ident(table)}`);
  // A candidate per result column: the column of the same name, else the one at the same
  // position (a rename), when the types match.
  const candidates = result.map((r, j) => {
    const byName = ds.indexOf(r.name);
    const i = byName >= 0 ? byName : j;
    return i < ds.columns.length && ds.column(i).type === r.type ? i : -1;
  });
  const same = await sameValues(ctx, table, result.map((r) => r.name), candidates);
  const columns: ColumnPlan[] = result.map((r, j) => (same[j] ? { name: r.name, keep: candidates[j] } : { name: r.name, expr: `${ident(table)}.${ident(r.name)}` }));
  const identical = columns.length === ds.columns.length && columns.every((c, j) => 'keep' in c && c.keep === j && c.name === ds.column(j).name);
  if (identical) return { kind: 'none' };
  return { kind: 'columns', columns, joins: [table] };
}

async function sameValues(ctx: OperationContext, table: string, names: string[], candidates: number[]): Promise<boolean[]> {
  const checks = candidates.flatMap((i, j) => (i < 0 ? [] : [`bool_and(df.${ident(ctx.dataset.column(i).name)} IS NOT DISTINCT FROM ${ident(table)}.${ident(names[j])}) AS k${j}`]));
  if (checks.length === 0) return candidates.map(() => false);
  if (ctx.dataset.rows === 0) return candidates.map((i) => i >= 0);
  const row = await ctx.db.one(`SELECT ${checks.join(', ')} FROM df POSITIONAL JOIN ${ident(table)}`);
  return candidates.map((i, j) => i >= 0 && row[`k${j}`] === true);
}

import { z } from 'zod';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { defineOperation, type Change, type ColumnPlan, type OperationContext } from '../types.ts';
import { resultFiles, type SandboxOutcome } from '../../engine/sandbox.ts';
import { runSandboxedProcess } from '../../engine/sandbox-process.ts';
import { parseMemorySize } from '../../memory-size.ts';
import { quotaLeft } from '../../store/quota.ts';
import { parquetOptions, rowGroupRows } from '../../engine/parquet-layout.ts';
import { columnGroups, groupIndices, WIDE_GROUP } from '../../engine/column-groups.ts';
import { ident, literal } from '../../engine/sql.ts';
import { annotate } from '../params.ts';
import { OperationError } from '../errors.ts';

// Rows compared first when checking whether a query changed anything: a reordered or
// recomputed result usually differs early, and then the full comparison is not worth its scan.
const SAMPLE_ROWS = 122880;

/**
 * The power-user escape hatch: one SQL statement over the table `df`, run in a sandbox
 * (src/engine/sandbox.ts: no files but the dataset's own, no network or extensions,
 * bounded time and memory). A query's result replaces the dataset; UPDATE/DELETE/INSERT/
 * ALTER TABLE modify it.
 */
export const executeCommand = defineOperation({
  name: 'executeCommand',
  kind: 'change',
  summary: 'run one sandboxed SQL statement over the table df; its result becomes the dataset',
  commandProcess: true,
  params: z.object({ command: annotate(z.string().trim().min(1, 'command must be a non-empty SQL statement'), 'sql') }),
  async run(ctx, params): Promise<Change> {
    // Checked before anything parses the statement: parsing is the child's, but the text
    // still travels to it and errors quote it.
    const bytes = Buffer.byteLength(params.command);
    if (bytes > ctx.config.MAX_COMMAND_BYTES) {
      throw new OperationError('command too large', `command is ${bytes} bytes; the limit is ${ctx.config.MAX_COMMAND_BYTES} bytes (MAX_COMMAND_BYTES)`);
    }
    const ds = ctx.dataset;
    // A folder of this job alone; the engine deletes it once the change is written (scratch).
    const jobDir = path.join(ctx.tmpDir, `command-${crypto.randomBytes(8).toString('hex')}`);
    const resultPath = path.join(jobDir, 'result.parquet');
    let change: Change = { kind: 'none' };
    try {
      await fs.mkdir(jobDir, { recursive: true });
      const outcome = await runSandboxedProcess(
        {
          command: params.command,
          source: ds.columns.length ? ds.select() : 'SELECT NULL AS __empty WHERE false',
          // For a query that only filters rows, which are then recorded as deleted.
          positioned: ds.columns.length && ds.columns.length <= WIDE_GROUP ? ds.select({ withPosition: true }) : undefined,
          names: ds.names,
          files: ds.files(),
          resultPath,
          // The engine's own format: a whole new table is adopted as the version's file (its
          // size is known only afterwards: row groups as for the dataset it replaces).
          parquet: parquetOptions(rowGroupRows(ds.rows)),
          // Checked as the result is written: its files become the version's as they are.
          maxCellBytes: ctx.config.MAX_CELL_BYTES,
          // Wide: df as column groups, loaded into a table first when rows are deleted (the
          // filter over the files holds chunks of every column in three more operators), or
          // when a query over the files runs out of memory (see loadTable in sandbox.ts).
          groups: ds.columns.length > WIDE_GROUP ? { selects: columnGroups(ds.columns.length).map((group) => ds.select({ columns: groupIndices(group) })), preload: ds.columns.some((c) => c.deleted) } : undefined,
        },
        {
          timeoutMs: ctx.config.COMMAND_TIMEOUT_MS,
          memoryLimit: ctx.config.COMMAND_MEMORY_LIMIT,
          // Half the engine's threads: a runaway command must not starve other sessions' jobs.
          threads: Math.max(1, Math.ceil(ctx.config.DUCKDB_THREADS / 2)),
          spill: await spillLimit(ctx),
        },
        jobDir,
        { processes: ctx.config.COMMAND_PROCESSES, waitMs: ctx.config.COMMAND_WAIT_MS, deadline: ctx.deadline },
      );
      if (outcome.kind === 'result') change = await plan(ctx, outcome, resultPath);
      // A DELETE's deleted positions: the version records them, every column keeps its file.
      if (outcome.kind === 'deleted') change = { kind: 'rows', deleted: `SELECT c0 FROM read_parquet(${literal(resultPath)})` };
    } finally {
      // Failed, or nothing for the engine to read: the folder goes now.
      if (change.kind === 'none') await fs.rm(jobDir, { recursive: true, force: true });
    }
    return change.kind === 'none' ? change : { ...change, scratch: [jobDir] };
  },
});

/** Share of the disk's free space a command may spill to at most: DuckDB's own default for max_temp_directory_size. */
const FREE_SPACE_SHARE = 0.9;

/**
 * What a command may spill to disk (bytes, in the job's folder) and what set it, for its
 * error: COMMAND_SPILL_LIMIT, or less when the disk quota (MAX_SESSION_BYTES, MAX_DATA_BYTES)
 * or the disk itself has less left, since spilled bytes take the same disk as the data.
 *
 * @throws Error when COMMAND_SPILL_LIMIT is not a DuckDB memory size.
 */
async function spillLimit(ctx: OperationContext): Promise<{ bytes: number; setBy: string }> {
  const configured = { bytes: parseMemorySize(ctx.config.COMMAND_SPILL_LIMIT), setBy: `COMMAND_SPILL_LIMIT=${ctx.config.COMMAND_SPILL_LIMIT}` };
  if (configured.bytes === 0) return configured;
  const quota = await quotaLeft(ctx.store, ctx.sessionId, { maxSessionBytes: ctx.config.MAX_SESSION_BYTES, maxDataBytes: ctx.config.MAX_DATA_BYTES });
  const disk = await fs.statfs(ctx.tmpDir).then((s) => ({ bytes: Math.floor(s.bavail * s.bsize * FREE_SPACE_SHARE), setBy: 'the free space of the disk' }));
  return [quota, disk].reduce<{ bytes: number; setBy: string }>((least, l) => (l && l.bytes < least.bytes ? l : least), configured);
}

async function plan(ctx: OperationContext, outcome: Extract<SandboxOutcome, { kind: 'result' }>, resultPath: string): Promise<Change> {
  const ds = ctx.dataset;
  const written = outcome.kept.flatMap((k, j) => (k < 0 ? [j] : []));
  const files = resultFiles(resultPath, written.length);
  // The result files side by side: fields c<j> for each written column j.
  const result = files.map((f) => `read_parquet(${literal(f)})`).join(' POSITIONAL JOIN ');
  if (written.length === outcome.names.length) {
    if (outcome.statement === 'SELECT' && (await unchanged(ctx, files, result, outcome))) return { kind: 'none' };
    // The whole table is in the files, in the engine's format: they become the version's files.
    return { kind: 'file', paths: files, names: outcome.names };
  }
  // UPDATE or ALTER left some columns as they were, or a query repeated them: those keep
  // their files; the others are fields of the result files, which become files of the
  // version as they are. Kept columns are only right beside a result of the same rows.
  if (outcome.rows !== ds.rows) throw new Error(`a command result of ${outcome.rows} rows keeps columns of a dataset of ${ds.rows} rows`);
  // Written column j is field c<j> of the file of its group (resultFiles: group g in file g).
  const fileOf = new Map(columnGroups(Math.max(1, written.length)).flatMap(({ from, to }, g) => written.slice(from, to).map((j) => [j, files[g]] as const)));
  const columns: ColumnPlan[] = outcome.names.map((name, j) => (outcome.kept[j] >= 0 ? { name, keep: outcome.kept[j] } : { name, adopt: { path: fileOf.get(j)!, field: `c${j}` } }));
  const identical = columns.length === ds.columns.length && columns.every((c, j) => 'keep' in c && c.keep === j && c.name === ds.column(j).name);
  if (identical) return { kind: 'none' };
  return { kind: 'columns', columns };
}

/**
 * Whether a query gave back the dataset exactly (`SELECT * FROM df`): same columns, types,
 * rows and values. Checked on a first slice of rows before the full comparison, so that a
 * result that differs (reordered, recomputed) is told apart without scanning everything.
 * (Columns of a query are not compared one by one to keep their files: on 10M rows that
 * comparison cost more than writing the result again; UPDATE and ALTER get it in the sandbox.)
 * `files`: the result's files (resultFiles: column group g in file g); `result`: them side by side.
 */
async function unchanged(ctx: OperationContext, files: string[], result: string, outcome: Extract<SandboxOutcome, { kind: 'result' }>): Promise<boolean> {
  const ds = ctx.dataset;
  if (outcome.rows !== ds.rows || outcome.names.length !== ds.columns.length || outcome.names.some((n, j) => n !== ds.column(j).name)) return false;
  const types = await ctx.db.describe(`SELECT * FROM ${result}`);
  if (types.some((t, j) => t.type !== ds.column(j).type)) return false;
  if (ds.rows === 0) return true;
  // A column group at a time, each against its own result file (resultFiles: group g of the
  // columns is file g): one comparison of 10,000 columns with deleted rows needed more than
  // the engine's 1 GB (vectors of every column in each operator of the plan).
  const same = async (limit: string) => {
    for (const [g, group] of columnGroups(ds.columns.length).entries()) {
      const columns = groupIndices(group);
      const checks = columns.map((j) => `d.${ds.ref(j)} IS NOT DISTINCT FROM r.c${j}`).join(' AND ');
      const sql = `SELECT bool_and(${checks}) FROM (${ds.select({ columns })}${limit}) AS d POSITIONAL JOIN (FROM read_parquet(${literal(files[g])})${limit}) AS r`;
      if ((await ctx.db.scalar(sql)) !== true) return false;
    }
    return true;
  };
  return (ds.rows <= SAMPLE_ROWS || (await same(` LIMIT ${SAMPLE_ROWS}`))) && (await same(''));
}

import fs from 'node:fs/promises';
import { z } from 'zod';
import { findOperation } from '../operations/index.ts';
import { OperationError, clientText, engineReason, tooManyCells, tooManyColumns } from '../operations/errors.ts';
import { describeZodError, knownParameters, operationParameters } from '../operations/params.ts';
import { assertPlainData, assertStringsWithin } from '../operations/plain-data.ts';
import { Dataset } from '../engine/dataset.ts';
import { materialize, type Materialized } from '../engine/materialize.ts';
import { SessionNotFoundError, StaleJobError } from '../store/session-store.ts';
import { isSessionId } from '../store/session-id.ts';
import type { Db } from '../engine/duck.ts';
import type { Job, JobResult } from '../queue/job.ts';
import { engineFor, type Engine, type Runtime } from './runtime.ts';
import { CPU_TIMEOUT, CPU_OUT_OF_MEMORY } from './cpu-pool.ts';
import { checkSessionQuota, touchSession } from '../store/quota.ts';
import type { HistoryPosition, Operation, OperationContext, Recorded, SessionControl } from '../operations/types.ts';
import { recordColumnNames, resolveColumnNames } from '../operations/recipe-columns.ts';
import { readKey } from '../engine/read-cache.ts';
import { collectAfterWide } from '../engine/native-release.ts';
import type { AppliedOperation, Manifest, SessionState } from '../store/manifest.ts';
import { withBindings } from '../log.ts';

// Parameters with a size limit of their own, not MAX_CELL_BYTES.
const OWN_LIMITS = new Set(['command']);


/**
 * A job's deadline (JOB_TIMEOUT_MS). When it passes first, the job is answered as timed out,
 * its DuckDB connection is interrupted, and whatever it still does can no longer commit or
 * move the session's version: the reply the client got stays true. A commit already under
 * way is let finish (it is short) and answered by its own result.
 */
class Watchdog {
  state: 'running' | 'committing' | 'expired' = 'running';
  db: Db | null = null;
  /** Column names of the version the job works on: DuckDB's errors call column i `__c<i>`. */
  names?: readonly string[];
  /** When the job is answered as timed out (epoch ms). */
  readonly deadline: number;
  constructor(limitMs: number) {
    this.deadline = Date.now() + limitMs;
  }
  /** Called before a job changes which version is current; throws once the deadline passed. */
  enterCommit(): void {
    if (this.state === 'expired') throw new OperationError('operation timed out', 'the operation ran past its deadline and was stopped; the dataset is unchanged');
    this.state = 'committing';
  }
}

/**
 * Run one job to its message. Never throws: every failure becomes `success: false`; a job
 * past JOB_TIMEOUT_MS is answered all the same.
 *
 * A successful changing operation (kind `change`, and the history operations but `history`)
 * answers `changed: true|false` and is followed by `dataChanged` either way (API.md,
 * "Socket.IO"): the original front end completes a request only when its `dataChanged`
 * arrives, so a request that finds nothing to do (a rename to the same name, a findReplace
 * without a match) must send it too. Such a no-op makes no version and no history entry.
 * A failure never sends `dataChanged`.
 */
export async function executeJob(rtIn: Runtime, job: Job): Promise<JobResult> {
  const envelope = { operation: job.operation, sessionID: job.sessionID, requestID: job.requestID ?? null };
  // Every line about the job (the executor's and the operation's) names it through the
  // logger's bindings, once: never with the envelope's fields again on the line.
  const rt: Runtime = { ...rtIn, log: withBindings(rtIn.log, { ...envelope, jobId: job.jobId }) };
  const shuttingDown = { error: 'server shutting down', errorDescription: 'the server is stopping: the operation was stopped (or not started) and the dataset is unchanged' };
  if (rt.jobs.stopping) return { message: { ...envelope, success: false, ...shuttingDown }, dataChanged: false };
  const limitMs = rt.config.JOB_TIMEOUT_MS;
  const watchdog = new Watchdog(limitMs);
  let timer: NodeJS.Timeout | undefined;
  let stop = () => {};
  const expired = new Promise<JobResult>((resolve) => {
    // Past the deadline or at shutdown: answered at once, its DuckDB work interrupted.
    const end = (answer: { error: string; errorDescription: string }) => {
      if (watchdog.state === 'committing') return; // answered by the commit's own outcome
      watchdog.state = 'expired';
      watchdog.db?.interrupt();
      rt.log.warn({ limitMs }, answer.error);
      resolve({ message: { ...envelope, success: false, ...answer }, dataChanged: false });
    };
    timer = setTimeout(() => end({ error: 'operation timed out', errorDescription: `the operation ran longer than the limit of ${limitMs} ms (JOB_TIMEOUT_MS) and was stopped; the dataset is unchanged` }), limitMs);
    stop = () => end(shuttingDown);
  });
  rt.jobs.running.add(stop);
  try {
    return await Promise.race([runJob(rt, job, envelope, watchdog), expired]);
  } finally {
    clearTimeout(timer);
    rt.jobs.running.delete(stop);
  }
}

async function runJob(rt: Runtime, job: Job, envelope: { operation: string; sessionID: string; requestID: unknown }, watchdog: Watchdog): Promise<JobResult> {
  const started = performance.now();
  try {
    const { result, changed } = await run(rt, job, watchdog);
    rt.log.debug({ ms: Math.round(performance.now() - started), changed }, 'operation done');
    if (changed === null) return { message: { ...envelope, success: true, ...result }, dataChanged: false };
    return { message: { ...envelope, success: true, ...result, changed }, dataChanged: true };
  } catch (err) {
    const { error, errorDescription } = describeError(err, watchdog.names);
    // The full message (paths, internal names) is the operator's: the client got clientText of it.
    if (!(err instanceof OperationError) && !(err instanceof SessionNotFoundError)) rt.log.error({ err }, 'operation failed');
    else if (err instanceof OperationError && err.cause) rt.log.warn({ error, err: err.cause }, 'operation refused');
    return { message: { ...envelope, success: false, error, errorDescription }, dataChanged: false };
  }
}

/** How DuckDB's message starts when a statement met its instance's memory limit. */
const ENGINE_OUT_OF_MEMORY = 'Out of Memory Error: ';

/** Whether `err` is DuckDB's memory limit reached (the request's data, not a fault of ours). */
function isEngineOutOfMemory(err: unknown): boolean {
  return (err instanceof Error ? err.message : String(err)).startsWith(ENGINE_OUT_OF_MEMORY);
}

function describeError(err: unknown, names?: readonly string[]): { error: string; errorDescription: string } {
  if (err instanceof OperationError) return { error: err.code, errorDescription: err.message };
  if (err instanceof SessionNotFoundError) return { error: 'unknown session', errorDescription: err.message };
  if (err instanceof StaleJobError) return { error: 'stale job', errorDescription: err.message };
  const code = (err as { code?: string } | null)?.code;
  if (code === CPU_TIMEOUT) return { error: 'operation timed out', errorDescription: `${(err as Error).message} (CPU_TASK_TIMEOUT_MS); the dataset is unchanged` };
  if (code === CPU_OUT_OF_MEMORY) return { error: 'operation out of memory', errorDescription: 'the operation needed more memory than a CPU thread may use (CPU_TASK_MEMORY_MB) and was stopped; the dataset is unchanged' };
  const message = err instanceof Error ? err.message : String(err);
  // The engine's memory limit, reached by this request's data (a cell of hundreds of MB made
  // by a command, a huge sort): the client's data, not the server's fault.
  if (isEngineOutOfMemory(err)) {
    return { error: 'operation out of memory', errorDescription: `the operation needed more memory than the engine may use (DUCKDB_MEMORY_LIMIT; DUCKDB_SMALL_MEMORY_LIMIT for small datasets): ${clientText(message.slice(ENGINE_OUT_OF_MEMORY.length), { names })}; the dataset is unchanged` };
  }
  // DuckDB's own errors are about the data or the request (a conversion that failed, a value
  // out of range); they are worth showing, stripped of the engine's prefix, and of paths and
  // internal names (clientText: `__c<i>` becomes the column's name).
  const reason = engineReason(message, names);
  if (reason !== null) return { error: 'operation failed', errorDescription: reason };
  return { error: 'internal error', errorDescription: 'the server could not complete this operation; the dataset is unchanged' };
}

// `changed` is null for operations that only read (they answer without it).
async function run(rt: Runtime, job: Job, watchdog: Watchdog): Promise<{ result: Record<string, unknown>; changed: boolean | null }> {
  const op = findOperation(job.operation);
  if (!op) throw new OperationError('unknown operation', `${JSON.stringify(job.operation)} is not an operation this server knows`);
  if (!isSessionId(job.sessionID)) throw new OperationError('invalid sessionID', 'sessionID must be 30 lowercase hexadecimal characters');
  assertPlainData(job.body);
  const params = parseParams(op.params, operationParameters(job.body));
  // The expiry sweeper leaves the session alone until the job's work has ended (past its
  // deadline too: what it still does reads the session's files); one being deleted is refused.
  const release = rt.store.hold(job.sessionID);
  try {
    return await runHeld(rt, job, watchdog, op, params);
  } finally {
    release();
  }
}

async function runHeld(rt: Runtime, job: Job, watchdog: Watchdog, op: Operation, params: unknown): Promise<{ result: Record<string, unknown>; changed: boolean | null }> {
  if (op.kind === 'read') {
    // A read may run beside a change of the session (EmbeddedQueue): it keeps the version
    // current when it starts, whose files no commit deletes until it ends.
    const snapshot = await rt.store.snapshot(job.sessionID);
    try {
      const { state, manifest } = snapshot;
      await touchSession(rt.store, job.sessionID);
      const dataset = new Dataset(manifest, rt.store.filesDir(job.sessionID));
      const read = () => withContext(rt, watchdog, job.sessionID, dataset, (ctx) => op.run(ctx, params));
      const result = op.pure ? await rt.reads.get(readKey(job.sessionID, op.versionKey?.(dataset, params) ?? manifest.id, op.name, params), read) : await read();
      if (!op.decorate) return { result, changed: null };
      const filename = await rt.store.filename(job.sessionID, state);
      return { result: op.decorate(result, { ...historyPosition(state), ...(filename === undefined ? {} : { filename }) }), changed: null };
    } finally {
      await snapshot.release();
    }
  }
  const { manifest } = await startingVersion(rt, job);
  await touchSession(rt.store, job.sessionID);
  const dataset = new Dataset(manifest, rt.store.filesDir(job.sessionID));
  return withContext(rt, watchdog, job.sessionID, dataset, async (ctx) => {
    const control = sessionControl(rt, ctx, watchdog, job.jobId);
    try {
      if (op.kind === 'history') {
        const { result, changed } = await op.run(ctx, params, control);
        return { result, changed: op.readOnly ? null : changed };
      }
      const staged = await control.stage(ctx.dataset, job.operation, operationParameters(job.body));
      const result = staged.answer ?? {};
      if (staged.dataset === ctx.dataset) return { result, changed: false };
      await control.commit(staged.dataset, [applied(op.name, staged.recorded)]);
      return { result, changed: true };
    } catch (err) {
      // A job answered as timed out no longer has the session's changes to itself: the next
      // change may be staging files no version names yet. Its leftovers wait for the next
      // commit, which sweeps the folders fully (expectOrphans).
      if (control.wrote && watchdog.state !== 'expired') {
        await rt.store.discardUncommitted(job.sessionID).catch((e: unknown) => rt.log.warn({ err: e }, 'could not delete the files of a change that did not commit'));
      } else if (control.wrote) {
        rt.store.expectOrphans(job.sessionID);
      }
      throw err;
    }
  });
}

/**
 * Run `fn` on a connection of its own with the version opened as `df` (interrupted by the
 * watchdog), then close it. A job on the small instance that runs out of its memory is run
 * again, once, on the main instance: the small one is sized for the version's shape, and an
 * operation can make a small version wide (splitColumn of one long value into 3,000 columns
 * ran out of 256 MB). A change that failed has discarded what it wrote (runHeld), and a read
 * writes nothing, so the second run starts from the same state.
 */
async function withContext<T>(rt: Runtime, watchdog: Watchdog, sessionId: string, dataset: Dataset, fn: (ctx: OperationContext) => Promise<T>): Promise<T> {
  const engine = engineFor(rt, dataset.rows, dataset.columns.length);
  try {
    return await withEngine(rt, engine, watchdog, sessionId, dataset, fn);
  } catch (err) {
    if (engine.duck === rt.duck || watchdog.state === 'expired' || !isEngineOutOfMemory(err)) throw err;
    rt.log.info({ sessionID: sessionId, rows: dataset.rows, columns: dataset.columns.length }, 'job ran out of the small instance\'s memory: running it again on the main instance');
    return withEngine(rt, { duck: rt.duck, selections: rt.selections }, watchdog, sessionId, dataset, fn);
  }
}

async function withEngine<T>(rt: Runtime, engine: Engine, watchdog: Watchdog, sessionId: string, dataset: Dataset, fn: (ctx: OperationContext) => Promise<T>): Promise<T> {
  const db = await engine.duck.connect();
  watchdog.db = db;
  watchdog.names = dataset.names;
  try {
    // Answered already (deadline, shutdown) before it had a connection to interrupt: the job
    // does not start its work.
    if (watchdog.state === 'expired') throw new OperationError('operation timed out', 'the operation was stopped before it ran; the dataset is unchanged');
    return await fn(await openContext(rt, engine, db, sessionId, dataset, watchdog.deadline));
  } finally {
    db.close();
    collectAfterWide(dataset.columns.length);
  }
}

/**
 * The version a job runs on: the current one, except for a job that already changed the
 * session (a re-run after its worker died past the commit). That one runs again on the version
 * it was made from, so that it answers as it did the first time (renameColumn would not find
 * its column any more), and its commit then returns the version it made without applying it twice.
 */
async function startingVersion(rt: Runtime, job: Job): Promise<{ manifest: Manifest }> {
  const { state, manifest } = await rt.store.current(job.sessionID);
  const from = job.jobId ? state.recentJobs?.find((j) => j.id === job.jobId)?.from : undefined;
  if (!from) return { manifest };
  rt.log.info({ from }, 'job already applied: running it again on the version it was made from');
  return { manifest: await rt.store.manifest(job.sessionID, from) };
}

/** Where a version stands in its history (reads decorate their answer with it). */
function historyPosition(state: SessionState): HistoryPosition {
  return { undoAvailable: state.current > 0, redoAvailable: state.current < state.versions.length - 1 };
}

export function parseParams<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new OperationError('invalid parameters', describeZodError(parsed.error));
  return parsed.data;
}

function applied(operation: string, recorded: Recorded): AppliedOperation {
  return { operation, ...recorded, appliedAt: new Date().toISOString() };
}

async function openContext(rt: Runtime, engine: Engine, db: Db, sessionId: string, dataset: Dataset, deadline: number): Promise<OperationContext> {
  db.deferViews(dataset.viewStatements());
  return {
    db,
    duck: engine.duck,
    dataset,
    sessionId,
    store: rt.store,
    config: rt.config,
    log: rt.log,
    selections: engine.selections,
    cells: rt.cells,
    cpu: rt.cpu,
    tmpDir: rt.store.tmpDir(sessionId),
    deadline,
  };
}

/** A job's SessionControl; `wrote` once it may have written files of a version (materialize began). */
function sessionControl(rt: Runtime, ctx: OperationContext, watchdog: Watchdog, jobId?: string): SessionControl & { readonly wrote: boolean } {
  let staged = 0;
  let wrote = false;
  // Versions this job makes record it and its base: a re-run of the job does not apply twice.
  const origin = jobId ? { jobId, base: ctx.dataset.manifest.id } : undefined;
  return {
    get wrote() {
      return wrote;
    },
    async stage(dataset, operation, sent, columns) {
      const op = findOperation(operation);
      if (!op || op.kind !== 'change') throw new OperationError('unknown operation', `${JSON.stringify(operation)} is not a changing operation`);
      assertStringsWithin(sent, rt.config.MAX_CELL_BYTES, OWN_LIMITS);
      const parameters = columns ? resolveColumnNames(op.params, dataset.names, sent, columns) : sent;
      const params = parseParams(op.params, parameters);
      const opCtx = dataset === ctx.dataset ? ctx : await openContext(rt, { duck: ctx.duck, selections: ctx.selections }, ctx.db, ctx.sessionId, dataset, ctx.deadline);
      const change = await op.run(opCtx, params);
      const known = knownParameters(op.params, parameters);
      const names = recordColumnNames(op.params, dataset.names, known, columns);
      const recorded = names ? { parameters: known, columns: names } : { parameters: known };
      const { answer } = change;
      if (change.kind === 'none') return { dataset, recorded, answer };
      // Refused before anything is written: a plan of many columns would otherwise be
      // materialized in full (100,000 columns: 80 s and 2.8 GB) only to be thrown away.
      // So is one whose computed columns would take minutes, and end past JOB_TIMEOUT_MS
      // (2M rows × 1,000 columns: 22–46 s on 2 shared cores, see column-groups.ts).
      if (change.kind === 'columns') {
        const computed = change.columns.filter((c) => 'expr' in c).length;
        const refusal =
          change.columns.length > rt.config.MAX_COLUMNS
            ? tooManyColumns(operation, change.columns.length, rt.config.MAX_COLUMNS)
            : rt.config.MAX_WRITE_CELLS > 0 && computed * dataset.rows > rt.config.MAX_WRITE_CELLS
              ? tooManyCells(operation, computed, dataset.rows, rt.config.MAX_WRITE_CELLS)
              : null;
        if (refusal) {
          await Promise.all((change.scratch ?? []).map((p) => fs.rm(p, { recursive: true, force: true })));
          throw refusal;
        }
      }
      let m: Materialized;
      wrote = true;
      try {
        m = await materialize(ctx.db, rt.store, ctx.sessionId, dataset, change, { maxCellBytes: rt.config.MAX_CELL_BYTES });
      } finally {
        await Promise.all((change.scratch ?? []).map((p) => fs.rm(p, { recursive: true, force: true })));
      }
      if (m.columns.length > rt.config.MAX_COLUMNS) throw tooManyColumns(operation, m.columns.length, rt.config.MAX_COLUMNS);
      const manifest = { ...dataset.manifest, ...m, id: `staged-${++staged}`, bytesWritten: dataset.manifest.id.startsWith('staged-') ? dataset.manifest.bytesWritten + m.bytesWritten : m.bytesWritten, operations: [] };
      const next = new Dataset(manifest, dataset.filesDir);
      if (change.kind === 'columns') {
        // Once for every cache (EditLineage), whichever DuckDB instance the new version's reads use.
        for (const s of change.sameExcept ?? []) rt.lineage.record(next, s.at, dataset, s.from, s.positions, { cells: s.cells, values: s.values });
      }
      return { dataset: next, recorded, answer };
    },
    async commit(dataset, operations) {
      await checkSessionQuota(rt.store, ctx.sessionId, dataset.manifest, { maxSessionBytes: rt.config.MAX_SESSION_BYTES, maxDataBytes: rt.config.MAX_DATA_BYTES });
      watchdog.enterCommit();
      const { rows, columns, bytesWritten } = dataset.manifest;
      const manifest = await rt.store.commit(ctx.sessionId, { rows, columns, bytesWritten, operations }, origin);
      return manifest;
    },
    async move(step) {
      watchdog.enterCommit();
      return rt.store.move(ctx.sessionId, step, origin);
    },
  };
}

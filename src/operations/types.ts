import type { z } from 'zod';
import type { Db, Duck } from '../engine/duck.ts';
import type { Dataset } from '../engine/dataset.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { SelectionCache } from '../engine/selection-cache.ts';
import type { CellCache } from '../engine/cell-cache.ts';
import type { CpuPool } from '../worker/cpu-pool.ts';
import type { AppliedOperation, Manifest } from '../store/manifest.ts';
import type { ColumnNames } from '../protocol/messages.ts';

/** What every operation gets to work with: the current version, already opened as `df`. */
export interface OperationContext {
  /** A connection private to this job; temp views `df` and `df_pos` show the current version, column i named `dataset.sqlName(i)` (never its own name). */
  db: Db;
  duck: Duck;
  dataset: Dataset;
  sessionId: string;
  store: SessionStore;
  config: Config;
  log: Logger;
  selections: SelectionCache;
  /** JSON text of small datasets' cells (slices assembled without a query). */
  cells: CellCache;
  cpu: CpuPool;
  /** Scratch folder of this session for files the job needs on its way. */
  tmpDir: string;
  /**
   * When the job's time is up (epoch ms: its start plus JOB_TIMEOUT_MS): it has been answered
   * `operation timed out` by then, so nothing should start work for it past this.
   */
  deadline: number;
}

/**
 * A column of the next version: an existing column kept as it is, a SQL expression over
 * `df_pos` (the data plus `__pos`; column i is Dataset.ref(i), never its name) and of the
 * change's `joins`.
 * `dictionary: false` on an expression: its values are known to be about as many as its rows
 * (e.g. a one-to-one image of a column that was written without a dictionary), so the file
 * is written without trying a dictionary (parquet-layout.ts).
 */
export type ColumnPlan =
  | { name: string; keep: number }
  | { name: string; expr: string; dictionary?: false }
  /**
   * Field `field` of a Parquet file the operation wrote itself in ctx.tmpDir, in the engine's
   * format (parquet-layout.ts), holding exactly the dataset's rows in order: the file is moved
   * into the session's files as it is (once for all its fields), not written again: its writer
   * checks its values against MAX_CELL_BYTES (cell-limit.ts cellChecked), nothing reads them again.
   */
  | { name: string; adopt: { path: string; field: string } };

/**
 * What a changing operation asks for. `columns`: same rows, a new column list (kept columns
 * cost nothing; computed ones are written to one new file). `table`: a new table from a
 * SELECT over `df`/`df_pos` (rows may change; everything is written).
 * `answer`: fields of the operation's own for its success answer, next to `changed` (e.g.
 * changeColumnDataType's valuesMadeMissing); never the envelope's names (`success`, …).
 */
export type Change = ChangeOfData & { answer?: Record<string, unknown> };

type ChangeOfData =
  | {
      kind: 'columns';
      columns: ColumnPlan[];
      /**
       * FROM items positionally joined to df_pos when computing: temp tables, or subqueries
       * whose rows come in row order on one thread (a POSITIONAL JOIN pads the shorter side
       * with NULL), at most one row per dataset row.
       */
      joins?: string[];
      /**
       * Set when an expression uses a window (OVER …) that may hand rows back out of row
       * order: the result is then put back in row order. The windows of row-windows.ts
       * (ORDER BY __pos, no PARTITION BY) keep row order and need no sort.
       */
      ordered?: boolean;
      /** Files or folders (in ctx.tmpDir) the SQL reads; deleted once the change is written or has failed. */
      scratch?: string[];
      /**
       * Columns that hold what a column of the dataset holds, in the same type, at every row
       * position but `positions` (a cell edit): column `at` of the result against column
       * `from`. What is kept of the old column's values (CellCache, sorted views) is then reused
       * for the new one (EditLineage).
       * `cells`: the new cells' JSON text (cellJsonSql of each value as written, in the column's
       * type), one per position, when the operation has it: CellCache then need not read them back.
       * `values`: the SQL (constant expressions, in the column's type) of the values written at
       * `positions`, when the operation has them: sorted views are then updated without a read.
       */
      sameExcept?: { at: number; from: number; positions: number[]; cells?: string[]; values?: string[] }[];
    }
  /**
   * Rows removed, the rest renumbered: `deleted` is a SELECT over `df`/`df_pos` of one column,
   * the positions (`__pos`) of the rows to delete, in any order. Nothing is rewritten: each
   * column records the rows its file no longer has (ColumnEntry.deleted).
   */
  | { kind: 'rows'; deleted: string; scratch?: string[] }
  /** Column j of `sql`'s result is named `names[j]` (the SQL names are not users' names). */
  | { kind: 'table'; sql: string; names: string[]; scratch?: string[] }
  /**
   * A whole new table the operation had written itself, to files of ctx.tmpDir in the
   * engine's format (parquet-layout.ts parquetOptions), column i as field `c<i>` named `names[i]`
   * (the fields of `paths[0]`, then those of `paths[1]`…; a wide table takes several files,
   * see column-groups.ts), rows in order in each: they are moved into the session's files
   * as they are, not written again (their writer checks MAX_CELL_BYTES, as for `adopt`).
   */
  | { kind: 'file'; paths: string[]; names: string[]; scratch?: string[] }
  /** An operation that finds nothing to do (the dataset stays as it is; no version). */
  | { kind: 'none' };

/** What history records of an applied operation, besides its name and time. */
export type Recorded = Pick<AppliedOperation, 'parameters' | 'columns'>;

/** What the history operations (undo, redo, applyOperations…) may do with the version list. */
export interface SessionControl {
  /**
   * Validate and run one changing operation on `dataset`, writing its files, without
   * committing. `columns` (a recipe entry's): the names of columns `parameters` gives by
   * position, which are looked for in `dataset` instead (recipe-columns.ts resolveColumnNames).
   * Returns the dataset it made (`dataset` itself when nothing changed), what to record
   * for it: the parameters as applied (knownParameters) and the names of the columns they
   * gave by position (recordColumnNames), and its Change's `answer`.
   */
  stage(dataset: Dataset, operation: string, parameters: Record<string, unknown>, columns?: ColumnNames): Promise<{ dataset: Dataset; recorded: Recorded; answer?: Record<string, unknown> }>;
  /** Make a staged dataset the current version, recording the operations that made it. */
  commit(dataset: Dataset, operations: AppliedOperation[]): Promise<Manifest>;
  /** Move the current pointer one step; null when there is nothing that way. */
  move(step: -1 | 1): Promise<Manifest | null>;
}

interface Base<S extends z.ZodType> {
  name: string;
  /** Other event names that mean the same operation (spellings of the original). */
  aliases?: string[];
  params: S;
  /** One line for docs and errors. */
  summary: string;
  /**
   * Set when a run takes one of the command processes (COMMAND_PROCESSES, executeCommand):
   * the embedded queue starts at most that many such jobs at once (takesCommandProcess).
   */
  commandProcess?: boolean;
}

/** Where the current version stands in the session's history, at the time of a request. */
export interface HistoryPosition {
  undoAvailable: boolean;
  redoAvailable: boolean;
}

/** What a read's decorate() is told of its session besides the history position. */
export interface SessionFacts extends HistoryPosition {
  /** The name of the file the session was imported from, when known (SessionStore.filename). */
  filename?: string;
}

export interface ReadOperation<S extends z.ZodType = z.ZodType> extends Base<S> {
  kind: 'read';
  run(ctx: OperationContext, params: z.infer<S>): Promise<Record<string, unknown>>;
  /**
   * Set when run()'s result depends only on the version's data and the parameters (not on
   * time, other sessions or the history): the worker then keeps it (ReadCache, READ_CACHE_BYTES)
   * and answers the same read of the same version without running it again.
   */
  pure?: boolean;
  /**
   * For a pure read, the part of the version its result depends on (by default the manifest
   * id, which names every column file): `analyze` of a column depends on that column's file
   * only, so an edit of another column keeps it. Throws what run() would for bad parameters.
   */
  versionKey?(dataset: Dataset, params: z.infer<S>): string;
  /**
   * What a (possibly cached) result gets from the session at the time of the request, e.g.
   * metadata's undo/redo flags and the imported file's name: facts of the session, not of
   * the version's data, which the read cache shares between sessions' identical contents.
   */
  decorate?(result: Record<string, unknown>, session: SessionFacts): Record<string, unknown>;
}

export interface ChangeOperation<S extends z.ZodType = z.ZodType> extends Base<S> {
  kind: 'change';
  run(ctx: OperationContext, params: z.infer<S>): Promise<Change>;
}

/** undo, redo, history, applyOperations: they act on the version list itself. */
export interface HistoryOperation<S extends z.ZodType = z.ZodType> extends Base<S> {
  kind: 'history';
  /**
   * True when the operation only reads the version list (`history`): its reply then carries
   * no `changed` and no `dataChanged` follows it. The others are changing operations: their
   * reply says `changed: true|false` and `dataChanged` always follows a success.
   */
  readOnly?: boolean;
  /**
   * The operations a job of it runs (applyOperations: its recipe's steps), named in its body
   * as the client sent it, not yet validated: for scheduling only (takesCommandProcess), so a
   * body of the wrong shape gives [] and is refused when the job runs.
   */
  steps?(body: Record<string, unknown>): string[];
  /** `changed`: whether a new version became current (false for a no-op, which makes none). */
  run(ctx: OperationContext, params: z.infer<S>, control: SessionControl): Promise<{ result: Record<string, unknown>; changed: boolean }>;
}

export type Operation = ReadOperation | ChangeOperation | HistoryOperation;

export function defineOperation<S extends z.ZodType>(op: ReadOperation<S>): ReadOperation<S>;
export function defineOperation<S extends z.ZodType>(op: ChangeOperation<S>): ChangeOperation<S>;
export function defineOperation<S extends z.ZodType>(op: HistoryOperation<S>): HistoryOperation<S>;
export function defineOperation(op: Operation): Operation {
  return op;
}

import path from 'node:path';
import fs from 'node:fs/promises';
import { Duck } from '../engine/duck.ts';
import { SessionStore } from '../store/session-store.ts';
import { spillOwner } from '../store/recovery.ts';
import { SelectionCache } from '../engine/selection-cache.ts';
import { ReadCache } from '../engine/read-cache.ts';
import { CellCache } from '../engine/cell-cache.ts';
import { EditLineage } from '../engine/edit-lineage.ts';
import { CpuPool } from './cpu-pool.ts';
import { closeSandboxProcesses } from '../engine/sandbox-process.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

/** Everything a process needs to execute operations: engine, store, caches, CPU threads. */
export interface Runtime {
  config: Config;
  log: Logger;
  duck: Duck;
  /**
   * A second DuckDB instance of DUCKDB_SMALL_THREADS threads (null when 0) for the jobs on
   * small datasets (engineFor): queries of a few ms cost less CPU on one thread than handed
   * between several, which large datasets' scans, sorts and imports need.
   */
  small: Engine | null;
  store: SessionStore;
  selections: SelectionCache;
  /** Results of pure reads by version (ReadOperation.pure). */
  reads: ReadCache;
  /** JSON text of small datasets' cells, for slices without a DuckDB query (CELL_CACHE_BYTES). */
  cells: CellCache;
  /**
   * Cell edits of recent versions (Change.sameExcept), recorded once by the job that stages
   * them, for `cells` and for the views of both instances (`selections`, `small.selections`)
   * to make the edited columns' content from their bases'.
   */
  lineage: EditLineage;
  cpu: CpuPool;
  /**
   * How each running job is stopped at shutdown (executeJob adds and removes its own);
   * `stopping` once stopJobs ran: a job that starts after is answered without running.
   */
  jobs: { running: Set<() => void>; stopping: boolean };
}

/**
 * Stop every running job at shutdown: its DuckDB statement is interrupted and it is
 * answered `server shutting down`, unchanged (one already committing is let finish, it is
 * short); a job that starts later is answered so without running. Left running, a change
 * of minutes (1,000 dummies of 2M rows) held the queue's close, and so the process's
 * exit after SIGTERM, for as long.
 */
export function stopJobs(rt: Runtime): void {
  rt.jobs.stopping = true;
  for (const stop of rt.jobs.running) stop();
}

/**
 * Datasets of at most this many rows (16 row groups of parquet-layout.ts's small layout) and
 * SMALL_INSTANCE_CELLS cells have their jobs run on the instance of DUCKDB_SMALL_THREADS
 * threads (Runtime.small).
 */
export const SMALL_INSTANCE_ROWS = 262_144;

/**
 * Most cells (rows × columns) of a dataset whose jobs run on the small instance: a wide
 * dataset of few rows (10,000 columns × 1,000 rows) is not small: a full row of it decodes
 * 10,000 column chunks, which wants every core (433 ms on two threads, 593 ms on one), and
 * its buffers would be held twice, once in each instance (peak RSS of bench/wide.ts 1.30 →
 * 1.67 GB with wide datasets on the small instance).
 */
export const SMALL_INSTANCE_CELLS = 4_194_304;

/**
 * Most columns of a dataset whose jobs run on the small instance, whatever its rows: every
 * statement holds buffers per column (a vector of 2,048 values each, 256 KB per column of a
 * Parquet writer), so a full row of 3,000 columns of 5 rows ran out of its 256 MB.
 */
export const SMALL_INSTANCE_COLUMNS = 256;

export async function createRuntime(config: Config, log: Logger): Promise<Runtime> {
  const tempDirectory = spillDirectory(config);
  await fs.mkdir(tempDirectory, { recursive: true });
  const duck = await Duck.open({ threads: config.DUCKDB_THREADS, memoryLimit: config.DUCKDB_MEMORY_LIMIT, tempDirectory });
  const lineage = new EditLineage();
  let small: Engine | null = null;
  if (config.DUCKDB_SMALL_THREADS > 0) {
    // Spill files of their own: two instances must not share names in one folder.
    const smallTemp = `${tempDirectory}-small`;
    await fs.mkdir(smallTemp, { recursive: true });
    small = { duck: await Duck.open({ threads: config.DUCKDB_SMALL_THREADS, memoryLimit: config.DUCKDB_SMALL_MEMORY_LIMIT, tempDirectory: smallTemp }), selections: new SelectionCache(lineage) };
  }
  // The embedded queue runs every job in this process: nothing else writes DATA_DIR.
  const store = new SessionStore(config.dataDir, { maxVersions: config.MAX_VERSIONS, maxHistoryBytes: config.MAX_HISTORY_BYTES }, { soleWriter: config.QUEUE === 'embedded' });
  return { config, log, duck, small, store, selections: new SelectionCache(lineage), reads: new ReadCache(config.READ_CACHE_BYTES), cells: new CellCache(config.CELL_CACHE_BYTES, lineage), lineage, cpu: new CpuPool({ size: config.CPU_WORKERS, timeoutMs: config.CPU_TASK_TIMEOUT_MS, memoryMb: config.CPU_TASK_MEMORY_MB }), jobs: { running: new Set(), stopping: false } };
}

/**
 * Where this process's DuckDB instances spill (temp_directory). DuckDB names its spill files
 * alike in every instance (duckdb_temp_storage-0.tmp…; duckdb/duckdb#15173), and one that
 * closes deletes them all: processes sharing DATA_DIR (distributed mode: gateways and
 * workers) corrupted each other's spills. So each such process spills in a folder of its
 * own, DATA_DIR/duckdb-tmp/<host>-<pid> (sweepSharedLeftovers removes those of processes
 * gone); the embedded server, DATA_DIR's only user, in DATA_DIR/duckdb-tmp (emptied at start).
 * The small instance uses the same path with `-small` appended.
 */
export function spillDirectory(config: Config): string {
  const base = path.join(config.dataDir, 'duckdb-tmp');
  return config.QUEUE === 'embedded' ? base : path.join(base, spillOwner());
}

export async function closeRuntime(rt: Runtime): Promise<void> {
  await rt.cpu.close();
  closeSandboxProcesses();
  rt.duck.close();
  rt.small?.duck.close();
}

/** A DuckDB instance and the views it keeps as tables (which only its connections see). */
export interface Engine {
  duck: Duck;
  selections: SelectionCache;
}

/**
 * The instance the jobs on a version of `rows` rows and `columns` columns run on, with its
 * views. A version's jobs always go to the same one (its shape decides, and view keys hold
 * the row count).
 */
export function engineFor(rt: Runtime, rows: number, columns: number): Engine {
  const small = rows <= SMALL_INSTANCE_ROWS && rows * columns <= SMALL_INSTANCE_CELLS && columns <= SMALL_INSTANCE_COLUMNS;
  return rt.small && small ? rt.small : { duck: rt.duck, selections: rt.selections };
}

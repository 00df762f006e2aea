import path from 'node:path';
import fs from 'node:fs/promises';
import { Duck } from '../engine/duck.ts';
import { SessionStore } from '../store/session-store.ts';
import { SelectionCache } from '../engine/selection-cache.ts';
import { ReadCache } from '../engine/read-cache.ts';
import { CellCache } from '../engine/cell-cache.ts';
import { CpuPool } from './cpu-pool.ts';
import { closeSandboxProcesses } from '../engine/sandbox-process.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

/** Everything a process needs to execute operations: engine, store, caches, CPU threads. */
export interface Runtime {
  config: Config;
  log: Logger;
  duck: Duck;
  store: SessionStore;
  selections: SelectionCache;
  /** Results of pure reads by version (ReadOperation.pure). */
  reads: ReadCache;
  /** JSON text of small datasets' cells, for slices without a DuckDB query (CELL_CACHE_BYTES). */
  cells: CellCache;
  cpu: CpuPool;
}

export async function createRuntime(config: Config, log: Logger): Promise<Runtime> {
  const tempDirectory = path.join(config.dataDir, 'duckdb-tmp');
  await fs.mkdir(tempDirectory, { recursive: true });
  const duck = await Duck.open({ threads: config.DUCKDB_THREADS, memoryLimit: config.DUCKDB_MEMORY_LIMIT, tempDirectory });
  const store = new SessionStore(config.dataDir, { maxVersions: config.MAX_VERSIONS, maxHistoryBytes: config.MAX_HISTORY_BYTES });
  return { config, log, duck, store, selections: new SelectionCache(), reads: new ReadCache(config.READ_CACHE_BYTES), cells: new CellCache(config.CELL_CACHE_BYTES), cpu: new CpuPool({ size: config.CPU_WORKERS, timeoutMs: config.CPU_TASK_TIMEOUT_MS, memoryMb: config.CPU_TASK_MEMORY_MB }) };
}

export async function closeRuntime(rt: Runtime): Promise<void> {
  await rt.cpu.close();
  closeSandboxProcesses();
  rt.duck.close();
}

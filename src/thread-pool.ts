// Imported first by every entry point (src/main.ts, src/main-worker.ts), for its effect:
// libuv reads UV_THREADPOOL_SIZE once, when its pool first runs work, and by the time the
// entry point's own body runs, loading its imports already has (measured: setting it there
// left the pool at 4 threads).
import { loadConfig, type Config } from './config.ts';

/**
 * Room in libuv's pool for file operations (state.json, manifests, fsync of a commit, the
 * stat of a written file) beside the DuckDB statements that hold a thread each.
 */
export const FILE_IO_THREADS = 4;

/**
 * Threads of libuv's pool a process needs: one per job running at once (each DuckDB
 * statement runs on a pool thread: @duckdb/node-api queues it as N-API async work), one per
 * download exporting at once (its statement holds a thread for the whole export), and
 * FILE_IO_THREADS. libuv's default of 4 is fewer than QUEUE_CONCURRENCY: statements past the
 * fourth waited for a thread, and every file operation waited behind them, so one session's
 * long statements stalled every session's reads of state.json. At most 1024 (libuv's limit).
 */
export function threadPoolSize(config: Pick<Config, 'QUEUE_CONCURRENCY' | 'WORKER_CONCURRENCY' | 'MAX_DOWNLOADS'>): number {
  return Math.min(1024, Math.max(config.QUEUE_CONCURRENCY, config.WORKER_CONCURRENCY) + config.MAX_DOWNLOADS + FILE_IO_THREADS);
}

// An operator's own UV_THREADPOOL_SIZE wins.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(threadPoolSize(loadConfig()));

import { z } from 'zod';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseMemorySize } from './memory-size.ts';

// Every setting comes from the environment, with defaults that make `npm start` work
// on a fresh clone. Documented in README.md; keep the two in step.

/**
 * Jobs run at once by default (QUEUE_CONCURRENCY, WORKER_CONCURRENCY): three per core, at
 * least four. A job's wall time is several times its CPU — between its statements it waits
 * for files (state.json, fsync of a commit), for the event loop and for a DuckDB thread — so
 * one job per core leaves the cores idle while clients wait. npm run load (500 clients, 2
 * cores, 60 s after warm-up; quiet machine but for the last row's):
 *   think ≈100 ms: 6 jobs 546 and 562 req/s (read p99 1.3-1.4 s); 12 jobs 456 and 471
 *   req/s (p99 1.5-2.1 s): past the cores' capacity, more jobs at once only contend;
 *   think ≈1000 ms: 6 jobs 420 and 410 req/s (p99 790, 830 ms); 12 jobs 477 and 407 req/s
 *   (p99 610, 822 ms); 24 jobs 440 req/s (p99 630 ms);
 *   2 jobs (before), think ≈1000 ms on a shared machine: 217 req/s, 0.9 cores busy.
 * DuckDB's threads and memory limit, not this, bound what the jobs together use of the
 * engine; COMMAND_PROCESSES bounds commands.
 */
const JOBS_AT_ONCE = Math.max(4, 3 * os.availableParallelism());

/**
 * Longest line of a CSV/TSV/TXT upload, in bytes of UTF-8 without its line break
 * (MAX_LINE_BYTES); a longer one is refused (400 `line too long`, import/line-length.ts).
 * A file with a line over 2 MB is read by DuckDB on one thread with `max_line_size` at the
 * limit and `buffer_size` twice it (csvLineArgs in engine/import/csv.ts). Peak RSS of the
 * server (`node src/main.ts`, 2 cores, DUCKDB_MEMORY_LIMIT 1GB, VmHWM before and after one
 * upload of `a,b` + k lines of exactly the limit + `z,y`, `node bench/line-length-rss.ts
 * <limit> <k>`; 180-190 MB idle):
 *   16 MiB: k=1 466 MB, k=8 1256 MB, k=20 2071 MB;
 *   32 MiB: k=1 540 MB, k=8 failed (500, DuckDB out of memory) at 1847 MB.
 * One line at 16 MiB stays far below 1.5 GB; what grows is the bytes of long values held at
 * once (DuckDB's vectors are 2,048 rows): 170 lines of 2 MB, read as before this limit
 * existed, peaked at 1435 MB too.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A memory or disk size as DuckDB writes them (512MB, 1GiB; 0 allowed): refused at start-up, not when first used. */
const memorySize = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => {
      try {
        parseMemorySize(v);
        return true;
      } catch {
        return false;
      }
    }, 'expected a size such as 512MB, 1GB or 1GiB');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  INTERNAL_SECRET: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  QUEUE: z.enum(['embedded', 'bullmq']).optional(), // default: bullmq when REDIS_URL is set
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').default('willow'),
  QUEUE_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(16),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(JOBS_AT_ONCE),
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(5001),
  JOB_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  JOB_STALLED_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  JOB_MAX_STALLS: z.coerce.number().int().min(0).default(1),
  // After SIGTERM/SIGINT: what has not closed by then (a Redis connection waiting for an unreachable Redis, a worker's running job) is abandoned and the process exits.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  REGISTRY_DIR: z.string().optional(),
  QUEUE_CONCURRENCY: z.coerce.number().int().min(1).default(JOBS_AT_ONCE),
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1).default(1_000_000_000),
  STREAM_IMPORT_MIN_RATE: z.coerce.number().min(0).default(40_000_000), // bytes/s
  STREAM_IMPORT_MAX_RATE: z.coerce.number().min(0).default(60_000_000), // bytes/s
  MAX_SLICE_ROWS: z.coerce.number().int().min(1).default(100_000),
  MAX_COLUMNS: z.coerce.number().int().min(1).default(16_384),
  MAX_LINE_BYTES: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(DEFAULT_MAX_LINE_BYTES),
  DUCKDB_THREADS: z.coerce.number().int().min(1).default(os.availableParallelism()),
  DUCKDB_MEMORY_LIMIT: memorySize('1GB'),
  DUCKDB_SMALL_THREADS: z.coerce.number().int().min(0).default(1), // 0 = small datasets' jobs on the main instance
  DUCKDB_SMALL_MEMORY_LIMIT: memorySize('256MB'),
  MAX_VERSIONS: z.coerce.number().int().min(0).default(0), // 0 = unlimited undo
  MAX_HISTORY_BYTES: z.coerce.number().int().min(0).default(0), // 0 = unlimited
  COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  COMMAND_MEMORY_LIMIT: memorySize('1GB'),
  COMMAND_SPILL_LIMIT: memorySize('4GB'), // disk one executeCommand may spill to beyond COMMAND_MEMORY_LIMIT (DuckDB size; 0 = no spilling), never more than the disk quota left
  COMMAND_PROCESSES: z.coerce.number().int().min(1).default(2), // executeCommand processes at once, each up to COMMAND_MEMORY_LIMIT
  COMMAND_WAIT_MS: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(30_000), // longest wait for a free command process; past it the command is answered busy
  MAX_CELL_BYTES: z.coerce.number().int().min(1).default(1_000_000),
  MAX_WRITE_CELLS: z.coerce.number().int().min(0).default(4_000_000_000), // 0 = unlimited
  MAX_COMMAND_BYTES: z.coerce.number().int().min(1).default(100_000),
  JOB_TIMEOUT_MS: z.coerce.number().int().min(100).default(300_000),
  MAX_SESSIONS: z.coerce.number().int().min(0).default(10_000), // 0 = unlimited
  MAX_SESSION_BYTES: z.coerce.number().int().min(0).default(20_000_000_000), // 0 = unlimited
  MAX_DATA_BYTES: z.coerce.number().int().min(0).default(0), // 0 = unlimited
  SESSION_TTL_DAYS: z.coerce.number().min(0).default(7), // 0 = never expire
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  // Distributed mode: what interrupted work left in the shared DATA_DIR, untouched this long, is removed by the sweeper.
  LEFTOVER_AGE_MS: z.coerce.number().int().min(60_000).default(3_600_000),
  SOCKET_RATE_LIMIT: z.coerce.number().min(0).default(50), // requests per second per connection, 0 = unlimited
  SOCKET_RATE_BURST: z.coerce.number().int().min(1).default(100),
  READ_CACHE_BYTES: z.coerce.number().int().min(0).default(64_000_000), // 0 = no cache of read results
  // 0 = slices always read by DuckDB. Default: 1/16 of the machine's memory, at most 1 GB (50 sessions of the bench's 100k rows × 8 columns take 520 MB).
  CELL_CACHE_BYTES: z.coerce.number().int().min(0).default(Math.min(1_000_000_000, Math.floor(os.totalmem() / 16))),
  // A download whose client stops reading is cut off after this long without progress: its export holds a DuckDB/libuv thread blocked in a pipe write meanwhile.
  // Downloads exporting at once; more wait their turn. Each export's statement runs on a thread of libuv's pool, which file I/O and every other statement share (sized for them: thread-pool.ts).
  MAX_DOWNLOADS: z.coerce.number().int().min(1).default(2),
  MAX_DOWNLOADS_PER_CLIENT: z.coerce.number().int().min(1).default(1), // downloads at once (waiting or streaming) per remote address; past it 429
  DOWNLOAD_STALL_MS: z.coerce.number().int().min(100).default(30_000),
  UPLOAD_STALL_MS: z.coerce.number().int().min(100).default(30_000), // an upload whose body sends nothing for this long is cut off
  MAX_UPLOADS_PER_CLIENT: z.coerce.number().int().min(1).default(4), // uploads at once per remote address; past it 429
  READ_WAIT_MS: z.coerce.number().int().min(0).default(5_000), // 0 = reads wait as long as it takes
  MAX_QUEUED_PER_SESSION: z.coerce.number().int().min(1).default(100),
  CORS_ORIGINS: z.string().default(''),
  SOCKET_MAX_BUFFER_BYTES: z.coerce.number().int().min(1024).default(16_000_000),
  // Replies waiting for a client that does not read them, past which its connection is closed.
  SOCKET_MAX_BACKLOG_BYTES: z.coerce.number().int().min(1024).default(64_000_000),
  CPU_WORKERS: z.coerce.number().int().min(1).default(Math.max(1, os.availableParallelism() - 1)),
  // The built web client (npm run build:web), served at /.
  WEB_DIST: z.string().default(fileURLToPath(new URL('../web/dist', import.meta.url))),
  CPU_TASK_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  CPU_TASK_MEMORY_MB: z.coerce.number().int().min(64).default(1024),
  MAX_EXCEL_INFLATED_BYTES: z.coerce.number().int().min(1).default(200_000_000),
  MAX_EXCEL_CELLS: z.coerce.number().int().min(1).default(5_000_000),
});

export type Config = Omit<z.infer<typeof envSchema>, 'QUEUE'> & { QUEUE: 'embedded' | 'bullmq'; dataDir: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const merged = { ...parsed.data, ...overrides };
  const QUEUE = merged.QUEUE ?? (merged.REDIS_URL ? 'bullmq' : 'embedded');
  if (QUEUE === 'bullmq' && !merged.REDIS_URL) throw new Error('invalid configuration: QUEUE=bullmq needs REDIS_URL');
  return { ...merged, QUEUE, dataDir: path.resolve(overrides.dataDir ?? merged.DATA_DIR) };
}

import { z } from 'zod';
import path from 'node:path';
import os from 'node:os';

// Every setting comes from the environment, with defaults that make `npm start` work
// on a fresh clone. Documented in README.md; keep the two in step.
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  INTERNAL_SECRET: z.string().min(16).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  QUEUE: z.enum(['embedded']).default('embedded'),
  QUEUE_CONCURRENCY: z.coerce.number().int().min(1).default(Math.max(2, os.availableParallelism())),
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1).default(1_000_000_000),
  MAX_SLICE_ROWS: z.coerce.number().int().min(1).default(100_000),
  MAX_COLUMNS: z.coerce.number().int().min(1).default(16_384),
  DUCKDB_THREADS: z.coerce.number().int().min(1).default(os.availableParallelism()),
  DUCKDB_MEMORY_LIMIT: z.string().default('1GB'),
  MAX_VERSIONS: z.coerce.number().int().min(0).default(0), // 0 = unlimited undo
  MAX_HISTORY_BYTES: z.coerce.number().int().min(0).default(0), // 0 = unlimited
  COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  COMMAND_MEMORY_LIMIT: z.string().default('1GB'),
  CPU_WORKERS: z.coerce.number().int().min(1).default(Math.max(1, os.availableParallelism() - 1)),
});

export type Config = z.infer<typeof envSchema> & { dataDir: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const merged = { ...parsed.data, ...overrides };
  return { ...merged, dataDir: path.resolve(overrides.dataDir ?? merged.DATA_DIR) };
}

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** The bench dataset's columns, in file order. `role` is what the bench uses each one for. */
export const BENCH_COLUMNS = [
  { name: 'id', role: 'int', type: 'int' },
  { name: 'price', role: 'float', type: 'float' },
  { name: 'qty', role: 'intMissing', type: 'int' },
  { name: 'category', role: 'category', type: 'string' },
  { name: 'comment', role: 'text', type: 'string' },
  { name: 'flag', role: 'bool', type: 'bool' },
  { name: 'created', role: 'datetime', type: 'datetime' },
  { name: 'score', role: 'outliers', type: 'float' },
] as const;

export type ColumnRole = (typeof BENCH_COLUMNS)[number]['role'];

const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'omicron', 'pi', 'rho', 'sigma', 'tau', 'upsilon'];
// Free text: 1–3 words from a small vocabulary, so word statistics and splits have work to do.
const WORDS = ['red', 'blue', 'green', 'fast', 'slow', 'big', 'small', 'old', 'new', 'box', 'cat', 'dog', 'car', 'tree', 'sun', 'moon', 'star', 'sea', 'hill', 'road', 'data', 'clean', 'dirty', 'hot', 'cold', 'up', 'down', 'left', 'right', 'one', 'two', 'three'];

const sqlList = (values: string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

/**
 * A deterministic pseudo-random 32-bit value for row i and stream k: an integer mix written
 * out in SQL rather than DuckDB's hash(), so the file is identical across DuckDB versions.
 * All products stay below 2^63 for i < 10^9.
 */
const MIX_MACROS = [
  `CREATE MACRO seed32(i, k) AS (i * 2654435761 + k * 97531 + 12345) % 4294967296`,
  `CREATE MACRO avalanche(x) AS (xor(x, x >> 15) * 73244475) % 4294967296`,
  `CREATE MACRO rnd(i, k) AS xor(avalanche(avalanche(seed32(i, k))), avalanche(avalanche(seed32(i, k))) >> 16)`,
];

function selectStatement(rows: number): string {
  const cats = sqlList(CATEGORIES);
  const words = sqlList(WORDS);
  const w = (k: number) => `${words}[1 + rnd(i, ${k}) % ${WORDS.length}]`;
  return `SELECT
    i AS id,
    round((rnd(i, 1) % 100000) / 100.0, 2) AS price,
    CASE WHEN rnd(i, 2) % 10 = 0 THEN NULL ELSE rnd(i, 3) % 500 END AS qty,
    ${cats}[1 + rnd(i, 4) % ${CATEGORIES.length}] AS category,
    concat_ws(' ', ${w(5)}, CASE WHEN rnd(i, 6) % 3 > 0 THEN ${w(7)} END, CASE WHEN rnd(i, 6) % 3 = 2 THEN ${w(8)} END) AS comment,
    rnd(i, 9) % 2 = 0 AS flag,
    strftime(TIMESTAMP '2015-01-01 00:00:00' + to_seconds(rnd(i, 10) % 283996800), '%Y-%m-%dT%H:%M:%S') AS created,
    round(CASE WHEN rnd(i, 11) % 2000 = 0 THEN (rnd(i, 12) % 2 * 2 - 1) * (1000 + rnd(i, 13) % 9000)
               ELSE ((rnd(i, 14) % 1000) + (rnd(i, 15) % 1000) + (rnd(i, 16) % 1000)) / 30.0 END, 2) AS score
  FROM range(${rows}) t(i)`;
}

/** The cached CSV for `rows` rows under outDir, generated once (written to a temp name, then renamed). */
export async function benchCsv(outDir: string, rows: number): Promise<{ file: string; bytes: number; generatedMs: number | null }> {
  await fsp.mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `bench-${rows}.csv`);
  if (fs.existsSync(file)) return { file, bytes: (await fsp.stat(file)).size, generatedMs: null };
  const tmp = `${file}.${process.pid}.tmp`;
  const started = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    for (const macro of MIX_MACROS) await db.run(macro);
    // PRESERVE_INSERTION_ORDER is on by default: rows come out in id order.
    await db.run(`COPY (${selectStatement(rows)}) TO '${tmp.replaceAll("'", "''")}' (FORMAT csv, HEADER true)`);
    await fsp.rename(tmp, file);
  } finally {
    db.closeSync();
    instance.closeSync();
    await fsp.rm(tmp, { force: true });
  }
  return { file, bytes: (await fsp.stat(file)).size, generatedMs: performance.now() - started };
}

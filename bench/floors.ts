import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * DuckDB's own speed on the bench file, measured in the same run as Willow's figures so
 * that each of those can be given as a ratio to its floor, which holds on any machine:
 * - import: `COPY (SELECT * FROM read_csv(f)) TO 'x.parquet'`, what the upload + import
 *   of the same file is compared with;
 * - export: `COPY (SELECT * FROM read_parquet(x)) TO 'y.csv'` (and JSON, an array of
 *   records), what the downloads are compared with.
 * The instance has the server's defaults: one thread per core, 1 GB of memory.
 */
export class Floors {
  private readonly instance: DuckDBInstance;
  private readonly db: DuckDBConnection;
  readonly dir: string;
  /** The Parquet file of the raw import, the source of the raw exports. */
  readonly parquet: string;

  private constructor(instance: DuckDBInstance, db: DuckDBConnection, dir: string) {
    this.instance = instance;
    this.db = db;
    this.dir = dir;
    this.parquet = path.join(dir, 'floor.parquet');
  }

  static async open(): Promise<Floors> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'willow-bench-floor-'));
    const instance = await DuckDBInstance.create(':memory:', { threads: String(os.availableParallelism()), memory_limit: '1GB', temp_directory: path.join(dir, 'spill') });
    return new Floors(instance, await instance.connect(), dir);
  }

  private async timed(sql: string): Promise<number> {
    const started = performance.now();
    await this.db.run(sql);
    return performance.now() - started;
  }

  /** ms for DuckDB to read the CSV (its own sniffing) and write it as Parquet. */
  async importMs(csv: string): Promise<number> {
    return this.timed(`COPY (SELECT * FROM read_csv('${csv.replaceAll("'", "''")}')) TO '${this.parquet}' (FORMAT parquet)`);
  }

  /** Bytes and ms for DuckDB to write the imported data as CSV or as a JSON array of records. */
  async export(format: 'CSV' | 'JSON'): Promise<{ bytes: number; ms: number }> {
    const out = path.join(this.dir, `floor.${format.toLowerCase()}`);
    const options = format === 'CSV' ? 'FORMAT csv, HEADER true' : 'FORMAT json, ARRAY true';
    const ms = await this.timed(`COPY (SELECT * FROM read_parquet('${this.parquet}')) TO '${out}' (${options})`);
    const { size } = await fsp.stat(out);
    await fsp.rm(out, { force: true });
    return { bytes: size, ms };
  }

  async close(): Promise<void> {
    this.db.closeSync();
    this.instance.closeSync();
    await fsp.rm(this.dir, { recursive: true, force: true });
  }
}

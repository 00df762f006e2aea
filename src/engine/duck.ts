import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

export interface DuckOptions {
  threads: number;
  memoryLimit: string;
  tempDirectory: string;
}

// One DuckDB instance per process. Each job takes its own connection so that its temp
// views (`df`) and temp tables are private to it, while queries of different sessions run
// in parallel on DuckDB's own threads, off the event loop.
export class Duck {
  readonly instance: DuckDBInstance;
  private constructor(instance: DuckDBInstance) {
    this.instance = instance;
  }

  static async open(opts: DuckOptions): Promise<Duck> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(opts.threads),
      memory_limit: opts.memoryLimit,
      temp_directory: opts.tempDirectory,
    });
    const setup = await instance.connect();
    // Our Parquet files are immutable, so their metadata can be cached safely.
    await setup.run('SET parquet_metadata_cache = true');
    setup.closeSync();
    return new Duck(instance);
  }

  async connect(): Promise<Db> {
    return new Db(await this.instance.connect(), this.instance);
  }

  async withConnection<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const db = await this.connect();
    try {
      return await fn(db);
    } finally {
      db.close();
    }
  }

  close(): void {
    this.instance.closeSync();
  }
}

export type Row = Record<string, DuckDBValue>;

// A thin wrapper over a DuckDB connection with the few shapes of query the engine needs.
export class Db {
  readonly connection: DuckDBConnection;
  private readonly instance: DuckDBInstance | undefined;
  constructor(connection: DuckDBConnection, instance?: DuckDBInstance) {
    this.connection = connection;
    this.instance = instance;
  }

  /**
   * Another connection to the same database, for statements that should run side by side
   * with this one's (each statement of a connection runs alone). The caller closes it.
   * Throws when this connection was made without its instance.
   */
  async sibling(): Promise<Db> {
    if (!this.instance) throw new Error('this connection was opened without its instance: it has no siblings');
    return new Db(await this.instance.connect(), this.instance);
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Rows as objects of JS values (bigint for BIGINT, DuckDB value objects for dates…). */
  async rows(sql: string): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjects();
  }

  /** Rows as JSON-friendly objects (bigints and dates as strings). */
  async rowsJson(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  async one(sql: string): Promise<Row> {
    const rows = await this.rows(sql);
    if (rows.length === 0) throw new Error('query returned no row');
    return rows[0];
  }

  async scalar(sql: string): Promise<DuckDBValue> {
    const reader = await this.connection.runAndReadAll(sql);
    const rows = reader.getRows();
    return rows.length === 0 ? null : rows[0][0];
  }

  /** Column names and DuckDB types of a query's result, without running it. */
  async describe(sql: string): Promise<{ name: string; type: string }[]> {
    const rows = await this.rows(`DESCRIBE ${sql}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
  }
}

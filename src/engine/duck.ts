import { DuckDBInstance, DuckDBIntegerVector, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

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

// A statement that may read the views of deferViews (identifiers match without regard to case).
// `… AS df` / `… AS df_pos` only names a subquery so (scanOf, the narrowed scans of
// materialize): such an alias reads nothing, and taking it for the views made nearly every
// statement bind all of them (about 2 ms for 8 columns) for nothing.
const VIEW_NAME = /(?<!\bAS\s+)\bdf(_pos)?\b/i;

// A thin wrapper over a DuckDB connection with the few shapes of query the engine needs.
export class Db {
  readonly connection: DuckDBConnection;
  private readonly instance: DuckDBInstance | undefined;
  /** Statements of views not yet created (deferViews), or their creation under way. */
  private views: string[] | Promise<void> = [];
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

  /**
   * Define the temp views `df` / `df_pos` lazily: `statements` run just before the first
   * statement that names one of them. Binding them reads the metadata of every file of the
   * version (about 2 ms for 8 columns), which a read that scans its own columns never needs.
   * Replaces views deferred before and not yet created.
   */
  deferViews(statements: string[]): void {
    this.views = statements;
  }

  /** Create the deferred views first when `sql` may read them (called by every method; call it before using `connection` directly). */
  async viewsFor(sql: string): Promise<void> {
    if (Array.isArray(this.views)) {
      if (this.views.length === 0 || !VIEW_NAME.test(sql)) return;
      const statements = this.views;
      const creating = (async () => {
        for (const stmt of statements) await this.connection.run(stmt);
      })();
      this.views = creating;
      // Created (or failed, which the statement that needed them reports): nothing pending.
      creating.then(
        () => this.views === creating && (this.views = []),
        () => this.views === creating && (this.views = []),
      );
    }
    await this.views;
  }

  async run(sql: string): Promise<void> {
    await this.viewsFor(sql);
    await this.connection.run(sql);
  }

  /** Rows as objects of JS values (bigint for BIGINT, DuckDB value objects for dates…). */
  async rows(sql: string): Promise<Row[]> {
    await this.viewsFor(sql);
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjects();
  }

  /** Rows as JSON-friendly objects (bigints and dates as strings). */
  async rowsJson(sql: string): Promise<Record<string, unknown>[]> {
    await this.viewsFor(sql);
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  async one(sql: string): Promise<Row> {
    const rows = await this.rows(sql);
    if (rows.length === 0) throw new Error('query returned no row');
    return rows[0];
  }

  async scalar(sql: string): Promise<DuckDBValue> {
    await this.viewsFor(sql);
    const reader = await this.connection.runAndReadAll(sql);
    const rows = reader.getRows();
    return rows.length === 0 ? null : rows[0][0];
  }

  /**
   * scalar() with the named DuckDB optimizers (`disabled_optimizers` names) off for this
   * one statement, on this connection only, and back on after it whatever happened.
   * For statements whose plan is trivially right as written but costs more to optimize
   * than to run (see the wide slices of operations/read/data.ts).
   */
  async scalarUnoptimized(sql: string, optimizers: readonly string[]): Promise<DuckDBValue> {
    if (optimizers.length === 0) return this.scalar(sql);
    await this.connection.run(`SET disabled_optimizers = '${optimizers.join(',')}'`);
    try {
      return await this.scalar(sql);
    } finally {
      await this.connection.run('RESET disabled_optimizers');
    }
  }

  /**
   * The first column of a query's result (INTEGER values, no NULL) as an Int32Array, read
   * from its vectors: for long lists of positions, about a third of the CPU of their text
   * (string_agg) parsed back.
   */
  async int32Column(sql: string): Promise<Int32Array> {
    await this.viewsFor(sql);
    const result = await this.connection.run(sql);
    const chunks = await result.fetchAllChunks();
    let total = 0;
    for (const chunk of chunks) total += chunk.rowCount;
    const out = new Int32Array(total);
    let at = 0;
    for (const chunk of chunks) {
      const vector = chunk.getColumnVector(0);
      if (!(vector instanceof DuckDBIntegerVector)) throw new Error(`int32Column: the query's first column is ${vector.type.toString()}, not INTEGER`);
      for (let k = 0; k < chunk.rowCount; k++) {
        const value = vector.getItem(k);
        if (value === null) throw new Error('int32Column: NULL in the column');
        out[at++] = value;
      }
    }
    return out;
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

import type { Db } from './duck.ts';

/** A cached DuckDB table: its name, its size in the cache's unit, and the jobs reading it. */
export interface CachedTable {
  table: string;
  /** Size counted against the cache's bound (rows, cells…). */
  size: number;
  /** Jobs reading the table right now; a pinned table is never dropped under them. */
  pins: number;
}

/**
 * Tables of DuckDB's memory kept by key, least recently used dropped first once `tooBig`
 * (entries, total size) holds, never while pinned. A table missing when asked for is built
 * once: concurrent askers of one key wait for the same build. The mechanism of
 * SelectionCache (views as tables of positions) and ViewWindows (windows of their rows).
 */
export class TableCache<E extends CachedTable> {
  private readonly entries = new Map<string, E>();
  private readonly building = new Map<string, Promise<E>>();
  private readonly prefix: string;
  private readonly tooBig: (entries: number, total: number) => boolean;
  private total = 0;
  private counter = 0;
  /** Counters for tests and diagnostics: tables built, and found already built. */
  built = 0;
  reused = 0;

  /** `prefix`: of the tables' names (a number is appended). */
  constructor(prefix: string, tooBig: (entries: number, total: number) => boolean) {
    this.prefix = prefix;
    this.tooBig = tooBig;
  }

  /**
   * The entry for `key`, pinned (unpin with release): found, or made by `build(tableName)`,
   * which creates the table and gives the entry's other fields.
   */
  async acquire(key: string, build: (table: string) => Promise<Omit<E, 'table' | 'pins'>>): Promise<E> {
    let entry = this.entries.get(key);
    if (entry) {
      this.reused++;
      this.entries.delete(key);
      this.entries.set(key, entry); // most recently used last
    } else {
      let pending = this.building.get(key);
      if (!pending) {
        pending = (async () => {
          const table = `${this.prefix}_${++this.counter}`;
          const made = { ...(await build(table)), table, pins: 0 } as E;
          this.built++;
          this.entries.set(key, made);
          this.total += made.size;
          return made;
        })();
        this.building.set(key, pending);
        pending.then(
          () => this.building.delete(key),
          () => this.building.delete(key),
        );
      }
      entry = await pending;
    }
    entry.pins++;
    return entry;
  }

  /** The entry for `key` when it is built (pinned, as by acquire), without building it; null otherwise. */
  peek(key: string): E | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.entries.delete(key);
    this.entries.set(key, entry); // most recently used last
    entry.pins++;
    return entry;
  }

  /** Unpin entries acquired, then drop tables past the bound. */
  async release(db: Db, entries: E[]): Promise<void> {
    for (const e of entries) e.pins--;
    for (const [key, entry] of this.entries) {
      if (!this.tooBig(this.entries.size, this.total)) break;
      if (entry.pins > 0) continue;
      this.entries.delete(key);
      this.total -= entry.size;
      await db.run(`DROP TABLE IF EXISTS ${entry.table}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

import type { Db } from './duck.ts';

/**
 * Rows of a filtered, searched or sorted view, read a window at a time and kept.
 *
 * A page of a sorted view names positions all over the dataset (a sort by a price puts
 * rows from every row group on one page), and reading them decodes every row group of
 * every file the page's columns are in: as much as reading the whole dataset, for 50 rows.
 * Pages are read near each other (a grid scrolls, the next page follows), so the rows of
 * WINDOW_ROWS view positions are read at once, one table per file of the columns read
 * (its columns by field), and the pages within it are then read from those small tables.
 * A file is immutable and a view's positions depend only on its key (the files it was
 * computed from, SelectionCache), so a window is keyed by the view's key, its number and
 * the file (with its deleted rows) and fields: an edit of another column keeps it, and
 * the edited column's window is read anew from its new file. The tables live in DuckDB's
 * memory; least recently used windows go first past `maxCells` (rows × columns).
 */
export const WINDOW_ROWS = 1024;

/**
 * Windows are only worth it while a page touches nearly every row group anyway: up to 16
 * row groups of 16,384 rows (parquet-layout.ts), 50 scattered positions hit 15 of them on
 * average. On a larger dataset a window of 1,024 scattered positions would decode much more
 * than its page, so pages there are read as they are asked for.
 */
export const WINDOWED_MAX_ROWS = 16 * 16_384;

interface Entry {
  table: string;
  cells: number;
  /** Jobs reading the table right now; a pinned table is never dropped under them. */
  pins: number;
}

export class ViewWindows {
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<Entry>>();
  private readonly maxCells: number;
  private cells = 0;
  private counter = 0;
  /** Counters for tests and diagnostics. */
  built = 0;
  reused = 0;

  // 8M cells: about 1,000 windows of the bench's 8 columns (1,024 rows × 8 columns is 8k
  // cells), two windows of six sorted views of 80 sessions.
  constructor(maxCells = 8_000_000) {
    this.maxCells = maxCells;
  }

  /**
   * Run `read` with the tables of the windows `keys` (each built by `build(tableName)`, a
   * CREATE TABLE … AS, when missing; `cells` is its size for the bound), pinned while it runs.
   */
  async use<T>(db: Db, windows: { key: string; cells: number; build: (table: string) => Promise<void> }[], read: (tables: string[]) => Promise<T>): Promise<T> {
    const pinned: Entry[] = [];
    try {
      for (const w of windows) {
        const entry = await this.get(db, w.key, w.cells, w.build);
        entry.pins++;
        pinned.push(entry);
      }
      return await read(pinned.map((e) => e.table));
    } finally {
      for (const e of pinned) e.pins--;
      await this.evict(db);
    }
  }

  private async get(db: Db, key: string, cells: number, build: (table: string) => Promise<void>): Promise<Entry> {
    const entry = this.entries.get(key);
    if (entry) {
      this.reused++;
      this.entries.delete(key);
      this.entries.set(key, entry); // most recently used last
      return entry;
    }
    let pending = this.building.get(key);
    if (!pending) {
      pending = (async () => {
        const table = `view_window_${++this.counter}`;
        await build(table);
        this.built++;
        const made: Entry = { table, cells, pins: 0 };
        this.entries.set(key, made);
        this.cells += cells;
        return made;
      })();
      this.building.set(key, pending);
      pending.then(
        () => this.building.delete(key),
        () => this.building.delete(key),
      );
    }
    return pending;
  }

  private async evict(db: Db): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (this.cells <= this.maxCells) break;
      if (entry.pins > 0) continue;
      this.entries.delete(key);
      this.cells -= entry.cells;
      await db.run(`DROP TABLE IF EXISTS ${entry.table}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

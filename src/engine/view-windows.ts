import type { Db } from './duck.ts';
import { TableCache, type CachedTable } from './table-cache.ts';

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

export class ViewWindows {
  private readonly tables: TableCache<CachedTable>;

  // 8M cells: about 1,000 windows of the bench's 8 columns (1,024 rows × 8 columns is 8k
  // cells), two windows of six sorted views of 80 sessions.
  constructor(maxCells = 8_000_000) {
    this.tables = new TableCache<CachedTable>('view_window', (_, cells) => cells > maxCells);
  }

  /**
   * Run `read` with the tables of the windows `keys` (each built by `build(tableName)`, a
   * CREATE TABLE … AS, when missing; `cells` is its size for the bound), pinned while it runs.
   */
  async use<T>(db: Db, windows: { key: string; cells: number; build: (table: string) => Promise<void> }[], read: (tables: string[]) => Promise<T>): Promise<T> {
    const pinned: CachedTable[] = [];
    try {
      for (const w of windows) {
        const entry = await this.tables.acquire(w.key, async (table) => {
          await w.build(table);
          return { size: w.cells };
        });
        pinned.push(entry);
      }
      return await read(pinned.map((e) => e.table));
    } finally {
      await this.tables.release(db, pinned);
    }
  }

  /** Windows built (counter for tests and diagnostics). */
  get built(): number {
    return this.tables.built;
  }

  /** Windows found already built. */
  get reused(): number {
    return this.tables.reused;
  }

  get size(): number {
    return this.tables.size;
  }
}

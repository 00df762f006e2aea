import type { Db } from './duck.ts';
import { ViewWindows } from './view-windows.ts';

interface Entry {
  table: string;
  /** Rows of the view. */
  rows: number;
  /** Rows of the table: the view's, or its first ones only (a prefix, see use()). */
  stored: number;
  sessionId: string;
  /** Jobs reading the table right now; a pinned table is never dropped under them. */
  pins: number;
}

/**
 * Filtered, searched or sorted views of a version, kept as tables of row positions in
 * display order (rowid = position in the view). Computing a sort of 10M rows takes a
 * second; paging through it afterwards reads only the positions of one page. Keys name the
 * files of the columns a view reads (withView), so a new version never sees a stale view,
 * and one that kept those columns uses it still; views nobody reads go first when full.
 */
export class SelectionCache {
  private readonly entries = new Map<string, Entry>();
  /** Tables being built, by key: a second reader of the same view waits for the first build. */
  private readonly building = new Map<string, Promise<Entry>>();
  private readonly maxEntries: number;
  private readonly maxRows: number;
  private counter = 0;
  /** Rows of these views read a window at a time (view-windows.ts), keyed by the views' keys. */
  readonly windows = new ViewWindows();

  // Many sessions each paging a few views need many entries (a view rebuilt for every page
  // costs a sort of the whole column), but their memory is what counts: 25M positions are
  // 200 MB of DuckDB's memory (two sorts of a 10M-row dataset, or 250 of a 100k-row one).
  constructor(maxEntries = 1024, maxRows = 25_000_000) {
    this.maxEntries = maxEntries;
    this.maxRows = maxRows;
  }

  /**
   * Read the table for `key` with `read`; `build(tableName)` (a CREATE TABLE … AS) makes it
   * when missing. `read` is given the view's full key too (the session's and `key`), which
   * names its positions for as long as they exist (windows of its rows). `viewRows`: the
   * view's row count when the table holds only its first rows (a sorted view's first pages
   * need only those: ORDER BY … LIMIT), otherwise the table's rows are counted.
   */
  async use<T>(db: Db, sessionId: string, key: string, build: (table: string) => Promise<void>, read: (view: { table: string; rows: number; key: string }) => Promise<T>, viewRows?: number): Promise<T> {
    const fullKey = `${sessionId}:${key}`;
    let entry = this.entries.get(fullKey);
    if (entry) {
      this.entries.delete(fullKey);
      this.entries.set(fullKey, entry); // most recently used last
    } else {
      let pending = this.building.get(fullKey);
      if (!pending) {
        pending = (async () => {
          const table = `selection_${++this.counter}`;
          await build(table);
          const stored = Number(await db.scalar(`SELECT count(*) FROM ${table}`));
          const made: Entry = { table, rows: viewRows ?? stored, stored, sessionId, pins: 0 };
          this.entries.set(fullKey, made);
          return made;
        })();
        this.building.set(fullKey, pending);
        pending.then(
          () => this.building.delete(fullKey),
          () => this.building.delete(fullKey),
        );
      }
      entry = await pending;
    }
    entry.pins++;
    try {
      return await read({ table: entry.table, rows: entry.rows, key: fullKey });
    } finally {
      entry.pins--;
      await this.evict(db);
    }
  }

  private async evict(db: Db): Promise<void> {
    let total = [...this.entries.values()].reduce((s, e) => s + e.stored, 0);
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && total <= this.maxRows) break;
      if (entry.pins > 0) continue;
      this.entries.delete(key);
      total -= entry.stored;
      await db.run(`DROP TABLE IF EXISTS ${entry.table}`);
    }
  }
}

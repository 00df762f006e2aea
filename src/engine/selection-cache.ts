import type { Db } from './duck.ts';

interface Entry {
  table: string;
  rows: number;
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

  // Many sessions each paging a few views need many entries (a view rebuilt for every page
  // costs a sort of the whole column), but their memory is what counts: 25M positions are
  // 200 MB of DuckDB's memory (two sorts of a 10M-row dataset, or 250 of a 100k-row one).
  constructor(maxEntries = 1024, maxRows = 25_000_000) {
    this.maxEntries = maxEntries;
    this.maxRows = maxRows;
  }

  /** Whether the table for `key` is built (and kept). */
  has(sessionId: string, key: string): boolean {
    return this.entries.has(`${sessionId}:${key}`);
  }

  /** Read the table for `key` with `read`; `build(tableName)` (a CREATE TABLE … AS) makes it when missing. */
  async use<T>(db: Db, sessionId: string, key: string, build: (table: string) => Promise<void>, read: (view: { table: string; rows: number }) => Promise<T>): Promise<T> {
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
          const rows = Number(await db.scalar(`SELECT count(*) FROM ${table}`));
          const made: Entry = { table, rows, sessionId, pins: 0 };
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
      return await read(entry);
    } finally {
      entry.pins--;
      await this.evict(db);
    }
  }

  private async evict(db: Db): Promise<void> {
    let total = [...this.entries.values()].reduce((s, e) => s + e.rows, 0);
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && total <= this.maxRows) break;
      if (entry.pins > 0) continue;
      this.entries.delete(key);
      total -= entry.rows;
      await db.run(`DROP TABLE IF EXISTS ${entry.table}`);
    }
  }
}

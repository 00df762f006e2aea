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
 * second; paging through it afterwards reads only the positions of one page. Keys include
 * the manifest id, so a new version never sees a stale view.
 */
export class SelectionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxRows: number;
  private counter = 0;

  constructor(maxEntries = 16, maxRows = 100_000_000) {
    this.maxEntries = maxEntries;
    this.maxRows = maxRows;
  }

  /** Read the table for `key` with `read`; `build(tableName)` (a CREATE TABLE … AS) makes it when missing. */
  async use<T>(db: Db, sessionId: string, key: string, build: (table: string) => Promise<void>, read: (view: { table: string; rows: number }) => Promise<T>): Promise<T> {
    const fullKey = `${sessionId}:${key}`;
    let entry = this.entries.get(fullKey);
    if (entry) {
      this.entries.delete(fullKey);
      this.entries.set(fullKey, entry); // most recently used last
    } else {
      const table = `selection_${++this.counter}`;
      await build(table);
      const rows = Number(await db.scalar(`SELECT count(*) FROM ${table}`));
      entry = { table, rows, sessionId, pins: 0 };
      this.entries.set(fullKey, entry);
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

  /** Forget every view of a session (after it changed, its old views are useless). */
  async dropSession(db: Db, sessionId: string): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (entry.sessionId !== sessionId || entry.pins > 0) continue;
      this.entries.delete(key);
      await db.run(`DROP TABLE IF EXISTS ${entry.table}`);
    }
  }
}

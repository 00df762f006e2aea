import type { Db } from './duck.ts';
import type { Dataset } from './dataset.ts';
import { ViewWindows } from './view-windows.ts';
import { TableCache, type CachedTable } from './table-cache.ts';

/**
 * What a view reads of column `i` of `ds`, in the view's key (withView): its index (the
 * view's SQL names it by it), file, field, file of deleted rows and type.
 */
export function viewColumnKey(ds: Dataset, i: number): string {
  const c = ds.column(i);
  return JSON.stringify([i, c.file, c.field, c.deleted?.file ?? null, c.type]);
}

/** Derivations remembered (SelectionCache.derive). */
const MAX_DERIVATIONS = 10_000;

interface Entry extends CachedTable {
  /** Rows of the view; `size` is the table's: the view's, or its first ones only (a prefix, see use()). */
  rows: number;
}

/**
 * Filtered, searched or sorted views of a version, kept as tables of row positions in
 * display order (rowid = position in the view). Computing a sort of 10M rows takes a
 * second; paging through it afterwards reads only the positions of one page. Keys name the
 * files of the columns a view reads (withView), so a new version never sees a stale view,
 * and one that kept those columns uses it still; views nobody reads go first when full.
 */
export class SelectionCache {
  private readonly tables: TableCache<Entry>;
  /** Rows of these views read a window at a time (view-windows.ts), keyed by the views' keys. */
  readonly windows = new ViewWindows();

  // Many sessions each paging a few views need many entries (a view rebuilt for every page
  // costs a sort of the whole column), but their memory is what counts: 25M positions are
  // 200 MB of DuckDB's memory (two sorts of a 10M-row dataset, or 250 of a 100k-row one).
  constructor(maxEntries = 1024, maxRows = 25_000_000) {
    this.tables = new TableCache<Entry>('selection', (entries, rows) => entries > maxEntries || rows > maxRows);
  }

  /** Sorted prefixes made from an earlier version's (withView), for tests and diagnostics. */
  derived = 0;

  /** Column keys (viewColumnKey, with the row count) of cell edits: the column they were made from and the positions changed. */
  private readonly derivations = new Map<string, { base: string; positions: number[]; values?: string[] }>();

  /**
   * Column `i` of `ds` holds what column `i` of `base` holds, in the same type, at every
   * position but `positions` (a cell edit, Change.sameExcept): a sorted view of it may be
   * made from base's (withView). Ignored unless the index, type and row count are the same.
   * `values`: the SQL of the values written at `positions` (constants), when the edit gave them.
   */
  derive(ds: Dataset, i: number, base: Dataset, j: number, positions: number[], values?: string[]): void {
    if (i !== j || ds.rows !== base.rows || ds.column(i).type !== base.column(j).type) return;
    if (this.derivations.size >= MAX_DERIVATIONS) this.derivations.delete(this.derivations.keys().next().value!);
    const known = values !== undefined && values.length === positions.length && new Set(positions).size === positions.length;
    this.derivations.set(`${ds.rows}\u0000${viewColumnKey(ds, i)}`, { base: viewColumnKey(base, j), positions, ...(known ? { values } : {}) });
  }

  /** The derivation of a column (by viewColumnKey) of a version of `rows` rows, if one was recorded. */
  derivation(rows: number, column: string): { base: string; positions: number[]; values?: string[] } | undefined {
    return this.derivations.get(`${rows}\u0000${column}`);
  }

  /**
   * Run `read` with the view of `key` when its table is built (pinned while it runs), else
   * give null: nothing is built.
   */
  async peek<T>(db: Db, sessionId: string, key: string, read: (view: { table: string; rows: number; stored: number }) => Promise<T>): Promise<T | null> {
    const entry = this.tables.peek(`${sessionId}:${key}`);
    if (!entry) return null;
    try {
      return await read({ table: entry.table, rows: entry.rows, stored: entry.size });
    } finally {
      await this.tables.release(db, [entry]);
    }
  }

  /**
   * Read the table for `key` with `read`; `build(tableName)` (a CREATE TABLE … AS) makes it
   * when missing and gives the rows it stored (a CREATE TABLE … AS answers its count, so no
   * count(*) of the table is needed). `read` is given the view's full key too (the session's
   * and `key`), which names its positions for as long as they exist (windows of its rows).
   * `viewRows`: the view's row count when the table holds only its first rows (a sorted
   * view's first pages need only those: ORDER BY … LIMIT), otherwise the rows stored.
   */
  async use<T>(db: Db, sessionId: string, key: string, build: (table: string) => Promise<number>, read: (view: { table: string; rows: number; key: string }) => Promise<T>, viewRows?: number): Promise<T> {
    const fullKey = `${sessionId}:${key}`;
    const entry = await this.tables.acquire(fullKey, async (table) => {
      const stored = await build(table);
      return { size: stored, rows: viewRows ?? stored };
    });
    try {
      return await read({ table: entry.table, rows: entry.rows, key: fullKey });
    } finally {
      await this.tables.release(db, [entry]);
    }
  }
}

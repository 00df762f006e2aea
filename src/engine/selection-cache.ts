import type { Db } from './duck.ts';
import type { Dataset } from './dataset.ts';
import { ViewWindows } from './view-windows.ts';
import { TableCache, type CachedTable } from './table-cache.ts';
import { columnIdentity, type ColumnIdentity, type EditLineage } from './edit-lineage.ts';

/**
 * What a view reads of column `i` of `ds`, in the view's key (withView): its index (the
 * view's SQL names it by it), file, field, file of deleted rows and type.
 */
export function viewColumnKey(ds: Dataset, i: number): string {
  return viewKeyOf(columnIdentity(ds, i), i);
}

/** viewColumnKey of `column` at index `i`. */
function viewKeyOf(column: ColumnIdentity, i: number): string {
  return JSON.stringify([i, column.file, column.field, column.deleted, column.type]);
}

/**
 * A cell edit a sorted view of the edited column may be made from (SelectionCache.edits):
 * the view key (viewColumnKey) of the column it was made from, and the positions changed,
 * ascending, with the SQL of the values written there when the edit gave them (CellEdit).
 */
export interface ViewEdit {
  base: string;
  positions: number[];
  values?: string[];
}

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
  /** Cell edits, whose columns' sorted views are made from their bases' (edits, withView). */
  private readonly lineage: EditLineage;
  /** Rows of these views read a window at a time (view-windows.ts), keyed by the views' keys. */
  readonly windows = new ViewWindows();

  // Many sessions each paging a few views need many entries (a view rebuilt for every page
  // costs a sort of the whole column), but their memory is what counts: 25M positions are
  // 200 MB of DuckDB's memory (two sorts of a 10M-row dataset, or 250 of a 100k-row one).
  /**
   * `lineage`: the cell edits of the process (one for both DuckDB instances' caches: the job
   * that stages an edit records it whichever instance its version's reads go to).
   */
  constructor(lineage: EditLineage, maxEntries = 1024, maxRows = 25_000_000) {
    this.lineage = lineage;
    this.tables = new TableCache<Entry>('selection', (entries, rows) => entries > maxEntries || rows > maxRows);
  }

  /** Sorted prefixes made from an earlier version's (withView), for tests and diagnostics. */
  derived = 0;

  /**
   * The cell edits that made column `i` of `ds` (EditLineage.chain), newest first, `depth` at
   * most, as far back as a sorted view of the column may be made from its base's (withView):
   * while each edit kept the column at index `i` (the view's SQL names it by it) in its type
   * and row count (EditLineage.record keeps only those).
   */
  *edits(ds: Dataset, i: number, depth: number): Generator<ViewEdit> {
    for (const edit of this.lineage.chain(columnIdentity(ds, i), depth)) {
      if (edit.at !== i || edit.from !== i) return;
      yield { base: viewKeyOf(edit.base, i), positions: edit.positions, ...(edit.values ? { values: edit.values } : {}) };
    }
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

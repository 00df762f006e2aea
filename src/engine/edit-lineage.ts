import type { Dataset } from './dataset.ts';

/**
 * Which column of which version, by what its values depend on, all immutable: a version
 * that kept the column (an edit of another column, a rename, an undo) names it alike.
 */
export interface ColumnIdentity {
  /** Its file as the manifest names it (ColumnEntry.file, within the session's folder). */
  file: string;
  /** The file's path (Dataset.filePath): unlike `file`, unique across sessions. */
  path: string;
  /** Its field in the file. */
  field: string;
  /** The file of the rows deleted from it (ColumnEntry.deleted), or null. */
  deleted: string | null;
  type: string;
  /** The version's row count. */
  rows: number;
}

/** The identity of column `i` of `ds`. */
export function columnIdentity(ds: Dataset, i: number): ColumnIdentity {
  const c = ds.column(i);
  return { file: c.file, path: ds.filePath(c.file), field: c.field, deleted: c.deleted?.file ?? null, type: c.type, rows: ds.rows };
}

/** `column` as one string, the key of the edit that made it (EditLineage) and of what caches keep of it. */
export function identityKey(column: ColumnIdentity): string {
  return `${column.path}\u0000${column.field}\u0000${column.deleted ?? ''}\u0000${column.type}\u0000${column.rows}`;
}

/**
 * A cell edit (Change.sameExcept): column `at` of a new version, `column`, holds what column
 * `from` of the version it was made from, `base`, holds, in the same type and with as many
 * rows, at every position but `positions`. Caches of the base column's content make the new
 * column's from them, reading (or being given) only the cells at `positions`.
 */
export interface CellEdit {
  column: ColumnIdentity;
  /** The column's index in the new version. */
  at: number;
  base: ColumnIdentity;
  /** The base column's index in the version edited. */
  from: number;
  /** Positions whose values may differ, ascending, each once. */
  positions: number[];
  /**
   * The JSON text of the new cells, one per position (cellJsonSql of each value written, in
   * the column's type), when the edit computed them: CellCache then need not read them back.
   */
  cells?: string[];
  /**
   * The SQL of the values written, one per position (constant expressions in the column's
   * type), when the edit had them: a sorted view is then made without reading the column.
   */
  values?: string[];
}

/**
 * Add to `moved` (position → new value, null when not known) the `positions` an edit changed
 * within [`from`, `to`) that it does not hold yet, with their entry of `known` (the edit's
 * `cells` or `values`, as far as the caller may use them; one per position). Called along a
 * chain, newest edit first, it ends with each position's newest value: an older edit of a
 * position was overwritten.
 */
export function addChanged(moved: Map<number, string | null>, positions: readonly number[], known: readonly string[] | undefined, from = 0, to = Infinity): void {
  for (const [k, p] of positions.entries()) if (p >= from && p < to && !moved.has(p)) moved.set(p, known?.[k] ?? null);
}

/** Edits remembered: the columns of recent cell edits, across sessions (a few hundred bytes each, besides their positions, cells and values). */
export const MAX_EDITS = 10_000;

/**
 * The cell edits of recent versions, each recorded once (by the job that staged it) for
 * every cache that keeps something of a column to make the edited column's from it: the
 * cells of CellCache, the sorted prefixes of the views of SelectionCache (in either DuckDB
 * instance: one lineage serves the process). Each cache has its own rules on which edits it
 * follows. The oldest go first past `maxEdits`, recorded order.
 */
export class EditLineage {
  private readonly edits = new Map<string, CellEdit>();
  readonly maxEdits: number;

  constructor(maxEdits = MAX_EDITS) {
    this.maxEdits = maxEdits;
  }

  /**
   * Record that column `i` of `ds` is column `j` of `base` but at `positions` (any order,
   * repeats allowed). Ignored when their types or row counts differ: the rest of the column
   * is then not the same values. `cells` and `values` (see CellEdit), one per entry of
   * `positions`, are kept only when there are as many as positions and no position is
   * listed twice (such a position has no one new value).
   */
  record(ds: Dataset, i: number, base: Dataset, j: number, positions: number[], known: { cells?: string[]; values?: string[] } = {}): void {
    const column = columnIdentity(ds, i);
    const from = columnIdentity(base, j);
    if (column.rows !== from.rows || column.type !== from.type) return;
    if (this.edits.size >= this.maxEdits) this.edits.delete(this.edits.keys().next().value!);
    const sorted = [...new Set(positions)].sort((a, b) => a - b);
    const aligned = (list: string[] | undefined): string[] | undefined => {
      if (list === undefined || list.length !== positions.length || sorted.length !== positions.length) return undefined;
      const at = new Map(positions.map((p, k) => [p, list[k]]));
      return sorted.map((p) => at.get(p)!);
    };
    const cells = aligned(known.cells);
    const values = aligned(known.values);
    this.edits.set(identityKey(column), { column, at: i, base: from, from: j, positions: sorted, ...(cells ? { cells } : {}), ...(values ? { values } : {}) });
  }

  /** The edit that made `column`, if it is remembered. */
  edit(column: ColumnIdentity): CellEdit | undefined {
    return this.edits.get(identityKey(column));
  }

  /**
   * The edits that made `column`, newest first: the one that made it, the one that made its
   * base, and so on while they are remembered, `depth` at most.
   */
  *chain(column: ColumnIdentity, depth: number): Generator<CellEdit> {
    let edit = this.edit(column);
    for (let k = 0; k < depth && edit; k++) {
      yield edit;
      edit = this.edit(edit.base);
    }
  }

  /** Edits remembered. */
  get size(): number {
    return this.edits.size;
  }
}

import type { Db } from './duck.ts';
import type { Dataset } from './dataset.ts';
import { jsonValue } from './json-values.ts';
import { SMALL_ROW_GROUP_ROWS } from './parquet-layout.ts';
import { addChanged, columnIdentity, identityKey, type ColumnIdentity, type EditLineage } from './edit-lineage.ts';

/**
 * Rows of a block: cells are read and kept CELL_BLOCK_ROWS row positions at a time, the row
 * group size of small datasets (parquet-layout.ts), so that building a block decodes the
 * row group a slice of it would decode anyway.
 */
export const CELL_BLOCK_ROWS = SMALL_ROW_GROUP_ROWS;

/**
 * Datasets of at most this many rows are served from cells (the small datasets, written in
 * row groups of CELL_BLOCK_ROWS); larger ones are read by DuckDB page by page as before.
 */
export const CELL_MAX_DATASET_ROWS = 1_000_000;

/**
 * Most blocks one slice builds: 8, every block of a dataset of up to 131,072 rows. A page of
 * a sorted view names rows of nearly every block; once each of them has been asked for before
 * (the rule of the second time, below), such a page builds them all (about 45 ms a block of
 * the bench's 8 columns) instead of being read by DuckDB. Read by DuckDB, it was read through
 * a window of its view (view-windows.ts, about as much CPU as a block, per window of 1,024
 * rows of each view), which the load test's first seconds rebuilt for every view and every
 * edit of a sorted column, while plain pages built the same blocks anyway: its mix in
 * sequence (10 sessions of 100k rows, 1,300 requests from a fresh start) cost 9.7–10.9 ms
 * of CPU a sorted page with 8 against 13.4–13.6 with 2, and 2.1–2.6 ms a plain page against
 * 4.6–5.0 (their blocks are there sooner). Larger
 * datasets (many more blocks) keep their sorted pages on DuckDB until plain slices (one or
 * two blocks each) have made the blocks; pages of edited columns derive theirs (fromBase),
 * cheaply.
 */
export const MAX_BUILT_BLOCKS = 8;

/** Slices of more columns than this are read by DuckDB (wide slices have their own path). */
export const CELL_MAX_SLICE_COLUMNS = 100;

/**
 * Longest JSON text of one cell kept, in UTF-16 units: a block holding a longer one is not
 * kept (its slices are read by DuckDB), so a block of CELL_BLOCK_ROWS cells stays below
 * 64 MB of text even for a column filled with one long value (which its Parquet file stores
 * in a few bytes).
 */
export const CELL_MAX_TEXT = 4096;

// Between cells of a block's text: a control character, which JSON text never holds
// unescaped (RFC 8259 §7), so it cannot occur inside a cell; a block whose separators do not
// count up to its rows is not used.
const SEPARATOR = '\u001f';

/** A character V8 cannot keep in a one-byte string (blockBytes counts two bytes each then). */
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * The JSON text of CELL_BLOCK_ROWS consecutive row positions of one column, as the `data`
 * slices built by DuckDB render each value (json_array of jsonValue): cell k is
 * text.slice(starts[k], starts[k + 1] - 1).
 */
interface CellBlock {
  text: string;
  starts: Uint32Array;
  /** Whether the text may hold characters past Latin-1 (two bytes each in V8's strings). */
  wide: boolean;
  /** Keys of the entries holding this block (one block may serve several columns' keys). */
  holders: Set<string>;
}

/** A view's positions in view order (the rows of its table of positions, SelectionCache). */
interface ViewList {
  positions: Int32Array;
}

/** Blocks remembered as asked for once (CellCache.asked). */
const MAX_ASKED = 100_000;
/** Edits followed back from a column to one whose block is kept. */
const MAX_DERIVATION_DEPTH = 64;

type Entry = { kind: 'block'; block: CellBlock; bytes: number } | { kind: 'view'; view: ViewList; bytes: number };

/**
 * The JSON text of the cells of small datasets' columns, kept in memory by what they depend
 * on — the column's file, field, file of deleted rows and type, all immutable — so that a
 * `data` slice (plain, filtered or sorted) of a version whose blocks are here is assembled
 * without a DuckDB query, and an edit of one column leaves the other columns' blocks valid.
 * Also the positions of views (filtered, searched, sorted) in view order, by the view's key.
 * Least recently used entries go first once their estimated size passes `maxBytes`
 * (CELL_CACHE_BYTES; 0: nothing is kept and every slice is read by DuckDB). Blocks missing
 * when asked for are built once (concurrent askers wait for the same build).
 *
 * The text is DuckDB's own rendering of each value, so a slice assembled here is byte for
 * byte the one DuckDB would build (sliceEnvelope in operations/read/data.ts).
 */
export class CellCache {
  private readonly entries = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<CellBlock | null>>();
  /** Cell edits (recorded by the job that staged them), whose columns' blocks are made from their bases' (fromBase). */
  private readonly lineage: EditLineage;
  /** Keys of blocks slices needed and did not find (built when needed again). */
  private readonly asked = new Set<string>();
  private bytes = 0;
  readonly maxBytes: number;
  /** Counters for tests and diagnostics: blocks built, blocks derived from another column's (fromBase), blocks found, slices that fell back to DuckDB, blocks of edited columns dropped. */
  built = 0;
  evicted = 0;
  derived = 0;
  found = 0;
  declined = 0;
  /** Cells of derived blocks whose text the edit gave (CellEdit.cells), not read back. */
  given = 0;
  /** Blocks whose unordered build came out of order and was made again in order (build). */
  reordered = 0;

  constructor(maxBytes: number, lineage: EditLineage) {
    this.maxBytes = maxBytes;
    this.lineage = lineage;
  }

  /** Whether slices of `columns` of `ds` may be assembled from cells. */
  usable(ds: Dataset, columns: number[]): boolean {
    return this.maxBytes > 0 && ds.rows <= CELL_MAX_DATASET_ROWS && columns.length >= 1 && columns.length <= CELL_MAX_SLICE_COLUMNS;
  }

  /**
   * The JSON text of the slice at `positions` (row positions of `ds`, in the slice's order)
   * of `columns`: {"columns":[names],"index":[positions],"data":[[cells]…]}; null when a
   * block it needs cannot be kept (a cell longer than CELL_MAX_TEXT), for the caller to read
   * it by DuckDB.
   */
  async slice(db: Db, ds: Dataset, positions: ArrayLike<number>, columns: number[]): Promise<string | null> {
    const blocks = new Set<number>();
    for (let k = 0; k < positions.length; k++) blocks.add(Math.floor(positions[k] / CELL_BLOCK_ROWS));
    const found = await this.blocks(db, ds, columns, [...blocks].sort((a, b) => a - b));
    if (found === null) {
      this.declined++;
      return null;
    }
    const rows: string[] = new Array(positions.length);
    const cells: string[] = new Array(columns.length);
    for (let k = 0; k < positions.length; k++) {
      const pos = positions[k];
      const b = Math.floor(pos / CELL_BLOCK_ROWS);
      const at = pos - b * CELL_BLOCK_ROWS;
      for (let c = 0; c < columns.length; c++) {
        const block = found.get(`${c}\u0000${b}`)!;
        cells[c] = block.text.slice(block.starts[at], block.starts[at + 1] - 1);
      }
      rows[k] = `[${cells.join(',')}]`;
    }
    const index = Array.prototype.join.call(positions, ',');
    const names = JSON.stringify(columns.map((i) => ds.column(i).name));
    return `{"columns":${names},"index":[${index}],"data":[${rows.join(',')}]}`;
  }

  /** A view's positions in view order, read from its table (`SELECT … ORDER BY rowid`) the first time, by the view's key. */
  async viewPositions(db: Db, key: string, table: string): Promise<Int32Array> {
    const entryKey = `view\u0000${key}`;
    const hit = this.touch(entryKey);
    if (hit?.kind === 'view') return hit.view.positions;
    const positions = await db.int32Column(`SELECT __pos::INTEGER FROM ${table} ORDER BY rowid`);
    this.put(entryKey, { kind: 'view', view: { positions }, bytes: 4 * positions.length + 64 });
    return positions;
  }

  /** Blocks `blocks` of each of `columns`, by `${index in columns}\0${block}`; null when one cannot be kept. */
  private async blocks(db: Db, ds: Dataset, columns: number[], blocks: number[]): Promise<Map<string, CellBlock> | null> {
    const out = new Map<string, CellBlock>();
    const waits: Promise<void>[] = [];
    // Missing blocks by block number: one query per block reads all the columns missing it.
    const missing = new Map<number, { c: number; key: string }[]>();
    for (const [c, i] of columns.entries()) {
      for (const b of blocks) {
        const key = blockKey(ds, i, b);
        const hit = this.touch(key);
        if (hit?.kind === 'block') {
          this.found++;
          out.set(`${c}\u0000${b}`, hit.block);
          continue;
        }
        let pending = this.building.get(key);
        if (!pending) {
          const made = this.fromBase(db, ds, columns[c], b);
          if (made) pending = this.track(key, made);
        }
        if (pending) {
          waits.push(pending.then((block) => void (block && out.set(`${c}\u0000${b}`, block))));
          continue;
        }
        const list = missing.get(b) ?? [];
        list.push({ c, key });
        missing.set(b, list);
      }
    }
    // A block is built the second time a slice needs it: one read once (a glance at a page)
    // costs DuckDB's slice, not the whole block's cells (~8 times that).
    let unseen = false;
    for (const wanted of missing.values()) {
      for (const w of wanted) {
        if (this.asked.has(w.key)) continue;
        if (this.asked.size >= MAX_ASKED) this.asked.clear();
        this.asked.add(w.key);
        unseen = true;
      }
    }
    if (unseen || missing.size > MAX_BUILT_BLOCKS) {
      // What was started is kept for later slices; its failures are theirs to see.
      for (const w of waits) w.catch(() => {});
      return null;
    }
    for (const [b, wanted] of missing) {
      // Columns of one index appear once per slice, but one column may be shown twice.
      const unique = [...new Map(wanted.map((w) => [w.key, w])).values()];
      const build = this.build(db, ds, b, unique.map((w) => columns[w.c]));
      for (const [k, w] of unique.entries()) this.track(w.key, build.then((all) => (all === null ? null : all[k])));
      waits.push(
        build.then((all) => {
          if (all === null) return;
          for (const w of wanted) out.set(`${w.c}\u0000${b}`, all[unique.findIndex((u) => u.key === w.key)]);
        }),
      );
    }
    await Promise.all(waits);
    return out.size === columns.length * blocks.length ? out : null;
  }

  /**
   * Block `b` of column `i` made from the kept block of a column it was made from by cell
   * edits (EditLineage; through a chain of edits, each of whose blocks is only made when
   * read): the same block when no position changed along the way is in it, else a copy
   * with the cells at those positions given by the edits (CellEdit.cells, the newest edit of
   * each; only for knownCellType's types, whose text a read of the file gives alike) or read
   * from `ds` (a query of its row group, 2–10 ms of CPU). Null when there is no such edit or
   * block. (Edits always keep the type and the row count: EditLineage.record.)
   */
  private fromBase(db: Db, ds: Dataset, i: number, b: number): Promise<CellBlock | null> | null {
    const from = b * CELL_BLOCK_ROWS;
    // Positions changed since the kept block, with their text when the newest edit of each knew it.
    const moved = new Map<number, string | null>();
    let base: Entry | undefined;
    for (const edit of this.lineage.chain(columnIdentity(ds, i), MAX_DERIVATION_DEPTH)) {
      addChanged(moved, edit.positions, knownCellType(edit.column.type) ? edit.cells : undefined, from, from + CELL_BLOCK_ROWS);
      base = this.touch(blockKeyOf(edit.base, b));
      if (base?.kind === 'block') break;
    }
    if (base?.kind !== 'block') return null;
    const changed = [...moved.keys()].sort((x, y) => x - y);
    return (async () => {
      let block = base.block;
      if (changed.length > 0) {
        const unknown = changed.filter((p) => moved.get(p) === null);
        this.given += changed.length - unknown.length;
        if (unknown.length > 0) {
          const source = await ds.selectRows(db, { withPosition: true, positions: unknown.map(String), columns: [i] });
          const rows = await db.rows(`SELECT __pos, ${cellJson(ds, i)} AS j FROM (${source}) ORDER BY __pos`);
          if (rows.length !== unknown.length) throw new Error(`cell block ${b} of column ${i}: ${rows.length} changed cells read for ${unknown.length}`);
          for (const r of rows) moved.set(Number(r.__pos), String(r.j));
        }
        const texts = changed.map((p) => moved.get(p) ?? null);
        if (texts.some((cell) => cell === null || cell.length > CELL_MAX_TEXT)) return null;
        const cells = texts as string[];
        const superseded = block;
        block = replaceCells(block, changed.map((p) => p - from), cells);
        // The edited column's old block is what the version before the edit showed: after
        // an edit (an undo aside) nobody reads it again, and kept until the least recently
        // used went, every edit of a session would add a block (~2 MB/s under the load test).
        this.evict(superseded);
      }
      this.derived++;
      this.put(blockKey(ds, i, b), { kind: 'block', block, bytes: blockBytes(block) });
      return block;
    })();
  }

  /** Build block `b` of `columns` in one query and keep each; null when a cell is too long (nothing kept). */
  private async build(db: Db, ds: Dataset, b: number, columns: number[]): Promise<CellBlock[] | null> {
    const from = b * CELL_BLOCK_ROWS;
    const to = Math.min(from + CELL_BLOCK_ROWS, ds.rows) - 1;
    const source = await ds.selectRows(db, { withPosition: true, from, to, columns });
    const cells = columns.map((i, k) => `${cellJson(ds, i)} AS j${k}`);
    // The text alone: the longest cell and whether any is beyond Latin-1 are found in
    // JavaScript while the text is split, which costs less than two more aggregates a
    // column (max(length(…)), a UTF-8 scan each: a quarter of the block's CPU).
    const texts = (order: string) => columns.map((_, k) => `string_agg(j${k}, chr(31)${order}) AS t${k}`).join(', ');
    const query = (aggregates: string) => `SELECT count(*) AS n, min(__pos) AS lo, max(__pos) AS hi, ${aggregates} FROM (SELECT __pos, ${cells.join(', ')} FROM (${source}))`;
    // Without ORDER BY the aggregates cost half the CPU (an ordered aggregate buffers and
    // sorts its rows, each of them: 100k rows × 8 columns, 56 ms against 26 ms a block).
    // DuckDB does not promise an order then, but every aggregate of one ungrouped aggregation
    // takes the same rows in the same order, and a block is one row group read in order
    // (parquet-layout.ts): the positions gathered beside the texts say whether they came in
    // order, and the ordered query runs only when they did not.
    let row = await db.one(query(`list(__pos::INTEGER) AS p, ${texts('')}`));
    const n = Number(row.n);
    if (n !== to - from + 1 || Number(row.lo) !== from || Number(row.hi) !== to) throw new Error(`cell block ${b} read ${n} rows (${row.lo}…${row.hi}) for positions ${from}…${to}`);
    if (!inOrder((row.p as { items: unknown[] }).items, from)) {
      this.reordered++;
      row = await db.one(query(texts(' ORDER BY __pos')));
    }
    const made: CellBlock[] = [];
    for (const [k, i] of columns.entries()) {
      const text = String(row[`t${k}`]);
      const starts = new Uint32Array(n + 1);
      let at = 0;
      let longest = 0;
      for (let r = 1; r < n; r++) {
        const next = text.indexOf(SEPARATOR, at);
        if (next < 0) throw new Error(`cell block ${b} of column ${i}: ${r} cells for ${n} rows`);
        if (next - at > longest) longest = next - at;
        at = next + 1;
        starts[r] = at;
      }
      if (text.indexOf(SEPARATOR, at) >= 0) throw new Error(`cell block ${b} of column ${i}: more cells than rows`);
      if (text.length - at > longest) longest = text.length - at;
      if (longest > CELL_MAX_TEXT) return null;
      starts[n] = text.length + 1;
      made.push({ text, starts, wide: BEYOND_LATIN1.test(text), holders: new Set<string>() });
    }
    this.built += made.length;
    for (const [k, i] of columns.entries()) this.put(blockKey(ds, i, b), { kind: 'block', block: made[k], bytes: blockBytes(made[k]) });
    return made;
  }

  /** `block` as the build of `key` under way, for concurrent askers to wait for, until it settles. */
  private track(key: string, block: Promise<CellBlock | null>): Promise<CellBlock | null> {
    this.building.set(key, block);
    block.then(
      () => this.building.delete(key),
      () => this.building.delete(key),
    );
    return block;
  }

  private touch(key: string): Entry | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit); // most recently used last
    }
    return hit;
  }

  private put(key: string, entry: Entry): void {
    if (entry.bytes > this.maxBytes / 8) return; // one block must not flush the others
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, entry);
    // A block shared by several columns (fromBase: an edit elsewhere in the column) is counted once.
    if (entry.kind === 'view') this.bytes += entry.bytes;
    else if (entry.block.holders.add(key).size === 1) this.bytes += entry.bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (entry.kind === 'view') this.bytes -= entry.bytes;
    else if (entry.block.holders.delete(key) && entry.block.holders.size === 0) this.bytes -= entry.bytes;
  }

  /** Drop `block` under every key holding it (a column that was edited since: see fromBase). */
  private evict(block: CellBlock): void {
    for (const key of [...block.holders]) {
      const entry = this.entries.get(key);
      if (entry) this.drop(key, entry);
    }
    this.evicted++;
  }

  /** Estimated bytes kept. */
  get size(): number {
    return this.bytes;
  }
}

/** The key of block `b` of a column: what its cells depend on (its file, field, deleted rows and type, and the version's row count: identityKey) and the block. */
function blockKeyOf(column: ColumnIdentity, b: number): string {
  return `block\u0000${identityKey(column)}\u0000${b}`;
}

/** Whether `positions` are from, from + 1, … in that order. */
function inOrder(positions: unknown[], from: number): boolean {
  for (let k = 0; k < positions.length; k++) if (positions[k] !== from + k) return false;
  return true;
}

/**
 * The SQL of column `i`'s value as the JSON text a DuckDB-built slice renders it with in its
 * arrays (json_array and to_json write values alike, to_json at about half the cost; it
 * gives SQL NULL for NULL, hence the coalesce).
 */
function cellJson(ds: Dataset, i: number): string {
  return cellJsonSql(ds.sqlName(i), ds.column(i).type);
}

/** The SQL of the JSON text of column `column` (a name, as jsonValue takes it) of type `type` as a cell of a block. */
export function cellJsonSql(column: string, type: string): string {
  return `coalesce(to_json(${jsonValue(column, type)})::VARCHAR, 'null')`;
}

/**
 * Types whose values an edit may render itself for derived blocks (CellEdit.cells: cellJsonSql
 * of the value cast to the type): a Parquet file gives them back exactly as written, so the
 * text is the one a read of the new file renders. (Not INTERVAL, stored in milliseconds,
 * nor types Parquet writes as another.) Others are read back from the file.
 */
export function knownCellType(type: string): boolean {
  return /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|FLOAT|DOUBLE|VARCHAR|DATE|TIMESTAMP)$/.test(type.toUpperCase());
}

/** The key of block `b` of column `i` of `ds`. */
function blockKey(ds: Dataset, i: number, b: number): string {
  return blockKeyOf(columnIdentity(ds, i), b);
}

/** Estimated bytes of a block: one a character for Latin-1 text (V8's one-byte strings), two otherwise. */
function blockBytes(block: CellBlock): number {
  return (block.wide ? 2 : 1) * block.text.length + 4 * block.starts.length + 64;
}

/** `block` with cells `at` (ascending) replaced by `cells`. */
function replaceCells(block: CellBlock, at: number[], cells: string[]): CellBlock {
  const pieces: string[] = [];
  const starts = new Uint32Array(block.starts);
  let copied = 0;
  let shift = 0;
  for (const [k, a] of at.entries()) {
    const start = block.starts[a];
    const end = block.starts[a + 1] - 1;
    pieces.push(block.text.slice(copied, start), cells[k]);
    copied = end;
    const delta = cells[k].length - (end - start);
    shift += delta;
    const stop = k + 1 < at.length ? at[k + 1] : starts.length - 1;
    for (let r = a + 1; r <= stop; r++) starts[r] += shift;
  }
  pieces.push(block.text.slice(copied));
  return { text: pieces.join(''), starts, wide: block.wide || cells.some((cell) => BEYOND_LATIN1.test(cell)), holders: new Set<string>() };
}

import { createHash } from 'node:crypto';
import { ident, literal } from './sql.ts';
import { columnFiles, type ColumnEntry, type Manifest } from '../store/manifest.ts';
import type { Db } from './duck.ts';

export interface SelectOptions {
  withPosition?: boolean;
  /** First and last row position (inclusive) of a slice. */
  from?: number;
  to?: number;
  /** Row positions (SQL integer literals) of a slice, any order; the rows come in any order (join on __pos). */
  positions?: string[];
  /** Column indices, in output order; every column when absent. */
  columns?: number[];
  /** Row numbers of the slice in files with deleted rows, by deleted-rows file (from selectRows()). */
  physical?: Map<string, { from: number; to: number } | { rows: string[] }>;
}

function sortedPositions(positions: string[]): string[] {
  return [...positions].sort((a, b) => Number(a) - Number(b));
}

/**
 * A version of a session's data as DuckDB sees it: SQL over its Parquet files.
 *
 * Column names are data (any text, kept exactly as the file had them), not SQL identifiers:
 * DuckDB matches identifiers without regard to case, so `Id` and `id` could not both be
 * named in SQL, and a name like `__pos` would meet the row position. The views `df` and
 * `df_pos` and every select() therefore name column i `__c<i>` (sqlName), and user-visible
 * names stay in the manifest; only the sandbox of executeCommand shows user names to SQL.
 */
/**
 * The WHERE clause restricting a plain scan (file_row_number = position, no deleted rows)
 * to a slice's rows: a list of positions or the range [from, to]; '' for every row.
 */
function rowRestriction(opts: Pick<SelectOptions, 'from' | 'to' | 'positions'>): string {
  if (opts.positions) return ` WHERE ${opts.positions.length ? `file_row_number IN (${opts.positions.join(', ')})` : 'false'}`;
  if (opts.from !== undefined && opts.to !== undefined) return ` WHERE file_row_number BETWEEN ${opts.from} AND ${opts.to}`;
  return '';
}

export class Dataset {
  readonly manifest: Manifest;
  readonly filesDir: string;

  constructor(manifest: Manifest, filesDir: string) {
    this.manifest = manifest;
    this.filesDir = filesDir;
  }

  get rows(): number {
    return this.manifest.rows;
  }
  get columns(): ColumnEntry[] {
    return this.manifest.columns;
  }
  get names(): string[] {
    return this.manifest.columns.map((c) => c.name);
  }

  column(index: number): ColumnEntry {
    return this.manifest.columns[index];
  }
  indexOf(name: string): number {
    return this.manifest.columns.findIndex((c) => c.name === name);
  }

  /**
   * The SQL name of column `index` (a position in this version) in `df`, `df_pos` and the
   * output of select(): `__c<index>`, whatever the column's own name. Pass it to ident().
   */
  sqlName(index: number): string {
    return `__c${index}`;
  }

  /** sqlName(index) quoted: the column as an SQL expression over df / df_pos / select(). */
  ref(index: number): string {
    return ident(this.sqlName(index));
  }

  /**
   * A name for what the columns `indices` (every column when absent; indices out of range
   * are left out) hold in this version: the row count and, per column, its position, name,
   * type, file, field and file of deleted rows, hashed (SHA-256, hex). Column files are
   * immutable and their names never reused (SessionStore.newFile), so two versions with the
   * same key show those columns identically: a result cached under it stays true after
   * changes of other columns, and an undo or a rename back finds it again.
   */
  contentKey(indices?: number[]): string {
    const chosen = indices ?? this.columns.map((_, i) => i);
    const parts = chosen.filter((i) => Number.isInteger(i) && i >= 0 && i < this.columns.length).map((i) => {
      const c = this.columns[i];
      return [i, c.name, c.type, c.file, c.field, c.deleted?.file ?? null];
    });
    return createHash('sha256').update(JSON.stringify([this.rows, this.columns.length, parts])).digest('hex');
  }

  filePath(file: string): string {
    return `${this.filesDir}/${file}`;
  }

  /** Every file this version reads (column files and files of deleted rows), as paths. */
  files(): string[] {
    return [...new Set(this.columns.flatMap(columnFiles))].map((f) => this.filePath(f));
  }

  /**
   * SELECT over the version's files, positionally joined, with `__pos` (row position)
   * first when withPosition, and rows restricted to positions [from, to] or to a list of
   * positions when given: the restriction is pushed into each Parquet scan, so a slice
   * reads only its row groups. Column i is output as sqlName(i). A column with deleted
   * rows is its file's scan without them (an anti-join against the small file of deleted
   * row numbers, ordered by row number again: joins do not keep the scan's order). A slice of a version with deletions needs the
   * row numbers its positions have in each file: use selectRows(), which looks them up.
   */
  select(opts: SelectOptions = {}): string {
    const indices = opts.columns ?? this.columns.map((_, i) => i);
    const range = opts.from !== undefined && opts.to !== undefined;
    // Scans are per (file, deleted rows): columns of one file share a scan only when they lost the same rows.
    const groupOf = (i: number) => `${this.columns[i].file}\u0000${this.columns[i].deleted?.file ?? ''}`;
    const groups = [...new Set(indices.map(groupOf))];
    const positionsFirst = groups.length === 0 || indices.some((i) => this.columns[i].deleted);
    const start = range ? opts.from! : 0;
    const end = range ? Math.min(opts.to! + 1, this.rows) : this.rows;
    // Row positions of the result when no plain scan carries them: in order, as the scans are.
    const positionSource = opts.positions
      ? `SELECT unnest(${opts.positions.length ? `[${sortedPositions(opts.positions).join(', ')}]` : '[]'}::BIGINT[]) AS __pos`
      : `SELECT range AS __pos FROM range(${start}, ${Math.max(start, end)})`;
    if (groups.length === 0) return positionSource;
    if (positionsFirst && !opts.positions && !range) return this.scanWithDeletions(indices, opts.withPosition === true, positionSource);
    const alias = new Map(groups.map((g, i) => [g, `f${i}`]));
    const scans = groups.map((g, i) => {
      const members = indices.filter((ci) => groupOf(ci) === g);
      const { file, deleted } = this.columns[members[0]];
      const source = `read_parquet(${literal(this.filePath(file))}, file_row_number = true)`;
      const fields = [...new Set(members.map((ci) => ident(this.columns[ci].field)))];
      const pos = i === 0 && !positionsFirst ? ', file_row_number AS __pos' : '';
      if (!deleted) return `(SELECT ${fields.join(', ')}${pos} FROM ${source}${rowRestriction(opts)}) ${alias.get(g)}`;
      // (Whole columns with deleted rows were read by scanWithDeletions: this is a slice.)
      const deletedRows = `read_parquet(${literal(this.filePath(deleted.file))})`;
      const physical = opts.physical?.get(deleted.file);
      if (!physical) throw new Error('a slice of a version with deleted rows needs its row numbers: use Dataset.selectRows()');
      if ('rows' in physical) {
        return `(SELECT ${fields.join(', ')}, file_row_number AS __r FROM ${source} WHERE ${physical.rows.length ? `file_row_number IN (${physical.rows.join(', ')})` : 'false'}) ${alias.get(g)}`;
      }
      const { from: lo, to: hi } = physical;
      return `(SELECT ${fields.join(', ')} FROM ${source} ANTI JOIN (SELECT d FROM ${deletedRows} WHERE d BETWEEN ${lo} AND ${hi}) AS x ON file_row_number = x.d WHERE file_row_number BETWEEN ${lo} AND ${hi} ORDER BY file_row_number) ${alias.get(g)}`;
    });
    const outputs = indices.map((i) => `${alias.get(groupOf(i))}.${ident(this.columns[i].field)} AS ${this.ref(i)}`);
    if (opts.withPosition) outputs.unshift(positionsFirst ? 'p.__pos AS __pos' : 'f0.__pos AS __pos');
    if (opts.positions && positionsFirst && groups.length > 0) {
      // A scan filtered by a long IN list may hand its rows back out of order, so a list of
      // positions is joined on row numbers: each position with its row number in each file.
      const sorted = sortedPositions(opts.positions);
      const numbers = groups.map((g, k) => {
        const deleted = this.columns[indices.find((ci) => groupOf(ci) === g)!].deleted;
        const rows = deleted ? (opts.physical?.get(deleted.file) as { rows: string[] }).rows : sorted;
        return `unnest([${rows.join(', ')}]::BIGINT[]) AS r${k}`;
      });
      const keyed = scans.map((scan, k) => {
        const plain = !this.columns[indices.find((ci) => groupOf(ci) === groups[k])!].deleted;
        return plain ? scan.replace(/ FROM read_parquet\(/, ', file_row_number AS __r FROM read_parquet(') : scan;
      });
      const source = `(SELECT unnest([${sorted.join(', ')}]::BIGINT[]) AS __pos, ${numbers.join(', ')}) p`;
      return `SELECT ${outputs.join(', ')} FROM ${source}${keyed.map((scan, k) => ` JOIN ${scan} ON f${k}.__r = p.r${k}`).join('')}`;
    }
    const sources = positionsFirst ? [`(${positionSource}) p`, ...scans] : scans;
    return `SELECT ${outputs.join(', ')} FROM ${sources.join(' POSITIONAL JOIN ')}`;
  }

  /**
   * The columns `opts.columns` read straight from their one file, when they share a file and
   * none has deleted rows (else null): `from` is the FROM clause (the scan, restricted to the
   * slice's rows as select() restricts them), `field(i)` the name of column i in it, and the
   * row position is `file_row_number`. For statements over many columns that can do without
   * select()'s renaming layer, whose binding costs per column (a full row of 10,000 columns).
   */
  directScan(opts: Pick<SelectOptions, 'columns' | 'from' | 'to' | 'positions'>): { from: string; field: (index: number) => string } | null {
    const indices = opts.columns ?? this.columns.map((_, i) => i);
    if (indices.length === 0) return null;
    const file = this.columns[indices[0]].file;
    if (indices.some((i) => this.columns[i].file !== file || this.columns[i].deleted)) return null;
    return { from: `read_parquet(${literal(this.filePath(file))}, file_row_number = true)${rowRestriction(opts)}`, field: (i) => this.columns[i].field };
  }

  /**
   * select() of whole columns of a version with deleted rows. A POSITIONAL JOIN streams only
   * between plain table scans; any other right-hand side (an anti-join) is first gathered in
   * memory whole, which for 10,000 columns needs gigabytes. So the files that lost the same
   * rows are scanned side by side and their deleted rows removed once (one filter per set
   * of deleted rows, usually one), the widest such unit on the left, and the positions,
   * when asked for, come last (one column).
   */
  private scanWithDeletions(indices: number[], withPosition: boolean, positionSource: string): string {
    const units = new Map<string, string[]>();
    for (const i of indices) {
      const key = this.columns[i].deleted?.file ?? '';
      const files = units.get(key) ?? [];
      if (!files.includes(this.columns[i].file)) files.push(this.columns[i].file);
      units.set(key, files);
    }
    const width = (key: string) => indices.filter((i) => (this.columns[i].deleted?.file ?? '') === key).length;
    const ordered = [...units.keys()].sort((a, b) => width(b) - width(a));
    const where = new Map<number, string>();
    const subqueries = ordered.map((key, u) => {
      const files = units.get(key)!;
      const fileAlias = (file: string) => `u${u}_${files.indexOf(file)}`;
      const members = indices.filter((i) => (this.columns[i].deleted?.file ?? '') === key);
      // Each file's field under a name of its own within the unit (two files may both have c0).
      const name = (i: number) => `${fileAlias(this.columns[i].file)}_${this.columns[i].field}`;
      const fields = new Map(members.map((i) => [name(i), `${fileAlias(this.columns[i].file)}.${ident(this.columns[i].field)}`]));
      for (const i of members) where.set(i, `d${u}.${ident(name(i))}`);
      const scans = files.map((f, k) => `read_parquet(${literal(this.filePath(f))}${k === 0 ? ', file_row_number = true' : ''}) ${fileAlias(f)}`).join(' POSITIONAL JOIN ');
      // NOT IN, not ANTI JOIN: the optimizer estimates a positional scan at ~0 rows and would
      // turn an anti-join around, gathering the scan into a hash table (memory, row order);
      // NOT IN plans as a MARK join, whose build side is always the (small) deleted rows.
      // A join does not keep the scan's order once row groups are read on several threads
      // (DuckDB's order preservation covers scans, filters and projections, not joins): the
      // rows left are put back in file order before they are paired by position.
      const anti = key
        ? ` WHERE ${fileAlias(files[0])}.file_row_number NOT IN (SELECT d FROM read_parquet(${literal(this.filePath(key))})) ORDER BY ${fileAlias(files[0])}.file_row_number`
        : '';
      return `(SELECT ${[...fields].map(([n, f]) => `${f} AS ${ident(n)}`).join(', ')} FROM ${scans}${anti}) d${u}`;
    });
    const outputs = indices.map((i) => `${where.get(i)} AS ${this.ref(i)}`);
    if (withPosition) outputs.unshift('p.__pos AS __pos');
    const sources = withPosition ? [...subqueries, `(${positionSource}) p`] : subqueries;
    return `SELECT ${outputs.join(', ')} FROM ${sources.join(' POSITIONAL JOIN ')}`;
  }

  /**
   * select() of a slice (rows [from, to], or a list of positions) that also works on a
   * version with deleted rows: first the row numbers the slice has in each file with
   * deletions are looked up in the (small) files of deleted rows — position i of the
   * version is row i + #{deleted d : g(d) ≤ i} of the file — then only those rows are read.
   */
  async selectRows(db: Db, opts: SelectOptions): Promise<string> {
    const indices = opts.columns ?? this.columns.map((_, i) => i);
    const deletions = [...new Set(indices.flatMap((i) => (this.columns[i].deleted ? [this.columns[i].deleted!.file] : [])))];
    if (deletions.length === 0) return this.select(opts);
    const physical = new Map<string, { from: number; to: number } | { rows: string[] }>();
    for (const file of deletions) {
      const deleted = `read_parquet(${literal(this.filePath(file))})`;
      if (opts.positions) {
        const list = opts.positions.length ? `[${sortedPositions(opts.positions).join(', ')}]` : '[]';
        // Each position plus the deleted rows before it: an ASOF join on g (rows kept before d).
        const rows = await db.rows(
          `SELECT (l.i + coalesce(m.k, 0))::VARCHAR AS p FROM (SELECT unnest(${list}::BIGINT[]) AS i) l ASOF LEFT JOIN (SELECT g, max(k) AS k FROM ${deleted} GROUP BY g) m ON l.i >= m.g ORDER BY l.i`,
        );
        physical.set(file, { rows: rows.map((r) => String(r.p)) });
      } else {
        const from = opts.from!;
        const to = Math.max(from, Math.min(opts.to!, this.rows - 1));
        const row = await db.one(`SELECT count(*) FILTER (WHERE g <= ${from}) AS a, count(*) FILTER (WHERE g <= ${to}) AS b FROM ${deleted} WHERE g <= ${to}`);
        physical.set(file, { from: from + Number(row.a), to: to + Number(row.b) });
      }
    }
    return this.select({ ...opts, physical });
  }

  /** Statements that define the temp views `df` (the data) and `df_pos` (with `__pos`). */
  viewStatements(): string[] {
    return [
      `CREATE OR REPLACE TEMP VIEW df_pos AS ${this.select({ withPosition: true })}`,
      // A table without columns cannot be written in SQL; such a df has no rows to offer.
      `CREATE OR REPLACE TEMP VIEW df AS ${this.columns.length ? this.select() : 'SELECT NULL AS __empty WHERE false'}`,
    ];
  }
}

import { ident, literal } from './sql.ts';
import type { ColumnEntry, Manifest } from '../store/manifest.ts';

/**
 * A version of a session's data as DuckDB sees it: SQL over its Parquet files.
 *
 * Column names are data (any text, kept exactly as the file had them), not SQL identifiers:
 * DuckDB matches identifiers without regard to case, so `Id` and `id` could not both be
 * named in SQL, and a name like `__pos` would meet the row position. The views `df` and
 * `df_pos` and every select() therefore name column i `__c<i>` (sqlName), and user-visible
 * names stay in the manifest; only the sandbox of executeCommand shows user names to SQL.
 */
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

  filePath(file: string): string {
    return `${this.filesDir}/${file}`;
  }

  /**
   * SELECT over the version's files, positionally joined, with `__pos` (row position)
   * first when withPosition, and rows restricted to positions [from, to] when given:
   * the restriction is pushed into each Parquet scan, so a slice reads only its row groups.
   * Column i is output as sqlName(i).
   */
  select(opts: { withPosition?: boolean; from?: number; to?: number; positions?: string[]; columns?: number[] } = {}): string {
    const indices = opts.columns ?? this.columns.map((_, i) => i);
    const range = opts.from !== undefined && opts.to !== undefined;
    const files = [...new Set(indices.map((i) => this.columns[i].file))];
    if (files.length === 0) {
      // No columns: positions alone still carry the row count.
      const start = range ? opts.from! : 0;
      const end = range ? Math.min(opts.to! + 1, this.rows) : this.rows;
      const where = opts.positions ? ` WHERE range IN (${opts.positions.length ? opts.positions.join(', ') : 'NULL'})` : '';
      return `SELECT range AS __pos FROM range(${start}, ${Math.max(start, end)})${where}`;
    }
    const alias = new Map(files.map((f, i) => [f, `f${i}`]));
    const scans = files.map((f, i) => {
      const source = `read_parquet(${literal(this.filePath(f))}, file_row_number = true)`;
      const where = opts.positions
        ? ` WHERE ${opts.positions.length ? `file_row_number IN (${opts.positions.join(', ')})` : 'false'}`
        : range
          ? ` WHERE file_row_number BETWEEN ${opts.from} AND ${opts.to}`
          : '';
      const unique = [...new Set(indices.filter((ci) => this.columns[ci].file === f).map((ci) => ident(this.columns[ci].field)))];
      const pos = i === 0 ? ', file_row_number AS __pos' : '';
      return `(SELECT ${unique.join(', ')}${pos} FROM ${source}${where}) ${alias.get(f)}`;
    });
    const outputs = indices.map((i) => `${alias.get(this.columns[i].file)}.${ident(this.columns[i].field)} AS ${this.ref(i)}`);
    if (opts.withPosition) outputs.unshift('f0.__pos AS __pos');
    return `SELECT ${outputs.join(', ')} FROM ${scans.join(' POSITIONAL JOIN ')}`;
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

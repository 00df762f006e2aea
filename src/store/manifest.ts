import type { ColumnNames } from '../protocol/messages.ts';

// A version of a dataset is a manifest: the ordered columns, each pointing at a field of an
// immutable Parquet file. An operation that changes one column writes one new file with
// that column and points every other column at the files it already had, so a version
// costs about what the operation changed.

export interface ColumnEntry {
  name: string;
  /** Parquet file name inside the session's files/ folder. */
  file: string;
  /** Field of that file holding this column (internal names c0, c1… keep SQL simple). */
  field: string;
  /** DuckDB type name, e.g. BIGINT, DOUBLE, VARCHAR, TIMESTAMP, BOOLEAN. */
  type: string;
  /**
   * Rows of `file` this column no longer has (deleteRows, deleteRowsWithNA): a Parquet file
   * of their row numbers in `file`, ascending, field `d` (BIGINT), with `g` (rows of `file`
   * kept before d) and `k` (1-based rank of d) to map positions without a window. The
   * column is `file`'s rows without these, in order; absent (manifests before deletions
   * were recorded this way, columns written since): every row. A deletion thus costs what
   * it deleted, and a column rewritten later is written without it (its deletion is folded).
   */
  deleted?: { file: string; count: number };
  /**
   * Missing values among all rows of the field in `file`, when the writer counted them (the
   * wide import does, on its way): `metadata` then need not scan the column. It describes
   * the file's field, so it holds for every entry naming that field without `deleted`.
   */
  missing?: number;
  /**
   * Set on a text (VARCHAR) column imported from JSON that held numbers, booleans, objects
   * or arrays beside or instead of strings (`[1, "n/a", 2.5]`, `{"x": 1}`). Its values are
   * stored, read, searched, sorted and written to CSV as their text forms (`1`, `n/a`,
   * `{"x":1}`), as any text; a JSON download writes each value that reads as a JSON number,
   * `true`/`false`, object or array as that JSON value and any other as a string (see
   * jsonDownloadValue). So a round trip keeps the types, and an edit that writes `7` into
   * such a column gets a number back, `abc` a string; the one inexactness: a string of the
   * file that reads as one of those (`"1"` in that column) comes back as a number.
   * Kept by a column that replaces it under the same name as text (materialize).
   */
  jsonValues?: true;
}

/** The files a column reads: its Parquet file and, when it has deleted rows, their file. */
export function columnFiles(column: ColumnEntry): string[] {
  return column.deleted ? [column.file, column.deleted.file] : [column.file];
}

export interface AppliedOperation {
  operation: string;
  parameters: Record<string, unknown>;
  /** The names of the columns the positional parameters referred to (absent: none did, or recorded before names were). */
  columns?: ColumnNames;
  appliedAt: string;
}

export interface JobStamp {
  /** Job ID given by the queue, unique across gateways. */
  id: string;
  /** Manifest id of the version the job read (the current one when it started). */
  from: string;
}

export interface Manifest {
  id: string;
  rows: number;
  columns: ColumnEntry[];
  /** Operations that produced this version from the previous one (several for applyOperations). */
  operations: AppliedOperation[];
  /** Bytes of new Parquet files this version wrote. */
  bytesWritten: number;
  createdAt: string;
  /**
   * The queued job that made this version and the version it was made from (distributed
   * mode only): what lets a retried job recognise its own commit, see SessionStore.commit.
   */
  job?: JobStamp;
  /** Import facts, on the first version only. */
  source?: { filename: string; skippedLines: number; paddedLines: number };
}

export interface SessionState {
  /** Manifest ids, oldest first: the linear history that undo and redo walk. */
  versions: string[];
  /** Index into versions of the current one. */
  current: number;
  createdAt: string;
}

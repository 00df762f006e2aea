import type { Db } from './duck.ts';
import { literal } from './sql.ts';

/**
 * How the engine's Parquet files are laid out: snappy (writes about twice as fast as zstd for
 * 1.5–2× the bytes; operation latency matters more) and the rows of a row group.
 *
 * A read of a few rows (a `data` slice, the cell an edit compares with) decodes every row
 * group it touches, column by column, whole: with DuckDB's default of 122,880 rows a 50-row
 * slice of a 100k-row dataset decodes all of it (about 6–8 ms of CPU for the bench's 8
 * columns, most of it the text column), with 16,384 rows one group per column (about 2.5 ms).
 * So small datasets, the ones many sessions at once work on, are written in small row groups.
 * Large ones keep the default: it is what their import, change and full-scan figures (the 10M
 * targets) were measured with, and their slices are already a small part of a request.
 */
export const DEFAULT_ROW_GROUP_ROWS = 122_880;
export const SMALL_ROW_GROUP_ROWS = 16_384;
/** Datasets of at most this many rows are written in SMALL_ROW_GROUP_ROWS. */
export const SMALL_DATASET_ROWS = 1_000_000;
/**
 * Uploads of at most this many bytes read after they have arrived are imported in small row
 * groups (their row count is known only once read; 64 bytes a row is the bench file's width).
 */
export const SMALL_UPLOAD_BYTES = 64_000_000;

/** Rows per row group for a file of a dataset of `rows` rows. */
export function rowGroupRows(rows: number): number {
  return rows <= SMALL_DATASET_ROWS ? SMALL_ROW_GROUP_ROWS : DEFAULT_ROW_GROUP_ROWS;
}

/** Rows per row group for the first version of an upload of `bytes` bytes (null: size not known before the read, as for a streamed upload). */
export function uploadRowGroupRows(bytes: number | null): number {
  return bytes !== null && bytes <= SMALL_UPLOAD_BYTES ? SMALL_ROW_GROUP_ROWS : DEFAULT_ROW_GROUP_ROWS;
}

/**
 * The options of `COPY … TO` for an engine Parquet file with row groups of `rowGroup` rows.
 * The write is already parallel (BATCH_COPY_TO_FILE: row groups prepared on every thread,
 * nothing read back but the footer for the types). Measured on 10M rows (CPU of the COPY
 * from a table, so the writer alone): text 0.7–1.2 s, doubles 0.45–0.55 s, integers 0.27 s;
 * lz4_raw saved 0–10 % for text (none for doubles), no compression 0–0.3 s for text at
 * 1.5–2.1× the bytes, PARQUET_VERSION V2 no steady gain (doubles 1.5× the bytes): none
 * worth the change of every file's size.
 *
 * `dictionary: false` for columns whose values are nearly all distinct: DuckDB's writer
 * otherwise builds each row group's dictionary until it passes its limit and then writes
 * the values plainly after all (10M time stamps as text: ~0.17 s of 2.0 s of CPU for
 * nothing; the file is the same size).
 */
export function parquetOptions(rowGroup: number = DEFAULT_ROW_GROUP_ROWS, { dictionary = true }: { dictionary?: boolean } = {}): string {
  if (!Number.isInteger(rowGroup) || rowGroup < 1) throw new Error(`row group size must be a positive integer (got ${rowGroup})`);
  return `(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${rowGroup}${dictionary ? '' : ', DICTIONARY_SIZE_LIMIT 1'})`;
}

/**
 * Whether any row group of `field` in the Parquet file at `path` is dictionary-encoded (from
 * the file's metadata, which DuckDB caches: no data is read).
 */
export async function fieldHasDictionary(db: Db, path: string, field: string): Promise<boolean> {
  const found = await db.scalar(`SELECT count(*) FILTER (WHERE dictionary_page_offset IS NOT NULL) > 0 FROM parquet_metadata(${literal(path)}) WHERE path_in_schema = ${literal(field)}`);
  return found === true;
}

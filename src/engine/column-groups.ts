/**
 * Wide tables are written as several Parquet files of at most WIDE_GROUP columns each,
 * which manifests allow (a column names its file and field). Measured with DuckDB 1.5 on 2
 * cores: the Parquet writer's cost grows faster than linearly with the columns of one file
 * (1,000 columns: 2 s, 10,000: 22–45 s), and it holds a 256 KB buffer per column, so that
 * 10,000 columns need 2.5 GB however few the rows. Reads and imports use the same groups.
 */
export const WIDE_GROUP = 1000;

/**
 * Bytes of one row group, summed over the columns of one file, that a change writing
 * computed columns aims at (writeGroupSize). DuckDB's Parquet writer holds several row
 * groups of every column of a file at once (batches prepared on each thread, plus page
 * buffers), outside what its memory limit sees: 1,000 BIGINT columns of 2M rows in one
 * file (rows of 122,880: 1 MB a column) ran DuckDB out of its 1 GB after 100–145 s. Writing
 * them alone (a script, 1 GB limit), in files of 100 columns the process peaked at 1.7 GB and
 * took 110 s, of 20 at 0.5 GB and 35–60 s; the server, in files of 16, took 22–46 s at a peak
 * of 0.86–0.91 GB (2 cores shared with other work: noisy).
 */
export const WRITE_GROUP_BYTES = 16 * 1024 * 1024;

/**
 * Columns a change writes to one file, for a dataset of `rows` rows written in row groups
 * of `rowGroup` rows: as many as keep a row group within WRITE_GROUP_BYTES, counting 8 bytes
 * a value (a BIGINT, a DOUBLE, a short text's pointer), and at least 1, at most WIDE_GROUP.
 * 122,880-row groups: 16 columns a file; 16,384: 128; a wide table of few rows: WIDE_GROUP.
 */
export function writeGroupSize(rows: number, rowGroup: number): number {
  const valuesPerColumn = Math.max(1, Math.min(rows, rowGroup));
  return Math.max(1, Math.min(WIDE_GROUP, Math.floor(WRITE_GROUP_BYTES / (valuesPerColumn * 8))));
}

/** Groups [from, to) of at most `size` consecutive indices out of `count`. */
export function columnGroups(count: number, size = WIDE_GROUP): { from: number; to: number }[] {
  const groups: { from: number; to: number }[] = [];
  for (let from = 0; from < count; from += size) groups.push({ from, to: Math.min(count, from + size) });
  return groups;
}

/** The indices from…to−1 of a group (or any range [from, to)). */
export function groupIndices({ from, to }: { from: number; to: number }): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

/**
 * One concat() of the chunks' texts, comma-separated, between `around`'s SQL (when given):
 * never a chain of `||`. Each `||` is an expression of its own whose result DuckDB keeps
 * until the vector is done, so a chain over n chunks holds every prefix of the line — about
 * n²/2 chunk texts a row: 1.1 GB for 1,000 rows of 10,000 columns in 20 chunks, against the
 * 55 MB of the lines themselves. The texts are never NULL (concat would skip what `||` nulls).
 */
export function gluedText(texts: string[], around: { open: string; close: string } | null = null): string {
  const args = texts.flatMap((t, k) => (k === 0 ? [t] : [`','`, t]));
  return `concat(${around ? [around.open, ...args, around.close].join(', ') : args.join(', ')})`;
}

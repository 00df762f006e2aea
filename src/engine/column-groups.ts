/**
 * Wide tables are written as several Parquet files of at most WIDE_GROUP columns each,
 * which manifests allow (a column names its file and field). Measured with DuckDB 1.5 on 2
 * cores: the Parquet writer's cost grows faster than linearly with the columns of one file
 * (1,000 columns: 2 s, 10,000: 22–45 s), and it holds a 256 KB buffer per column, so that
 * 10,000 columns need 2.5 GB however few the rows. Reads and imports use the same groups.
 */
export const WIDE_GROUP = 1000;

/** Groups [from, to) of at most `size` consecutive indices out of `count`. */
export function columnGroups(count: number, size = WIDE_GROUP): { from: number; to: number }[] {
  const groups: { from: number; to: number }[] = [];
  for (let from = 0; from < count; from += size) groups.push({ from, to: Math.min(count, from + size) });
  return groups;
}

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

import { RESERVED_COLUMN_NAME } from '../dataset.ts';

/**
 * Column names as pandas makes them: text, blanks become `Unnamed: i`, and repeats get
 * `.1`, `.2`… suffixes (never colliding with a name that is already there). SQL compares
 * names without case, so `Name` after `name` counts as a repeat too, and the engine's own
 * row-position column name is taken from the start.
 */
export function uniqueColumnNames(raw: (string | null | undefined)[]): string[] {
  // NUL characters cannot be part of a name in SQL text: they go (a header that has them is binary noise).
  const clean = raw.map((n) => (n === null || n === undefined ? '' : String(n).replaceAll('\u0000', '')));
  const base = clean.map((n, i) => (n.trim() === '' ? `Unnamed: ${i}` : n));
  const taken = new Set<string>([RESERVED_COLUMN_NAME]);
  const counts = new Map<string, number>();
  return base.map((name) => {
    let candidate = name;
    let k = counts.get(name) ?? 0;
    while (taken.has(candidate.toLowerCase())) {
      k++;
      candidate = `${name}.${k}`;
    }
    counts.set(name, k);
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/**
 * Column names as pandas makes them: text, blanks become `Unnamed: i`, and repeats get
 * `.1`, `.2`… suffixes (never colliding with a name that is already there).
 */
export function uniqueColumnNames(raw: (string | null | undefined)[]): string[] {
  // NUL characters cannot be part of a name in SQL text: they go (a header that has them is binary noise).
  const clean = raw.map((n) => (n === null || n === undefined ? '' : String(n).replaceAll('\u0000', '')));
  const base = clean.map((n, i) => (n.trim() === '' ? `Unnamed: ${i}` : n));
  const taken = new Set<string>();
  const counts = new Map<string, number>();
  return base.map((name) => {
    let candidate = name;
    let k = counts.get(name) ?? 0;
    while (taken.has(candidate)) {
      k++;
      candidate = `${name}.${k}`;
    }
    counts.set(name, k);
    taken.add(candidate);
    return candidate;
  });
}

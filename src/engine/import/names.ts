/**
 * Column names as pandas 1.5 makes them from a header (read_csv's C parser and read_excel's
 * Python parser, `mangle_dupe_cols=True`): names are kept exactly (letter case, spaces,
 * dots, any text), an empty name becomes `Unnamed: <position>`, and only an exact repeat
 * gets a suffix: `.1`, `.2`… skipping any name already in the header (`a,a,a.1` →
 * `a, a.2, a.1`). Given names are settled before the `Unnamed: i` placeholders, so a
 * placeholder yields to a real column of that name. Returns as many names as `raw` has.
 */
export function uniqueColumnNames(raw: (string | null | undefined)[]): string[] {
  // NUL characters go: a header that has them is binary noise, and no client could show them.
  const header = raw.map((n) => (n === null || n === undefined ? '' : String(n).replaceAll('\u0000', '')));
  const unnamed = header.flatMap((n, i) => (n === '' ? [i] : []));
  for (const i of unnamed) header[i] = `Unnamed: ${i}`;
  // pandas' loop, as it is (parsers.pyx _get_header): `header` is renamed in place, and a
  // candidate is skipped when the header holds it at that moment.
  const order = [...header.keys()].filter((i) => !unnamed.includes(i)).concat(unnamed);
  const counts = new Map<string, number>();
  const present = new Map<string, number>();
  for (const n of header) present.set(n, (present.get(n) ?? 0) + 1);
  for (const i of order) {
    const old = header[i];
    let name = old;
    let count = counts.get(name) ?? 0;
    while (count > 0) {
      counts.set(old, count + 1);
      name = `${old}.${count}`;
      if ((present.get(name) ?? 0) > 0) count++;
      else count = counts.get(name) ?? 0;
    }
    if (name !== old) {
      present.set(old, present.get(old)! - 1);
      present.set(name, (present.get(name) ?? 0) + 1);
    }
    header[i] = name;
    counts.set(name, count + 1);
  }
  return header;
}

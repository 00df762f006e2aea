// How executeCommand's table `df` names the dataset's columns. Shared by the sandbox (which
// builds df) and the web client (whose SQL editor inserts column names), so that a name the
// editor inserts is the one df has.

export interface ShownNames {
  /** Column j of the dataset is `names[j]` in df. */
  names: string[];
  /** Lower-cased spelling → the dataset names (two or more) that differ from it only in case. */
  ambiguous: Map<string, string[]>;
  /** Dataset name → its name in df, for the columns that could not keep theirs. */
  renamed: Map<string, string>;
}

/**
 * The names df gives the dataset's columns in a command: each its own name, except the
 * columns of a spelling shared without regard to case (`Id`, `id`), which DuckDB could not
 * tell apart: they become `<name>#<n>`, n = 1, 2… in column order within the spelling
 * (`Id#1`, `id#2`), with more `#` appended in the unlikely case that is a name already.
 */
export function commandNames(names: string[]): ShownNames {
  const bySpelling = new Map<string, number[]>();
  names.forEach((n, j) => bySpelling.set(n.toLowerCase(), [...(bySpelling.get(n.toLowerCase()) ?? []), j]));
  const taken = new Set(names.map((n) => n.toLowerCase()));
  const shown = [...names];
  const ambiguous = new Map<string, string[]>();
  const renamed = new Map<string, string>();
  for (const [spelling, columns] of bySpelling) {
    if (columns.length < 2) continue;
    ambiguous.set(spelling, columns.map((j) => names[j]));
    columns.forEach((j, k) => {
      let candidate = `${names[j]}#${k + 1}`;
      while (taken.has(candidate.toLowerCase())) candidate += '#';
      taken.add(candidate.toLowerCase());
      shown[j] = candidate;
      renamed.set(names[j], candidate);
    });
  }
  return { names: shown, ambiguous, renamed };
}

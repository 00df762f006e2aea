// Counts in words, as the workbench shows them: "1 row", "2,500 rows" (in the reader's locale).

/** `n` and the noun, plural unless `n` is one (`plural` when the noun's plural is not noun + s). */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? noun : plural}`;
}

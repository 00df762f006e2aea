// The server reads regexes as Python does (src/operations/python-regex.ts).
// The page checks them with the browser's own engine first, to catch a typo before the round
// trip: Python's spellings JavaScript lacks are translated for that check only, so that a
// valid Python pattern is never refused here. What the server cannot run, it names itself.

/**
 * Why `pattern` is not a regular expression, or null when it compiles (as JavaScript reads
 * it once Python's `(?P<name>…)`, `(?P=name)` and `(?#comment)` are given their JavaScript
 * forms; `\Z` and `{,n}` need none outside JavaScript's Unicode mode).
 */
export function regexProblem(pattern: string): string | null {
  const js = pattern
    .replace(/\(\?#[^)]*\)/g, '')
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    new RegExp(js);
    return null;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, '').replace(js, pattern);
  }
}

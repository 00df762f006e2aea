import { pythonRegex, UnsupportedRegex } from '../../src/operations/python-regex.ts';

// The server reads regexes as Python does (src/operations/python-regex.ts).
// The page checks them with the browser's own engine first, to catch a typo before the round
// trip: Python's spellings JavaScript lacks are translated for that check only, so that a
// valid Python pattern is never refused here; what RE2, the server's engine, cannot run is
// named by the server's own reading of the pattern (src/operations/python-regex.ts).

/**
 * Why `pattern` is not a regular expression, or null when it compiles (as JavaScript reads
 * it once Python's `(?P<name>…)`, `(?P=name)` and `(?#comment)` are given their JavaScript
 * forms; `\Z` and `{,n}` need none outside JavaScript's Unicode mode).
 */
export function regexProblem(pattern: string): string | null {
  // What the server's engine (RE2) cannot run as Python would — a lookahead, a backreference —
  // is named as the server names it: both engines here compile those, and the search used to
  // go out and come back refused in a toast far from the box.
  try {
    pythonRegex(pattern);
  } catch (e) {
    if (e instanceof UnsupportedRegex) return e.message;
  }
  return compileProblem(pattern);
}

/** Why JavaScript's engine refuses `pattern` as Python spells it, or null. */
function compileProblem(pattern: string): string | null {
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

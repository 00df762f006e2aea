import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regexProblem } from '../web/src/regex.ts';

// The page checks a regex before sending it; the server reads it as Python does, so Python's
// own spellings must pass the page's check (web/src/regex.ts).

test("Python's spellings pass the page's check; typos do not", () => {
  for (const ok of ['(?P<first>\\w+) (?P<last>\\w+)', 'a(?#comment)b', 'a{,2}b\\Z', '^\\d+$', '[\\1]', 'a\\\\1']) assert.equal(regexProblem(ok), null, ok);
  assert.match(regexProblem('([a-z') ?? '', /Unterminated|missing/i);
  assert.notEqual(regexProblem('(?P<x>a'), null);
});

test('what the server cannot run (RE2: lookaround, backreferences) is named on the page, as the server names it, though JavaScript compiles it', () => {
  const cases: [string, RegExp][] = [
    ['Ber(?=lin)', /lookahead \(\?=…\), which is not supported/],
    ['^Ber(?!x)', /negative lookahead/],
    ['(?<=a)b', /lookbehind/],
    ['(Ber)\\1', /backreference \\1/],
    ['(?P<q>["\'])x(?P=q)', /backreference \(\?P=q\)/],
  ];
  for (const [pattern, named] of cases) assert.match(regexProblem(pattern) ?? '', named, pattern);
});

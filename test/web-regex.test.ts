import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regexProblem } from '../web/src/regex.ts';

// The page checks a regex before sending it; the server reads it as Python does, so Python's
// own spellings must pass the page's check (web/src/regex.ts).

test("Python's spellings pass the page's check; typos do not", () => {
  for (const ok of ['(?P<first>\\w+) (?P<last>\\w+)', '(?P<q>["\'])x(?P=q)', 'a(?#comment)b', 'a{,2}b\\Z', '^\\d+$']) assert.equal(regexProblem(ok), null, ok);
  assert.match(regexProblem('([a-z') ?? '', /Unterminated|missing/i);
  assert.notEqual(regexProblem('(?P<x>a'), null);
});

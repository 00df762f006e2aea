import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importNotice, importNoticeText } from '../web/src/import-report.ts';
import { countOf } from '../web/src/words.ts';

// The upload answer's skippedLines / paddedLines (API.md "POST /upload") become a notice the
// workbench shows until dismissed (web/src/import-report.ts); an import that changed no line has none.

test('no notice when every line was imported as it was', () => {
  assert.equal(importNotice('a.csv', { skippedLines: 0, paddedLines: 0 }), null);
  assert.equal(importNotice('a.json', {}), null, 'JSON and Excel answers may leave the counts out');
});

test('skipped and padded lines are counted and explained', () => {
  const n = importNotice('people.csv', { skippedLines: 1, paddedLines: 3 });
  assert.deepEqual(n, { file: 'people.csv', skippedLines: 1, paddedLines: 3 });
  const [skipped, padded] = importNoticeText(n!);
  assert.match(skipped, /^1 line of people\.csv was skipped and is not in the dataset: it had more fields than the header/);
  assert.equal(padded, '3 lines of people.csv had fewer fields than the header and were completed with missing values.');
  assert.match(importNoticeText({ file: 'x.csv', skippedLines: 2500, paddedLines: 0 })[0], /^2.500 lines of x\.csv were skipped and are not in the dataset: they had/);
  assert.equal(importNoticeText({ file: 'x.csv', skippedLines: 2500, paddedLines: 0 }).length, 1);
});

test('counts in words', () => {
  assert.deepEqual([countOf(0, 'row'), countOf(1, 'row'), countOf(2, 'row'), countOf(1234, 'column')], ['0 rows', '1 row', '2 rows', `${(1234).toLocaleString()} columns`]);
});

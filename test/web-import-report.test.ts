import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importNotice, importNoticeText, lineExamplesText } from '../web/src/import-report.ts';
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

test('the lines the answer names are kept with the notice and listed, with how many more there are', () => {
  const skippedLineExamples = [
    { line: 4, text: 'Ann,1,000' },
    { line: 1200, text: 'Bo,2,500' },
  ];
  const n = importNotice('people.csv', { skippedLines: 7, paddedLines: 1, skippedLineExamples, paddedLineExamples: [] });
  assert.deepEqual({ ...n }, { file: 'people.csv', skippedLines: 7, paddedLines: 1, skippedLineExamples });
  assert.deepEqual(lineExamplesText(n!.skippedLineExamples, n!.skippedLines), ['line 4: Ann,1,000', `line ${(1200).toLocaleString()}: Bo,2,500`, 'and 5 more lines']);
  assert.deepEqual(lineExamplesText([{ line: 3, text: 'Cid' }], 1), ['line 3: Cid']);
  assert.deepEqual(lineExamplesText(n!.paddedLineExamples, n!.paddedLines), [], 'a notice kept before lines were named lists none');
});

test('a workbook of several sheets says which was imported and how to get the others', () => {
  assert.equal(importNotice('one.xlsx', { skippedLines: 0, paddedLines: 0, sheetName: 'Data', sheetNames: ['Data'] }), null, 'one sheet: nothing left out');
  const n = importNotice('book.xlsx', { skippedLines: 0, paddedLines: 0, sheetName: 'Sales', sheetNames: ['Sales', 'Costs', 'Notes'] });
  assert.deepEqual({ ...n }, { file: 'book.xlsx', skippedLines: 0, paddedLines: 0, sheetName: 'Sales', otherSheets: ['Costs', 'Notes'] });
  assert.deepEqual(importNoticeText(n!), ['book.xlsx has 3 sheets: “Sales” was imported, not “Costs”, “Notes”. To work on another, upload the file again with its name under Import options → Excel sheet.']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUTO_MAX_WIDTH, AUTO_MIN_WIDTH, CELL_PADDING, fitColumnWidth } from '../web/src/grid/autosize.ts';
import { headerWidth } from '../web/src/grid/header-layout.ts';

// Column widths fitted to a column's header and first rows (web/src/grid/autosize.ts).

/** 7 px a character in any font, as a stand-in for a canvas. */
const measure = (text: string) => text.length * 7;
const cells = (...texts: string[]) => texts.map((text) => ({ text, font: '12.5px sans-serif' }));

test('a column is as wide as its widest value with the cell padding, or its header', () => {
  const id = '-9223372036854775808'; // 20 characters: 140 px
  assert.ok(fitColumnWidth(50, cells('5', id, '12'), measure) >= 140 + 2 * CELL_PADDING);
  assert.equal(fitColumnWidth(200, cells('5', '12'), measure), 200, 'a long name is shown whole');
});

test('within bounds: one long text does not take the screen, a tiny column keeps room', () => {
  assert.equal(fitColumnWidth(50, cells('x'.repeat(500)), measure), AUTO_MAX_WIDTH);
  assert.equal(fitColumnWidth(10, cells('1', '2'), measure), AUTO_MIN_WIDTH);
  assert.equal(fitColumnWidth(10, [], measure), AUTO_MIN_WIDTH, 'no rows: the header decides');
});

test('each distinct text is measured once', () => {
  let calls = 0;
  fitColumnWidth(0, cells(...Array.from({ length: 100 }, (_, i) => (i % 2 ? 'a' : 'bb'))), (t) => (calls++, t.length));
  assert.equal(calls, 2);
});

test("a header needs its name, and its type badge beside the missing count", () => {
  const short = headerWidth({ name: 'a', type: 'int', missing: 0 }, measure);
  const long = headerWidth({ name: 'a rather long column name', type: 'int', missing: 0 }, measure);
  assert.equal(long, 16 + 25 * 7, 'the name and the padding on both sides');
  assert.ok(short > 16 + 7 && short >= 16 + 10 + 24 + '0 missing'.length * 7, 'the second line fits beside the menu caret');
  assert.ok(headerWidth({ name: 'a', type: 'int', missing: 1234567 }, measure) > short, 'a long missing count widens it');
});

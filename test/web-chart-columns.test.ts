import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartErrorText, chartUnavailable, xColumnsFor, yColumnsFor, type ChartType } from '../web/src/chart-columns.ts';

// The chart form offers only the columns a chart type can draw (web/src/chart-columns.ts),
// by the rules the server checks (src/operations/analysis/charts.ts), and says a failed
// chart's reason without the protocol's parameter names.

const columns = [
  { name: 'id', type: 'int' },
  { name: 'city', type: 'string' },
  { name: 'price', type: 'float' },
  { name: 'paid', type: 'bool' },
  { name: 'when', type: 'datetime' },
];
const names = (list: { name: string }[]) => list.map((c) => c.name);

test('X columns: numeric for a scatter, numeric or date for a histogram and a line, date for a time series, any for frequencies', () => {
  const expected: Record<ChartType, string[]> = {
    histogram: ['id', 'price', 'when'],
    frequency: ['id', 'city', 'price', 'paid', 'when'],
    scatter: ['id', 'price'],
    line: ['id', 'price', 'when'],
    date: ['when'],
  };
  for (const [type, want] of Object.entries(expected)) assert.deepEqual(names(xColumnsFor(type as ChartType, columns)), want, type);
});

test('Y columns are numeric and never the X column; histograms and frequency charts have none', () => {
  assert.deepEqual(names(yColumnsFor('scatter', columns, 'id')), ['price']);
  assert.deepEqual(names(yColumnsFor('line', columns, 'when')), ['id', 'price']);
  assert.deepEqual(names(yColumnsFor('date', columns, 'when')), ['id', 'price']);
  assert.deepEqual(yColumnsFor('histogram', columns, 'id'), []);
  assert.deepEqual(yColumnsFor('frequency', columns, 'city'), []);
});

test('a chart type the dataset cannot feed says why', () => {
  const text = [{ name: 'city', type: 'string' }, { name: 'when', type: 'datetime' }];
  assert.match(chartUnavailable('histogram', [{ name: 'city', type: 'string' }]) ?? '', /needs a numeric or date column; the dataset has none/);
  assert.equal(chartUnavailable('histogram', text), null, 'dates are binned over time');
  assert.equal(chartUnavailable('frequency', text), null);
  assert.match(chartUnavailable('date', text) ?? '', /numeric column for the Y axis/);
  assert.match(chartUnavailable('scatter', [{ name: 'a', type: 'int' }]) ?? '', /besides the X column/, 'a scatter needs two numeric columns');
  assert.equal(chartUnavailable('scatter', columns), null);
  assert.match(chartUnavailable('date', [{ name: 'a', type: 'int' }]) ?? '', /needs a date column/);
});

test("the server's descriptions in the form's words", () => {
  // As src/operations/analysis/charts.ts words them.
  assert.equal(chartErrorText('columnIndices: column "city" is string; a histogram needs numeric (int or float) or datetime columns'), '“city” holds text; a histogram needs numeric or datetime columns.');
  assert.equal(chartErrorText('xColumnIndex: column "n \\"x\\"" is int; a date chart needs a datetime column on the x axis'), '“n "x"” holds whole numbers; a date chart needs a datetime column on the x axis.');
  assert.equal(chartErrorText('nothing to draw: "price" has no values (every row is missing)'), 'Nothing to draw: "price" has no values (every row is missing)');
  assert.equal(chartErrorText('axis.x.start: "abc" is not a date (use ISO 8601, e.g. 2020-01-31 or 2020-01-31T12:00:00)'), 'Axis window, x from: "abc" is not a date (use ISO 8601, e.g. 2020-01-31 or 2020-01-31T12:00:00)');
  assert.equal(chartErrorText('axis.y: start (5) must be less than end (1)'), 'Axis window (y): start (5) must be less than end (1)');
  assert.equal(chartErrorText('numberOfBins: 0 is not a bin count between 1 and 1000'), 'Bins: 0 is not a bin count between 1 and 1000.');
});

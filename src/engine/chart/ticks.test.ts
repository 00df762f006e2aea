import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dateTicks, numericTicks, type Ticks } from './ticks.ts';

/** Epoch ms of a zone-less ISO time, read as UTC (as the charts read timestamps). */
const utc = (iso: string): number => Date.parse(`${iso}Z`);

/** Room of the x axis of an 800 px chart, in characters (as specs.ts). */
const ROOM = 90;

function assertWellFormed(t: Ticks, lo: number, hi: number, what: string): void {
  assert.equal(t.labels.length, t.values.length, what);
  assert.equal(new Set(t.labels).size, t.labels.length, `${what}: labels repeat: ${t.labels.join(', ')}`);
  for (let i = 1; i < t.values.length; i++) assert.ok(t.values[i] > t.values[i - 1], `${what}: ascending`);
  for (const v of t.values) assert.ok(v >= lo && v <= hi, `${what}: tick ${v} outside [${lo}, ${hi}]`);
}

test('date ticks: one calendar unit and step a span, round dates, each label distinct and no longer than the unit needs', () => {
  const cases: { span: string; lo: string; hi: string; note: string; labels: string[] }[] = [
    { span: '30 years', lo: '1990-01-01T00:00', hi: '2019-12-01T00:00', note: '', labels: ['1990', '1995', '2000', '2005', '2010', '2015'] },
    { span: '3 years', lo: '2021-01-01T00:00', hi: '2023-12-22T00:00', note: '', labels: ['2021-01', '2021-05', '2021-09', '2022-01', '2022-05', '2022-09', '2023-01', '2023-05', '2023-09'] },
    // The trial's case: two-week ticks labelled by month ("2024-01, 2024-01, 2024-02").
    { span: '5 months', lo: '2024-01-01T00:00', hi: '2024-05-29T00:00', note: '2024', labels: ['Jan 1', 'Jan 15', 'Feb 1', 'Feb 15', 'Mar 1', 'Mar 15', 'Apr 1', 'Apr 15', 'May 1', 'May 15'] },
    { span: '3 weeks', lo: '2024-01-01T00:00', hi: '2024-01-21T18:00', note: '2024', labels: ['Jan 1', 'Jan 4', 'Jan 7', 'Jan 10', 'Jan 13', 'Jan 16', 'Jan 19'] },
    // Times crossing midnight carry their day; the labels must fit the axis, so 12-hourly.
    { span: '2 days', lo: '2024-01-01T00:00', hi: '2024-01-02T23:30', note: '2024', labels: ['Jan 1 00:00', 'Jan 1 12:00', 'Jan 2 00:00', 'Jan 2 12:00'] },
    { span: '6 hours', lo: '2024-01-01T03:00', hi: '2024-01-01T08:55', note: '2024-01-01', labels: ['03:00', '04:00', '05:00', '06:00', '07:00', '08:00'] },
    { span: '10 minutes', lo: '2024-01-01T03:00', hi: '2024-01-01T03:09:50', note: '2024-01-01', labels: ['03:00', '03:01', '03:02', '03:03', '03:04', '03:05', '03:06', '03:07', '03:08', '03:09'] },
    { span: '20 seconds', lo: '2024-01-01T03:00', hi: '2024-01-01T03:00:19.5', note: '2024-01-01', labels: ['03:00:00', '03:00:05', '03:00:10', '03:00:15'] },
    { span: '40 ms', lo: '2024-03-01T00:00:00.000', hi: '2024-03-01T00:00:00.040', note: '2024-03-01', labels: ['00:00:00.000', '00:00:00.010', '00:00:00.020', '00:00:00.030', '00:00:00.040'] },
    // The window of a date chart of one instant (12 hours either side), across New Year.
    { span: '1 day over New Year', lo: '2023-12-31T15:00', hi: '2024-01-01T15:00', note: '', labels: ['2023-12-31 18:00', '2024-01-01 00:00', '2024-01-01 06:00', '2024-01-01 12:00'] },
    { span: '2000 years', lo: '1000-01-01T00:00', hi: '3000-01-01T00:00', note: '', labels: ['1000', '1500', '2000', '2500', '3000'] },
  ];
  for (const c of cases) {
    const [lo, hi] = [utc(c.lo), utc(c.hi)];
    const t = dateTicks(lo, hi, { room: ROOM });
    assertWellFormed(t, lo, hi, c.span);
    assert.deepEqual(t.labels, c.labels, c.span);
    assert.equal(t.note, c.note, c.span);
    assert.ok(t.values.length >= 4 && t.values.length <= 10, `${c.span}: ${t.values.length} ticks`);
  }
  // Ticks fall on the dates their labels name.
  const months = dateTicks(utc('2024-01-01T00:00'), utc('2024-05-29T00:00'), { room: ROOM });
  assert.deepEqual(months.values.slice(0, 3), [utc('2024-01-01T00:00'), utc('2024-01-15T00:00'), utc('2024-02-01T00:00')]);
});

test('date ticks: without a room limit up to 10 ticks; a single instant is one tick, written in full', () => {
  const t = dateTicks(utc('2024-01-01T00:00'), utc('2024-01-02T23:30'));
  assert.deepEqual(t.labels, ['Jan 1 00:00', 'Jan 1 06:00', 'Jan 1 12:00', 'Jan 1 18:00', 'Jan 2 00:00', 'Jan 2 06:00', 'Jan 2 12:00', 'Jan 2 18:00']);
  const at = utc('2024-01-01T03:00:00.250');
  assert.deepEqual(dateTicks(at, at), { values: [at], labels: ['2024-01-01 03:00:00.250'], note: '' });
  assert.deepEqual(dateTicks(utc('2024-03-05T00:00'), utc('2024-03-05T00:00')).labels, ['2024-03-05']);
  // A window inside one month, on day boundaries that are not round: days in steps of 2 from the 1st.
  const window = dateTicks(utc('2024-02-10T00:00'), utc('2024-02-20T12:00'), { room: ROOM });
  assert.deepEqual(window.labels, ['Feb 11', 'Feb 13', 'Feb 15', 'Feb 17', 'Feb 19']);
});

test('numeric ticks: decimals from the step, so close ticks never print alike', () => {
  // The trial's case: 1.00001…1.00003 printed "1.0, 1.0, 1.0".
  const narrow = numericTicks(1.00001, 1.00003, { room: ROOM });
  assert.deepEqual(narrow, { values: [1.00001, 1.000015, 1.00002, 1.000025, 1.00003], labels: ['1.000010', '1.000015', '1.000020', '1.000025', '1.000030'], note: '' });
  assert.deepEqual(numericTicks(0, 3.5).labels, ['0.0', '0.5', '1.0', '1.5', '2.0', '2.5', '3.0', '3.5']);
  // At most 10 ticks: 20 apart rather than 11 ticks 10 apart.
  assert.deepEqual(numericTicks(-10, 90).labels, ['0', '20', '40', '60', '80']);
  // Zero reached from below is not "−0.0"; drift (0.1 + 0.2) neither adds nor loses a tick.
  assert.deepEqual(numericTicks(-1.2, 1.2).labels, ['−1.0', '−0.5', '0.0', '0.5', '1.0']);
  assert.deepEqual(numericTicks(0.1, 0.3).values, [0.1, 0.15, 0.2, 0.25, 0.3]);
  for (const [lo, hi] of [[1.00001, 1.00003], [4.5, 5.5], [0, 1], [-7e-5, 3e-5], [123456.7, 123456.9], [0, 1e300]]) {
    assertWellFormed(numericTicks(lo, hi, { room: ROOM }), lo, hi, `${lo}…${hi}`);
  }
});

test('numeric ticks: huge and tiny magnitudes as mantissas with the power in the note; far from zero, an offset', () => {
  assert.deepEqual(numericTicks(-2e13, 1.2e14, { room: ROOM }), {
    values: [-2e13, 0, 2e13, 4e13, 6e13, 8e13, 1e14, 1.2e14],
    labels: ['−0.2', '0.0', '0.2', '0.4', '0.6', '0.8', '1.0', '1.2'],
    note: '×1e14',
  });
  assert.deepEqual(numericTicks(9e-8, 1.1e-7), { values: [9e-8, 9.5e-8, 1e-7, 1.05e-7, 1.1e-7], labels: ['0.90', '0.95', '1.00', '1.05', '1.10'], note: '×1e-7' });
  const far = numericTicks(1e9, 1e9 + 0.001);
  assert.deepEqual(far.labels, ['0.0000', '0.0002', '0.0004', '0.0006', '0.0008', '0.0010']);
  assert.equal(far.note, '+1000000000');
  assertWellFormed(far, 1e9, 1e9 + 0.001, 'offset');
  assert.deepEqual(numericTicks(1_000_000.5, 1_000_001.5), { values: [1000000.6, 1000000.8, 1000001, 1000001.2, 1000001.4], labels: ['0.6', '0.8', '1.0', '1.2', '1.4'], note: '+1000000' });
  assert.deepEqual(numericTicks(-1e9 - 0.001, -1e9), { ...far, values: far.values.map((v) => -v).reverse(), labels: ['−0.0010', '−0.0008', '−0.0006', '−0.0004', '−0.0002', '0.0000'], note: '−1000000000' });
});

test('numeric ticks: counts step by whole numbers; a lone value is one tick; long labels get fewer ticks', () => {
  assert.deepEqual(numericTicks(0, 3.5, { minStep: 1 }).labels, ['0', '1', '2', '3']);
  assert.deepEqual(numericTicks(0, 1, { minStep: 1 }).labels, ['0', '1']);
  assert.deepEqual(numericTicks(5, 5), { values: [5], labels: ['5'], note: '' });
  assert.deepEqual(numericTicks(0.125, 0.125).labels, ['0.125']);
  assert.deepEqual(numericTicks(123450, 123460).labels, ['123450', '123452', '123454', '123456', '123458', '123460']);
  assert.deepEqual(numericTicks(123450, 123460, { room: 30 }).labels, ['123450', '123455', '123460']);
});

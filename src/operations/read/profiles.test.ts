import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { MAX_PROFILE_COLUMNS, PROFILE_BINS } from './profiles.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

test('columnProfiles: histogram of numbers and dates, top values of text and booleans, missing counted', async () => {
  const id = await h.load('n,t,d,b\n1,a,2020-01-01,true\n2,a,2020-01-02,false\n,b,,true\n10,,2020-01-10,\nNaN,a,2020-01-05,true\n');
  const { profiles } = await h.ok(id, 'columnProfiles');
  const [n, t, d, b] = profiles;
  assert.equal(n.name, 'n');
  assert.equal(n.rows, 5);
  assert.equal(n.missing, 2, 'NaN and empty are missing');
  assert.equal(n.histogram.min, 1);
  assert.equal(n.histogram.max, 10);
  assert.equal(n.histogram.counts.length, PROFILE_BINS);
  assert.equal(n.histogram.counts.reduce((s: number, c: number) => s + c, 0), 3);
  assert.equal(n.histogram.counts[0], 1, 'bins are (10 − 1) / 24 wide: 1 in the first');
  assert.equal(n.histogram.counts[2], 1, '2 in the third');
  assert.equal(n.histogram.counts[PROFILE_BINS - 1], 1, 'the maximum is in the last bin');
  assert.deepEqual(t.top, [{ value: 'a', count: 3 }, { value: 'b', count: 1 }]);
  assert.equal(t.missing, 1);
  assert.equal(t.distinct, 2);
  assert.equal(t.other, 0);
  assert.equal(d.dataType, 'datetime');
  assert.equal(d.histogram.min, Date.UTC(2020, 0, 1));
  assert.equal(d.missing, 1);
  assert.deepEqual(b.top, [{ value: 'true', count: 3 }, { value: 'false', count: 1 }]);
});

test('columnProfiles: chosen columns only, the rest of many values counted as other, a change re-profiles its column', async () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 8},x${i % 8}`).join('\n');
  const id = await h.load(`k,v\n${rows}\n`);
  const first = await h.ok(id, 'columnProfiles', { columnIndices: [1] });
  assert.equal(first.profiles.length, 1);
  assert.equal(first.profiles[0].top.length, 5);
  assert.equal(first.profiles[0].other, 15, '3 of 8 values, 5 rows each, are not listed');
  await h.ok(id, 'findReplace', { columnIndex: 1, toReplace: ['x1'], replaceWith: ['x0'] });
  const next = await h.ok(id, 'columnProfiles', { columnIndices: [1] });
  assert.deepEqual(next.profiles[0].top[0], { value: 'x0', count: 10 });
  const bad = await h.run(id, 'columnProfiles', { columnIndices: [5] });
  assert.equal(bad.success, false);
  assert.match(bad.errorDescription, /out of range/);
});

test('columnProfiles: a large text column is profiled on a sample, scaled to the column, missing exact', async () => {
  const id = await h.loadSql(`SELECT CASE WHEN i % 10 = 0 THEN NULL WHEN i % 10 < 7 THEN 'common' ELSE 'rare' || (i % 3) END AS t FROM range(1000000) r(i)`);
  const { profiles } = await h.ok(id, 'columnProfiles');
  const [t] = profiles;
  assert.equal(t.sampled, true);
  assert.equal(t.missing, 100_000, 'exact');
  assert.equal(t.distinct, null);
  assert.equal(t.top[0].value, 'common');
  // 600k of 900k present values; the sample's share is close to it.
  assert.ok(Math.abs(t.top[0].count - 600_000) < 30_000, `scaled count ${t.top[0].count}`);
  assert.equal(t.top.reduce((s: number, x: { count: number }) => s + x.count, 0) + t.other, 900_000);
});

test('columnProfiles of an int64 column beyond 2^53: the histogram\'s min and max are the exact values', async () => {
  const id = await h.load('id,n\n123456789012345678,1\n-9223372036854775808,2\n9007199254740993,3\n');
  const { profiles } = await h.ok(id, 'columnProfiles');
  // As Socket.IO writes the reply: the digits themselves, not JavaScript's rounded numbers.
  assert.equal(JSON.stringify([profiles[0].histogram.min, profiles[0].histogram.max]), '[-9223372036854775808,123456789012345678]');
  assert.equal(profiles[0].histogram.counts.reduce((s: number, c: number) => s + c, 0), 3);
  assert.equal(JSON.stringify([profiles[1].histogram.min, profiles[1].histogram.max]), '[1,3]');
});

test('columnProfiles: at most MAX_PROFILE_COLUMNS columns a request, refused naming the limit (each costs tens of ms whatever its rows)', async () => {
  const width = MAX_PROFILE_COLUMNS + 1;
  const header = Array.from({ length: width }, (_, i) => `c${i}`).join(',');
  const id = await h.load(`${header}\n${Array.from({ length: width }, (_, i) => i).join(',')}\n`);
  const all = await h.run(id, 'columnProfiles', {});
  assert.equal(all.success, false);
  assert.equal(all.error, 'invalid parameters');
  assert.match(all.errorDescription, new RegExp(`absent, which asks for all ${width} columns; columnProfiles profiles at most ${MAX_PROFILE_COLUMNS} columns a request`));
  const listed = await h.run(id, 'columnProfiles', { columnIndices: Array.from({ length: width }, (_, i) => i) });
  assert.match(listed.errorDescription, new RegExp(`${width} columns listed`));
  // Up to the limit, answered.
  const { profiles } = await h.ok(id, 'columnProfiles', { columnIndices: Array.from({ length: MAX_PROFILE_COLUMNS }, (_, i) => i) });
  assert.equal(profiles.length, MAX_PROFILE_COLUMNS);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modeList, MODES_SHOWN } from '../web/src/modes.ts';

// How the Analyze panel lists a column's modes (web/src/modes.ts).

test('Analyze lists the first modes and how many more', () => {
  const modes = Array.from({ length: 1000 }, (_, i) => i); // the server's list, capped
  // 100,000 values seen 20 times each in 2M rows: every value ties, all 100,000 are modes.
  const all = modeList(modes, 100_000, 20, 2_000_000);
  assert.deepEqual(all.shown, modes.slice(0, MODES_SHOWN));
  assert.equal(all.more, 100_000 - MODES_SHOWN);
  // Some values tie, not all: the list is what the server sent.
  assert.deepEqual(modeList([3, 7, 9], 50, 4, 120), { shown: [3, 7, 9], more: 0 });
  assert.equal(modeList(modes.slice(0, 25), 400, 3, 1000).more, 15);
  assert.deepEqual(modeList([]), { shown: [], more: 0 });
});

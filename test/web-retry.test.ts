import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRetries } from '../web/src/retry.ts';

// The web client sends a read again when the server answers `busy` (web/src/api.ts).

const noSleep = async () => {};

test('a request failing with a retryable error is sent again, and its success returned', async () => {
  let calls = 0;
  const slept: number[] = [];
  const result = await withRetries(
    async () => {
      if (++calls < 3) throw new Error('busy');
      return 'ok';
    },
    (err) => (err as Error).message === 'busy',
    [100, 200, 400],
    async (ms) => void slept.push(ms),
  );
  assert.equal(result, 'ok');
  assert.equal(calls, 3);
  assert.equal(slept.length, 2);
  assert.ok(slept[0] >= 100 && slept[0] <= 150 && slept[1] >= 200 && slept[1] <= 300, String(slept));
});

test('the last failure reaches the caller once the delays are used up; other errors at once', async () => {
  let calls = 0;
  await assert.rejects(withRetries(async () => { calls++; throw new Error('busy'); }, () => true, [1, 1], noSleep), /busy/);
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(withRetries(async () => { calls++; throw new Error('invalid'); }, (err) => (err as Error).message === 'busy', [1, 1], noSleep), /invalid/);
  assert.equal(calls, 1);
});

test('no retry once the caller has moved on during the delay', async () => {
  let calls = 0;
  let current = true;
  await assert.rejects(
    withRetries(async () => { calls++; throw new Error('busy'); }, () => current, [1, 1, 1], async () => { current = false; }),
    /busy/,
  );
  assert.equal(calls, 1);
});

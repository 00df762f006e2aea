import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadCache, readKey } from './read-cache.ts';

test('a result is computed once per key; the same parameters spelled in another order hit', async () => {
  const cache = new ReadCache(1_000_000);
  let runs = 0;
  const compute = async () => ({ n: ++runs });
  const a = await cache.get(readKey('s', 'v1', 'data', { a: 1, b: 2 }), compute);
  const b = await cache.get(readKey('s', 'v1', 'data', { b: 2, a: 1 }), compute);
  assert.deepEqual(a, { n: 1 });
  assert.equal(b, a);
  const c = await cache.get(readKey('s', 'v2', 'data', { a: 1, b: 2 }), compute); // another version
  assert.deepEqual(c, { n: 2 });
  assert.equal(cache.hits, 1);
  assert.equal(cache.misses, 2);
});

test('identical reads arriving while one computes share it; a failure is not kept', async () => {
  const cache = new ReadCache(1_000_000);
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = async () => {
    runs++;
    await gate;
    throw new Error('boom');
  };
  const both = Promise.allSettled([cache.get('k', slow), cache.get('k', slow)]);
  release();
  const settled = await both;
  assert.equal(runs, 1);
  assert.deepEqual(settled.map((s) => s.status), ['rejected', 'rejected']);
  assert.deepEqual(await cache.get('k', async () => ({ ok: true })), { ok: true }); // computed again
  assert.equal(runs, 1);
});

test('least recently used results go once past the byte bound; a result larger than a quarter of it is not kept', async () => {
  const cache = new ReadCache(3000); // a result of 300 characters counts about 630 bytes
  const value = (n: number) => async () => ({ text: 'x'.repeat(n) });
  for (const k of ['a', 'b', 'c', 'd']) await cache.get(k, value(300));
  await cache.get('a', value(300)); // a is now the most recent
  await cache.get('e', value(300)); // past 3000 bytes: b, the least recently used, goes
  assert.equal(cache.size, 4);
  let recomputed = false;
  await cache.get('a', async () => ((recomputed = true), { text: '' }));
  assert.equal(recomputed, false);
  await cache.get('b', async () => ((recomputed = true), { text: '' }));
  assert.equal(recomputed, true);
  await cache.get('big', value(400));
  recomputed = false;
  await cache.get('big', async () => ((recomputed = true), { text: '' }));
  assert.equal(recomputed, true, 'the large result was kept');
});


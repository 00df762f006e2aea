import { test, after, mock } from 'node:test';
import fs from 'node:fs/promises';
import assert from 'node:assert/strict';
import { startServer, uploadOk } from './helpers/server.ts';
import { millionRowCsv } from './helpers/fixtures.ts';
import { pauseRemoval } from './helpers/pause-removal.ts';

// One client has at most MAX_DOWNLOADS_PER_CLIENT downloads at once: one client could
// otherwise fill the MAX_DOWNLOADS line (and its DuckDB threads) for everyone. And a session
// being downloaded is held: the expiry sweeper does not delete the files under its export.

const server = await startServer({ MAX_DOWNLOADS_PER_CLIENT: 1 });
after(() => server.close());

const bigId = await uploadOk(server.url, 'big.csv', millionRowCsv());
const smallId = await uploadOk(server.url, 'small.csv', 'a,b\n1,x\n');
const store = server.gateway.runtime.store;

test('a second download at once from the same client is answered 429 naming MAX_DOWNLOADS_PER_CLIENT; once the first has completed, a new one works', async () => {
  // The first download has started and stays in progress: its body is not read yet.
  const first = await fetch(`${server.url}/downloadCSV/${bigId}`, { signal: AbortSignal.timeout(120_000) });
  assert.equal(first.status, 200);
  for (const format of ['CSV', 'JSON']) {
    const second = await fetch(`${server.url}/download${format}/${smallId}`, { signal: AbortSignal.timeout(30_000) });
    assert.equal(second.status, 429, format);
    const body = (await second.json()) as Record<string, unknown>;
    assert.equal(body.success, false);
    assert.equal(body.error, 'too many downloads');
    assert.match(String(body.errorDescription), /already has 1 download in progress, the limit per client \(MAX_DOWNLOADS_PER_CLIENT = 1\)/);
  }
  // The first is whole: refusing the others did not disturb it.
  const text = await first.text();
  assert.equal(text.split('\n').length, 1_000_002);
  assert.ok(text.endsWith('999999,1999998,text number 999\n'));
  // Done once its response has closed, which is before the client can have its last byte.
  const again = await fetch(`${server.url}/downloadCSV/${smallId}`, { signal: AbortSignal.timeout(30_000) });
  assert.equal(again.status, 200);
  assert.equal(await again.text(), 'a,b\n1,x\n');
  // Downloads one after the other are never refused; an unknown session is still 404, not counted.
  const json = await fetch(`${server.url}/downloadJSON/${smallId}`);
  assert.equal(json.status, 200);
  assert.deepEqual(await json.json(), [{ a: 1, b: 'x' }]);
  assert.equal((await fetch(`${server.url}/downloadCSV/${'0'.repeat(30)}`)).status, 404);
  const csv = await fetch(`${server.url}/downloadCSV/${smallId}`);
  assert.equal(csv.status, 200);
  assert.equal(await csv.text(), 'a,b\n1,x\n');
  // Refused, not found and completed downloads alike hold nothing once answered.
  assert.equal(store.isHeld(smallId), false);
  assert.equal(store.isHeld(bigId), false);
});

test('a download cut off by its client frees its place', async () => {
  const controller = new AbortController();
  const first = await fetch(`${server.url}/downloadCSV/${bigId}`, { signal: controller.signal });
  assert.equal(first.status, 200);
  assert.equal((await fetch(`${server.url}/downloadCSV/${smallId}`)).status, 429);
  controller.abort();
  await first.text().catch(() => {});
  const deadline = Date.now() + 10_000;
  let status = 0;
  let body = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${server.url}/downloadCSV/${smallId}`);
    status = res.status;
    // Read to the end: a download counts until its response has closed.
    body = await res.text();
    if (status !== 429) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(status, 200);
  assert.equal(body, 'a,b\n1,x\n');
});

test('the expiry sweeper leaves a session alone while it is downloaded, and a session it is deleting is not found', async () => {
  const download = await fetch(`${server.url}/downloadCSV/${bigId}`, { signal: AbortSignal.timeout(120_000) });
  assert.equal(download.status, 200);
  assert.equal(store.isHeld(bigId), true);
  assert.equal(await store.removeIfIdle(bigId), false);
  assert.equal((await download.text()).split('\n').length, 1_000_002);
  assert.equal(store.isHeld(bigId), false);
  assert.equal(await store.removeIfIdle(bigId), true);
  const gone = await fetch(`${server.url}/downloadJSON/${bigId}`);
  assert.equal(gone.status, 404);
  assert.equal(((await gone.json()) as Record<string, unknown>).error, 'unknown session');
  // While it is being deleted: refused by the hold (404, expired), never exported from a half-deleted folder.
  const id = await uploadOk(server.url, 'c.csv', 'a\n1\n');
  const { deleting, proceed } = pauseRemoval(store.dir(id));
  try {
    const removal = store.removeIfIdle(id);
    await deleting;
    const res = await fetch(`${server.url}/downloadCSV/${id}`);
    assert.equal(res.status, 404);
    assert.match(String(((await res.json()) as Record<string, unknown>).errorDescription), /has expired/);
    proceed();
    assert.equal(await removal, true);
  } finally {
    proceed();
    mock.restoreAll();
  }
});

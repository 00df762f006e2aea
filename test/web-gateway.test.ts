import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { startServer } from './helpers/server.ts';
import { assertNoHost } from './helpers/host.ts';
import { operations } from '../src/operations/index.ts';

// A stand-in build of the web client, so these tests do not depend on `npm run build:web`.
const dist = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-dist-'));
await fs.mkdir(path.join(dist, 'assets'));
await fs.writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Willow</title><div id="root"></div>');
await fs.writeFile(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
const server = await startServer({ WEB_DIST: dist });
after(async () => {
  await server.close();
  await fs.rm(dist, { recursive: true, force: true });
});

test('GET /api/operations lists every operation of the registry with its JSON Schema', async () => {
  const res = await fetch(`${server.url}/api/operations`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { success: boolean; operations: { name: string; kind: string; parameters: { type: string } }[] };
  assert.equal(body.success, true);
  for (const op of operations) assert.ok(body.operations.some((o) => o.name === op.name && o.kind === op.kind && o.parameters.type === 'object'), op.name);
});

test('operations over Socket.IO needs no sessionID and answers only the asking socket', async () => {
  const a = io(server.url, { transports: ['websocket'], forceNew: true });
  const b = io(server.url, { transports: ['websocket'], forceNew: true });
  try {
    let bGot = 0;
    b.on('operations', () => bGot++);
    await new Promise<void>((r) => b.on('connect', () => r()));
    const reply = await new Promise<Record<string, any>>((resolve) => {
      a.on('operations', resolve);
      a.emit('operations', { operation: 'operations', requestID: 'd1' });
    });
    assert.equal(reply.success, true);
    assert.equal(reply.requestID, 'd1');
    assert.ok(reply.operations.some((o: { name: string }) => o.name === 'findReplace'));
    // Without any body at all, too.
    const bare = await new Promise<Record<string, any>>((resolve) => {
      a.once('operations', resolve);
      a.emit('operations');
    });
    assert.equal(bare.success, true);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(bGot, 0);
  } finally {
    a.close();
    b.close();
  }
});

test('the web client is served at / and at its session routes; other unknown paths stay 404 JSON', async () => {
  for (const url of ['/', '/s/0123456789abcdef0123456789abcd', '/s/0123456789abcdef0123456789abcd/']) {
    const res = await fetch(server.url + url);
    assert.equal(res.status, 200, url);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(await res.text(), /<div id="root">/);
  }
  const asset = await fetch(`${server.url}/assets/app-1234.js`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  for (const url of ['/nope', '/api/nope', '/assets/missing.js', '/downloadCSV/zz']) {
    const res = await fetch(server.url + url);
    assert.equal(res.status, 404, url);
    const body = (await res.json()) as { success: boolean; errorDescription: string };
    assert.equal(body.success, false);
    assert.ok(body.errorDescription.length > 0);
  }
  const health = await fetch(`${server.url}/health`);
  assert.equal(health.status, 200);
});

test('without a build the app routes answer 503 saying how to build it, without the server\'s paths', async () => {
  const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-nodist-'));
  const bare = await startServer({ WEB_DIST: empty });
  try {
    for (const url of ['/', '/s/0123456789abcdef0123456789abcd']) {
      const res = await fetch(`${bare.url}${url}`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { error: string; errorDescription: string };
      assert.equal(body.error, 'web client not built');
      assert.match(body.errorDescription, /index\.html/);
      assert.match(body.errorDescription, /npm run build:web/);
      // The server's folders are no business of a client's.
      assertNoHost(body.errorDescription, [empty, bare.dataDir]);
    }
  } finally {
    await bare.close();
    await fs.rm(empty, { recursive: true, force: true });
  }
});

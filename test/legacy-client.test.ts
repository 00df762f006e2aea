import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, uploadOk, type TestServer } from './helpers/server.ts';
import { CHROMIUM_ARGS } from './helpers/browser.ts';

// The original front end's Socket.IO client (socket.io-client 1.3.7, engine.io protocol 3)
// in headless Chromium, whose XHR takes binary: it must get past the handshake on polling,
// upgrade to websocket, and hold a conversation (replies and dataChanged). A second run stays
// on polling so the binary polling encoding carries every message. Chromium is a system
// package (scripts/ensure-system.sh installs it on npm install); without it this test fails.

const CHROMIUM = '/usr/bin/chromium';
const CLIENT_JS = fs.readFileSync(createRequire(import.meta.url).resolve('socket.io-client-v1/socket.io.js'), 'utf8');

let server: TestServer;
let pages: http.Server;
let pageUrl: string;
let browser: Browser;
let id: string;

before(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium (npm install runs scripts/ensure-system.sh, which installs it; or: apt-get install chromium)`);
  }
  assert.match(CLIENT_JS, /engine\.io-client|eio/i);
  // The page comes from another origin than the API, as the original front end did.
  pages = http.createServer((req, res) => {
    if (req.url === '/socket.io.js') res.writeHead(200, { 'content-type': 'application/javascript' }).end(CLIENT_JS);
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><title>willow</title><script src="/socket.io.js"></script>');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/`;
  // Cross-origin pages connect only when listed (CORS_ORIGINS), as a deployment of the
  // original front end beside this server lists its origin.
  server = await startServer({ CORS_ORIGINS: new URL(pageUrl).origin });
  id = await uploadOk(server.url, 'd.csv', 'a,b\n1,x\n2,y\n3,z\n');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
  await server?.close();
});

interface Conversation {
  version: string;
  transportAtConnect: string;
  transportAtEnd: string;
  upgraded: boolean;
  replies: Record<string, any>[];
  dataChanged: Record<string, any>[];
}

/** Runs in the page: connect with the 1.3.7 client and hold a short conversation. */
async function converse(page: Page, transports: string[] | null): Promise<Conversation> {
  return page.evaluate(
    async ({ url, sessionID, transports }) => {
      const w = globalThis as any; // the page's window
      const fail = (what: string) => new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 15_000));
      const socket = w.io(url, { forceNew: true, reconnection: false, ...(transports ? { transports } : {}) });
      const engine = socket.io.engine;
      let upgraded = false;
      // Read at the engine's open, not at socket.io's connect: under load the upgrade can finish
      // before the connect packet is handled, and the handshake is what must be polling.
      let transportAtConnect = '';
      engine.on('open', () => (transportAtConnect = engine.transport.name));
      const upgrade = new Promise<void>((resolve) => engine.on('upgrade', () => ((upgraded = true), resolve())));
      const replies: Record<string, any>[] = [];
      const dataChanged: Record<string, any>[] = [];
      const waiters: (() => void)[] = [];
      const record = (list: Record<string, any>[]) => (body: Record<string, any>) => {
        list.push(body);
        for (const w of waiters.splice(0)) w();
      };
      for (const op of ['metadata', 'data', 'renameColumn']) socket.on(op, record(replies));
      socket.on('dataChanged', record(dataChanged));
      const until = (check: () => boolean, what: string) =>
        Promise.race([
          new Promise<void>((resolve) => {
            const test = () => (check() ? resolve() : waiters.push(test));
            test();
          }),
          fail(what),
        ]);
      await Promise.race([new Promise<void>((resolve) => socket.on('connect', () => resolve())), fail('connect')]);
      if (!transports) await Promise.race([upgrade, fail('the websocket upgrade')]);
      let n = 0;
      const request = async (operation: string, params: Record<string, unknown>, change: boolean) => {
        const requestID = `legacy-${++n}`;
        socket.emit(operation, { operation, sessionID, requestID, ...params });
        await until(() => replies.some((r) => r.requestID === requestID), `${operation} ${requestID}`);
        if (change) await until(() => dataChanged.some((d) => d.requestID === requestID), `dataChanged of ${requestID}`);
        return replies.find((r) => r.requestID === requestID);
      };
      await request('metadata', {}, false);
      await request('data', { rowIndexFrom: 0, rowIndexTo: 2, columnIndexFrom: 0, columnIndexTo: 1 }, false);
      await request('renameColumn', { column: 'a', newName: 'a é' }, true);
      await request('renameColumn', { column: 'a é', newName: 'a é' }, true); // a no-op: dataChanged all the same
      await request('renameColumn', { column: 'a é', newName: 'a' }, true);
      await request('metadata', {}, false);
      const transportAtEnd = engine.transport.name;
      socket.close();
      return { version: w.io.version ?? String(w.io.protocol), transportAtConnect, transportAtEnd, upgraded, replies, dataChanged };
    },
    { url: server.url, sessionID: id, transports },
  );
}

/** A page that records the engine.io HTTP traffic it makes. */
async function openPage(): Promise<{ page: Page; handshakes: () => number; pollTypes: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const pollTypes: string[] = [];
  let handshakes = 0;
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith('/socket.io/') || url.searchParams.get('transport') !== 'polling' || res.request().method() !== 'GET') return;
    if (!url.searchParams.has('sid')) handshakes++;
    pollTypes.push(res.headers()['content-type'] ?? '');
  });
  await page.goto(pageUrl);
  return { page, handshakes: () => handshakes, pollTypes, close: () => context.close() };
}

function assertConversation(c: Conversation): void {
  const byId = (requestID: string) => c.replies.find((r) => r.requestID === requestID)!;
  const meta = byId('legacy-1');
  assert.equal(meta.success, true, JSON.stringify(meta));
  assert.deepEqual(meta.columns, ['a', 'b']);
  assert.deepEqual(meta.dataSize, { rows: 3, columns: 2 });
  const data = byId('legacy-2');
  assert.equal(data.success, true, JSON.stringify(data));
  assert.deepEqual(JSON.parse(data.data), { columns: ['a', 'b'], index: [0, 1, 2], data: [[1, 'x'], [2, 'y'], [3, 'z']] });
  assert.deepEqual(
    ['legacy-3', 'legacy-4', 'legacy-5'].map((r) => [byId(r).success, byId(r).changed]),
    [
      [true, true],
      [true, false],
      [true, true],
    ],
  );
  assert.deepEqual(
    c.dataChanged.map((d) => d.requestID),
    ['legacy-3', 'legacy-4', 'legacy-5'],
  );
  for (const d of c.dataChanged) assert.equal(d.sessionID, id);
  assert.deepEqual(byId('legacy-6').columns, ['a', 'b']);
}

test('socket.io-client 1.3.7 in Chromium: polling handshake, websocket upgrade, replies and dataChanged', async () => {
  const { page, handshakes, pollTypes, close } = await openPage();
  try {
    const c = await converse(page, null);
    assert.equal(c.transportAtConnect, 'polling');
    assert.equal(c.upgraded, true);
    assert.equal(c.transportAtEnd, 'websocket');
    assertConversation(c);
    assert.equal(handshakes(), 1, 'one handshake, no reconnection loop');
    assert.ok(pollTypes.length >= 1);
    for (const type of pollTypes) assert.equal(type, 'application/octet-stream');
  } finally {
    await close();
  }
});

test('socket.io-client 1.3.7 in Chromium on polling only: the binary polling encoding carries the whole conversation', async () => {
  const { page, handshakes, pollTypes, close } = await openPage();
  try {
    const c = await converse(page, ['polling']);
    assert.equal(c.transportAtConnect, 'polling');
    assert.equal(c.upgraded, false);
    assert.equal(c.transportAtEnd, 'polling');
    assertConversation(c);
    assert.equal(handshakes(), 1, 'one handshake, no reconnection loop');
    assert.ok(pollTypes.length >= 6, `every reply came by a poll (${pollTypes.length} polls)`);
    for (const type of pollTypes) assert.equal(type, 'application/octet-stream');
  } finally {
    await close();
  }
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer } from './helpers/server.ts';

// A URL path the router cannot percent-decode is the client's mistake, whichever route it
// would reach: 400 in the API's error shape, the description quoting the path as sent (it
// used to read "<file> is not a valid url component": the path, taken for a file of the
// server's, was hidden). A session ID too long for the router is the route's own `unknown
// session`, as the contract answers any malformed sessionID.

const dist = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-dist-'));
await fs.mkdir(path.join(dist, 'assets'));
await fs.writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Willow</title>');
await fs.writeFile(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
const server = await startServer({ WEB_DIST: dist });
after(async () => {
  await server.close();
  await fs.rm(dist, { recursive: true, force: true });
});

/** A GET sent byte for byte (no client normalizing the path), answered as status and JSON body. */
async function rawGet(target: string, method = 'GET'): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  return { status, body: body ? (JSON.parse(body) as Record<string, unknown>) : null };
}

test('a malformed percent-encoding in any path: 400 naming the path, never 500 nor a hidden URL', async () => {
  const paths = [
    '/downloadCSV/%', '/downloadJSON/%', '/downloadCSV/%zz', '/downloadJSON/abc%4', '/downloadCSV/%C0%AF', '/downloadCSV/%E0%A4%A/',
    '/s/%', '/s/%ff', '/assets/%', '/assets/app%zz.js', '/%', '/upload/%', '/celeryTaskCompleted/%', '/healthz/%', '/api/operations/%', '/nowhere/%',
  ];
  for (const p of paths) {
    for (const method of ['GET', 'POST']) {
      const res = await rawGet(p, method);
      assert.equal(res.status, 400, `${method} ${p}`);
      assert.deepEqual(Object.keys(res.body ?? {}).sort(), ['error', 'errorDescription', 'success'], `${method} ${p}`);
      assert.equal(res.body?.error, 'bad request');
      assert.ok(String(res.body?.errorDescription).includes(JSON.stringify(p)), `${method} ${p}: ${res.body?.errorDescription}`);
      assert.match(String(res.body?.errorDescription), /percent-encoding/);
    }
  }
  // The query string is the path's only: it is not quoted.
  const query = await rawGet('/downloadCSV/%?secret=1');
  assert.ok(!String(query.body?.errorDescription).includes('secret'));
  // A very long path is quoted cut short.
  const long = await rawGet(`/downloadCSV/${'a'.repeat(5000)}%`);
  assert.equal(long.status, 400);
  assert.ok(String(long.body?.errorDescription).length < 600);
});

test('a sessionID longer than the router’s parameter limit is the download’s own 404 unknown session', async () => {
  for (const kind of ['CSV', 'JSON']) {
    const res = await fetch(`${server.url}/download${kind}/${'a'.repeat(150)}`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as Record<string, unknown>).error, 'unknown session');
  }
  // The app route answers the page, which says the session is unknown when it asks.
  const page = await fetch(`${server.url}/s/${'a'.repeat(150)}`);
  assert.equal(page.status, 200);
  await page.text();
});

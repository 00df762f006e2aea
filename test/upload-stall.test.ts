import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startServer, uploadOk } from './helpers/server.ts';

// An upload in progress holds a connection and an open file. Without a bound, a client that
// opened thousands and sent nothing more held them all (10,500 stalled uploads: the server
// out of file handles, every other request failing). A body that sends nothing for
// UPLOAD_STALL_MS is cut off and its partial file removed; one client has at most
// MAX_UPLOADS_PER_CLIENT uploads in progress, past which it is answered 429 naming the limit.

const server = await startServer({ UPLOAD_STALL_MS: 600, MAX_UPLOADS_PER_CLIENT: 2 });
const boundary = 'stallboundary';

/** A raw upload whose body declares 10 MB and sends a few bytes, then nothing: resolves with the socket and a promise of everything the server answered once it closes. */
function stalledUpload(): Promise<{ socket: net.Socket; answer: Promise<string> }> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1', () => {
      socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 10000000\r\n\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\nContent-Type: text/csv\r\n\r\na,b\n1,2\n`);
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('error', () => {});
      resolve({ socket, answer: new Promise((done) => socket.on('close', () => done(text))) });
    });
  });
}

const incoming = () => fs.readdir(path.join(server.dataDir, 'incoming'));

test('an upload that stops sending is cut off after UPLOAD_STALL_MS, its partial file removed', async () => {
  const { answer } = await stalledUpload();
  const started = Date.now();
  await answer;
  const waited = Date.now() - started;
  assert.ok(waited >= 500 && waited < 10_000, `closed after ${waited} ms`);
  for (let k = 0; k < 50 && (await incoming()).length > 0; k++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await incoming(), []);
  assert.ok(await uploadOk(server.url, 'ok.csv', 'a\n1\n'), 'uploads go on');
});

test('past MAX_UPLOADS_PER_CLIENT uploads in progress, another is answered 429 naming the limit', async () => {
  const held = [await stalledUpload(), await stalledUpload()];
  await new Promise((r) => setTimeout(r, 100));
  const form = new FormData();
  form.append('file', new Blob(['a\n1\n']), 'x.csv');
  const res = await fetch(`${server.url}/upload`, { method: 'POST', body: form });
  assert.equal(res.status, 429);
  const body = (await res.json()) as { error: string; errorDescription: string };
  assert.equal(body.error, 'too many uploads');
  assert.match(body.errorDescription, /MAX_UPLOADS_PER_CLIENT = 2/);
  for (const h of held) h.socket.destroy();
  await Promise.all(held.map((h) => h.answer));
  // Once they are over, the client may upload again.
  for (let k = 0; k < 50; k++) {
    const again = await fetch(`${server.url}/upload`, { method: 'POST', body: form });
    if (again.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('uploads were not allowed again after the stalled ones ended');
});

test.after(() => server.close());

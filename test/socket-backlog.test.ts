import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { readTable } from './helpers/wire.ts';

// A client that keeps sending requests but never reads the answers (its TCP window full,
// pings still answered) had the server hold every reply: 100k-row slices grew it by 60 MB/s
// without bound. Past SOCKET_MAX_BACKLOG_BYTES of replies waiting, its connection is closed
// and the replies dropped; other clients go on as before.

const { server, client } = await serverWithClient({ SOCKET_MAX_BACKLOG_BYTES: 4_000_000 });

test('a connection that does not read its replies is closed once they pass SOCKET_MAX_BACKLOG_BYTES', async () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => `${i},${'x'.repeat(40)}${i},${i * 0.5}`).join('\n');
  const id = await uploadOk(server.url, 'b.csv', `i,s,f\n${rows}\n`);
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let closed = false;
  ws.on('close', () => (closed = true));
  ws.on('error', () => {});
  // Engine.IO's pings are answered by hand (ws does not), so that only the backlog can end it.
  ws.on('message', (data) => {
    if (String(data) === '2') ws.send('3');
  });
  ws.send('40');
  await new Promise((r) => setTimeout(r, 200));
  // Stop reading: the kernel's buffers fill, then the server's.
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const slice = (k: number) => `42${JSON.stringify(['data', { operation: 'data', sessionID: id, requestID: `n${k}`, rowIndexFrom: 0, rowIndexTo: 19_999, columnIndexFrom: 0, columnIndexTo: 2 }])}`;
  for (let k = 0; k < 40 && !closed; k++) {
    if (ws.readyState === WebSocket.OPEN) ws.send(slice(k));
    await new Promise((r) => setTimeout(r, 150));
  }
  // Reading again, the client sees the end of a connection the server closed.
  (ws as unknown as { _socket: { resume(): void } })._socket.resume();
  const deadline = Date.now() + 15_000;
  while (!closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(closed, 'the server closed the connection');
  ws.terminate();
  // The other client is served as before.
  const t = await readTable(client, id, { rowIndexFrom: 0, rowIndexTo: 1 });
  assert.deepEqual(t.rows.map((r) => r[0]), [0, 1]);
});

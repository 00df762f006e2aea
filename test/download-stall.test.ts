import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { millionRowCsv } from './helpers/fixtures.ts';

// A download whose client stops reading is cut off after DOWNLOAD_STALL_MS: its export held
// a thread of the pool DuckDB's statements and file I/O share, and four such downloads
// (clients that send the GET and never read) left /healthz, uploads and every other
// session unanswered for as long as they stayed connected.

const STALL_MS = 1000;
const { server, client } = await serverWithClient({ DOWNLOAD_STALL_MS: STALL_MS });

const bigId = await uploadOk(server.url, 'big.csv', millionRowCsv());
const smallId = await uploadOk(server.url, 'small.csv', 'a,b\n1,x\n');

/** A client that asks for a download and never reads a byte of it. */
function stalledDownload(format: 'CSV' | 'JSON'): Promise<net.Socket> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.pause();
      socket.write(`GET /download${format}/${bigId} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      resolve(socket);
    });
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

test('downloads whose clients stop reading are cut off, and the server goes on serving everyone else', async () => {
  const stalled = await Promise.all(['CSV', 'JSON', 'CSV', 'JSON', 'CSV', 'JSON'].map((f) => stalledDownload(f as 'CSV' | 'JSON')));
  try {
    // Past the stall limit, with every stalled client still connected.
    await new Promise((r) => setTimeout(r, STALL_MS * 3));
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(30_000) });
    assert.equal(health.status, 200);
    const id = await uploadOk(server.url, 'during.csv', 'a,b\n2,y\n');
    assert.equal(await (await fetch(`${server.url}/downloadCSV/${id}`, { signal: AbortSignal.timeout(30_000) })).text(), 'a,b\n2,y\n');
    const meta = await client.request('metadata', smallId);
    assert.equal(meta.dataSize.rows, 1);
  } finally {
    for (const s of stalled) s.destroy();
  }
  const scratch = (await fs.readdir(path.join(server.dataDir, 'sessions'), { recursive: true })).map(String).filter((f) => path.basename(f).startsWith('download-'));
  assert.deepEqual(scratch, []);
});

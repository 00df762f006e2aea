import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { uploadOk, serverWithClient } from './helpers/server.ts';
import { Dataset } from '../src/engine/dataset.ts';
import { exportToFile } from '../src/engine/export.ts';

// Downloads stream while DuckDB writes them: the same bytes as the file written in one go,
// and a client that leaves mid-way stops the work and leaves nothing behind.

const { server, client } = await serverWithClient();

const ROWS = 400_000;

const day = (i: number) => `2020-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
const hour = (i: number) => String(i % 24).padStart(2, '0');
const millis = (i: number) => String(i % 1000).padStart(3, '0');

/** A dataset with every column type, large enough not to fit in the pipe and socket buffers. */
function bigCsv(): string {
  const lines = ['id,price,qty,label,flag,day,moment,fraction'];
  for (let i = 0; i < ROWS; i++) {
    const label = i % 7 === 0 ? `"say ""hi"", ${i}"` : i % 11 === 0 ? '' : `w${i % 97}`;
    const flag = i % 3 === 0 ? 'true' : i % 3 === 1 ? 'false' : '';
    lines.push([i, (i * 0.37).toFixed(2), i % 10 === 0 ? '' : i % 500, label, flag, day(i), `${day(i)} ${hour(i)}:15:00`, `${day(i)} 00:00:00.${millis(i)}`].join(','));
  }
  return lines.join('\n') + '\n';
}

const bigId = await uploadOk(server.url, 'big.csv', bigCsv());

/** The download file written to disk in one go, as the server wrote it before streaming. */
async function written(id: string, format: 'CSV' | 'JSON'): Promise<Buffer> {
  const rt = server.gateway.runtime;
  const { manifest } = await rt.store.current(id);
  const out = path.join(server.dataDir, `reference-${format}-${id}`);
  try {
    await exportToFile(rt.duck, new Dataset(manifest, rt.store.filesDir(id)), format, out);
    return await fs.readFile(out);
  } finally {
    await fs.rm(out, { force: true });
  }
}

async function scratchFiles(): Promise<string[]> {
  return (await fs.readdir(path.join(server.dataDir, 'sessions'), { recursive: true })).map(String).filter((f) => path.basename(f).startsWith('download-'));
}

test('a large dataset streams the same bytes as the file written in one go, CSV and JSON', async () => {
  for (const format of ['CSV', 'JSON'] as const) {
    const res = await fetch(`${server.url}/download${format}/${bigId}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), null, 'streamed: no length known up front');
    const body = Buffer.from(await res.arrayBuffer());
    const reference = await written(bigId, format);
    assert.ok(body.length > 10_000_000, `${format}: ${body.length} bytes`);
    assert.ok(body.equals(reference), `${format}: ${body.length} bytes streamed, ${reference.length} written`);
  }
  const csv = Buffer.from(await (await fetch(`${server.url}/downloadCSV/${bigId}`)).arrayBuffer()).toString('utf8');
  const lines = csv.split('\n');
  assert.equal(lines[0], 'id,price,qty,label,flag,day,moment,fraction');
  assert.equal(lines[1], '0,0.0,,"say ""hi"", 0",True,2020-01-01,2020-01-01 00:15:00,2020-01-01 00:00:00.000');
  const last = ROWS - 1; // 399999: a multiple of 3, not of 7 or 11
  assert.equal(lines[ROWS], `${last},${(last * 0.37).toFixed(2)},499,w${last % 97},True,${day(last)},${day(last)} ${hour(last)}:15:00,${day(last)} 00:00:00.${millis(last)}`);
  assert.equal(lines[ROWS + 1], '');
  const json = JSON.parse((await (await fetch(`${server.url}/downloadJSON/${bigId}`)).text()));
  assert.equal(json.length, ROWS);
  assert.deepEqual(json[last], { id: last, price: Number((last * 0.37).toFixed(2)), qty: 499, label: `w${last % 97}`, flag: true, day: `${day(last)}T00:00:00.000`, moment: `${day(last)}T${hour(last)}:15:00.000`, fraction: `${day(last)}T00:00:00.${millis(last)}` });
});

test('small datasets: the streamed form is the written form, byte for byte', async () => {
  const inputs = ['a,b\n1,x\n', 'a,b\n', 'd,t\n2020-01-01,2020-01-01 00:00:00.5\n,\n', 'n\nNaN\n1.5\n'];
  for (const input of inputs) {
    const id = await uploadOk(server.url, 's.csv', input);
    for (const format of ['CSV', 'JSON'] as const) {
      const body = Buffer.from(await (await fetch(`${server.url}/download${format}/${id}`)).arrayBuffer());
      assert.ok(body.equals(await written(id, format)), `${format} of ${JSON.stringify(input)}`);
    }
  }
});

test('a client that disconnects mid-download stops the export, leaves no scratch file, and the server keeps serving', async () => {
  for (const format of ['CSV', 'JSON'] as const) {
    const received = await new Promise<number>((resolve, reject) => {
      const req = http.get(`${server.url}/download${format}/${bigId}`, (res) => {
        assert.equal(res.statusCode, 200);
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          // Leave after the first bytes, long before the end.
          if (bytes > 64 * 1024) {
            req.destroy();
            resolve(bytes);
          }
        });
        res.on('error', () => {});
      });
      req.on('error', (err) => {
        if (!req.destroyed) reject(err);
      });
    });
    assert.ok(received < 5_000_000, `${format}: left after ${received} bytes`);
  }
  assert.deepEqual(await scratchFiles(), []);
  // The server serves downloads and requests as before.
  const id = await uploadOk(server.url, 'after.csv', 'a,b\n1,x\n');
  assert.equal(await (await fetch(`${server.url}/downloadCSV/${id}`)).text(), 'a,b\n1,x\n');
  const meta = await client.request('metadata', bigId);
  assert.equal(meta.dataSize.rows, ROWS);
  const full = Buffer.from(await (await fetch(`${server.url}/downloadCSV/${bigId}`)).arrayBuffer());
  assert.ok(full.equals(await written(bigId, 'CSV')));
  assert.deepEqual(await scratchFiles(), []);
});

test('clients that leave before the response has started free their download slots and leave nothing behind', async () => {
  // Before the first bytes (up to FIRST_BYTE_WAIT_MS) no response has started, so the client's
  // 'close' comes before any handler of the response's: more such leavers than MAX_DOWNLOADS
  // slots, then a whole download, which must not wait behind them.
  const slots = server.gateway.runtime.config.MAX_DOWNLOADS;
  for (let i = 0; i < slots + 2; i++) {
    await new Promise<void>((resolve) => {
      const req = http.get(`${server.url}/downloadCSV/${bigId}`, () => req.destroy());
      req.on('error', () => {});
      req.on('close', () => resolve());
      setTimeout(() => req.destroy(), 5 + 20 * i);
    });
  }
  const full = Buffer.from(await (await fetch(`${server.url}/downloadCSV/${bigId}`, { signal: AbortSignal.timeout(60_000) })).arrayBuffer());
  assert.ok(full.equals(await written(bigId, 'CSV')));
  assert.deepEqual(await scratchFiles(), []);
});

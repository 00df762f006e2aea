import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { io as ioV4 } from 'socket.io-client';
import { startServer, upload, uploadOk } from './helpers/server.ts';
import { connect } from './helpers/client.ts';
import { expireSessions } from '../src/store/quota.ts';
import { SessionStore } from '../src/store/session-store.ts';
import { engineHarness } from './helpers/engine.ts';

describe('limits name themselves when they refuse', () => {
  test('MAX_COLUMNS: an import or an operation past it is refused whole', async () => {
    const server = await startServer({ MAX_COLUMNS: 3 });
    const client = await connect(server.url);
    try {
      const wide = await upload(server.url, 'wide.csv', 'a,b,c,d\n1,2,3,4\n');
      assert.equal(wide.status, 400);
      assert.equal(wide.body.error, 'too many columns');
      assert.match(wide.body.errorDescription, /has 4 columns; the limit is 3 \(MAX_COLUMNS\)/);
      const id = await uploadOk(server.url, 'ok.csv', 'a,b,c\n1,2,3\n');
      const res = await client.request('insertDuplicateColumn', id, { columnIndex: 0 });
      assert.equal(res.success, false);
      assert.equal(res.error, 'too many columns');
      assert.match(res.errorDescription, /4 columns; the limit is 3 \(MAX_COLUMNS\)/);
      // A value that splits into a million pieces is refused from the count, before a plan
      // of a million columns is built (it overflowed the stack) or written.
      const long = await uploadOk(server.url, 'long.csv', `a\n${'x'.repeat(1_000_000)}\n`);
      const split = await client.request('splitColumn', long, { columnIndex: 0, delimiter: 'x', regex: false });
      assert.equal(split.error, 'too many columns', JSON.stringify(split).slice(0, 300));
      assert.match(split.errorDescription, /splitColumn would make 1,000,002 columns; the limit is 3 \(MAX_COLUMNS\)/);
      assert.equal((await client.request('metadata', long)).undoAvailable, false);
      const meta = await client.request('metadata', id);
      assert.deepEqual(meta.columns, ['a', 'b', 'c']);
      assert.equal(meta.undoAvailable, false);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('MAX_SESSIONS and MAX_SESSION_BYTES', async () => {
    const server = await startServer({ MAX_SESSIONS: 2, MAX_SESSION_BYTES: 6000 });
    const client = await connect(server.url);
    try {
      const id = await uploadOk(server.url, 'a.csv', 'a,b\n1,x\n2,y\n');
      await uploadOk(server.url, 'b.csv', 'a\n1\n');
      const third = await upload(server.url, 'c.csv', 'a\n1\n');
      assert.equal(third.status, 503);
      assert.equal(third.body.error, 'too many sessions');
      assert.match(third.body.errorDescription, /limit of 2 sessions \(MAX_SESSIONS\)/);
      // Each change keeps a new file of a few hundred bytes: the session fills up.
      let refused: Record<string, any> | null = null;
      for (let k = 0; k < 40 && !refused; k++) {
        const res = await client.request('newCellValue', id, { columnIndex: 1, rowIndex: 0, newValue: `v${k}` });
        if (!res.success) refused = res;
      }
      assert.ok(refused, 'the quota was never reached');
      assert.equal(refused.error, 'session quota exceeded');
      assert.match(refused.errorDescription, /the limit is 6000 bytes per session \(MAX_SESSION_BYTES\)/);
      // A refused change leaves nothing behind: refused again and again, the session does not grow.
      const filesDir = path.join(server.dataDir, 'sessions', id, 'files');
      const kept = (await fs.readdir(filesDir)).sort();
      for (let k = 0; k < 5; k++) {
        const res = await client.request('newCellValue', id, { columnIndex: 1, rowIndex: 0, newValue: `again${k}` });
        assert.equal(res.error, 'session quota exceeded');
        const cells = await client.request('deleteRows', id, { rowIndices: [1] });
        assert.equal(cells.error, 'session quota exceeded');
      }
      assert.deepEqual((await fs.readdir(filesDir)).sort(), kept);
      // A change that writes no data is not refused: a session at its quota can still be tidied.
      const rename = await client.request('renameColumn', id, { column: 0, newName: 'renamed' });
      assert.equal(rename.success, true, JSON.stringify(rename));
      // Undo frees nothing by itself but still works; the dataset is the last accepted version.
      assert.equal((await client.request('undo', id)).success, true);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('MAX_DATA_BYTES: an upload that would take the data directory past it gets 507', async () => {
    const server = await startServer({ MAX_DATA_BYTES: 5000 });
    try {
      const res = await upload(server.url, 'big.csv', 'a,b\n' + '1,x\n'.repeat(2000));
      assert.equal(res.status, 507, JSON.stringify(res.body));
      assert.equal(res.body.error, 'storage full');
      assert.match(res.body.errorDescription, /limit 5000 bytes, MAX_DATA_BYTES/);
      await uploadOk(server.url, 'small.csv', 'a\n1\n');
    } finally {
      await server.close();
    }
  });

  test('sessions idle longer than the TTL are deleted by the sweep; used ones are kept', async () => {
    const server = await startServer();
    try {
      const idle = await uploadOk(server.url, 'a.csv', 'a\n1\n');
      const used = await uploadOk(server.url, 'b.csv', 'a\n1\n');
      const downloaded = await uploadOk(server.url, 'c.csv', 'a\n1\n');
      const store = new SessionStore(server.dataDir);
      const old = new Date(Date.now() - 8 * 86_400_000);
      for (const id of [idle, used, downloaded]) await fs.utimes(store.dir(id), old, old);
      const client = await connect(server.url);
      assert.equal((await client.request('metadata', used)).success, true); // a request is a use
      client.close();
      assert.equal(await (await fetch(`${server.url}/downloadCSV/${downloaded}`)).text(), 'a\n1\n'); // so is a download
      assert.deepEqual(await expireSessions(store, 7 * 86_400_000), [idle]);
      assert.deepEqual((await fs.readdir(path.join(server.dataDir, 'sessions'))).sort(), [used, downloaded].sort());
    } finally {
      await server.close();
    }
  });

  test('SOCKET_RATE_LIMIT: requests past the burst are answered "rate limited", each exactly once', async () => {
    const server = await startServer({ SOCKET_RATE_LIMIT: 1, SOCKET_RATE_BURST: 3 });
    const client = await connect(server.url);
    try {
      const id = await uploadOk(server.url, 'a.csv', 'a\n1\n');
      const replies = await Promise.all(Array.from({ length: 8 }, () => client.request('metadata', id)));
      assert.equal(replies.filter((r) => r.success).length, 3);
      const limited = replies.filter((r) => !r.success);
      assert.equal(limited.length, 5);
      for (const r of limited) {
        assert.equal(r.error, 'rate limited');
        assert.match(r.errorDescription, /more than 1 requests per second \(SOCKET_RATE_LIMIT/);
      }
      assert.equal(client.received('metadata').length, 8);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('MAX_QUEUED_PER_SESSION: past it a request is answered "busy"', async () => {
    const server = await startServer({ MAX_QUEUED_PER_SESSION: 2, COMMAND_TIMEOUT_MS: 1500 });
    const client = await connect(server.url);
    try {
      const id = await uploadOk(server.url, 'a.csv', 'a\n1\n');
      const slow = 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y';
      const replies = await Promise.all(Array.from({ length: 5 }, () => client.request('executeCommand', id, { command: slow })));
      const busy = replies.filter((r) => r.error === 'busy');
      assert.equal(busy.length, 3, JSON.stringify(replies.map((r) => r.error)));
      assert.match(busy[0].errorDescription, /already has 2 requests waiting or running through this server \(MAX_QUEUED_PER_SESSION\)/);
      assert.equal(client.received('executeCommand').length, 5);
      // Once they are answered, the session takes requests again.
      assert.equal((await client.request('metadata', id)).success, true);
    } finally {
      client.close();
      await server.close();
    }
  });

  // READ_WAIT_MS sheds reads waiting for a slot (QUEUE_CONCURRENCY 1, taken by a slow
  // change); a read behind its own connection's change waits for that change however long.
  test('READ_WAIT_MS: reads held past it for a slot are answered "busy" once, unrun; one behind its own slow change is answered after it; the change is answered', async () => {
    const server = await startServer({ READ_WAIT_MS: 300, COMMAND_TIMEOUT_MS: 1500, QUEUE_CONCURRENCY: 1 });
    const client = await connect(server.url);
    try {
      const id = await uploadOk(server.url, 'a.csv', 'a\n1\n');
      const other = await uploadOk(server.url, 'b.csv', 'b\n2\n');
      const slow = client.request('executeCommand', id, { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' });
      const [own, ...reads] = await Promise.all([client.request('metadata', id), client.request('metadata', other), client.request('data', other, { rowIndexFrom: 0, rowIndexTo: 0, columnIndexFrom: 0, columnIndexTo: 0 })]);
      for (const r of reads) {
        assert.equal(r.error, 'busy', JSON.stringify(r));
        assert.match(r.errorDescription, /more than 300 ms \(READ_WAIT_MS\)/);
      }
      assert.equal((await slow).success, false); // stopped at COMMAND_TIMEOUT_MS, and answered
      assert.equal(own.success, true, JSON.stringify(own));
      assert.equal((await client.request('metadata', other)).success, true);
      assert.equal(client.received('metadata').length, 3);
      assert.equal(client.received('data').length, 1);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('reads of a client that disconnected are dropped unrun and free their MAX_QUEUED_PER_SESSION places', async () => {
    const server = await startServer({ MAX_QUEUED_PER_SESSION: 3, READ_WAIT_MS: 0, COMMAND_TIMEOUT_MS: 1500 });
    const a = await connect(server.url);
    const b = await connect(server.url);
    const c = await connect(server.url);
    try {
      const id = await uploadOk(server.url, 'a.csv', 'a\n1\n');
      const joined = await a.request('metadata', id); // a hears the session's room from now on
      // b's reads wait behind b's own change (a client's order), until b is gone.
      b.send('executeCommand', { operation: 'executeCommand', sessionID: id, requestID: 'slow', command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' });
      b.send('metadata', { operation: 'metadata', sessionID: id, requestID: 'b1' });
      b.send('metadata', { operation: 'metadata', sessionID: id, requestID: 'b2' });
      await new Promise((r) => setTimeout(r, 200));
      b.close();
      await new Promise((r) => setTimeout(r, 500)); // the queue's sweep notices within 250 ms
      // The session's 3 places: the command, and two freed by b's reads.
      const replies = await Promise.all([c.request('metadata', id), c.request('metadata', id)]);
      assert.deepEqual(replies.map((r) => r.success), [true, true], JSON.stringify(replies));
      await a.waitFor('executeCommand', 1, 10_000); // the command ran (a change runs without its client)
      // b's reads were never run: the room saw answers to a's and c's only.
      assert.deepEqual(a.received('metadata').map((m) => m.requestID).sort(), [joined, ...replies].map((r) => r.requestID).sort());
    } finally {
      for (const x of [a, b, c]) x.close();
      await server.close();
    }
  });

  test('CORS_ORIGINS: pages of other origins cannot connect; listed ones and the same origin can', async () => {
    const server = await startServer({ CORS_ORIGINS: 'https://app.example' });
    const attempt = (origin: string) =>
      new Promise<boolean>((resolve) => {
        const socket = ioV4(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { origin } });
        socket.once('connect', () => {
          socket.close();
          resolve(true);
        });
        socket.once('connect_error', () => {
          socket.close();
          resolve(false);
        });
      });
    try {
      assert.equal(await attempt('https://evil.example'), false);
      assert.equal(await attempt('https://app.example'), true);
      assert.equal(await attempt(server.url), true);
    } finally {
      await server.close();
    }
  });
});

test("DuckDB's memory limit reached by a request's data is answered as such, naming the limit, not as an internal error", async () => {
  // Cells of 40 MB are allowed here (MAX_CELL_BYTES) so that reads, not the command, meet the engine's limit.
  // Both instances' limits: a job out of the small one's memory runs again on the main one.
  const h = await engineHarness({ DUCKDB_SMALL_MEMORY_LIMIT: '64MB', DUCKDB_MEMORY_LIMIT: '64MB', MAX_CELL_BYTES: 50_000_000 });
  try {
    const id = await h.load('a,b\n1,2\n3,4\n');
    await h.ok(id, 'executeCommand', { command: "SELECT a, repeat('x', 40000000) AS big FROM df" });
    for (const [op, params] of [
      ['data', { rowIndexFrom: 0, rowIndexTo: 1, columnIndexFrom: 0, columnIndexTo: 1 }],
      ['analyze', { column: 'big' }],
    ] as const) {
      const res = await h.run(id, op, params);
      assert.equal(res.error, 'operation out of memory', JSON.stringify(res).slice(0, 300));
      assert.match(res.errorDescription, /more memory than the engine may use \(DUCKDB_MEMORY_LIMIT; DUCKDB_SMALL_MEMORY_LIMIT for small datasets\)/);
    }
    // The session stays usable.
    assert.deepEqual((await h.ok(id, 'metadata')).columns, ['a', 'big']);
    await h.ok(id, 'undo');
    assert.deepEqual(await h.table(id), { columns: ['a', 'b'], types: ['int', 'int'], rows: [[1, 2], [3, 4]] });
  } finally {
    await h.close();
  }
});

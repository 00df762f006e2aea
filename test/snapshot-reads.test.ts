import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uploadOk } from './helpers/server.ts';
import { connect } from './helpers/client.ts';
import { readTable } from './helpers/wire.ts';

// Over the wire: a read runs on the version current when it starts, beside another
// client's change (EmbeddedQueue); a client's own edit is seen by its next read.

test("another client's read is answered while a change of the session runs; the changing client's own read waits for it", async () => {
  // A command that can only end by hitting its time limit holds the change for COMMAND_TIMEOUT_MS.
  const server = await startServer({ COMMAND_TIMEOUT_MS: 2000 });
  const a = await connect(server.url);
  const b = await connect(server.url);
  try {
    const id = await uploadOk(server.url, 'n.csv', 'n\n1\n2\n');
    const runaway = a.request('executeCommand', id, { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' });
    const ownRead = a.request('metadata', id);
    const other = await b.request('data', id, { rowIndexFrom: 0, rowIndexTo: 1, columnIndexFrom: 0, columnIndexTo: 0 });
    assert.equal(other.success, true, JSON.stringify(other));
    assert.deepEqual(JSON.parse(other.data).data, [[1], [2]]);
    assert.deepEqual(a.received('executeCommand'), [], 'the change still runs');
    assert.deepEqual(a.received('metadata'), [], "A's read waits for A's change");
    assert.equal((await runaway).error, 'command timed out');
    assert.equal((await ownRead).success, true);
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('a client that sends an edit and then a read without waiting sees its edit', async () => {
  const server = await startServer();
  const a = await connect(server.url);
  const b = await connect(server.url);
  try {
    const id = await uploadOk(server.url, 'n.csv', 'n\n1\n2\n');
    const reads = [];
    for (let k = 1; k <= 5; k++) {
      void a.request('executeCommand', id, { command: `UPDATE df SET n = ${k * 10}` });
      reads.push(a.request('data', id, { rowIndexFrom: 0, rowIndexTo: 1, columnIndexFrom: 0, columnIndexTo: 0 }));
      void b.request('metadata', id); // another client's reads in between, run beside the edits
    }
    const seen = (await Promise.all(reads)).map((r) => JSON.parse(r.data).data);
    assert.deepEqual(seen, [1, 2, 3, 4, 5].map((k) => [[k * 10], [k * 10]]));
  } finally {
    a.close();
    b.close();
    await server.close();
  }
});

test('reads beside changes that delete the versions they read (MAX_VERSIONS=1) all answer one whole version', async () => {
  const server = await startServer({ MAX_VERSIONS: 1, SOCKET_RATE_LIMIT: 0, CELL_CACHE_BYTES: 0, READ_CACHE_BYTES: 0 });
  const editor = await connect(server.url);
  const readers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => connect(server.url)));
  try {
    const n = 3000;
    const id = await uploadOk(server.url, 'n.csv', `n,m\n${Array.from({ length: n }, (_, i) => `${i},0`).join('\n')}\n`);
    let editing = true;
    const edits = (async () => {
      // Each commit drops the version before it and deletes its files (redo is never kept either).
      for (let k = 1; k <= 8; k++) {
        const res = await editor.request('executeCommand', id, { command: `UPDATE df SET m = ${k}` });
        assert.equal(res.success, true, JSON.stringify(res));
      }
      editing = false;
    })();
    let reads = 0;
    await Promise.all(
      readers.map(async (client, r) => {
        while (editing) {
          const view = r % 3 === 0 ? {} : { sortColumnIndex: 0, sortAscending: r % 3 === 1 };
          const { rows } = await readTable(client, id, view);
          assert.equal(rows.length, n);
          // One version's column: every row holds the same fill.
          assert.equal(new Set(rows.map((row) => row[1])).size, 1, 'a read mixed versions');
          reads++;
        }
      }),
    );
    await edits;
    assert.ok(reads > 0);
    assert.deepEqual((await readTable(readers[0], id)).rows[0], [0, 8]);
  } finally {
    editor.close();
    for (const c of readers) c.close();
    await server.close();
  }
});

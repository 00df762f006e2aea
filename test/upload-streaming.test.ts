import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, upload, serverWithClient } from './helpers/server.ts';
import { connect } from './helpers/client.ts';
import { readTable } from './helpers/wire.ts';
import { STREAM_HEAD_BYTES } from '../src/engine/import/index.ts';
import { Db } from '../src/engine/duck.ts';

// Large delimited-text uploads are read by DuckDB while they stream in. Whatever the part
// of the file that arrives after the read started holds, the result is the one of reading
// the whole file: these tests put the surprise past the head the read is planned on.

// Any arrival rate streams here: a loaded test machine must not change the path taken.
const { server, client } = await serverWithClient({ STREAM_IMPORT_MIN_RATE: 0, STREAM_IMPORT_MAX_RATE: 1e15 });

const ROWS = 300_000;
const day = (i: number) => `2021-03-${String(1 + (i % 28)).padStart(2, '0')}`;
const row = (i: number) => `${i},${(i * 0.25).toFixed(2)},name ${i % 1000},${i % 2 === 0 ? 'true' : 'false'},${day(i)} 10:00:00`;

/** The statements DuckDB runs while `fn` runs (the server runs in this process). */
async function statements(fn: () => Promise<void>): Promise<string[]> {
  const original = Db.prototype.run;
  const seen: string[] = [];
  Db.prototype.run = function (this: Db, sql: string) {
    seen.push(sql);
    return original.call(this, sql);
  };
  try {
    await fn();
  } finally {
    Db.prototype.run = original;
  }
  return seen;
}
const HEADER = 'id,value,label,flag,moment';

/** ~19 MB of regular lines (more than the head), with `tail` lines replacing the last ones. */
function bigCsv(tail: string[] = [], newline = '\n'): string {
  const lines = [HEADER];
  for (let i = 0; i < ROWS - tail.length; i++) lines.push(row(i));
  return [...lines, ...tail].join(newline) + newline;
}

async function leftovers(dataDir: string): Promise<string[]> {
  const incoming = await fs.readdir(path.join(dataDir, 'incoming'));
  const sessions = await fs.readdir(path.join(dataDir, 'sessions')).catch(() => []);
  return [...incoming, ...sessions.map((s) => `sessions/${s}`)];
}

/** The last `n` rows of a session, as the client sees them. */
async function lastRows(sessionID: string, rows: number, n: number): Promise<unknown[][]> {
  const res = await client.request('data', sessionID, { rowIndexFrom: rows - n, rowIndexTo: rows - 1, columnIndexFrom: 0, columnIndexTo: 4 });
  assert.equal(res.success, true, JSON.stringify(res));
  return JSON.parse(res.data).data;
}

test('a regular large file: read while it streams in, every value and type as from the whole file', async () => {
  const content = bigCsv();
  assert.ok(content.length > 1.5 * STREAM_HEAD_BYTES);
  let res = { status: 0, body: {} as Record<string, any> };
  const sql = await statements(async () => {
    res = await upload(server.url, 'big.csv', content);
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(sql.filter((s) => /read_csv\('\/proc\/self\/fd\/\d+'/.test(s)).length, 1, 'one read, from the pipe');
  assert.equal(sql.filter((s) => /read_csv\('[^']*incoming/.test(s)).length, 0, 'no read of the file on disk');
  assert.deepEqual([res.body.rows, res.body.skippedLines, res.body.paddedLines], [ROWS, 0, 0]);
  const meta = await client.request('metadata', res.body.sessionID);
  assert.deepEqual(meta.columns, HEADER.split(','));
  assert.deepEqual(meta.columns.map((c: string) => meta.columnInfo[c].dataType), ['int', 'float', 'string', 'bool', 'datetime']);
  assert.deepEqual(await lastRows(res.body.sessionID, ROWS, 1), [[ROWS - 1, (ROWS - 1) * 0.25, `name ${(ROWS - 1) % 1000}`, false, `${day(ROWS - 1)}T10:00:00.000`]]);
});

// The same server reading every large upload from the file once it is whole, its sniffing
// done on the head while the rest arrives (an upload faster than STREAM_IMPORT_MAX_RATE).
const fast = await serverWithClient({ STREAM_IMPORT_MIN_RATE: 0, STREAM_IMPORT_MAX_RATE: 1, MAX_SLICE_ROWS: ROWS });
const piped = { server, client };

for (const [mode, { server, client }] of [
  ['through the pipe', piped],
  ['from the file once whole', fast],
] as const) test(`surprises after the head, read ${mode}: a text value in a number column, yes among booleans, a short and a long line, a mixed line ending, a Latin-1 byte`, async () => {
  const lastRows = async (sessionID: string, rows: number, n: number): Promise<unknown[][]> => {
    const res = await client.request('data', sessionID, { rowIndexFrom: rows - n, rowIndexTo: rows - 1, columnIndexFrom: 0, columnIndexTo: 4 });
    assert.equal(res.success, true, JSON.stringify(res));
    return JSON.parse(res.data).data;
  };
  const cases: { name: string; content: string | Buffer; check: (body: Record<string, any>) => Promise<void> }[] = [
    {
      name: 'text in the int column',
      content: bigCsv(['oops,1.5,x,true,2021-01-01 00:00:00']),
      check: async (body) => {
        const meta = await client.request('metadata', body.sessionID);
        assert.equal(meta.columnInfo.id.dataType, 'string');
        assert.deepEqual(await lastRows(body.sessionID, ROWS, 1), [['oops', 1.5, 'x', true, '2021-01-01T00:00:00.000']]);
      },
    },
    {
      name: 'yes in the true/false column',
      content: bigCsv(['1,1.5,x,yes,2021-01-01 00:00:00']),
      check: async (body) => {
        const meta = await client.request('metadata', body.sessionID);
        assert.equal(meta.columnInfo.flag.dataType, 'string');
        assert.deepEqual(await lastRows(body.sessionID, ROWS, 2), [
          [ROWS - 2, (ROWS - 2) * 0.25, `name ${(ROWS - 2) % 1000}`, 'true', `${day(ROWS - 2)}T10:00:00.000`],
          [1, 1.5, 'x', 'yes', '2021-01-01T00:00:00.000'],
        ]);
      },
    },
    {
      name: 'a short and a long line',
      content: bigCsv(['1,2', '3,4,5,6,7,8']),
      check: async (body) => {
        assert.deepEqual([body.rows, body.skippedLines, body.paddedLines], [ROWS - 1, 1, 1]);
        assert.deepEqual(await lastRows(body.sessionID, body.rows, 1), [[1, 2, null, null, null]]);
      },
    },
    {
      name: 'a \\r line ending near the end',
      content: bigCsv([row(ROWS - 2) + '\r' + row(ROWS - 1)]),
      check: async (body) => {
        // The tail line holds two rows: the one it replaces and one more.
        assert.deepEqual([body.rows, body.skippedLines], [ROWS + 1, 0]);
        assert.deepEqual((await lastRows(body.sessionID, ROWS + 1, 3)).map((r) => r[0]), [ROWS - 2, ROWS - 2, ROWS - 1]);
      },
    },
    {
      name: 'Latin-1 near the end',
      content: Buffer.concat([Buffer.from(bigCsv().slice(0, -1)), Buffer.from('\n1,2,caf\xe9,true,2021-01-01 00:00:00\n', 'latin1')]),
      check: async (body) => {
        assert.equal(body.rows, ROWS + 1);
        assert.deepEqual(await lastRows(body.sessionID, ROWS + 1, 1), [[1, 2, 'café', true, '2021-01-01T00:00:00.000']]);
      },
    },
  ];
  for (const c of cases) {
    const res = await upload(server.url, 'late.csv', c.content);
    assert.equal(res.status, 200, `${c.name}: ${JSON.stringify(res.body)}`);
    await c.check(res.body);
  }
});

test('options sent after the file are honoured', async () => {
  const form = new FormData();
  form.append('file', new Blob([bigCsv()]), 'after.csv');
  form.append('initialSkip', '1');
  form.append('headerIncluded', 'false');
  const res = await fetch(`${server.url}/upload`, { method: 'POST', body: form });
  const body = (await res.json()) as Record<string, any>;
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.rows, ROWS);
  const t = await client.request('data', body.sessionID, { rowIndexFrom: 0, rowIndexTo: 0, columnIndexFrom: 0, columnIndexTo: 4 });
  assert.deepEqual(JSON.parse(t.data).columns, ['0', '1', '2', '3', '4']);
  assert.deepEqual(JSON.parse(t.data).data, [[0, 0, 'name 0', true, '2021-03-01T10:00:00.000']]);
});

for (const maxRate of [1e15, 1]) test(`an upload cut off by the size limit while its read ${maxRate > 1 ? 'runs' : 'waits for it'}: 413, nothing left behind, the server keeps serving`, async () => {
  const small = await startServer({ MAX_UPLOAD_BYTES: STREAM_HEAD_BYTES + 2_000_000, STREAM_IMPORT_MIN_RATE: 0, STREAM_IMPORT_MAX_RATE: maxRate });
  try {
    const res = await upload(small.url, 'cut.csv', bigCsv());
    assert.equal(res.status, 413, JSON.stringify(res.body));
    assert.deepEqual(await leftovers(small.dataDir), []);
    const ok = await upload(small.url, 'ok.csv', 'a,b\n1,2\n');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.rows, 1);
  } finally {
    await small.close();
  }
});

test('the same large file gives the same table streamed or not (small pieces compared)', async () => {
  const content = bigCsv();
  const streamed = (await upload(server.url, 'a.csv', content)).body.sessionID;
  const head = content.split('\n').slice(0, 101).join('\n') + '\n';
  const whole = await readTable(client, (await upload(server.url, 'b.csv', head)).body.sessionID);
  const res = await client.request('data', streamed, { rowIndexFrom: 0, rowIndexTo: 99, columnIndexFrom: 0, columnIndexTo: 4 });
  assert.deepEqual(JSON.parse(res.data).data, whole.rows);
});

test('booleans are only true and false in any letter case: t/f, yes/no and 1/0 stay what they are', async () => {
  const res = await upload(server.url, 'b.csv', 'a,b,c,d,e\ntrue,t,yes,1,TRUE\nFalse,f,no,0,false\n,,,,\n');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const t = await readTable(client, res.body.sessionID);
  assert.deepEqual(t.types, ['bool', 'string', 'string', 'int', 'bool']);
  assert.deepEqual(t.rows, [
    [true, 't', 'yes', 1, true],
    [false, 'f', 'no', 0, false],
    [null, null, null, null, null],
  ]);
});

/** The files sniff_csv was given while `fn` ran. */
async function sniffed(fn: () => Promise<void>): Promise<string[]> {
  const original = Db.prototype.rowsJson;
  const seen: string[] = [];
  Db.prototype.rowsJson = function (this: Db, sql: string) {
    const file = /sniff_csv\('([^']*)'/.exec(sql)?.[1];
    if (file) seen.push(file);
    return original.call(this, sql);
  };
  try {
    await fn();
  } finally {
    Db.prototype.rowsJson = original;
  }
  return seen;
}

for (const kind of ['slow', 'fast'] as const) {
  test(`a ${kind} upload is read once it has arrived, not while it streams in`, async () => {
    const slow = kind === 'slow' ? await startServer({ STREAM_IMPORT_MIN_RATE: 1e15, MAX_SLICE_ROWS: ROWS }) : null;
    const other = slow ? await connect(slow.url) : fast.client;
    const url = slow?.url ?? fast.server.url;
    try {
      let res = { status: 0, body: {} as Record<string, any> };
      let sql: string[] = [];
      const sniffs = await sniffed(async () => {
        sql = await statements(async () => {
          res = await upload(url, `${kind}.csv`, bigCsv());
        });
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.rows, ROWS);
      assert.equal(sql.filter((s) => s.includes('/proc/self/fd/')).length, 0, 'no read from a pipe');
      assert.equal(sql.filter((s) => /read_csv\('[^']*incoming/.test(s)).length, 1, 'one read of the file on disk');
      // A fast upload's types are sniffed from its head while the rest arrives; a slow one's once it is whole.
      assert.deepEqual(sniffs.map((f) => /\/head-[0-9a-f]+\.csv$/.test(f)), [kind === 'fast']);
      const ids = await other.request('data', res.body.sessionID, { rowIndexFrom: 0, rowIndexTo: ROWS - 1, columnIndexFrom: 0, columnIndexTo: 4 });
      const rows = JSON.parse(ids.data).data as unknown[][];
      assert.equal(rows.length, ROWS);
      for (let i = 0; i < ROWS; i++) {
        const expected = [i, i * 0.25, `name ${i % 1000}`, i % 2 === 0, `${day(i)}T10:00:00.000`];
        if (JSON.stringify(rows[i]) !== JSON.stringify(expected)) assert.deepEqual(rows[i], expected, `row ${i}`);
      }
    } finally {
      if (slow) {
        other.close();
        await slow.close();
      }
    }
  });
}

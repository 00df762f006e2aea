import net from 'node:net';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uploadOk, type TestServer } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';

// The Socket.IO envelope with both client generations (v4 and the 2.x the original front
// end used): malformed requests of every kind get an answer under their own event name,
// rooms share results, and the internal notification endpoint is guarded.

let server: TestServer;
let v4: WillowClient;
let v2: WillowClient;
let id: string;

const FILE = 'a,b,c\n1,x,2020-01-01\n2,y,\n3,,2020-03-01\n';
const ALL = { rowIndexFrom: 0, rowIndexTo: 2, columnIndexFrom: 0, columnIndexTo: 2 };

before(async () => {
  server = await startServer();
  v4 = await connect(server.url, 4);
  v2 = await connect(server.url, 2);
  id = await uploadOk(server.url, 'abc.csv', FILE);
});
after(async () => {
  v4.close();
  v2.close();
  await server.close();
});

const clients = () =>
  [
    ['v4', v4],
    ['v2', v2],
  ] as const;

/** The server still answers a good request on this client. */
async function stillServes(client: WillowClient): Promise<void> {
  const meta = await client.request('metadata', id);
  assert.equal(meta.success, true, JSON.stringify(meta));
  assert.deepEqual(meta.dataSize, { rows: 3, columns: 3 });
}

function assertRefused(res: Record<string, any>, operation: string, error: string | RegExp, description: RegExp): void {
  assert.equal(res.success, false, JSON.stringify(res));
  assert.equal(res.operation, operation);
  if (typeof error === 'string') assert.equal(res.error, error);
  else assert.match(res.error, error);
  assert.equal(typeof res.errorDescription, 'string');
  assert.match(res.errorDescription, description);
}

test('both clients: metadata and data with the envelope echoed', async () => {
  for (const [name, client] of clients()) {
    const meta = await client.request('metadata', id);
    assert.equal(meta.success, true, name);
    assert.equal(meta.sessionID, id);
    assert.equal(meta.operation, 'metadata');
    assert.match(meta.requestID, /^r\d+-/);
    const res = await client.request('data', id, ALL);
    assert.equal(res.success, true, name);
    assert.equal(typeof res.data, 'string');
    assert.deepEqual(JSON.parse(res.data), {
      columns: ['a', 'b', 'c'],
      index: [0, 1, 2],
      data: [
        [1, 'x', '2020-01-01T00:00:00.000'],
        [2, 'y', null],
        [3, null, '2020-03-01T00:00:00.000'],
      ],
    });
  }
});

test('malformed sessionIDs are refused before touching storage', async () => {
  const bad: unknown[] = ['../../etc/passwd'.padEnd(30, 'a'), 'ABCDEF0123456789ABCDEF01234567', id.toUpperCase(), id.slice(0, 29), id + '0', '', 12345, null, { $ne: 1 }, ['a'], id.slice(0, 29) + 'g', `${id.slice(0, 29)}\n`];
  for (const [name, client] of clients()) {
    for (const sessionID of bad) {
      const res = await client.request('metadata', sessionID as string);
      assertRefused(res, 'metadata', 'invalid sessionID', /30 lowercase hexadecimal/);
    }
    await stillServes(client);
    assert.ok(name);
  }
});

test('a requestID that is no string of at most 256 characters (or number) is refused, and not echoed', async () => {
  const c = await connect(server.url);
  try {
    const bad: unknown[] = [{ huge: 'x'.repeat(1000) }, ['a'], 'x'.repeat(5_000), true];
    for (const [k, requestID] of bad.entries()) {
      c.send('metadata', { operation: 'metadata', sessionID: id, requestID });
      const [res] = (await c.waitFor('metadata', k + 1)).slice(k);
      assert.equal(res.success, false);
      assert.equal(res.error, 'invalid request');
      assert.equal(res.requestID, null);
      assert.match(res.errorDescription, /requestID must be a string of at most 256 characters/);
    }
    // Strings within the bound and numbers are echoed as sent.
    for (const requestID of ['r'.repeat(256), 7]) {
      c.send('metadata', { operation: 'metadata', sessionID: id, requestID });
      const replies = await c.waitFor('metadata', bad.length + 1 + (requestID === 7 ? 1 : 0));
      const res = replies[replies.length - 1];
      assert.equal(res.success, true, JSON.stringify(res).slice(0, 200));
      assert.equal(res.requestID, requestID);
    }
  } finally {
    c.close();
  }
});

test('a well-formed but unknown session', async () => {
  for (const [, client] of clients()) {
    for (const op of ['metadata', 'data', 'renameColumn', 'undo']) {
      const res = await client.request(op, '0123456789abcdef0123456789abcd', { ...ALL, column: 'a', newName: 'z' });
      assertRefused(res, op, 'unknown session', /./);
    }
    await stillServes(client);
  }
});

test('out-of-range and inverted slices', async () => {
  for (const [, client] of clients()) {
    assertRefused(await client.request('data', id, { ...ALL, rowIndexFrom: 3, rowIndexTo: 10 }), 'data', 'index out of range', /rowIndexFrom 3 is out of range.*3 rows/);
    assertRefused(await client.request('data', id, { ...ALL, rowIndexFrom: 1000, rowIndexTo: 1001 }), 'data', 'index out of range', /rowIndexFrom 1000/);
    assertRefused(await client.request('data', id, { ...ALL, columnIndexFrom: 3, columnIndexTo: 5 }), 'data', 'index out of range', /columnIndexFrom 3 is out of range.*3 columns/);
    assertRefused(await client.request('data', id, { ...ALL, rowIndexFrom: 2, rowIndexTo: 1 }), 'data', 'invalid slice', /rowIndexFrom \(2\) is after rowIndexTo \(1\)/);
    assertRefused(await client.request('data', id, { ...ALL, columnIndexFrom: 2, columnIndexTo: 0 }), 'data', 'invalid slice', /columnIndexFrom/);
    assertRefused(await client.request('data', id, { ...ALL, rowIndexFrom: -1 }), 'data', 'invalid parameters', /rowIndexFrom/);
    await stillServes(client);
  }
});

test('missing parameters and wrong types name the parameter', async () => {
  for (const [, client] of clients()) {
    for (const missing of ['rowIndexFrom', 'rowIndexTo', 'columnIndexFrom', 'columnIndexTo']) {
      const params: Record<string, unknown> = { ...ALL };
      delete params[missing];
      assertRefused(await client.request('data', id, params), 'data', 'invalid parameters', new RegExp(missing));
    }
    for (const [params, name] of [
      [{ rowIndexFrom: 'abc' }, 'rowIndexFrom'],
      [{ rowIndexTo: 1.5 }, 'rowIndexTo'],
      [{ columnIndexTo: [1] }, 'columnIndexTo'],
      [{ columnIndexFrom: { x: 1 } }, 'columnIndexFrom'],
      [{ filterColumnIndices: 'x', filterType: 'invalid' }, 'filterColumnIndices'],
      [{ searchIsRegex: 'maybe', searchQuery: 'a', searchColumnIndices: [0] }, 'searchIsRegex'],
      [{ searchQuery: 5, searchColumnIndices: [0] }, 'searchQuery'],
      [{ sortAscending: 'up', sortColumnIndex: 0 }, 'sortAscending'],
      [{ filterType: 'weird', filterColumnIndices: [0] }, 'filterType'],
    ] as const) {
      assertRefused(await client.request('data', id, { ...ALL, ...params }), 'data', 'invalid parameters', new RegExp(name));
    }
    assertRefused(await client.request('renameColumn', id, { column: 'a' }), 'renameColumn', 'invalid parameters', /newName/);
    assertRefused(await client.request('renameColumn', id, { column: 'nope', newName: 'z' }), 'renameColumn', 'unknown column', /nope/);
    await stillServes(client);
  }
});

test('unknown operation names get an answer under the same name', async () => {
  for (const [, client] of clients()) {
    for (const op of ['frobnicate', 'constructor', '__proto__', 'toString', 'Metadata']) {
      assertRefused(await client.request(op, id), op, 'unknown operation', new RegExp(op.replace(/_/g, '_')));
    }
    await stillServes(client);
  }
});

test('non-object bodies: answered with the event name, never dropped', async () => {
  for (const [name, client] of clients()) {
    const before = client.received('metadata').filter((m) => m.requestID === null).length;
    const bodies: unknown[] = ['just a string', 42, [1, 2, 3], null, true, '[1]', '{"unterminated'];
    for (const body of bodies) client.send('metadata', body as Record<string, unknown>);
    const all = await client.waitFor('metadata', client.received('metadata').length + bodies.length);
    const answers = all.filter((m) => m.requestID === null).slice(before);
    assert.equal(answers.length, bodies.length, name);
    for (const res of answers) assertRefused(res, 'metadata', 'invalid request', /JSON object/);
    // An event with no body at all.
    const count = client.received('data').length;
    (client as any).send('data');
    const [res] = (await client.waitFor('data', count + 1)).slice(count);
    assertRefused(res, 'data', 'invalid request', /JSON object/);
    await stillServes(client);
  }
});

test('a body sent as a JSON string (older clients) is understood', async () => {
  for (const [, client] of clients()) {
    const requestID = `json-string-${Math.random()}`;
    client.send('metadata', JSON.stringify({ operation: 'metadata', sessionID: id, requestID }) as unknown as Record<string, unknown>);
    const all = await client.waitFor('metadata', 1);
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('no answer')), 10_000);
      const check = () => {
        if (client.received('metadata').some((m) => m.requestID === requestID)) {
          clearTimeout(deadline);
          resolve();
        } else setTimeout(check, 20);
      };
      check();
    });
    const res = client.received('metadata').find((m) => m.requestID === requestID)!;
    assert.equal(res.success, true);
    assert.deepEqual(res.dataSize, { rows: 3, columns: 3 });
    assert.ok(all.length > 0);
  }
});

test('numeric strings from legacy clients are accepted', async () => {
  const res = await v2.request('data', id, { rowIndexFrom: '1', rowIndexTo: '1', columnIndexFrom: '0', columnIndexTo: '1' });
  assert.equal(res.success, true, JSON.stringify(res));
  assert.deepEqual(JSON.parse(res.data), { columns: ['a', 'b'], index: [1], data: [[2, 'y']] });
});

test('clients in the same session room see each other’s results and dataChanged', async () => {
  const own = await uploadOk(server.url, 'room.csv', 'a,b\n1,2\n');
  const other = await uploadOk(server.url, 'other.csv', 'q\n1\n');
  const a = await connect(server.url, 4);
  const b = await connect(server.url, 2);
  const outsider = await connect(server.url, 4);
  try {
    // Any request joins the socket to the room of its session.
    assert.equal((await a.request('metadata', own)).success, true);
    assert.equal((await b.request('metadata', own)).success, true);
    assert.equal((await outsider.request('metadata', other)).success, true);

    const fromA = await a.request('data', own, { rowIndexFrom: 0, rowIndexTo: 0, columnIndexFrom: 0, columnIndexTo: 1 });
    const seenByB = (await b.waitFor('data', 1)).find((m) => m.requestID === fromA.requestID);
    assert.deepEqual(seenByB, fromA);

    const fromB = await b.request('metadata', own);
    await a.waitFor('metadata', 2);
    assert.deepEqual(
      a.received('metadata').find((m) => m.requestID === fromB.requestID),
      fromB,
    );

    // A change: both get the result, then dataChanged naming the request.
    const renamed = await a.request('renameColumn', own, { column: 'a', newName: 'alpha' });
    assert.equal(renamed.success, true, JSON.stringify(renamed));
    for (const c of [a, b]) {
      const [changed] = await c.waitFor('dataChanged', 1);
      assert.deepEqual(changed, { sessionID: own, requestID: renamed.requestID });
      assert.ok(c.received('renameColumn').some((m) => m.requestID === renamed.requestID));
    }
    assert.deepEqual((await b.request('metadata', own)).columns, ['alpha', 'b']);

    // Errors are shared too (the room sees what happened to its session).
    const failed = await b.request('renameColumn', own, { column: 'zzz', newName: 'y' });
    assert.equal(failed.success, false);
    await a.waitFor('renameColumn', 2);

    // The client of another session heard nothing of this one.
    await outsider.request('metadata', other);
    assert.equal(outsider.received('data').length, 0);
    assert.equal(outsider.received('renameColumn').length, 0);
    assert.equal(outsider.received('dataChanged').length, 0);
    assert.ok(outsider.received('metadata').every((m) => m.sessionID === other));
  } finally {
    a.close();
    b.close();
    outsider.close();
  }
});

test('requests on one session run in order', async () => {
  const own = await uploadOk(server.url, 'order.csv', 'a\n1\n');
  const c = await connect(server.url, 4);
  try {
    const names = ['b', 'c', 'd', 'e'];
    const pending = names.map((n, i) => c.request('renameColumn', own, { column: i === 0 ? 'a' : names[i - 1], newName: n }));
    const results = await Promise.all(pending);
    assert.ok(results.every((r) => r.success), JSON.stringify(results));
    assert.deepEqual((await c.request('metadata', own)).columns, ['e']);
  } finally {
    c.close();
  }
});

test('slices over MAX_SLICE_ROWS are refused', async () => {
  const small = await startServer({ MAX_SLICE_ROWS: 10 });
  try {
    const lines = ['n', ...Array.from({ length: 30 }, (_, i) => String(i))].join('\n') + '\n';
    const sid = await uploadOk(small.url, 'n.csv', lines);
    for (const version of [4, 2] as const) {
      const c = await connect(small.url, version);
      try {
        const ok = await c.request('data', sid, { rowIndexFrom: 5, rowIndexTo: 14, columnIndexFrom: 0, columnIndexTo: 0 });
        assert.equal(ok.success, true);
        assert.deepEqual(JSON.parse(ok.data).index, [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
        assertRefused(await c.request('data', sid, { rowIndexFrom: 5, rowIndexTo: 15, columnIndexFrom: 0, columnIndexTo: 0 }), 'data', 'slice too large', /11 rows requested; at most 10/);
        assertRefused(await c.request('data', sid, { rowIndexFrom: 0, rowIndexTo: 1e9, columnIndexFrom: 0, columnIndexTo: 0 }), 'data', 'slice too large', /30 rows requested; at most 10/);
        // Rows past the end are not read: the last rows answer however far the range goes.
        const tail = await c.request('data', sid, { rowIndexFrom: 25, rowIndexTo: 1e9, columnIndexFrom: 0, columnIndexTo: 0 });
        assert.deepEqual(JSON.parse(tail.data).index, [25, 26, 27, 28, 29]);
        const sorted = await c.request('data', sid, { rowIndexFrom: 22, rowIndexTo: 1e9, columnIndexFrom: 0, columnIndexTo: 0, sortColumnIndex: 0, sortAscending: false });
        assert.deepEqual(JSON.parse(sorted.data).index, [7, 6, 5, 4, 3, 2, 1, 0]);
        assert.equal((await c.request('metadata', sid)).success, true);
      } finally {
        c.close();
      }
    }
  } finally {
    await small.close();
  }
});

test('POST /celeryTaskCompleted: refused without the secret, relayed to the room with it', async () => {
  const own = await uploadOk(server.url, 'notify.csv', 'a\n1\n');
  const other = await uploadOk(server.url, 'notify2.csv', 'a\n1\n');
  const a = await connect(server.url, 4);
  const b = await connect(server.url, 2);
  const outsider = await connect(server.url, 4);
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/celeryTaskCompleted`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  try {
    await a.request('metadata', own);
    await b.request('metadata', own);
    await outsider.request('metadata', other);
    const message = { operation: 'normalize', sessionID: own, requestID: 'celery-1', success: true, changed: true, extra: { n: 1 } };

    const refused: Record<string, string>[] = [{}, { 'x-willow-secret': 'wrong' }, { authorization: 'Bearer wrong' }, { authorization: server.gateway.secret }, { authorization: `Basic ${server.gateway.secret}` }, { 'x-willow-secret': '' }];
    for (const headers of refused) {
      const res = await post(message, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      const body = (await res.json()) as Record<string, any>;
      assert.equal(body.success, false);
      assert.equal(body.error, 'unauthorized');
    }
    assert.equal(a.received('normalize').length, 0, 'nothing forged reached the clients');
    // The secret comes before the body: no parse (and no parser's 400 or 415) for an outsider.
    for (const [type, body] of [['application/json', '{not json'], ['text/plain', 'hello'], ['application/x-www-form-urlencoded', 'a=1']]) {
      const res = await fetch(`${server.url}/celeryTaskCompleted`, { method: 'POST', headers: { 'content-type': type }, body });
      assert.equal(res.status, 401, type);
      assert.equal(((await res.json()) as Record<string, unknown>).error, 'unauthorized');
    }

    const ok = await post(message, { 'x-willow-secret': server.gateway.secret });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { success: true });
    for (const c of [a, b]) {
      const [relayed] = await c.waitFor('normalize', 1);
      assert.deepEqual(relayed, message, 'the body as is, under its operation name');
      const [changed] = await c.waitFor('dataChanged', 1);
      assert.deepEqual(changed, { sessionID: own, requestID: 'celery-1' });
    }

    // Bearer works too; no dataChanged without `changed`.
    const quiet = { operation: 'analyze', sessionID: own, requestID: 'celery-2', success: true, data: { mean: 1 } };
    const bearer = await post(quiet, { authorization: `Bearer ${server.gateway.secret}` });
    assert.equal(bearer.status, 200);
    const [relayed] = await b.waitFor('analyze', 1);
    assert.deepEqual(relayed, quiet);
    await a.waitFor('analyze', 1);
    await a.request('metadata', own); // anything sent after would have arrived by now
    assert.equal(a.received('dataChanged').length, 1);
    assert.equal(b.received('dataChanged').length, 1);

    // A body that is not a notification.
    for (const body of [{ operation: 'x', sessionID: '../etc' }, { sessionID: own }, [1], 'text']) {
      const res = await post(body, { 'x-willow-secret': server.gateway.secret });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as Record<string, any>).success, false);
    }
    // With the secret, a body Fastify refuses before the route is answered in the server's shape.
    const secret = { 'x-willow-secret': server.gateway.secret };
    const refusals: [Record<string, string>, string | Buffer, number, string][] = [
      [{ 'content-type': 'application/json' }, '{not json', 400, 'invalid body'],
      [{ 'content-type': 'application/json' }, '', 400, 'invalid body'],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 'a=1', 415, 'unsupported media type'],
      [{ 'content-type': 'application/json' }, Buffer.alloc(10 * 1024 * 1024 + 10, 32), 413, 'body too large'],
    ];
    for (const [headers, body, status, error] of refusals) {
      const res = await fetch(`${server.url}/celeryTaskCompleted`, { method: 'POST', headers: { ...headers, ...secret }, body });
      assert.equal(res.status, status, error);
      const answer = (await res.json()) as Record<string, unknown>;
      assert.equal(answer.success, false);
      assert.equal(answer.error, error);
      assert.equal(typeof answer.errorDescription, 'string');
      assert.ok(!('statusCode' in answer), 'not Fastify\'s own body');
    }
    // A URL the router cannot decode, and a request Node's parser refuses (a body longer
    // than its Content-Length), get the same shape.
    const badUrl = await fetch(`${server.url}/%`);
    assert.equal(badUrl.status, 400);
    assert.deepEqual(Object.keys((await badUrl.json()) as object).sort(), ['error', 'errorDescription', 'success']);
    const raw = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(server.url);
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('POST /celeryTaskCompleted HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"a":1}GARBAGE\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const answers = raw.split('HTTP/1.1 ').filter(Boolean);
    const last = answers[answers.length - 1];
    assert.match(last, /^400 /, raw);
    assert.deepEqual(JSON.parse(last.slice(last.indexOf('\r\n\r\n') + 4)).error, 'bad request');
    // Trailing slash.
    const slash = await fetch(`${server.url}/celeryTaskCompleted/`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-willow-secret': server.gateway.secret }, body: JSON.stringify({ ...quiet, requestID: 'celery-3' }) });
    assert.equal(slash.status, 200);
    await a.waitFor('analyze', 2);

    assert.equal(outsider.received('normalize').length, 0);
    assert.equal(outsider.received('analyze').length, 0);
    assert.equal(outsider.received('dataChanged').length, 0);
  } finally {
    a.close();
    b.close();
    outsider.close();
  }
});

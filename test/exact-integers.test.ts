import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uploadOk, type TestServer } from './helpers/server.ts';
import { eventBody, legacyPollingRequest, rawSocket } from './helpers/raw-socket.ts';

// Integers beyond 2^53 (int64 ids) travel exactly in every reply, as Python's json writes a
// Python int: the digits themselves. A JSON.parse'd reply would round them again, so these
// tests read the text of the packets (numbers kept as their source text).

let server: TestServer;
let id: string;

// ids: two copies of 123456789012345678 (the mode), int64's extremes, 2^53 + 1.
const CSV = 'id,n\n9007199254740993,1\n123456789012345678,2\n-9223372036854775808,3\n123456789012345678,4\n9223372036854775807,5\n';

before(async () => {
  server = await startServer();
  id = await uploadOk(server.url, 'ids.csv', CSV);
});
after(async () => {
  await server.close();
});

/** analyze's figures of the id column, as the reply's text has them. */
function assertExactIdStats(data: Record<string, unknown>): void {
  assert.equal(data.min, '-9223372036854775808');
  assert.equal(data.max, '9223372036854775807');
  assert.equal(data.range, '18446744073709551615');
  assert.deepEqual(data.mode, ['123456789012345678']);
  assert.equal(data.mode_frequency, '2');
  assert.deepEqual(data.frequencies, [
    ['123456789012345678', '2'],
    ['-9223372036854775808', '1'],
    ['9007199254740993', '1'],
    ['9223372036854775807', '1'],
  ]);
  // Quartiles at positions 1, 2, 3 of the five sorted values: values of the column, exactly.
  assert.equal(data['25%'], '9007199254740993');
  assert.equal(data['50%'], '123456789012345678');
  assert.equal(data['75%'], '123456789012345678');
}

test('analyze of an int64 column over a WebSocket (protocol 4): exact min, max, range, mode, frequencies, quartiles', async () => {
  const socket = await rawSocket(server.url, 4);
  try {
    const text = await socket.request('analyze', id, { column: 'id' });
    const { event, body } = eventBody(text);
    assert.equal(event, 'analyze');
    assert.equal(body.success, true, text);
    assertExactIdStats(body.data);
    assert.match(text, /"min":-9223372036854775808,/);
    assert.match(text, /"frequencies":\[\[123456789012345678,2\],\[-9223372036854775808,1\],\[9007199254740993,1\],\[9223372036854775807,1\]\]/);
  } finally {
    socket.close();
  }
});

test('analyze of an int64 column for Engine.IO 3 clients: over a WebSocket (socket.io-client 2.x) and binary long-polling (1.3)', async () => {
  const socket = await rawSocket(server.url, 3);
  try {
    const { body } = eventBody(await socket.request('analyze', id, { column: 'id' }));
    assert.equal(body.success, true);
    assertExactIdStats(body.data);
  } finally {
    socket.close();
  }
  const { body } = eventBody(await legacyPollingRequest(server.url, 'analyze', id, { column: 'id' }));
  assert.equal(body.success, true);
  assertExactIdStats(body.data);
});

test('analyze of a column within ±2^53 answers ordinary numbers, as before', async () => {
  const socket = await rawSocket(server.url, 4);
  try {
    const text = await socket.request('analyze', id, { column: 'n' });
    const { body } = eventBody(text);
    assert.equal(body.data.min, '1');
    assert.equal(body.data.max, '5');
    assert.equal(body.data.range, '4');
    assert.equal(body.data.mean, '3');
    assert.equal(body.data['25%'], '2');
  } finally {
    socket.close();
  }
});

test('POST /celeryTaskCompleted relays an outside worker\'s integers beyond 2^53 as they were written', async () => {
  const socket = await rawSocket(server.url, 4);
  try {
    await socket.request('metadata', id); // joins the session's room
    const body = `{"operation":"analyze","sessionID":"${id}","requestID":"outside-exact","success":true,"data":{"min":-9223372036854775808,"max":123456789012345678,"mode":[9007199254740993],"mean":1.5,"n":[1,2.5e300]}}`;
    const res = await fetch(`${server.url}/celeryTaskCompleted`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-willow-secret': server.gateway.secret }, body });
    assert.equal(res.status, 200);
    const relayed = await socket.waitFor((f) => f.includes('"outside-exact"'));
    assert.ok(relayed.startsWith('42["analyze",{'), relayed);
    assert.ok(relayed.includes('"data":{"min":-9223372036854775808,"max":123456789012345678,"mode":[9007199254740993],"mean":1.5,"n":[1,2.5e+300]}'), relayed);
    // A body Fastify's parser refuses is refused as before.
    const poisoned = await fetch(`${server.url}/celeryTaskCompleted`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-willow-secret': server.gateway.secret }, body: `{"operation":"x","sessionID":"${id}","__proto__":{"polluted":1}}` });
    assert.equal(poisoned.status, 400);
  } finally {
    socket.close();
  }
});

test('requests: an integer a JSON number does not carry exactly is refused naming it; digits a double holds, and text, are exact', async () => {
  for (const eio of [4, 3] as const) {
    const sock = await rawSocket(server.url, eio);
    try {
      const own = await uploadOk(server.url, 'n.csv', 'n\n9007199254740992\n9007199254740993\n');
      // The packet's text as a client writes it: the literal 9007199254740993, which JSON.parse makes ...992.
      const send = (params: string, requestID: string) => sock.send(`42["findReplace",{"operation":"findReplace","sessionID":"${own}","requestID":"${requestID}","columnIndex":0,${params}}]`);
      const answer = async (requestID: string) => eventBody(await sock.waitFor((f) => f.includes(`"requestID":"${requestID}"`) && f.startsWith('42["findReplace"'))).body;
      send('"toReplace":[9007199254740993],"replaceWith":[1]', `r${eio}a`);
      const refused = await answer(`r${eio}a`);
      assert.equal(refused.success, false);
      assert.equal(refused.error, 'invalid parameters');
      assert.match(refused.errorDescription, /^toReplace\[0\]: 9007199254740993 is an integer beyond ±2\^53 .*9007199254740992.*"9007199254740993"/);
      // A float spelling of that whole number: refused alike (it was stored as ...992, trial).
      sock.send(`42["newCellValue",{"operation":"newCellValue","sessionID":"${own}","requestID":"r${eio}f","columnIndex":0,"rowIndex":0,"newValue":9.007199254740993e15}]`);
      const spelled = eventBody(await sock.waitFor((f) => f.includes(`"requestID":"r${eio}f"`))).body;
      assert.equal(spelled.error, 'invalid parameters');
      assert.match(spelled.errorDescription, /^newValue: 9\.007199254740993e15 is an integer beyond/);
      // Nested (a recipe's step), and in a body sent as a JSON string, the same.
      sock.send(`42["applyOperations",{"operation":"applyOperations","sessionID":"${own}","requestID":"r${eio}b","operations":[{"operation":"fillWithCustomValue","parameters":{"columnIndex":0,"newValue":-9223372036854775807}}]}]`);
      const nested = eventBody(await sock.waitFor((f) => f.includes(`"requestID":"r${eio}b"`))).body;
      assert.equal(nested.error, 'invalid parameters');
      assert.match(nested.errorDescription, /^operations\[0\]\.parameters\.newValue: -9223372036854775807 /);
      sock.send(`42["findReplace",${JSON.stringify(`{"operation":"findReplace","sessionID":"${own}","requestID":"r${eio}c","columnIndex":0,"toReplace":[9007199254740993],"replaceWith":[1]}`)}]`);
      assert.equal(eventBody(await sock.waitFor((f) => f.includes(`r${eio}c`))).body.error, 'invalid parameters');
      // A literal a double holds (2^53), and text, are exact: only that integer is replaced.
      send('"toReplace":[9007199254740992,"9007199254740993"],"replaceWith":["7",9007199254740994]', `r${eio}d`);
      const done = await answer(`r${eio}d`);
      assert.equal(done.success, true, JSON.stringify(done));
      assert.equal(done.changed, true);
      const data = eventBody(await sock.request('data', own, { rowIndexFrom: 0, rowIndexTo: 1, columnIndexFrom: 0, columnIndexTo: 0 })).body;
      assert.match(data.data, /\[\[7\],\[9007199254740994\]\]/);
    } finally {
      sock.close();
    }
  }
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { startServer, uploadOk } from './helpers/server.ts';
import { rawSocket } from './helpers/raw-socket.ts';

// A packet that is no Socket.IO event (`42[]`: an event without a name, `42{}`, `42[`,
// `42["connect"]` …) made socket.io's parser throw, and socket.io closed the connection
// without a word. It is answered instead, on the connection that sent it and under the
// event `error` (the packet has no name of its own to answer under), and the connection goes
// on: the next request is answered as usual. Other connections never notice.

const server = await startServer();
after(() => server.close());
const id = await uploadOk(server.url, 'd.csv', 'a,b\n1,x\n2,y\n');

const MALFORMED = ['42[]', '42{}', '42"metadata"', '42[', '42[null,{}]', '42[{"operation":"metadata"}]', '42["connect",{}]', '42["disconnect"]', '42[true]', '49', '4x'];

for (const eio of [3, 4] as const) {
  test(`Engine.IO ${eio}: a malformed event packet is answered "invalid request" naming the problem, and the connection stays`, async () => {
    const bystander = await rawSocket(server.url, eio);
    const sock = await rawSocket(server.url, eio);
    try {
      for (const packet of MALFORMED) {
        // The description quotes the message as sent (JSON-quoted).
        const quoted = `the message ${JSON.stringify(packet)} `;
        sock.send(packet);
        const frame = await sock.waitFor((f) => f.startsWith('42["error",') && String(JSON.parse(f.slice(2))[1].errorDescription).startsWith(quoted), 10_000);
        const [, body] = JSON.parse(frame.slice(2)) as [string, Record<string, unknown>];
        assert.equal(body.success, false, packet);
        assert.equal(body.error, 'invalid request', packet);
        assert.match(String(body.errorDescription), /not a Socket\.IO event|event name/, packet);
        assert.ok(sock.open(), `${packet}: the connection was closed`);
        // The same connection is still served.
        const reply = JSON.parse((await sock.request('metadata', id)).slice(2))[1];
        assert.equal(reply.success, true, packet);
      }
      const other = JSON.parse((await bystander.request('metadata', id)).slice(2))[1];
      assert.equal(other.success, true);
    } finally {
      sock.close();
      bystander.close();
    }
  });
}

test('an event packet without a payload (`42`) is answered under error, not under a name it has not (null)', async () => {
  for (const eio of [3, 4] as const) {
    const sock = await rawSocket(server.url, eio);
    try {
      sock.send('42');
      const frame = await sock.waitFor((f) => f.startsWith('42["error",') && f.includes('without a name'), 10_000);
      const [, body] = JSON.parse(frame.slice(2)) as [string, Record<string, unknown>];
      assert.equal(body.error, 'invalid request');
      assert.ok(sock.open());
      const reply = JSON.parse((await sock.request('metadata', id)).slice(2))[1];
      assert.equal(reply.success, true);
    } finally {
      sock.close();
    }
  }
});

test('a binary event whose attachment never comes is answered as such, and the next request is answered as usual', async () => {
  const sock = await rawSocket(server.url, 4);
  try {
    sock.send('451-["metadata",{"_placeholder":true,"num":0}]');
    sock.send(`42["metadata",{"operation":"metadata","sessionID":"${id}","requestID":"after"}]`);
    const reply = JSON.parse((await sock.waitFor((f) => f.includes('"requestID":"after"'), 10_000)).slice(2)) as [string, Record<string, unknown>];
    assert.equal(reply[0], 'metadata');
    assert.equal(reply[1].success, true, JSON.stringify(reply[1]).slice(0, 200));
    const refusal = JSON.parse((await sock.waitFor((f) => f.startsWith('42["error",') && f.includes('binary attachments'), 10_000)).slice(2))[1];
    assert.equal(refusal.error, 'invalid request');
    assert.match(String(refusal.errorDescription), /451-\[\\"metadata\\",…\].*announced binary attachments that did not come/);
    assert.ok(sock.open());
  } finally {
    sock.close();
  }
});

test('an event named by a number is answered under that number, "unknown operation"', async () => {
  const sock = await rawSocket(server.url, 4);
  try {
    sock.send(`42[7,{"sessionID":"${id}","requestID":"n1"}]`);
    const frame = await sock.waitFor((f) => f.includes('"requestID":"n1"'), 10_000);
    const [event, body] = JSON.parse(frame.slice(2)) as [unknown, Record<string, unknown>];
    assert.equal(event, 7);
    assert.equal(body.success, false);
    assert.equal(body.error, 'unknown operation');
    assert.ok(sock.open());
  } finally {
    sock.close();
  }
});

test('socket.io-client 4 gets the answer as an "error" event and stays connected', async () => {
  const client = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    await new Promise<void>((resolve) => client.on('connect', () => resolve()));
    const errors: Record<string, unknown>[] = [];
    client.on('error', (body: Record<string, unknown>) => errors.push(body));
    // A client cannot emit an event without a name: the packet goes out by hand on its engine.
    (client.io.engine as unknown as { write(data: string): void }).write('2[]');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no error event')), 10_000);
      const check = () => (errors.length ? (clearTimeout(timer), resolve()) : setTimeout(check, 5));
      check();
    });
    assert.equal(errors[0].error, 'invalid request');
    const reply = await new Promise<Record<string, unknown>>((resolve) => {
      client.once('metadata', resolve);
      client.emit('metadata', { operation: 'metadata', sessionID: id, requestID: 'after' });
    });
    assert.equal(reply.success, true);
    assert.equal(client.connected, true);
  } finally {
    client.close();
  }
});

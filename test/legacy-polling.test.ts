import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, uploadOk, type TestServer } from './helpers/server.ts';

// Engine.IO protocol 3 long-polling byte for byte, with plain HTTP requests. A client that
// accepts binary (no b64=1: socket.io-client 1.x in a browser with XHR2) gets the binary
// payload encoding engine.io 1.x used, as application/octet-stream; a b64=1 client keeps the
// text encoding `<length>:<packet>`. See src/gateway/legacy-polling.ts.

let server: TestServer;
let id: string;

before(async () => {
  server = await startServer();
  id = await uploadOk(server.url, 'd.csv', 'a,b\n1,x\n2,y\n');
});
after(async () => {
  await server.close();
});

interface Answer {
  status: number;
  contentType: string | null;
  bytes: Buffer;
}

async function get(query: string): Promise<Answer> {
  const res = await fetch(`${server.url}/socket.io/?${query}`);
  return { status: res.status, contentType: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

async function post(query: string, body: Buffer | string, contentType: string): Promise<Answer> {
  const res = await fetch(`${server.url}/socket.io/?${query}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': contentType } });
  return { status: res.status, contentType: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Protocol 3 binary framing of one packet: 0 (string) or 1 (binary), length digits as bytes 0–9, 255, the bytes. */
function frame(packet: string | Buffer): Buffer {
  const bytes = typeof packet === 'string' ? Buffer.from(packet, 'utf8') : packet;
  const digits = [...String(bytes.length)].map(Number);
  return Buffer.concat([Buffer.from([typeof packet === 'string' ? 0 : 1, ...digits, 255]), bytes]);
}

/** The packets of a binary payload, read independently of engine.io's parser. */
function unframe(payload: Buffer): (string | Buffer)[] {
  const packets: (string | Buffer)[] = [];
  let at = 0;
  while (at < payload.length) {
    const kind = payload[at];
    assert.ok(kind === 0 || kind === 1, `packet type byte ${kind} at ${at}`);
    let digits = '';
    let i = at + 1;
    for (; payload[i] !== 255; i++) {
      assert.ok(payload[i] <= 9, `length byte ${payload[i]} at ${i} is not a digit 0-9`);
      digits += String(payload[i]);
    }
    const length = Number(digits);
    const bytes = payload.subarray(i + 1, i + 1 + length);
    assert.equal(bytes.length, length, 'payload shorter than its length header');
    packets.push(kind === 0 ? bytes.toString('utf8') : Buffer.from(bytes));
    at = i + 1 + length;
  }
  return packets;
}

/** Handshake of a protocol 3 client; resolves with the sid and the open packet's fields. */
async function handshake(extra = ''): Promise<{ sid: string; answer: Answer }> {
  const answer = await get(`EIO=3&transport=polling${extra}`);
  assert.equal(answer.status, 200);
  const text = answer.bytes.toString('utf8');
  const sid = /"sid":"([^"]+)"/.exec(text)?.[1];
  assert.ok(sid, text);
  return { sid, answer };
}

/** Poll until a packet satisfying `want` arrives; every answer must be binary-encoded. */
async function pollFor(sid: string, want: (packet: string | Buffer) => boolean): Promise<string | Buffer> {
  for (let n = 0; n < 20; n++) {
    const answer = await get(`EIO=3&transport=polling&sid=${sid}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.contentType, 'application/octet-stream');
    const found = unframe(answer.bytes).find(want);
    if (found !== undefined) return found;
  }
  throw new Error('the packet never came');
}

test('EIO3 without b64: the handshake and the next poll are binary-encoded, byte for byte', async () => {
  const { sid, answer } = await handshake();
  assert.equal(answer.contentType, 'application/octet-stream');
  const [open, ...rest] = unframe(answer.bytes);
  assert.deepEqual(rest, []);
  assert.equal(typeof open, 'string');
  assert.equal((open as string)[0], '0', 'an open packet');
  const handshakeData = JSON.parse((open as string).slice(1));
  assert.equal(handshakeData.sid, sid);
  assert.deepEqual(handshakeData.upgrades, ['websocket']);
  assert.equal(typeof handshakeData.pingInterval, 'number');
  assert.equal(typeof handshakeData.pingTimeout, 'number');
  assert.deepEqual(answer.bytes, frame(open as string));
  // The length is written as one byte per decimal digit, e.g. 0 1 1 9 255 for 119 bytes.
  assert.deepEqual([...answer.bytes.subarray(0, 5)], [0, ...[...String(Buffer.byteLength(open as string))].map(Number), 255].slice(0, 5));

  // Socket.IO connects protocol 3 clients to "/" by itself: the packet "40".
  const next = await get(`EIO=3&transport=polling&sid=${sid}`);
  assert.equal(next.contentType, 'application/octet-stream');
  assert.deepEqual([...next.bytes], [0, 2, 255, 0x34, 0x30]);
});

test('EIO3 with b64=1 and EIO4 keep the text encoding', async () => {
  const { sid, answer } = await handshake('&b64=1');
  assert.equal(answer.contentType, 'text/plain; charset=UTF-8');
  const text = answer.bytes.toString('utf8');
  const m = /^(\d+):(0\{.*\})$/.exec(text);
  assert.ok(m, text);
  assert.equal(Number(m[1]), m[2].length);
  const next = await get(`EIO=3&transport=polling&b64=1&sid=${sid}`);
  assert.equal(next.contentType, 'text/plain; charset=UTF-8');
  assert.equal(next.bytes.toString('utf8'), '2:40');

  const v4 = await get('EIO=4&transport=polling');
  assert.equal(v4.contentType, 'text/plain; charset=UTF-8');
  assert.match(v4.bytes.toString('utf8'), /^0\{"sid":/);
});

test('EIO3 binary-encoded POST: a ping gets its pong, exact bytes', async () => {
  const { sid } = await handshake();
  await pollFor(sid, (p) => p === '40');
  const sent = await post(`EIO=3&transport=polling&sid=${sid}`, frame('2'), 'application/octet-stream');
  assert.equal(sent.status, 200);
  assert.equal(sent.bytes.toString(), 'ok');
  const pong = await get(`EIO=3&transport=polling&sid=${sid}`);
  assert.equal(pong.contentType, 'application/octet-stream');
  assert.deepEqual([...pong.bytes], [0, 1, 255, 0x33]);
});

test('EIO3 events both ways: a binary-encoded request with non-ASCII text, and its answer framed by UTF-8 byte length', async () => {
  const { sid } = await handshake();
  await pollFor(sid, (p) => p === '40');
  const requestID = 'é✓ 😀 ß';
  const event = `42${JSON.stringify(['metadata', { operation: 'metadata', sessionID: id, requestID }])}`;
  const sent = await post(`EIO=3&transport=polling&sid=${sid}`, frame(event), 'application/octet-stream');
  assert.equal(sent.status, 200);
  let raw: Buffer = Buffer.alloc(0);
  for (let n = 0; n < 20 && !raw.includes(Buffer.from(requestID)); n++) raw = (await get(`EIO=3&transport=polling&sid=${sid}`)).bytes;
  const packets = unframe(raw);
  assert.deepEqual(raw, Buffer.concat(packets.map(frame)), 'every packet framed by its UTF-8 byte length');
  const reply = packets.find((p) => typeof p === 'string' && p.startsWith('42["metadata"')) as string;
  assert.ok(reply, JSON.stringify(packets));
  const [name, body] = JSON.parse(reply.slice(2));
  assert.equal(name, 'metadata');
  assert.equal(body.requestID, requestID);
  assert.equal(body.success, true);
  assert.deepEqual(body.dataSize, { rows: 2, columns: 2 });
});

test('EIO3 POST of a binary packet (a Socket.IO binary event with an attachment) is decoded', async () => {
  const { sid } = await handshake();
  await pollFor(sid, (p) => p === '40');
  const event = `451-${JSON.stringify(['metadata', { operation: 'metadata', sessionID: id, requestID: 'with-attachment', blob: { _placeholder: true, num: 0 } }])}`;
  const attachment = Buffer.from([4, 1, 2, 3]); // message packet type 4, then the data
  const sent = await post(`EIO=3&transport=polling&sid=${sid}`, Buffer.concat([frame(event), frame(attachment)]), 'application/octet-stream');
  assert.equal(sent.status, 200);
  const reply = (await pollFor(sid, (p) => typeof p === 'string' && p.includes('with-attachment'))) as string;
  const [, body] = JSON.parse(reply.slice(2));
  // The attachment reached the request decoded, as a binary value at `blob`: requests are
  // plain JSON data, so it is refused by name (a text POST could not have carried it).
  assert.equal(body.success, false, reply);
  assert.match(body.errorDescription, /^blob: binary or other non-JSON values are not accepted/);
});

test('EIO3 text POST from a b64 client still works', async () => {
  const { sid } = await handshake('&b64=1');
  const event = `42${JSON.stringify(['metadata', { operation: 'metadata', sessionID: id, requestID: 'text-ü' }])}`;
  const sent = await post(`EIO=3&transport=polling&b64=1&sid=${sid}`, `${event.length}:${event}`, 'text/plain;charset=UTF-8');
  assert.equal(sent.status, 200);
  let text = '';
  for (let n = 0; n < 20 && !text.includes('text-ü'); n++) text = (await get(`EIO=3&transport=polling&b64=1&sid=${sid}`)).bytes.toString('utf8');
  assert.match(text, /\d+:42\["metadata",\{.*"requestID":"text-ü".*"success":true/);
});

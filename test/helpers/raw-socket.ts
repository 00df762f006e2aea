// Socket.IO by hand, for tests that must see the text a reply travels as (a client's
// JSON.parse rounds every integer beyond 2^53, so a parsed reply cannot tell an exact
// integer from a rounded one).

let counter = 0;

/** The number literals of a JSON text kept as their source text (`"min": 12345678901234567890` → "12345678901234567890"). */
export function parseKeepingNumberText(text: string): any {
  return JSON.parse(text, (_key, value, context?: { source?: string }) => (typeof value === 'number' ? context!.source : value));
}

/** The body of a Socket.IO event packet's text (`42["analyze",{…}]`), its numbers as their source text. */
export function eventBody(packet: string): { event: string; body: any } {
  const at = packet.indexOf('[');
  const [event, body] = parseKeepingNumberText(packet.slice(at));
  return { event, body };
}

export interface RawSocket {
  /** Send a request; resolves with the text of the packet answering it (`42["op",{…}]`). */
  request(operation: string, sessionID: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<string>;
  /** Resolves with the first frame received (before or after the call) that `check` accepts. */
  waitFor(check: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Send a frame as it is (a Socket.IO packet's text: `42[…]`). */
  send(frame: string): void;
  /** Whether the server has not closed the WebSocket. */
  open(): boolean;
  close(): void;
}

/**
 * A Socket.IO client over a WebSocket of Engine.IO protocol 4 (socket.io-client 3+) or 3
 * (socket.io-client 1.x/2.x): the text frames themselves, never parsed by a Socket.IO client.
 */
export async function rawSocket(url: string, eio: 3 | 4 = 4): Promise<RawSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=${eio}&transport=websocket`);
  const frames: string[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener('message', (e) => {
    const text = String(e.data);
    if (text === '2') ws.send('3'); // protocol 4: the server pings
    frames.push(text);
    for (const w of waiters.splice(0)) w();
  });
  const until = (check: () => string | undefined, timeoutMs: number, what: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; frames: ${frames.join(' | ').slice(0, 2000)}`)), timeoutMs);
      const test = () => {
        const found = check();
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(test);
      };
      test();
    });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`could not open ${ws.url}`)), { once: true });
  });
  // Protocol 4 clients connect to the namespace themselves; protocol 3 ones are connected to "/".
  if (eio === 4) ws.send('40');
  await until(() => frames.find((f) => f.startsWith('40')), 10_000, 'the namespace connection');
  return {
    async request(operation, sessionID, params = {}, timeoutMs = 30_000) {
      const requestID = `raw${++counter}`;
      ws.send(`42${JSON.stringify([operation, { operation, sessionID, requestID, ...params }])}`);
      const mark = `"requestID":"${requestID}"`;
      return until(() => frames.find((f) => f.startsWith(`42${JSON.stringify([operation]).slice(0, -1)},`) && f.includes(mark)), timeoutMs, `${operation} ${requestID}`);
    },
    waitFor(check, timeoutMs = 30_000) {
      return until(() => frames.find(check), timeoutMs, 'a frame');
    },
    send(frame) {
      ws.send(frame);
    },
    open() {
      return ws.readyState === WebSocket.OPEN;
    },
    close() {
      ws.close();
    },
  };
}

/** Engine.IO protocol 3 binary payload framing of text packets (what socket.io-client 1.x polls): 0, length digits as bytes, 255, the UTF-8 bytes. */
export function unframeBinaryPayload(payload: Buffer): string[] {
  const packets: string[] = [];
  let at = 0;
  while (at < payload.length) {
    if (payload[at] !== 0) throw new Error(`not a text packet at ${at}: type byte ${payload[at]}`);
    let digits = '';
    let i = at + 1;
    for (; payload[i] !== 255; i++) digits += String(payload[i]);
    const length = Number(digits);
    packets.push(payload.subarray(i + 1, i + 1 + length).toString('utf8'));
    at = i + 1 + length;
  }
  return packets;
}

function frameBinary(packet: string): Buffer {
  const bytes = Buffer.from(packet, 'utf8');
  return Buffer.concat([Buffer.from([0, ...[...String(bytes.length)].map(Number), 255]), bytes]);
}

/**
 * One request as the original front end (socket.io-client 1.3 over XHR2 long-polling,
 * Engine.IO protocol 3, binary payloads) makes it; resolves with the text of the answering packet.
 */
export async function legacyPollingRequest(url: string, operation: string, sessionID: string, params: Record<string, unknown> = {}): Promise<string> {
  const base = `${url}/socket.io/?EIO=3&transport=polling`;
  const open = unframeBinaryPayload(Buffer.from(await (await fetch(base)).arrayBuffer()));
  const sid = /"sid":"([^"]+)"/.exec(open[0])?.[1];
  if (!sid) throw new Error(`no handshake: ${open.join(' | ')}`);
  const requestID = `legacy${++counter}`;
  const packet = `42${JSON.stringify([operation, { operation, sessionID, requestID, ...params }])}`;
  const posted = await fetch(`${base}&sid=${sid}`, { method: 'POST', body: new Uint8Array(frameBinary(packet)), headers: { 'content-type': 'application/octet-stream' } });
  if (posted.status !== 200) throw new Error(`POST answered ${posted.status}`);
  for (let n = 0; n < 50; n++) {
    const res = await fetch(`${base}&sid=${sid}`);
    if (res.headers.get('content-type') !== 'application/octet-stream') throw new Error(`a poll answered ${res.headers.get('content-type')}`);
    const found = unframeBinaryPayload(Buffer.from(await res.arrayBuffer())).find((p) => p.startsWith(`42["${operation}",`) && p.includes(`"requestID":"${requestID}"`));
    if (found) return found;
  }
  throw new Error(`no answer to ${operation} ${requestID}`);
}

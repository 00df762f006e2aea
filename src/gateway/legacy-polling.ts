import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server as EngineServer, type Transport } from 'engine.io';
import { Server, type ServerOptions } from 'socket.io';
import type { Logger } from '../log.ts';

/**
 * The Socket.IO server of the gateway, on `httpServer` at `/socket.io/`, with an engine.io
 * server that also serves the original front end (socket.io-client 1.3.x, engine.io
 * protocol 3) over HTTP long-polling. Options are Socket.IO's (`allowEIO3` …); the bundled
 * client is not served (`serveClient` is off: every client of Willow brings its own).
 *
 * Why: engine.io-client 1.5 (inside socket.io-client 1.3.x), when the browser's XHR can
 * receive binary, asks for polling payloads without `b64=1` and takes a response as data
 * only when its Content-Type is `application/octet-stream` — anything else it reads as the
 * string "ok", fails to parse it and starts a new handshake, forever. engine.io 1.x (and
 * python-engineio behind Flask-SocketIO), the servers of its time, always answered such
 * clients with the binary payload encoding of protocol 3 (engine.io-parser 1.x/2.x
 * `encodePayloadAsBinary`): per packet a 0 byte (string packet; 1 for binary), the decimal
 * digits of its UTF-8 byte length one per byte (values 0–9), a 255 byte, then the packet's
 * bytes. engine.io 6 sends that encoding only when a payload holds binary data, so text
 * packets went out as `text/plain`.
 *
 * Clients that ask for `b64=1`, JSONP polling, protocol 4 clients and every websocket keep
 * engine.io's own answers. Requests in the other direction need nothing: engine.io 6
 * already decodes binary-encoded POST payloads (`application/octet-stream`) of protocol 3.
 */
export function attachSocketServer(httpServer: HttpServer, options: Partial<ServerOptions>, log: Logger): Server {
  const opts: Partial<ServerOptions> = { ...options, path: options.path ?? '/socket.io', serveClient: false };
  const io = new Server(opts);
  const engine = new BinaryPollingEngine(opts, log);
  engine.attach(httpServer, opts);
  io.bind(engine);
  return io;
}

/** What the adapter needs of the parser engine.io's polling transport keeps in `parser` for protocol 3. */
interface PayloadParserV3 {
  encodePayload(packets: unknown[], supportsBinary: boolean, callback: (payload: string | Buffer) => void): void;
  encodePayloadAsBinary(packets: unknown[], callback: (payload: Buffer) => void): void;
}

/**
 * engine.io's server with one hook: `createTransport` (the extension point engine.io's own
 * uWebSockets server overrides) makes the polling transport of a protocol 3 client that
 * accepts binary encode every payload as binary, as engine.io 1.x did. The transport is
 * created once per session, at the handshake, so the handshake's answer is binary too.
 */
class BinaryPollingEngine extends EngineServer {
  private readonly log: Logger;
  private warned = false;

  constructor(opts: Partial<ServerOptions>, log: Logger) {
    super(opts);
    this.log = log;
  }

  protected override createTransport(transportName: 'polling' | 'websocket' | 'webtransport', req: IncomingMessage): Transport {
    const transport = super.createTransport(transportName, req);
    if (transportName === 'polling' && transport.protocol === 3 && wantsBinaryPayloads(req)) this.encodeAsBinary(transport);
    return transport;
  }

  // The transport hands each payload to `this.parser.encodePayload(packets, supportsBinary,
  // write)` and writes a Buffer as `application/octet-stream`: this transport's parser is
  // given an encodePayload that always takes the binary encoding.
  private encodeAsBinary(transport: Transport): void {
    const holder = transport as unknown as { parser?: Partial<PayloadParserV3> };
    const v3 = holder.parser;
    if (typeof v3?.encodePayload !== 'function' || typeof v3.encodePayloadAsBinary !== 'function') {
      // An engine.io that no longer works this way: modern clients must keep working, so
      // the session goes on with text payloads, and the log says why old ones cannot connect.
      if (!this.warned) this.log.error('engine.io changed: its polling transport has no protocol 3 parser to adapt; socket.io-client 1.x cannot connect over polling (src/gateway/legacy-polling.ts)');
      this.warned = true;
      return;
    }
    const binary = v3.encodePayloadAsBinary.bind(v3);
    const encodePayload: PayloadParserV3['encodePayload'] = (packets, _supportsBinary, callback) => binary(packets, callback);
    holder.parser = Object.assign(Object.create(v3) as PayloadParserV3, { encodePayload });
  }
}

// As engine.io decides it: any non-empty `b64` means text (base64 for binary data); `j` is
// JSONP polling, whose answers are script text.
function wantsBinaryPayloads(req: IncomingMessage): boolean {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  return !query.get('b64') && !query.has('j');
}

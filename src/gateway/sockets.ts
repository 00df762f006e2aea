import type { Server, Socket } from 'socket.io';
import { isSessionId } from '../store/session-id.ts';
import type { ClientRegistry } from '../store/client-registry.ts';
import type { JobQueue } from '../queue/job.ts';
import { BusyError } from '../queue/session-limit.ts';
import type { Logger } from '../log.ts';
import { DISCOVERY_OPERATION, describeOperations } from '../operations/discovery.ts';
import { parseRequestJson, inexactIntegerAt, inexactIntegerReason } from './exact-request.ts';
import { MALFORMED_PACKET_EVENT, isMalformedPacket, malformedReason } from './socket-parser.ts';

/**
 * Every event is a request: its name is the operation, its body the envelope plus
 * parameters. The gateway only checks the envelope, joins the socket to the session's room
 * and queues the job; the worker validates the parameters against the operation's schema.
 */
export interface SocketLimits {
  /** Requests per second one connection may send on average (SOCKET_RATE_LIMIT), 0 for unlimited. */
  ratePerSecond: number;
  /** Requests one connection may send at once before the rate applies (SOCKET_RATE_BURST). */
  burst: number;
}

/** Longest requestID echoed back (API.md: any string the client chooses). */
export const MAX_REQUEST_ID_LENGTH = 256;

export function registerSockets(io: Server, queue: JobQueue, registry: ClientRegistry, log: Logger, limits: SocketLimits = { ratePerSecond: 0, burst: 1 }): void {
  io.on('connection', (socket: Socket) => {
    // A token bucket per connection: `burst` tokens, refilled at `ratePerSecond`.
    let tokens = limits.burst;
    let refilled = performance.now();
    const allow = () => {
      if (!limits.ratePerSecond) return true;
      const now = performance.now();
      tokens = Math.min(limits.burst, tokens + ((now - refilled) / 1000) * limits.ratePerSecond);
      refilled = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    };
    /** Sessions this socket has joined (its room and the registry). */
    const joined = new Set<string>();
    socket.onAny((event: string, ...args: unknown[]) => {
      const body = parseBody(args[0]);
      const sent = body && Object.hasOwn(body, 'requestID') ? body.requestID : null;
      // Echoed to every client of the session: a string (API.md) of bounded length, or a
      // number or null as older clients send; anything else (an object, 5 MB of text) is
      // refused, and the refusal does not echo it.
      const requestIdOk = sent === null || typeof sent === 'number' || (typeof sent === 'string' && sent.length <= MAX_REQUEST_ID_LENGTH);
      const requestID = requestIdOk ? sent : null;
      const reply = (error: string, errorDescription: string) =>
        socket.emit(event, { operation: event, sessionID: body && typeof body.sessionID === 'string' ? body.sessionID : null, requestID, success: false, error, errorDescription });
      if (!allow()) return reply('rate limited', `this connection sent more than ${limits.ratePerSecond} requests per second (SOCKET_RATE_LIMIT, bursts of ${limits.burst}: SOCKET_RATE_BURST); slow down and send again`);
      // A packet that is no event (socket-parser.ts) has no name to be answered under: it is
      // answered under `error`, the event old clients already take a server's refusal as.
      // Quoted as the Engine.IO message the client sent (`4` + the Socket.IO packet: `42[]`).
      if (event === MALFORMED_PACKET_EVENT && isMalformedPacket(args[0])) {
        const { packet, reason } = args[0];
        log.warn({ socketId: socket.id, packet, reason }, 'malformed Socket.IO packet answered');
        return socket.emit('error', { operation: null, sessionID: null, requestID: null, success: false, error: 'invalid request', errorDescription: `the message ${JSON.stringify(`4${packet}`)} is not a Socket.IO event: ${malformedReason(reason)}` });
      }
      // `42` (an event packet without a payload) decodes as an event of no name at all: answered
      // under `error` as well (under its name it went out as `null`).
      if (event === undefined || event === null) {
        log.warn({ socketId: socket.id }, 'Socket.IO event without a name answered');
        return socket.emit('error', { operation: null, sessionID: null, requestID: null, success: false, error: 'invalid request', errorDescription: `the message is a Socket.IO event without a name: ${malformedReason('invalid payload')}` });
      }
      // Discovery reads the registry, not a session: answered here, to this socket only.
      if (event === DISCOVERY_OPERATION) {
        return socket.emit(event, { operation: event, sessionID: body?.sessionID ?? null, requestID, success: true, operations: describeOperations() });
      }
      if (!body) return reply('invalid request', 'the request body must be a JSON object with operation, sessionID and requestID');
      if (!requestIdOk) return reply('invalid request', `requestID must be a string of at most ${MAX_REQUEST_ID_LENGTH} characters (or a number); got ${typeof sent === 'string' ? `a string of ${sent.length}` : Array.isArray(sent) ? 'an array' : typeof sent}`);
      // Refused here, before the queue: a body goes on (to Redis, to the history) as plain JSON.
      const inexact = inexactIntegerAt(body);
      if (inexact) return reply('invalid parameters', inexactIntegerReason(inexact));
      if (!isSessionId(body.sessionID)) return reply('invalid sessionID', 'sessionID must be 30 lowercase hexadecimal characters');
      const sessionID = body.sessionID;
      // Once per socket and session: a write to SQLite on the event loop for every request
      // cost ~0.7 ms each under load.
      if (!joined.has(sessionID)) {
        socket.join(sessionID);
        try {
          registry.join(socket.id, sessionID);
          joined.add(sessionID);
        } catch (err) {
          log.warn({ err }, 'client registry write failed');
        }
      }
      // A read whose client has gone is not worth running (the embedded queue drops it); the
      // connection is the client whose order the queue keeps.
      queue.submit({ operation: event, sessionID, requestID: requestID ?? null, body }, { abandoned: () => socket.disconnected, client: socket.id }).catch((err) => {
        if (err instanceof BusyError) return reply('busy', err.message);
        log.error({ err, operation: event, sessionID }, 'queue refused a job');
        reply('queue unavailable', 'the request could not be queued; try again');
      });
    });
    socket.on('disconnect', () => {
      try {
        registry.leave(socket.id);
      } catch (err) {
        log.warn({ err }, 'client registry write failed');
      }
    });
  });
}

function parseBody(raw: unknown): (Record<string, unknown> & { sessionID?: unknown }) | null {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = parseRequestJson(raw); // some older clients send the body as a JSON string
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

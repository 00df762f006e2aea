import type { Server, Socket } from 'socket.io';
import { isSessionId } from '../store/session-id.ts';
import type { ClientRegistry } from '../store/client-registry.ts';
import type { JobQueue } from '../queue/job.ts';
import type { Logger } from '../log.ts';
import { DISCOVERY_OPERATION, describeOperations } from '../operations/discovery.ts';

/**
 * Every event is a request: its name is the operation, its body the envelope plus
 * parameters. The gateway only checks the envelope, joins the socket to the session's room
 * and queues the job; the worker validates the parameters against the operation's schema.
 */
export function registerSockets(io: Server, queue: JobQueue, registry: ClientRegistry, log: Logger): void {
  io.on('connection', (socket: Socket) => {
    socket.onAny((event: string, ...args: unknown[]) => {
      const body = parseBody(args[0]);
      const requestID = body && 'requestID' in body ? body.requestID : null;
      const reply = (error: string, errorDescription: string) =>
        socket.emit(event, { operation: event, sessionID: body?.sessionID ?? null, requestID, success: false, error, errorDescription });
      // Discovery reads the registry, not a session: answered here, to this socket only.
      if (event === DISCOVERY_OPERATION) {
        return socket.emit(event, { operation: event, sessionID: body?.sessionID ?? null, requestID, success: true, operations: describeOperations() });
      }
      if (!body) return reply('invalid request', 'the request body must be a JSON object with operation, sessionID and requestID');
      if (!isSessionId(body.sessionID)) return reply('invalid sessionID', 'sessionID must be 30 lowercase hexadecimal characters');
      const sessionID = body.sessionID;
      socket.join(sessionID);
      try {
        registry.join(socket.id, sessionID);
      } catch (err) {
        log.warn({ err }, 'client registry write failed');
      }
      queue.submit({ operation: event, sessionID, requestID: requestID ?? null, body }).catch((err) => {
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
      value = JSON.parse(raw); // some older clients send the body as a JSON string
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

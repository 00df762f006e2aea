import type { Server, Socket } from 'socket.io';
import type { Logger } from '../log.ts';

/** How often every connection's backlog is measured (ms). */
export const BACKLOG_CHECK_MS = 1000;

/** The parts of an Engine.IO connection the backlog is read from (not in socket.io's public types). */
interface EngineConnection {
  writeBuffer?: { data?: unknown }[];
  transport?: { name?: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
}

/**
 * Bytes waiting to go out to one connection: the packets Engine.IO holds while its transport
 * is not writable (it stays so while the client does not read), plus, on WebSocket, what the
 * `ws` socket holds (bufferedAmount: its kernel-bound buffer and its sender's queue).
 * Text is counted in UTF-16 code units, a fair bound of its bytes for this purpose.
 */
export function pendingBytes(socket: Socket): number {
  const conn = socket.conn as unknown as EngineConnection;
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const data = packet.data;
    if (typeof data === 'string') bytes += data.length;
    else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) bytes += data.byteLength;
  }
  return bytes;
}

/**
 * Close every connection of `io` (this process's) whose backlog passes `maxBytes`, checked
 * every BACKLOG_CHECK_MS: a client that stops reading its replies while it keeps sending
 * requests (and answers pings, which keeps it connected) would otherwise have the server
 * hold every reply for it — 100k-row slices grew the server by 60 MB/s. Its buffers are
 * dropped at once (the WebSocket is terminated, not closed with a handshake it would not
 * read). Returns the function that stops the checks.
 */
export function watchBacklogs(io: Server, maxBytes: number, log: Logger): () => void {
  const timer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      const bytes = pendingBytes(socket);
      if (bytes <= maxBytes) continue;
      log.warn({ socketId: socket.id, pendingBytes: bytes, limit: maxBytes }, 'connection closed: the client did not read its replies (SOCKET_MAX_BACKLOG_BYTES)');
      const conn = socket.conn as unknown as EngineConnection;
      const ws = conn.transport?.name === 'websocket' ? conn.transport.socket : undefined;
      conn.close(true);
      ws?.terminate?.();
    }
  }, BACKLOG_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

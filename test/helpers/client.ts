import { io as ioV4, type Socket } from 'socket.io-client';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Socket.IO client of either era: v4, or the 2.x client the original front end used. */
export interface WillowClient {
  /** Send a request and resolve with the response carrying its requestID. */
  request(operation: string, sessionID: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, any>>;
  /** Send without waiting. */
  send(operation: string, body: Record<string, unknown>): void;
  /** Every message received for an event name, in order. */
  received(event: string): Record<string, any>[];
  /** Every message received, of any event, in arrival order. */
  arrivals(): { event: string; body: Record<string, any> }[];
  /** Resolve once `count` messages of `event` have arrived. */
  waitFor(event: string, count?: number, timeoutMs?: number): Promise<Record<string, any>[]>;
  close(): void;
}

let counter = 0;

export async function connect(url: string, version: 4 | 2 = 4): Promise<WillowClient> {
  const socket: any = version === 4 ? ioV4(url, { transports: ['websocket'], forceNew: true }) : require('socket.io-client-v2')(url, { transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timeout')), 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  const log = new Map<string, Record<string, any>[]>();
  const arrivals: { event: string; body: Record<string, any> }[] = [];
  const waiters: (() => void)[] = [];
  const record = (event: string, body: any) => {
    arrivals.push({ event, body });
    if (!log.has(event)) log.set(event, []);
    log.get(event)!.push(body);
    for (const w of waiters.splice(0)) w();
  };
  if (version === 4) (socket as Socket).onAny((event: string, body: any) => record(event, body));
  else {
    // The 2.x client has no onAny: wrap onevent.
    const onevent = socket.onevent;
    socket.onevent = function (packet: { data: unknown[] }) {
      const [event, body] = packet.data as [string, any];
      record(event, body);
      onevent.call(this, packet);
    };
  }
  const waitUntil = (check: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const test = () => {
        if (check()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(test);
      };
      test();
    });
  return {
    async request(operation, sessionID, params = {}, timeoutMs = 30_000) {
      const requestID = `r${++counter}-${Math.random().toString(36).slice(2, 8)}`;
      socket.emit(operation, { operation, sessionID, requestID, ...params });
      let found: Record<string, any> | undefined;
      await waitUntil(() => !!(found = (log.get(operation) ?? []).find((m) => m.requestID === requestID)), timeoutMs, `${operation} ${requestID}`);
      return found!;
    },
    send(operation, body) {
      socket.emit(operation, body);
    },
    received(event) {
      return log.get(event) ?? [];
    },
    arrivals() {
      return arrivals;
    },
    async waitFor(event, count = 1, timeoutMs = 30_000) {
      await waitUntil(() => (log.get(event) ?? []).length >= count, timeoutMs, `${count} × ${event}`);
      return log.get(event)!;
    },
    close() {
      socket.close();
    },
  };
}

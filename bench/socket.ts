import { io, type Socket } from 'socket.io-client';

export interface Timed {
  /** The response body, or a synthetic failure when none came in time. */
  response: Record<string, any>;
  ms: number;
  ok: boolean;
  /** `error: errorDescription` when not ok. */
  problem?: string;
  timedOut?: boolean;
}

/**
 * A Socket.IO v4 client speaking the Willow envelope: emit `<operation>` with
 * `{operation, sessionID, requestID, ...params}` and wait for the `<operation>` event that
 * echoes the requestID. Failures are returned, not thrown, so the bench can report them.
 */
export class BenchClient {
  private readonly socket: Socket;
  private readonly pending = new Map<string, (body: Record<string, any>) => void>();
  private counter = 0;
  /** Requests of this client that timed out, until their answer comes. */
  private readonly gaveUp = new Set<string>();
  /** Answers that came after their request had timed out (the server did the work for nobody). */
  late = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 10);

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.onAny((_event: string, body: unknown) => {
      if (!body || typeof body !== 'object') return;
      const id = (body as Record<string, unknown>).requestID;
      if (typeof id !== 'string') return;
      const resolve = this.pending.get(id);
      if (resolve) {
        this.pending.delete(id);
        resolve(body as Record<string, any>);
      } else if (this.gaveUp.delete(id)) this.late++;
    });
  }

  static async connect(url: string): Promise<BenchClient> {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket connect timeout')), 10_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('connect_error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    return new BenchClient(socket);
  }

  async request(operation: string, sessionID: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<Timed> {
    // Answers go to the session's room: the ID must not repeat another client's.
    const requestID = `bench-${this.prefix}-${++this.counter}`;
    const started = performance.now();
    const response = await new Promise<Record<string, any> | null>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestID);
        this.gaveUp.add(requestID);
        resolve(null);
      }, timeoutMs);
      this.pending.set(requestID, (body) => {
        clearTimeout(timer);
        resolve(body);
      });
      this.socket.emit(operation, { operation, sessionID, requestID, ...params });
    });
    const ms = performance.now() - started;
    if (!response) return { response: { success: false, error: 'timeout' }, ms, ok: false, problem: `no answer within ${Math.round(timeoutMs / 1000)} s`, timedOut: true };
    if (response.success !== true) return { response, ms, ok: false, problem: `${response.error ?? 'failed'}: ${response.errorDescription ?? ''}`.trim() };
    return { response, ms, ok: true };
  }

  close(): void {
    this.socket.close();
  }
}

import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import { dataChanged, replyEnvelope, uploadResponse, type UploadResponse } from '../../src/protocol/messages.ts';
import { withRetries } from './retry.ts';
import { rowsMayMove } from './edit.ts';
import { exactParser } from './exact-json.ts';

/** A request that the server answered with success: false; `description` is for a person. */
export class RequestError extends Error {
  readonly code: string;
  readonly operation: string;
  constructor(operation: string, code: string, description: string) {
    super(description);
    this.code = code;
    this.operation = operation;
  }
}

interface Pending {
  operation: string;
  resolve: (body: Record<string, unknown>) => void;
  reject: (err: Error) => void;
  change: boolean;
  startedAt: number;
}

export interface RunningRequest {
  requestID: string;
  operation: string;
  startedAt: number;
}

const TAB_ID = Math.random().toString(36).slice(2, 8);
let counter = 0;

/**
 * Answers that mean "not run, send it again later": the server was busy (its queue's wait
 * limits, READ_WAIT_MS, MAX_QUEUED_PER_SESSION) or this connection sent too fast
 * (SOCKET_RATE_LIMIT). Reads answered so are sent again after these delays (withRetries);
 * the error reaches the caller only after the last. Changes are never sent again unasked:
 * the person decides.
 */
const READ_RETRY_CODES = new Set(['busy', 'rate limited']);
const READ_RETRY_DELAYS_MS = [250, 500, 1000, 2000];

/**
 * One Socket.IO connection to the server. Requests are events named after the operation
 * with `{operation, sessionID, requestID, ...params}`; the reply comes back under the same
 * event name to the whole session room, so replies are matched by requestID and those of
 * other tabs are ignored. `dataChanged` (anyone's change) is passed to listeners.
 */
export class WillowClient {
  readonly socket: Socket;
  sessionID: string | null = null;
  private pending = new Map<string, Pending>();
  private listening = new Set<string>();
  private changeListeners = new Set<(requestID: string | null, mine: boolean) => void>();
  private runningListeners = new Set<(running: RunningRequest[]) => void>();
  private connectionListeners = new Set<(connected: boolean) => void>();
  /**
   * The row layout row positions were read in: bumped by every change that may have deleted,
   * added or reordered rows, whoever made it, and by every disconnection (what happened
   * meanwhile is not known). A position read in one layout names the same row only while the
   * layout is the same.
   */
  rowEpoch = 0;
  // Changes answered (to the session's room, whichever tab asked) as having kept every row in
  // place: their dataChanged, which follows the answer, leaves rowEpoch as it is.
  private rowsKept = new Set<string>();

  constructor() {
    // exactParser: replies' integers beyond 2^53 (int64 ids) arrive as their exact digits.
    this.socket = io({ transports: ['websocket'], reconnection: true, parser: exactParser });
    this.socket.onAny((event: string, raw: unknown) => {
      // Cheap checks first: the room also carries other tabs' data slices.
      const r = raw as { requestID?: unknown; success?: unknown; changed?: unknown } | null;
      if (typeof r !== 'object' || r === null || typeof r.changed !== 'boolean' || r.success !== true || typeof r.requestID !== 'string') return;
      if (r.changed && rowsMayMove(event)) return;
      if (this.rowsKept.size >= 1000) this.rowsKept.clear(); // answers whose dataChanged never came
      this.rowsKept.add(r.requestID);
    });
    this.socket.on('dataChanged', (raw: unknown) => {
      const msg = dataChanged.safeParse(raw);
      if (!msg.success || msg.data.sessionID !== this.sessionID) return;
      const requestID = msg.data.requestID ?? null;
      if (requestID === null || !this.rowsKept.delete(requestID)) this.rowEpoch++;
      const mine = requestID !== null && requestID.startsWith(`${TAB_ID}-`);
      for (const l of this.changeListeners) l(requestID, mine);
    });
    this.socket.on('connect', () => {
      for (const l of this.connectionListeners) l(true);
      // A reconnected socket is in no room: a harmless read joins it to the session again.
      if (this.sessionID) void this.request('metadata', {}).catch(() => undefined);
    });
    this.socket.on('disconnect', () => {
      this.rowEpoch++;
      for (const l of this.connectionListeners) l(false);
    });
  }

  onDataChanged(listener: (requestID: string | null, mine: boolean) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }
  onRunning(listener: (running: RunningRequest[]) => void): () => void {
    this.runningListeners.add(listener);
    return () => this.runningListeners.delete(listener);
  }
  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private emitRunning(): void {
    const running = [...this.pending.entries()].filter(([, p]) => p.change).map(([requestID, p]) => ({ requestID, operation: p.operation, startedAt: p.startedAt }));
    for (const l of this.runningListeners) l(running);
  }

  private listen(operation: string): void {
    if (this.listening.has(operation)) return;
    this.listening.add(operation);
    this.socket.on(operation, (raw: unknown) => {
      const env = replyEnvelope.safeParse(raw);
      if (!env.success || !env.data.requestID) return;
      const p = this.pending.get(env.data.requestID);
      if (!p) return; // another tab's request
      this.pending.delete(env.data.requestID);
      if (p.change) this.emitRunning();
      if (env.data.success) p.resolve(raw as Record<string, unknown>);
      else p.reject(new RequestError(operation, env.data.error ?? 'error', env.data.errorDescription ?? env.data.error ?? 'the request failed'));
    });
  }

  /**
   * Send one request and wait for its reply; the reply's fields (minus the envelope) are
   * checked with `schema`. `change` marks requests that change data (shown as running).
   * A read the server did not run for being busy is sent again a few times
   * (READ_RETRY_DELAYS_MS) while the session stays the same.
   */
  request<S extends z.ZodType>(operation: string, params: Record<string, unknown>, schema?: S, change = false): Promise<z.infer<S>> {
    const session = this.sessionID;
    const again = (err: unknown) => !change && err instanceof RequestError && READ_RETRY_CODES.has(err.code) && this.sessionID === session;
    return withRetries(() => this.send(operation, params, schema, change), again, READ_RETRY_DELAYS_MS);
  }

  /** One request and its reply (request() without the retries). */
  private send<S extends z.ZodType>(operation: string, params: Record<string, unknown>, schema: S | undefined, change: boolean): Promise<z.infer<S>> {
    this.listen(operation);
    const requestID = `${TAB_ID}-${++counter}`;
    return new Promise((resolve, reject) => {
      this.pending.set(requestID, {
        operation,
        change,
        startedAt: performance.now(),
        resolve: (body) => {
          if (!schema) return resolve(body as z.infer<S>);
          const parsed = schema.safeParse(body);
          if (parsed.success) resolve(parsed.data);
          else reject(new RequestError(operation, 'unexpected reply', `the server's reply to ${operation} did not have the expected shape`));
        },
        reject,
      });
      if (change) this.emitRunning();
      this.socket.emit(operation, { operation, sessionID: this.sessionID, requestID, ...params });
    });
  }
}

export interface UploadOptions {
  initialSkip: number;
  sampleSize: number;
  seed: string;
  headerIncluded: boolean;
  /** An Excel workbook's sheet, by name or 0-based position; '' for the first. */
  sheetName: string;
}

export type UploadProgress = { phase: 'sending'; loaded: number; total: number } | { phase: 'importing'; since: number };

/**
 * POST /upload with XHR (fetch has no upload progress): reports bytes sent, then the import
 * phase until the server answers. Resolves with the parsed answer, also for failures the
 * server describes; rejects only when the server could not be reached.
 */
export function upload(file: File, options: UploadOptions, onProgress: (p: UploadProgress) => void): { done: Promise<UploadResponse>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadResponse>((resolve, reject) => {
    const form = new FormData();
    form.append('initialSkip', String(options.initialSkip));
    form.append('sampleSize', String(options.sampleSize));
    if (options.seed.trim() !== '') form.append('seed', options.seed.trim());
    form.append('headerIncluded', String(options.headerIncluded));
    // Only for a workbook: the server refuses a sheet for a file that has none.
    if (options.sheetName.trim() !== '' && /\.xlsx?$/i.test(file.name)) form.append('sheetName', options.sheetName.trim());
    form.append('file', file, file.name);
    xhr.open('POST', '/upload');
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => onProgress({ phase: 'sending', loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.upload.onload = () => onProgress({ phase: 'importing', since: performance.now() });
    xhr.onerror = () => reject(new Error('the server could not be reached; check your connection and try again'));
    xhr.onabort = () => reject(new Error('upload cancelled'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        return resolve({ success: false, error: `HTTP ${xhr.status}`, errorDescription: `the server answered ${xhr.status} without an explanation` });
      }
      const parsed = uploadResponse.safeParse(body);
      resolve(parsed.success ? parsed.data : { success: false, error: `HTTP ${xhr.status}`, errorDescription: 'the server answered in an unexpected shape' });
    };
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

import Fastify, { type FastifyInstance, type FastifyBaseLogger, type FastifyError, type FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import os from 'node:os';
import fs from 'node:fs/promises';
import type { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { adapterParser } from './adapter-parser.ts';
import { registerUpload, FORM_LIMITS } from './upload.ts';
import { registerDownloads } from './download.ts';
import { registerNotify } from './notify.ts';
import { registerSockets } from './sockets.ts';
import { watchBacklogs } from './backlog.ts';
import { attachSocketServer } from './legacy-polling.ts';
import { registerWeb } from './web.ts';
import { frameworkError } from './framework-errors.ts';
import { tolerantParser } from './socket-parser.ts';
import { describeOperations } from '../operations/discovery.ts';
import { clientText } from '../operations/errors.ts';
import { internalSecret } from './secret.ts';
import { ClientRegistry } from '../store/client-registry.ts';
import { recoverDataDir, spillHost, spillOwner, sweepSharedLeftovers } from '../store/recovery.ts';
import { expireSessions } from '../store/quota.ts';
import { SessionLimit } from '../queue/session-limit.ts';
import { EmbeddedQueue } from '../queue/embedded.ts';
import { BullmqQueue, adapterKey, closeRedis, redisClient } from '../queue/bullmq.ts';
import { verifyDeployment, republishOnReconnect } from '../queue/deployment.ts';
import { runShutdown, type ShutdownStep } from '../shutdown.ts';
import { assertWritable } from '../store/shared-dir.ts';
import { findOperation } from '../operations/index.ts';
import { commandJobs } from '../worker/command-jobs.ts';
import { executeJob } from '../worker/executor.ts';
import { createRuntime, closeRuntime, stopJobs, type Runtime } from '../worker/runtime.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Job, JobQueue, JobResult, ResultListener } from '../queue/job.ts';

export interface Gateway {
  app: FastifyInstance;
  io: Server;
  runtime: Runtime;
  queue: JobQueue;
  secret: string;
  /**
   * Resolves once the gateway serves requests: at once with the embedded queue; in
   * distributed mode once Redis was reached and the deployment verified (until then it
   * answers /healthz 503 and everything else 503 `unavailable`). Rejects with
   * DeploymentMismatchError (or the marker's Error) when it must not start at all.
   */
  ready: Promise<void>;
  /** Resolves with the port once listening (possibly before `ready`). */
  listen(): Promise<number>;
  /** Close everything, however long it takes. */
  close(): Promise<void>;
  /** Close within `timeoutMs` (SHUTDOWN_TIMEOUT_MS); resolves with what was abandoned ([] when nothing). */
  shutdown(timeoutMs: number): Promise<string[]>;
}

/** `deliver` answers a job; `dropped` is told of a job dropped unanswered (its client is gone). */
export type QueueFactory = (rt: Runtime, deliver: ResultListener, dropped: (job: Job) => void) => Promise<JobQueue>;

export const embeddedQueue: QueueFactory = async (rt, deliver, dropped) =>
  new EmbeddedQueue((job) => executeJob(rt, job), deliver, rt.config.QUEUE_CONCURRENCY, {
    isRead: (job) => findOperation(job.operation)?.kind === 'read',
    readWaitMs: rt.config.READ_WAIT_MS,
    onDropped: dropped,
    capped: commandJobs(rt.config),
  });

/**
 * Jobs go to worker processes over Redis (REDIS_URL); this process only submits them and
 * relays results. Returned before Redis is reached (the gateway waits on whenReady()).
 */
export const bullmqQueue: QueueFactory = async (rt, deliver) =>
  BullmqQueue.create({ redisUrl: rt.config.REDIS_URL!, prefix: rt.config.REDIS_PREFIX, partitions: rt.config.QUEUE_PARTITIONS, log: rt.log }, deliver);

export async function createGateway(config: Config, log: Logger, makeQueue: QueueFactory = config.QUEUE === 'bullmq' ? bullmqQueue : embeddedQueue): Promise<Gateway> {
  const distributed = config.QUEUE === 'bullmq';
  if (distributed) await assertWritable(config.dataDir); // shared with the workers: fail now, clearly
  // This process alone works in DATA_DIR: what a crash left half-done is removed first.
  if (config.QUEUE === 'embedded') await recoverDataDir(config.dataDir, log);
  const runtime = await createRuntime(config, log);
  const secret = internalSecret(config.dataDir, config.INTERNAL_SECRET);
  // Socket IDs mean something only to the gateway holding the connection, so with several
  // gateways each keeps its own registry, on its own disk (SQLite over a shared filesystem
  // is not safe), named after this process.
  const registryDir = config.REGISTRY_DIR ?? (distributed ? os.tmpdir() : config.dataDir);
  const registryFile = distributed ? `willow-registry-${os.hostname()}-${process.pid}-${config.PORT}.sqlite` : 'registry.sqlite';
  const registry = new ClientRegistry(registryDir, registryFile);
  registry.clear(); // sockets of an earlier run are gone

  // Until the deployment is verified and the queue has reached Redis, the gateway answers
  // /healthz (503, naming what it waits for) and refuses everything else: an upload must not
  // land in a DATA_DIR that turns out to be the wrong one.
  let state: 'starting' | 'ready' | 'refused' = 'starting';
  const starting = 'the server is starting: it waits for Redis (see GET /healthz); try again shortly';
  const deploymentClient = distributed ? redisClient(config.REDIS_URL!, log, 'deployment') : null;

  const app: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // maxParamLength: find-my-way's default (100) made a longer path parameter no route at
    // all (a generic `not found`): the routes answer it themselves, a download `unknown
    // session` as the contract says for a malformed sessionID. Node's header limit (16 KB)
    // bounds a URL anyway, and no route's parameter is matched by a regular expression.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16_384 },
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: true,
    // A URL the router cannot decode (`/downloadCSV/%`): 400 naming the path, in the shape of every other failure.
    frameworkErrors: (err, req, reply) => frameworkError(err, req, reply as FastifyReply),
    // A request Node's HTTP parser refused (a Content-Length the body does not match, a
    // malformed header): answered on the raw socket, which is then closed.
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      const why = tooLarge ? 'the request headers are too large' : `the request could not be parsed as HTTP (${err.code ?? 'malformed'})`;
      socket.end(rawHttp(tooLarge ? 431 : 400, { success: false, error: 'bad request', errorDescription: why }));
    },
  });
  app.addHook('onRequest', async (req, reply) => {
    if (state === 'ready') return;
    const path = req.url.split('?')[0];
    if (path === '/healthz' || path === '/health') return;
    return reply.code(503).header('retry-after', '5').send({ success: false, error: 'unavailable', errorDescription: starting });
  });
  await app.register(multipart, { limits: { fileSize: config.MAX_UPLOAD_BYTES, ...FORM_LIMITS } });
  // The server's own faults are logged, and answered without their message: DuckDB's and the
  // file system's name the server's directories. The client's (4xx: Fastify refusing a body
  // before any route sees it) get the same shape as every other failure, Fastify's reason as
  // the description.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const reason = clientText(err.message);
      if (status === 413) return reply.code(413).send({ success: false, error: 'body too large', errorDescription: `${reason} (the limit is ${app.initialConfig.bodyLimit} bytes; datasets go to POST /upload as multipart/form-data)` });
      if (status === 415) return reply.code(415).send({ success: false, error: 'unsupported media type', errorDescription: reason });
      if (err.code?.startsWith('FST_ERR_CTP_')) return reply.code(status).send({ success: false, error: 'invalid body', errorDescription: reason });
      return reply.code(status).send({ success: false, error: 'bad request', errorDescription: reason });
    }
    req.log.error({ err, url: req.url }, 'request failed');
    return reply.code(status).send({ success: false, error: 'internal error', errorDescription: 'the server could not complete this request' });
  });

  const origins = config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  const io = attachSocketServer(
    app.server,
    {
      allowEIO3: true,
      // Cross-origin browsers only from the allow-list (CORS_ORIGINS); by default same origin only.
      cors: origins.length ? { origin: origins, credentials: true } : undefined,
      // CORS does not cover WebSocket: the Origin a browser sends is checked for every transport.
      allowRequest: (req, callback) => (state === 'ready' ? callback(null, originAllowed(req.headers.origin, req.headers.host, origins)) : callback(starting, false)),
      maxHttpBufferSize: config.SOCKET_MAX_BUFFER_BYTES,
      // A packet that is no event is answered, not a reason to close the connection.
      parser: tolerantParser,
    },
    log,
  );
  // Several gateways share rooms through the Redis adapter (a /celeryTaskCompleted
  // notification reaches a session's clients on every gateway). Queue results are the
  // exception: every gateway receives each of them on the results channel and hands it to
  // its own sockets only (io.local), which keeps one ordered stream per session.
  const adapterClients = distributed ? [redisClient(config.REDIS_URL!, log, 'adapter-pub'), redisClient(config.REDIS_URL!, log, 'adapter-sub')] : [];
  // (adapterParser: integers beyond 2^53 in a broadcast reach the other gateways exact.)
  if (distributed) io.adapter(createAdapter(adapterClients[0], adapterClients[1], { key: adapterKey(config.REDIS_PREFIX), parser: adapterParser }));
  const rooms = distributed ? io.local : io;
  const deliver = (job: Job, result: JobResult) => {
    rooms.to(job.sessionID).emit(job.operation, result.message);
    if (result.dataChanged) rooms.to(job.sessionID).emit('dataChanged', { sessionID: job.sessionID, requestID: job.requestID ?? null });
  };
  const perSession = new SessionLimit(config.MAX_QUEUED_PER_SESSION);
  // The queue itself (for /healthz), and the same queue behind the per-session bound.
  const backend = await makeQueue(
    runtime,
    (job, result, mine) => {
      // Another gateway's job is counted there (over BullMQ every gateway gets every result).
      if (mine !== false) perSession.done(job);
      deliver(job, result);
    },
    (job) => perSession.done(job),
  );
  const queue = perSession.wrap(backend);
  registerSockets(io, queue, registry, log, { ratePerSecond: config.SOCKET_RATE_LIMIT, burst: config.SOCKET_RATE_BURST });
  const stopBacklogs = watchBacklogs(io, config.SOCKET_MAX_BACKLOG_BYTES, log);
  let sweeper: NodeJS.Timeout | undefined;
  const ready = (async () => {
    if (deploymentClient) {
      const settings = { dataDir: config.dataDir, prefix: config.REDIS_PREFIX, partitions: config.QUEUE_PARTITIONS };
      const identity = await verifyDeployment(deploymentClient, settings);
      republishOnReconnect(deploymentClient, identity, settings, log);
    }
    await backend.whenReady?.();
    state = 'ready';
    // Only now: a sweeper on a DATA_DIR that is not the deployment's could delete another's sessions.
    sweeper = startSweeper(runtime, log);
  })();
  ready.catch(() => (state = 'refused')); // the caller decides (main.ts exits)
  registerUpload(app, runtime);
  registerDownloads(app, runtime);
  registerNotify(app, io, secret);
  app.get('/health', async () => ({ ok: true }));
  app.get('/healthz', async (req, reply) => {
    const dataDir = await fs.access(config.dataDir, fs.constants.W_OK).then(() => 'writable', (err: NodeJS.ErrnoException) => err.code ?? 'unusable');
    if (!(backend instanceof BullmqQueue)) {
      return reply.code(dataDir === 'writable' ? 200 : 503).send({ status: dataDir === 'writable' ? 'ok' : 'unavailable', queue: 'embedded', dataDir });
    }
    // A Redis that accepts connections but does not answer must not hold the probe.
    const silent = new Error('no answer from Redis within 2 s');
    try {
      const h = await Promise.race([backend.health(), new Promise<never>((_, reject) => setTimeout(() => reject(silent), 2000).unref())]);
      const deployment = state === 'ready' ? 'verified' : state === 'refused' ? 'refused' : 'checking';
      const ok = h.redis === 'ready' && dataDir === 'writable' && deployment === 'verified';
      const reason = h.redis !== 'ready' ? `Redis is not reachable (${h.redis})` : dataDir !== 'writable' ? `DATA_DIR is not writable (${dataDir})` : deployment !== 'verified' ? `the deployment is ${deployment === 'refused' ? 'refused (see the server log)' : 'being checked'}` : undefined;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', ...(reason ? { reason } : {}), queue: 'bullmq', dataDir, deployment, ...h });
    } catch (err) {
      // Redis's own error names its address (a setting of the server's): logged, not answered.
      if (err !== silent) req.log.warn({ err }, 'health check: Redis failed');
      return reply.code(503).send({ status: 'unavailable', reason: 'Redis does not answer', queue: 'bullmq', dataDir, redis: err === silent ? silent.message : 'failed (see the server log)' });
    }
  });
  app.get('/api/operations', async () => ({ success: true, operations: describeOperations() }));
  await registerWeb(app, config.WEB_DIST);
  // Unknown routes answer in the API's error shape too (a client may build a bad URL).
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ success: false, error: 'not found', errorDescription: `${req.method} ${req.url.split('?')[0]} is not an endpoint of this server` }));

  // In order; Redis-bound steps after the local ones they do not need, local ones (no
  // network, bounded) run even past the deadline (runShutdown).
  const redisClients = [...adapterClients.map((c, i) => [c, i ? 'adapter-sub' : 'adapter-pub'] as const), ...(deploymentClient ? [[deploymentClient, 'deployment'] as const] : [])];
  const steps: ShutdownStep[] = [
    {
      name: 'running jobs',
      local: true,
      async run() {
        // Running jobs are interrupted, not waited for (a change may take minutes), and
        // answered (a turn of the event loop) while their clients are still connected.
        stopJobs(runtime);
        clearInterval(sweeper);
        await new Promise((resolve) => setImmediate(resolve));
      },
    },
    {
      name: 'Socket.IO connections',
      async run() {
        // The Redis adapter's close unsubscribes, which waits for a Redis that is away: its
        // connections are dropped first then.
        const notes: string[] = [];
        for (const [c, role] of redisClients) if (c.status !== 'ready') notes.push((await closeRedis(c, role)) || '');
        // io.close() ends the Socket.IO sessions; Fastify's close then closes the HTTP server.
        // Keep-alive HTTP connections would hold that close open until they time out.
        stopBacklogs();
        const closed = new Promise<void>((resolve) => io.close(() => resolve()));
        app.server.closeAllConnections();
        await closed;
        if (notes.some(Boolean)) return notes.filter(Boolean).join('; ');
      },
    },
    { name: 'HTTP server', run: () => app.close() },
    { name: 'queue', run: () => queue.close() },
    {
      name: 'Redis connections of the Socket.IO adapter and the deployment check',
      async run() {
        const notes = await Promise.all(redisClients.map(([c, role]) => closeRedis(c, role)));
        if (notes.some(Boolean)) return notes.filter(Boolean).join('; ');
      },
    },
    {
      name: 'client registry',
      local: true,
      async run() {
        registry.close();
        if (distributed) await Promise.all(['', '-wal', '-shm'].map((x) => fs.rm(`${registryDir}/${registryFile}${x}`, { force: true })));
      },
    },
    { name: 'engine', local: true, run: () => closeRuntime(runtime) },
  ];

  return {
    app,
    io,
    runtime,
    queue,
    secret,
    ready,
    async listen() {
      await app.listen({ port: config.PORT, host: config.HOST });
      const address = app.server.address();
      return typeof address === 'object' && address ? address.port : config.PORT;
    },
    async close() {
      await runShutdown(steps, Infinity, log);
    },
    shutdown: (timeoutMs) => runShutdown(steps, timeoutMs, log),
  };
}

/**
 * Whether a Socket.IO connection may be made from `origin` (the browser's Origin header):
 * requests without one (not from a browser page) and same-origin pages always; other pages
 * only when listed in CORS_ORIGINS ("*" allows any).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (!origin) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Delete sessions idle longer than SESSION_TTL_DAYS, every SWEEP_INTERVAL_MS (and once at start). */
function startSweeper(rt: Runtime, log: Logger): NodeJS.Timeout {
  const ttlMs = rt.config.SESSION_TTL_DAYS * 86_400_000;
  const sweep = async () => {
    if (ttlMs <= 0) return;
    try {
      const removed = await expireSessions(rt.store, ttlMs);
      if (removed.length) log.info({ removed: removed.length, ttlDays: rt.config.SESSION_TTL_DAYS }, 'expired idle sessions deleted');
    } catch (err) {
      log.error({ err }, 'session sweep failed');
    }
  };
  // Several processes share DATA_DIR: what a killed one left is recognised by its age (at
  // least twice a job's longest run, which may write nothing meanwhile).
  const leftovers = async () => {
    if (rt.config.QUEUE !== 'bullmq') return;
    try {
      await sweepSharedLeftovers(rt.config.dataDir, Math.max(rt.config.LEFTOVER_AGE_MS, 2 * rt.config.JOB_TIMEOUT_MS), log, { host: spillHost(), owner: spillOwner() });
    } catch (err) {
      log.error({ err }, 'leftover sweep failed');
    }
  };
  void sweep().then(leftovers);
  const timer = setInterval(() => void sweep().then(leftovers), rt.config.SWEEP_INTERVAL_MS);
  timer.unref();
  return timer;
}

/** A whole HTTP/1.1 response with a JSON body, for a socket no Fastify reply exists on; the connection closes after it. */
function rawHttp(status: 400 | 431, body: Record<string, unknown>): string {
  const text = JSON.stringify(body);
  const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  return `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
}

import Fastify, { type FastifyInstance, type FastifyBaseLogger } from 'fastify';
import multipart from '@fastify/multipart';
import type { Server } from 'socket.io';
import { registerUpload } from './upload.ts';
import { registerDownloads } from './download.ts';
import { registerNotify } from './notify.ts';
import { registerSockets } from './sockets.ts';
import { attachSocketServer } from './legacy-polling.ts';
import { internalSecret } from './secret.ts';
import { ClientRegistry } from '../store/client-registry.ts';
import { EmbeddedQueue } from '../queue/embedded.ts';
import { findOperation } from '../operations/index.ts';
import { executeJob } from '../worker/executor.ts';
import { createRuntime, closeRuntime, type Runtime } from '../worker/runtime.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Job, JobQueue, JobResult } from '../queue/job.ts';

export interface Gateway {
  app: FastifyInstance;
  io: Server;
  runtime: Runtime;
  queue: JobQueue;
  secret: string;
  /** Resolves with the port once listening. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export type QueueFactory = (rt: Runtime, deliver: (job: Job, result: JobResult) => void) => Promise<JobQueue>;

export const embeddedQueue: QueueFactory = async (rt, deliver) =>
  new EmbeddedQueue((job) => executeJob(rt, job), deliver, rt.config.QUEUE_CONCURRENCY, (job) => findOperation(job.operation)?.kind === 'read');

export async function createGateway(config: Config, log: Logger, makeQueue: QueueFactory = embeddedQueue): Promise<Gateway> {
  const runtime = await createRuntime(config, log);
  const secret = internalSecret(config.dataDir, config.INTERNAL_SECRET);
  const registry = new ClientRegistry(config.dataDir);
  if (config.QUEUE === 'embedded') registry.clear(); // sockets of an earlier run are gone

  const app: FastifyInstance = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: true,
  });
  await app.register(multipart, { limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 1, fields: 32, fieldSize: 1024 * 1024 } });

  const io = attachSocketServer(app.server, { allowEIO3: true, cors: { origin: true, credentials: true }, maxHttpBufferSize: 16 * 1024 * 1024 }, log);
  const deliver = (job: Job, result: JobResult) => {
    io.to(job.sessionID).emit(job.operation, result.message);
    if (result.dataChanged) io.to(job.sessionID).emit('dataChanged', { sessionID: job.sessionID, requestID: job.requestID ?? null });
  };
  const queue = await makeQueue(runtime, deliver);
  registerSockets(io, queue, registry, log);
  registerUpload(app, runtime);
  registerDownloads(app, runtime);
  registerNotify(app, io, secret);
  app.get('/health', async () => ({ ok: true }));
  // Unknown routes answer in the API's error shape too (a client may build a bad URL).
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ success: false, error: 'not found', errorDescription: `${req.method} ${req.url.split('?')[0]} is not an endpoint of this server` }));

  return {
    app,
    io,
    runtime,
    queue,
    secret,
    async listen() {
      await app.listen({ port: config.PORT, host: config.HOST });
      const address = app.server.address();
      return typeof address === 'object' && address ? address.port : config.PORT;
    },
    async close() {
      // io.close() ends the Socket.IO sessions; Fastify's close then closes the HTTP server.
      // Keep-alive HTTP connections would hold that close open until they time out.
      const closed = new Promise<void>((resolve) => io.close(() => resolve()));
      app.server.closeAllConnections();
      await closed;
      await app.close();
      await queue.close();
      registry.close();
      await closeRuntime(runtime);
    },
  };
}

// A worker process of the distributed mode (`npm run worker`): takes jobs from the BullMQ
// partition queues on REDIS_URL, runs them against the shared DATA_DIR, publishes results.
import './thread-pool.ts'; // first: sizes libuv's pool before anything uses it
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { BullmqConsumer } from './queue/bullmq.ts';
import { executeJob } from './worker/executor.ts';
import { createRuntime, closeRuntime } from './worker/runtime.ts';
import { commandJobs } from './worker/command-jobs.ts';
import { assertWritable } from './store/shared-dir.ts';
import type { Job, JobResult } from './queue/job.ts';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL, 'willow-worker');
if (!config.REDIS_URL) {
  log.fatal('REDIS_URL is not set: a worker takes its jobs from Redis (without it, `npm start` runs everything in one process)');
  process.exit(1);
}
await assertWritable(config.dataDir);
const runtime = await createRuntime(config, log);

// Test hooks, off unless set: a marker file per job started (which worker to kill), and a
// worker that dies right after running a job of one operation, before answering it.
const markDir = process.env.WILLOW_TEST_MARK_DIR;
const exitBeforeReply = process.env.WILLOW_TEST_EXIT_BEFORE_REPLY;

const consumer = new BullmqConsumer(
  {
    redisUrl: config.REDIS_URL,
    prefix: config.REDIS_PREFIX,
    partitions: config.QUEUE_PARTITIONS,
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: config.JOB_LOCK_MS,
    stalledIntervalMs: config.JOB_STALLED_INTERVAL_MS,
    maxStalledCount: config.JOB_MAX_STALLS,
    capped: commandJobs(config),
    log,
  },
  {
    execute(job: Job, jobLog) {
      if (markDir) fs.writeFileSync(path.join(markDir, `${job.jobId}.${process.pid}`), job.operation);
      return executeJob({ ...runtime, log: jobLog }, job);
    },
    async givenUp(job: Job, reason: string): Promise<JobResult> {
      // The job may have committed before its last worker died: say so, and let clients refresh.
      const applied = job.jobId ? await runtime.store.appliedFrom(job.sessionID, job.jobId).catch(() => null) : null;
      const stalled = /stalled/.test(reason);
      // BullMQ's reason (logged where the job failed) may name the server's paths or Redis: not the client's.
      const errorDescription = stalled
        ? `the worker running this operation stopped before answering, ${config.JOB_MAX_STALLS + 1} time(s); ${applied ? 'it had been applied: the dataset shows its result' : 'it was not applied: the dataset is at its last complete version'}`
        : `the queue could not run the operation to its end; ${applied ? 'it had been applied' : 'the dataset is unchanged'}`;
      return {
        message: { operation: job.operation, sessionID: job.sessionID, requestID: job.requestID ?? null, success: false, error: stalled ? 'worker lost' : 'internal error', errorDescription },
        dataChanged: applied !== null,
      };
    },
    beforePublish(job: Job) {
      if (exitBeforeReply && job.operation === exitBeforeReply) process.kill(process.pid, 'SIGKILL');
    },
  },
);
await consumer.ready();

// Readiness for orchestrators: 200 while connected to Redis, 503 otherwise.
const health = http.createServer((req, res) => {
  if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/healthz') {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, error: 'not found', errorDescription: 'a worker serves GET /healthz only' }));
    return;
  }
  const ok = consumer.isConnected();
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', role: 'worker', redis: ok ? 'ready' : 'disconnected', activeJobs: consumer.activeJobs, peakJobs: consumer.peakJobs, concurrency: config.WORKER_CONCURRENCY }));
});
await new Promise<void>((resolve) => health.listen(config.WORKER_PORT, config.HOST, resolve));
const address = health.address();
log.info({ port: typeof address === 'object' && address ? address.port : config.WORKER_PORT, partitions: config.QUEUE_PARTITIONS, concurrency: config.WORKER_CONCURRENCY, dataDir: config.dataDir }, 'worker ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    // Running jobs finish and answer; nothing new is fetched.
    log.info({ signal, activeJobs: consumer.activeJobs }, 'worker shutting down');
    health.close();
    await consumer.close();
    await closeRuntime(runtime);
    process.exit(0);
  });
}

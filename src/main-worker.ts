// A worker process of the distributed mode (`npm run worker`): takes jobs from the BullMQ
// partition queues on REDIS_URL, runs them against the shared DATA_DIR, publishes results.
import './thread-pool.ts'; // first: sizes libuv's pool before anything uses it
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { BullmqConsumer, closeRedis, redisClient } from './queue/bullmq.ts';
import { verifyDeployment, republishOnReconnect } from './queue/deployment.ts';
import { runShutdown, toleratePendingFailures, type ShutdownStep } from './shutdown.ts';
import { errorThrottle } from './log-throttle.ts';
import type { Runtime } from './worker/runtime.ts';
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

// Test hooks, off unless set: a marker file per job started (which worker to kill), and a
// worker that dies right after running a job of one operation, before answering it.
const markDir = process.env.WILLOW_TEST_MARK_DIR;
const exitBeforeReply = process.env.WILLOW_TEST_EXIT_BEFORE_REPLY;

// The health server comes first, so that a worker waiting for Redis answers 503 saying so
// instead of not answering at all. Ready: Redis reached, deployment verified, jobs taken.
const deploymentClient = redisClient(config.REDIS_URL, log, 'deployment');
let deployment: 'checking' | 'verified' = 'checking';
let consumer: BullmqConsumer | null = null;
let runtime: Runtime | null = null;
const health = http.createServer((req, res) => {
  if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/healthz') {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, error: 'not found', errorDescription: 'a worker serves GET /healthz only' }));
    return;
  }
  const redis = consumer ? (consumer.isConnected() ? 'ready' : 'disconnected') : deploymentClient.status === 'ready' ? 'ready' : deploymentClient.status;
  const ok = consumer !== null && redis === 'ready';
  const reason = redis !== 'ready' ? `Redis is not reachable (${redis})` : ok ? undefined : 'starting: the deployment is being checked';
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...(reason ? { reason } : {}), role: 'worker', redis, deployment, activeJobs: consumer?.activeJobs ?? 0, peakJobs: consumer?.peakJobs ?? 0, concurrency: config.WORKER_CONCURRENCY }));
});
await new Promise<void>((resolve) => health.listen(config.WORKER_PORT, config.HOST, resolve));
const address = health.address();
const port = typeof address === 'object' && address ? address.port : config.WORKER_PORT;
log.info({ port }, 'worker health server up: waiting for Redis and the deployment check');

// Shutdown, within SHUTDOWN_TIMEOUT_MS: running jobs finish and answer, nothing new is
// fetched; what Redis being away keeps from closing is abandoned (a job then runs again
// elsewhere once its lock lapses, and its commit is idempotent), and the exit says so.
const steps: ShutdownStep[] = [
  {
    name: 'health server',
    local: true,
    run: () => {
      health.close();
      health.closeAllConnections();
    },
  },
  {
    name: 'running jobs and partition workers',
    run: async () => {
      if (!consumer) return;
      const note = await consumer.close();
      return note || undefined;
    },
  },
  { name: 'redis deployment connection', run: () => closeRedis(deploymentClient, 'deployment') },
  // Not local: DuckDB must not close under jobs still running (abandoned above).
  { name: 'engine', run: async () => void (runtime && (await closeRuntime(runtime))) },
];
// Once: a start-up step failing because the shutdown dropped its Redis connection must not
// start a second shutdown (nor be reported as a refusal to start).
let stopping: Promise<never> | null = null;
function stop(code: number): Promise<never> {
  return (stopping ??= stopNow(code));
}
async function stopNow(code: number): Promise<never> {
  toleratePendingFailures((err) => errorThrottle(log).report('shutdown', err, 'abandoned work failed while shutting down'));
  const activeJobs = consumer?.activeJobs ?? 0;
  const abandoned = await runShutdown(steps, config.SHUTDOWN_TIMEOUT_MS, log);
  if (abandoned.length) log.warn({ abandoned, activeJobs: consumer?.activeJobs ?? activeJobs, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'worker shut down, abandoning what could not be closed');
  process.exit(abandoned.length && !code ? 1 : code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal, activeJobs: consumer?.activeJobs ?? 0 }, 'worker shutting down');
    void stop(0);
  });
}

const settings = { dataDir: config.dataDir, prefix: config.REDIS_PREFIX, partitions: config.QUEUE_PARTITIONS };
try {
  // Before any job is taken: a worker on another DATA_DIR would answer each `unknown session`.
  const identity = await verifyDeployment(deploymentClient, settings);
  republishOnReconnect(deploymentClient, identity, settings, log);
  deployment = 'verified';
} catch (err) {
  if (stopping) await stopping;
  log.fatal({ dataDir: config.dataDir, redisPrefix: config.REDIS_PREFIX, partitions: config.QUEUE_PARTITIONS }, `refusing to start: ${(err as Error).message}`);
  await stop(1);
}
runtime = await createRuntime(config, log);
const rt = runtime;

consumer = new BullmqConsumer(
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
      return executeJob({ ...rt, log: jobLog }, job);
    },
    async givenUp(job: Job, reason: string): Promise<JobResult> {
      // The job may have committed before its last worker died: say so, and let clients refresh.
      const applied = job.jobId ? await rt.store.appliedFrom(job.sessionID, job.jobId).catch(() => null) : null;
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
await consumer.ready().catch((err: unknown) => stopping ?? Promise.reject(err)); // a SIGTERM meanwhile dropped its connection

log.info({ port, partitions: config.QUEUE_PARTITIONS, concurrency: config.WORKER_CONCURRENCY, dataDir: config.dataDir }, 'worker ready');

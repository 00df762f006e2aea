import './thread-pool.ts'; // first: sizes libuv's pool before anything uses it
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { createGateway } from './gateway/server.ts';
import { toleratePendingFailures } from './shutdown.ts';
import { errorThrottle } from './log-throttle.ts';

const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);

const gateway = await createGateway(config, log);

/** Close within SHUTDOWN_TIMEOUT_MS, say what was abandoned, exit: 0 when nothing was. */
// Once: a start-up step failing because the shutdown dropped its Redis connection must not
// start a second shutdown (nor be reported as a refusal to start).
let stopping: Promise<never> | null = null;
function stop(code: number): Promise<never> {
  return (stopping ??= stopNow(code));
}
async function stopNow(code: number): Promise<never> {
  toleratePendingFailures((err) => errorThrottle(log).report('shutdown', err, 'abandoned work failed while shutting down'));
  const abandoned = await gateway.shutdown(config.SHUTDOWN_TIMEOUT_MS);
  if (abandoned.length) log.warn({ abandoned, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shut down, abandoning what could not be closed');
  process.exit(abandoned.length && !code ? 1 : code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    void stop(0);
  });
}

// Listening first: while Redis is unreachable (distributed mode) /healthz answers 503 saying
// so, and every other request 503 `unavailable`, until the deployment is verified.
const port = await gateway.listen();
let waiting: NodeJS.Timeout | undefined;
if (config.QUEUE === 'bullmq') {
  log.info({ port }, 'http server up: /healthz answers; waiting for Redis and the deployment check');
  waiting = setTimeout(() => log.warn({ port }, 'still waiting for Redis: requests are answered 503 until it is reachable'), 5_000);
}
try {
  await gateway.ready;
} catch (err) {
  if (stopping) await stopping;
  log.fatal({ dataDir: config.dataDir, redisPrefix: config.REDIS_PREFIX, partitions: config.QUEUE_PARTITIONS }, `refusing to start: ${(err as Error).message}`);
  await stop(1);
}
clearTimeout(waiting);
log.info({ port, dataDir: config.dataDir, queue: config.QUEUE }, 'willow listening');

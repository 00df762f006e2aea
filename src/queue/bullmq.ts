import crypto from 'node:crypto';
import { z } from 'zod';
import { Queue, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { jobSchema, jobResultSchema, type CappedJobs, type Job, type JobQueue, type JobResult, type ResultListener } from './job.ts';
import type { Logger } from '../log.ts';
import { parseExact } from '../exact-json.ts';
import { errorThrottle } from '../log-throttle.ts';

// The distributed queue. Jobs go to one of QUEUE_PARTITIONS BullMQ queues, chosen by a hash
// of the sessionID; each partition queue has a global concurrency of 1, so a session's jobs
// run one at a time in arrival order whatever the number of workers and gateways, and
// sessions spread over the partitions. The price is head-of-line blocking: two sessions
// hashed to the same partition wait for each other (README, "Distributed mode").
//
// Results come back on one Redis pub/sub channel that every gateway subscribes to; each
// gateway hands them to its own sockets, so all clients of a session, on any gateway, hear
// every result once and in the order the jobs ran (one channel is one ordered stream).

/** Where the distributed queue lives and how it is cut up; shared by gateways and workers. */
export interface BullmqSettings {
  redisUrl: string;
  /** Namespace of every Redis key and channel Willow uses (several deployments or test runs on one Redis). */
  prefix: string;
  partitions: number;
  log: Logger;
}

/** What a worker publishes when it is done with a job; validated again on arrival. */
export const resultMessageSchema = z.object({ jobId: z.string(), job: jobSchema, result: jobResultSchema });
export type ResultMessage = z.infer<typeof resultMessageSchema>;

export const partitionName = (i: number): string => `partition-${i}`;
export const resultsChannel = (prefix: string): string => `${prefix}:results`;
/** Key of the Socket.IO Redis adapter's channels. */
export const adapterKey = (prefix: string): string => `${prefix}:socket.io`;

/** Partition of a session: FNV-1a of the sessionID modulo `partitions`; the same on every process. */
export function partitionOf(sessionID: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < sessionID.length; i++) {
    h ^= sessionID.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * A Redis client that reconnects by itself (ioredis' default: retries forever, backing off to
 * 2 s) and keeps commands issued meanwhile until it is back (`maxRetriesPerRequest: null`, as
 * BullMQ requires), so nothing submitted during a Redis restart is dropped. Its errors (one
 * per reconnection attempt while Redis is away) are logged through the process's
 * ErrorThrottle, once per distinct error per ERROR_REPEAT_MS.
 */
export function redisClient(url: string, log: Logger, role: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  let wasReady = false;
  client.on('ready', () => {
    if (wasReady) log.info({ redis: role }, 'redis reconnected');
    wasReady = true;
  });
  client.on('error', (err) => errorThrottle(log).report(`redis ${role}`, err, 'redis connection error'));
  return client;
}

/**
 * Close a client: QUIT (commands sent before it are answered first) when connected; when not,
 * drop it at once (QUIT would wait for a reconnection that may never come, and commands kept
 * meanwhile could not be sent anyway). Resolves with a note when something was dropped.
 */
export async function closeRedis(client: Redis, role: string): Promise<string | void> {
  if (client.status === 'ready') {
    await client.quit().catch(() => client.disconnect());
    return;
  }
  const was: string = client.status; // ioredis' type leaves out 'end', which a closed client has
  client.disconnect();
  if (was === 'end') return;
  return `redis ${role} connection not connected: dropped`;
}

/**
 * BullMQ Queue objects with an error listener. An EventEmitter's 'error' without one throws;
 * BullMQ catches that and prints the error with console.error, a raw stack trace per queue
 * and reconnection attempt (about 30 lines a second per process while Redis is down).
 */
function partitionQueues(conn: Redis, settings: BullmqSettings): Queue[] {
  return Array.from({ length: settings.partitions }, (_, i) => {
    const q = new Queue(partitionName(i), { connection: conn, prefix: settings.prefix });
    q.on('error', (err) => errorThrottle(settings.log).report(`queue ${q.name}`, err, 'redis error (BullMQ queue)'));
    return q;
  });
}

// Partition queues have global concurrency 1. The setting is data in Redis: a Redis that
// restarted without persistence forgets it, so it is set again on every (re)connection
// before anything is added.
async function limitPartitions(queues: Queue[]): Promise<void> {
  await Promise.all(queues.map((q) => q.setGlobalConcurrency(1)));
}

// Recently delivered job IDs, to drop a second result of the same job (a worker that was
// thought dead and finished anyway, or a job re-submitted after a Redis restart).
class RecentIds {
  private readonly ids = new Set<string>();
  private readonly cap: number;
  constructor(cap: number) {
    this.cap = cap;
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.cap) this.ids.delete(this.ids.values().next().value!);
  }
}

/**
 * Gateway side: submits jobs to the partition queues and hands results to `deliver`.
 *
 * Jobs not yet answered stay in `pending` (in submission order). Whenever a Redis connection
 * comes back they are added again under the same job ID: a no-op for jobs Redis still holds,
 * and for jobs a Redis restart lost (the local Redis keeps nothing on disk) a new run, which
 * the store's idempotent commit keeps from applying twice. Results are delivered once per
 * job ID.
 *
 * Every job of a session runs alone, in arrival order, reads included: the snapshot reads
 * of the embedded queue (a read beside another client's change) are not done here, since
 * its partition's global concurrency of 1 is what orders a session's jobs across workers,
 * and a read kept apart from it would need its own ordering per client across gateways.
 * `SubmitHooks.client` is ignored.
 */
export class BullmqQueue implements JobQueue {
  private readonly settings: BullmqSettings;
  private readonly deliver: ResultListener;
  private readonly conn: Redis;
  private readonly sub: Redis;
  private readonly queues: Queue[];
  private readonly pending = new Map<string, Job>();
  private readonly delivered = new RecentIds(50_000);
  /** Resolves once the partitions are configured on the current connection (and, the first time, results subscribed to). */
  private configured: Promise<void>;
  /** The first configuration: settles once Redis was reached. */
  private readonly opened: Promise<void>;
  private closing = false;

  private constructor(settings: BullmqSettings, deliver: ResultListener) {
    this.settings = settings;
    this.deliver = deliver;
    this.conn = redisClient(settings.redisUrl, settings.log, 'queue');
    this.sub = redisClient(settings.redisUrl, settings.log, 'results');
    this.queues = partitionQueues(this.conn, settings);
    this.opened = this.configured = this.start();
    this.opened.catch(() => undefined); // reported to whoever awaits whenReady()
  }

  /**
   * The queue at once, without waiting for Redis (a gateway serves /healthz meanwhile):
   * jobs submitted before Redis is reached wait for it; `whenReady()` says when it was.
   */
  static create(settings: BullmqSettings, deliver: ResultListener): BullmqQueue {
    return new BullmqQueue(settings, deliver);
  }

  /** The queue once Redis was reached, the partitions configured and results subscribed to. */
  static async open(settings: BullmqSettings, deliver: ResultListener): Promise<BullmqQueue> {
    const q = new BullmqQueue(settings, deliver);
    await q.whenReady();
    return q;
  }

  /** Resolves once Redis was reached, the partitions configured and the results channel subscribed to. */
  whenReady(): Promise<void> {
    return this.opened;
  }

  /** Jobs submitted here and not answered yet (dropped if the process ends now). */
  get unanswered(): number {
    return this.pending.size;
  }

  private async start(): Promise<void> {
    const q = this;
    const settings = this.settings;
    await limitPartitions(q.queues);
    q.sub.on('message', (channel, raw) => q.onResult(raw));
    await q.sub.subscribe(resultsChannel(settings.prefix));
    // Both connections are up now: any later 'ready' is a reconnection, after which results
    // may have been missed or (Redis restarted empty) jobs lost. From the moment the command connection drops, new adds wait until it is back, the
    // partitions are configured again and the unanswered jobs are re-added in the order they
    // were first submitted: a job sent during the outage must not overtake earlier ones of
    // its session in a Redis that restarted empty. ('ready' fires before ioredis replays
    // the commands it kept meanwhile, so the gate is closed on 'close'.)
    let reopen: (() => void) | null = null;
    q.conn.on('close', () => {
      if (!reopen) q.configured = new Promise((resolve) => (reopen = resolve));
    });
    q.conn.on('ready', () => {
      void (async () => {
        try {
          await limitPartitions(q.queues);
          await q.resubmit();
        } catch (err) {
          settings.log.error({ err }, 'could not configure the partitions again');
        } finally {
          reopen?.();
          reopen = null;
        }
      })();
    });
    // Results published while the subscriber was away are lost: ask again for those.
    q.sub.on('ready', () => void q.configured.then(() => q.resubmit()));
  }

  async submit(job: Job): Promise<void> {
    const jobId = crypto.randomUUID();
    const queued = { ...job, jobId };
    this.pending.set(jobId, queued);
    try {
      await this.add(queued);
    } catch (err) {
      this.pending.delete(jobId);
      throw err;
    }
  }

  private async add(job: Job & { jobId: string }): Promise<void> {
    await this.configured;
    if (!this.pending.has(job.jobId)) return; // answered already (re-added after a reconnection)
    await this.addNow(job);
  }

  private async addNow(job: Job & { jobId: string }): Promise<void> {
    const q = this.queues[partitionOf(job.sessionID, this.queues.length)];
    // No retries on a thrown error: BullMQ would put the job at the back of its partition,
    // behind later jobs of the same session. A worker that dies is handled as a stalled job,
    // which goes back to the front.
    await q.add(job.operation, job, { jobId: job.jobId, attempts: 1, removeOnComplete: true, removeOnFail: true });
  }

  private async resubmit(): Promise<void> {
    if (this.closing || this.pending.size === 0) return;
    this.settings.log.warn({ jobs: this.pending.size }, 'redis connection back: submitting unanswered jobs again');
    for (const job of [...this.pending.values()]) {
      // Answered meanwhile (both connections coming back start a round): not again.
      if (!this.pending.has(job.jobId!)) continue;
      try {
        await this.addNow(job as Job & { jobId: string });
      } catch (err) {
        this.settings.log.error({ jobId: job.jobId, err }, 'could not submit a job again');
      }
    }
  }

  private onResult(raw: string): void {
    let msg: ResultMessage;
    try {
      // parseExact: a reply's integers beyond 2^53 (int64 ids) go on to the clients as the
      // worker wrote them, not rounded by JSON.parse.
      msg = resultMessageSchema.parse(parseExact(raw));
    } catch (err) {
      this.settings.log.error({ err }, 'malformed message on the results channel');
      return;
    }
    if (this.delivered.has(msg.jobId)) return;
    this.delivered.add(msg.jobId);
    // Submitted here when still waiting for its answer here.
    const mine = this.pending.delete(msg.jobId);
    this.deliver(msg.job, msg.result, mine);
  }

  /** Redis connection state and jobs waiting or running across partitions, for /healthz. */
  async health(): Promise<{ redis: string; waiting: number; active: number; unanswered: number }> {
    const redis = this.conn.status === 'ready' && this.sub.status === 'ready' ? 'ready' : this.conn.status === 'ready' ? this.sub.status : this.conn.status;
    if (redis !== 'ready') return { redis, waiting: 0, active: 0, unanswered: this.pending.size };
    const counts = await Promise.all(this.queues.map((q) => q.getJobCounts('wait', 'active', 'prioritized', 'delayed')));
    let waiting = 0;
    let active = 0;
    for (const c of counts) {
      waiting += (c.wait ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
      active += c.active ?? 0;
    }
    return { redis, waiting, active, unanswered: this.pending.size };
  }

  /**
   * Stop: nothing more is submitted or re-submitted, the queues and connections close.
   * Resolves with what had to be dropped: jobs still unanswered, connections Redis was not
   * reachable on. (A Queue shares `conn`, and its close waits for it only while connected.)
   */
  async close(): Promise<string | void> {
    this.closing = true;
    const notes: string[] = [];
    if (this.pending.size) notes.push(`${this.pending.size} job(s) submitted here not answered yet: their clients get no reply from this gateway`);
    if (this.conn.status === 'ready') await Promise.all(this.queues.map((q) => q.close()));
    for (const [client, role] of [[this.conn, 'queue'], [this.sub, 'results']] as const) {
      const note = await closeRedis(client, role);
      if (note) notes.push(note);
    }
    if (notes.length) return notes.join('; ');
  }
}

export interface ConsumerSettings extends BullmqSettings {
  /** Jobs this process runs at once, across partitions. */
  concurrency: number;
  /** A job's lock lives this long unless renewed (BullMQ renews it at half-time while the job runs). */
  lockDurationMs: number;
  /** How often workers look for jobs whose worker is gone. */
  stalledIntervalMs: number;
  /** Times a job whose worker died is run again before it fails. */
  maxStalledCount: number;
  /** Jobs of which at most `max` run at once in this process (CappedJobs): the others wait for one before taking a slot of `concurrency`. */
  capped?: CappedJobs;
}

export interface ConsumerHooks {
  /** Run one job (never throws: failures are results). `log` carries the job ID. */
  execute(job: Job, log: Logger): Promise<JobResult>;
  /** The answer for a job that BullMQ gave up on (its workers kept dying). */
  givenUp(job: Job, reason: string, log: Logger): Promise<JobResult>;
  /** Test hook: called after a job ran, before its result is published. */
  beforePublish?(job: Job): void;
}

/**
 * Worker side: one BullMQ Worker per partition (each one job at a time; the partition's
 * global concurrency of 1 holds it across processes), at most `concurrency` jobs running in
 * this process: when that many run, the idle partition workers pause fetching.
 */
export class BullmqConsumer {
  private readonly settings: ConsumerSettings;
  private readonly conn: Redis;
  private readonly queues: Queue[];
  private readonly workers: Worker[];
  private running = 0;
  private peak = 0;
  private readonly busy = new Set<Worker>();
  private slotWaiters: (() => void)[] = [];
  /** Capped jobs running, and those waiting for one of them to end (first come, first served). */
  private cappedRunning = 0;
  private cappedWaiters: (() => void)[] = [];
  private closing = false;

  constructor(settings: ConsumerSettings, hooks: ConsumerHooks) {
    this.settings = settings;
    this.conn = redisClient(settings.redisUrl, settings.log, 'worker');
    this.queues = partitionQueues(this.conn, settings);
    const publish = (msg: ResultMessage) => this.conn.publish(resultsChannel(settings.prefix), JSON.stringify(msg));
    this.workers = this.queues.map((q) => {
      const worker: Worker = new Worker(
        q.name,
        async (bj: BullJob, token?: string) => {
          const job = { ...jobSchema.parse(bj.data), jobId: String(bj.id) };
          const log = settings.log.child({ jobId: job.jobId, sessionID: job.sessionID, operation: job.operation });
          // A worker that lost its job's lock was taken for dead (its lock lapsed, or a Redis
          // that restarted empty forgot the job): the job is run again, or will be, and that
          // run answers. This one stays silent, so that a late failure of it cannot be the
          // one reply the client gets.
          const answer = async (result: JobResult): Promise<boolean> => {
            if (token && (await bj.extendLock(token, settings.lockDurationMs)) !== 1) {
              log.warn('job lock lost: another run answers this job');
              return false;
            }
            await publish({ jobId: job.jobId, job, result });
            return true;
          };
          const capped = settings.capped?.matches(job) ? settings.capped : undefined;
          if (capped) {
            const waited = await this.acquireCapped(capped);
            if (waited !== null) {
              if (await answer(capped.busy(job, waited))) log.info({ waitedMs: Math.round(waited) }, 'job refused: no command process became free');
              return;
            }
          }
          await this.acquire(worker);
          try {
            const started = performance.now();
            log.info({ partition: q.name, stalls: bj.stalledCounter }, 'job started');
            const result = await hooks.execute(job, log);
            hooks.beforePublish?.(job);
            if (await answer(result)) log.info({ ms: Math.round(performance.now() - started), success: result.message.success }, 'job done');
          } finally {
            this.release(worker);
            if (capped) this.releaseCapped(capped);
          }
        },
        {
          connection: this.conn,
          prefix: settings.prefix,
          concurrency: 1,
          lockDuration: settings.lockDurationMs,
          stalledInterval: settings.stalledIntervalMs,
          maxStalledCount: settings.maxStalledCount,
          removeOnComplete: { count: 0 },
          removeOnFail: { count: 0 },
        },
      );
      worker.on('failed', (bj, err) => {
        if (!bj) return;
        const parsed = jobSchema.safeParse(bj.data);
        if (!parsed.success) return settings.log.error({ jobId: bj.id, err: err.message }, 'failed job with a malformed body');
        const job = { ...parsed.data, jobId: String(bj.id) };
        const log = settings.log.child({ jobId: job.jobId, sessionID: job.sessionID, operation: job.operation });
        log.error({ reason: err.message }, 'job failed');
        void hooks
          .givenUp(job, err.message, log)
          .then((result) => publish({ jobId: job.jobId, job, result }))
          .catch((e) => log.error({ err: e }, 'could not publish the failure of a job'));
      });
      worker.on('error', (err) => errorThrottle(settings.log).report(`worker ${q.name}`, err, 'worker error'));
      return worker;
    });
  }

  /** Resolves once every partition worker is connected and the partitions are configured. */
  async ready(): Promise<void> {
    await limitPartitions(this.queues);
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    // From now on a 'ready' is a reconnection: a Redis that restarted empty has forgotten
    // the partitions' concurrency.
    this.conn.on('ready', () => void limitPartitions(this.queues).catch((err) => this.settings.log.error({ err }, 'could not set partition concurrency')));
  }

  isConnected(): boolean {
    return this.conn.status === 'ready';
  }

  get activeJobs(): number {
    return this.running;
  }

  /** Most jobs this process ran at once since it started (at most `concurrency`). */
  get peakJobs(): number {
    return this.peak;
  }

  // A partition worker that fetched a job while the process was at its limit (the pause
  // below came too late) waits here; the other idle ones stop fetching until a slot frees.
  private async acquire(worker: Worker): Promise<void> {
    while (this.running >= this.settings.concurrency) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    this.busy.add(worker);
    if (this.running >= this.settings.concurrency) {
      for (const w of this.workers) if (!this.busy.has(w) && !w.isPaused()) w.pause(true).catch((err) => this.settings.log.warn({ err }, 'could not pause a partition worker'));
    }
  }

  private release(worker: Worker): void {
    this.running--;
    this.busy.delete(worker);
    this.slotWaiters.shift()?.();
    if (this.running < this.settings.concurrency && !this.closing) {
      for (const w of this.workers) if (w.isPaused()) w.resume().catch((err) => this.settings.log.warn({ err }, 'could not resume a partition worker'));
    }
  }

  /** A capped job's turn: null once it may run, or the ms it waited in vain (CappedJobs.waitMs). */
  private acquireCapped(capped: CappedJobs): Promise<number | null> {
    if (this.cappedRunning < capped.max && this.cappedWaiters.length === 0) {
      this.cappedRunning++;
      return Promise.resolve(null);
    }
    if (capped.waitMs <= 0) return Promise.resolve(0);
    const since = performance.now();
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        this.cappedRunning++;
        resolve(null);
      };
      const timer = setTimeout(() => {
        this.cappedWaiters.splice(this.cappedWaiters.indexOf(grant), 1);
        resolve(performance.now() - since);
      }, capped.waitMs);
      this.cappedWaiters.push(grant);
    });
  }

  private releaseCapped(capped: CappedJobs): void {
    this.cappedRunning--;
    while (this.cappedRunning < capped.max && this.cappedWaiters.length > 0) this.cappedWaiters.shift()!();
  }

  /**
   * Graceful stop: fetch nothing more, let running jobs finish and answer, then disconnect.
   * With Redis unreachable a running job cannot answer (its lock and its result wait for
   * Redis): the workers are then closed at once and the job is run again elsewhere once its
   * lock lapses. Redis going away during the close is bounded by the caller's deadline
   * (SHUTDOWN_TIMEOUT_MS). Resolves with a note on what was dropped, if anything.
   */
  async close(): Promise<string | void> {
    this.closing = true;
    // Redis away: a running job can no longer answer, and a graceful close would wait for
    // Redis (the blocking connections' QUIT): closed at once, the jobs left to run again.
    const connected = this.conn.status === 'ready';
    const running = this.running;
    await Promise.all(this.workers.map((w) => w.close(!connected)));
    if (connected) await Promise.all(this.queues.map((q) => q.close()));
    const dropped = await closeRedis(this.conn, 'worker');
    const notes = [...(!connected && running ? [`${running} running job(s) left unanswered (Redis unreachable): run again by another worker once their lock lapses`] : []), ...(dropped ? [dropped] : [])];
    if (notes.length) return notes.join('; ');
  }
}

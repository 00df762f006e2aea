import type { Job, JobQueue, JobResult, ResultListener, SubmitHooks } from './job.ts';
import { waitedTooLong } from './session-limit.ts';

export type Executor = (job: Job) => Promise<JobResult>;

export interface EmbeddedOptions {
  /** Whether a job only reads (reads of a session may run side by side; see the class). Default: none does. */
  isRead?: (job: Job) => boolean;
  /**
   * Longest a read may wait for its turn, in ms (READ_WAIT_MS; 0: no limit): past it the read
   * is answered `busy` without running (waitedTooLong). Under overload the queue then holds
   * what clients still wait for, instead of a backlog of answers nobody reads any more.
   */
  readWaitMs?: number;
  /** Called for each read dropped unanswered because its client is gone (SubmitHooks.abandoned). */
  onDropped?: (job: Job) => void;
  /** Clock in ms (tests). */
  now?: () => number;
}

interface Queued {
  job: Job;
  read: boolean;
  at: number;
  abandoned?: () => boolean;
}

interface Lane {
  jobs: Queued[];
  /** Jobs of this session running now: any number of reads, or one other job. */
  active: number;
  activeReads: boolean;
}

/**
 * In-process queue: one FIFO lane per session and at most `concurrency` jobs running across
 * sessions. A session's jobs start in arrival order, and a job that is not a read runs alone:
 * it waits for the jobs before it and the jobs after it wait for it. Consecutive reads
 * (`isRead`) of one session run side by side, since they see the same immutable version
 * (under load, ten clients paging one session otherwise wait for each other's slices).
 * Without `isRead` every job runs alone.
 *
 * Reads that can no longer be of use are not run: one whose client disconnected is dropped
 * (`onDropped`; nobody could receive its answer), one that waited past `readWaitMs` is
 * answered `busy` — both when they come up and, so that a lane held by a long change does
 * not keep them, by a sweep a few times a second. Every other job is answered by its run.
 */
export class EmbeddedQueue implements JobQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Sessions whose first waiting job can start, in the order they became so. */
  private readonly ready: string[] = [];
  private readonly isReady = new Set<string>();
  private running = 0;
  private readonly execute: Executor;
  private readonly onResult: ResultListener;
  private readonly concurrency: number;
  private readonly isRead: (job: Job) => boolean;
  private readonly readWaitMs: number;
  private readonly onDropped: (job: Job) => void;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout | null;
  private idleWaiters: (() => void)[] = [];

  constructor(execute: Executor, onResult: ResultListener, concurrency: number, options: EmbeddedOptions = {}) {
    this.execute = execute;
    this.onResult = onResult;
    this.concurrency = concurrency;
    this.isRead = options.isRead ?? (() => false);
    this.readWaitMs = options.readWaitMs ?? 0;
    this.onDropped = options.onDropped ?? (() => {});
    this.now = options.now ?? (() => performance.now());
    this.sweeper = this.readWaitMs > 0 || options.onDropped ? setInterval(() => this.sweep(), Math.min(250, Math.max(10, this.readWaitMs / 4 || 250))) : null;
    this.sweeper?.unref();
  }

  async submit(job: Job, hooks: SubmitHooks = {}): Promise<void> {
    let lane = this.lanes.get(job.sessionID);
    if (!lane) this.lanes.set(job.sessionID, (lane = { jobs: [], active: 0, activeReads: false }));
    lane.jobs.push({ job, read: this.isRead(job), at: this.now(), abandoned: hooks.abandoned });
    this.markReady(job.sessionID, lane);
    this.pump();
  }

  /** Queue the session for a slot when its first waiting job may start beside what runs. */
  private markReady(sessionId: string, lane: Lane): void {
    if (this.isReady.has(sessionId) || lane.jobs.length === 0) return;
    if (lane.active > 0 && !(lane.activeReads && lane.jobs[0].read)) return;
    this.isReady.add(sessionId);
    this.ready.push(sessionId);
  }

  /**
   * Whether a waiting job is of no use any more: answered `busy` (waited too long) or
   * dropped (client gone) here; the caller removes it from its lane.
   */
  private retire(q: Queued, now: number): boolean {
    if (!q.read) return false;
    if (q.abandoned?.()) {
      this.onDropped(q.job);
      return true;
    }
    if (this.readWaitMs > 0 && now - q.at > this.readWaitMs) {
      this.onResult(q.job, waitedTooLong(q.job, now - q.at, this.readWaitMs));
      return true;
    }
    return false;
  }

  /** Retire the reads of every lane that are of no use any more. */
  private sweep(): void {
    const now = this.now();
    for (const [sessionId, lane] of this.lanes) {
      const before = lane.jobs.length;
      lane.jobs = lane.jobs.filter((q) => !this.retire(q, now));
      if (lane.jobs.length === before) continue;
      if (lane.active === 0 && lane.jobs.length === 0) this.lanes.delete(sessionId);
      // A change that waited behind retired reads may now be first and free to start.
      else this.markReady(sessionId, lane);
    }
    this.pump();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const sessionId = this.ready.shift()!;
      this.isReady.delete(sessionId);
      const lane = this.lanes.get(sessionId);
      if (!lane) continue; // the sweep retired all it had
      const now = this.now();
      while (lane.jobs.length > 0 && this.retire(lane.jobs[0], now)) lane.jobs.shift();
      const next = lane.jobs[0];
      if (!next || (lane.active > 0 && !(lane.activeReads && next.read))) {
        // What is left may not start beside what runs (or nothing is left): wait for it.
        if (lane.active === 0 && lane.jobs.length === 0) this.lanes.delete(sessionId);
        continue;
      }
      lane.jobs.shift();
      lane.activeReads = next.read;
      lane.active++;
      this.running++;
      void this.run(sessionId, lane, next.job);
      // A following read may start too, after the sessions already waiting (fairness).
      this.markReady(sessionId, lane);
    }
    if (this.running === 0 && this.ready.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(sessionId: string, lane: Lane, job: Job): Promise<void> {
    try {
      this.onResult(job, await this.execute(job));
    } catch {
      // The executor answers every failure itself and the listener logs its own; a throw
      // here must not stall the session's lane.
    } finally {
      lane.active--;
      this.running--;
      if (lane.active === 0 && lane.jobs.length === 0) this.lanes.delete(sessionId);
      else this.markReady(sessionId, lane);
      this.pump();
    }
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.ready.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.idle();
    if (this.sweeper) clearInterval(this.sweeper);
  }
}

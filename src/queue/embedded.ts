import type { Job, JobQueue, JobResult, ResultListener } from './job.ts';

export type Executor = (job: Job) => Promise<JobResult>;

interface Lane {
  jobs: Job[];
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
  private idleWaiters: (() => void)[] = [];

  constructor(execute: Executor, onResult: ResultListener, concurrency: number, isRead: (job: Job) => boolean = () => false) {
    this.execute = execute;
    this.onResult = onResult;
    this.concurrency = concurrency;
    this.isRead = isRead;
  }

  async submit(job: Job): Promise<void> {
    let lane = this.lanes.get(job.sessionID);
    if (!lane) this.lanes.set(job.sessionID, (lane = { jobs: [], active: 0, activeReads: false }));
    lane.jobs.push(job);
    this.markReady(job.sessionID, lane);
    this.pump();
  }

  /** Queue the session for a slot when its first waiting job may start beside what runs. */
  private markReady(sessionId: string, lane: Lane): void {
    if (this.isReady.has(sessionId) || lane.jobs.length === 0) return;
    if (lane.active > 0 && !(lane.activeReads && this.isRead(lane.jobs[0]))) return;
    this.isReady.add(sessionId);
    this.ready.push(sessionId);
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const sessionId = this.ready.shift()!;
      this.isReady.delete(sessionId);
      const lane = this.lanes.get(sessionId)!;
      const job = lane.jobs.shift()!;
      lane.activeReads = this.isRead(job);
      lane.active++;
      this.running++;
      void this.run(sessionId, lane, job);
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
  }
}

import type { Job, JobQueue, JobResult, ResultListener } from './job.ts';

export type Executor = (job: Job) => Promise<JobResult>;

/**
 * In-process queue: one FIFO lane per session (jobs of a session run one at a time, in
 * arrival order) and at most `concurrency` jobs running across sessions.
 */
export class EmbeddedQueue implements JobQueue {
  private readonly lanes = new Map<string, Job[]>();
  private readonly ready: string[] = [];
  private running = 0;
  private readonly execute: Executor;
  private readonly onResult: ResultListener;
  private readonly concurrency: number;
  private idleWaiters: (() => void)[] = [];

  constructor(execute: Executor, onResult: ResultListener, concurrency: number) {
    this.execute = execute;
    this.onResult = onResult;
    this.concurrency = concurrency;
  }

  async submit(job: Job): Promise<void> {
    const lane = this.lanes.get(job.sessionID);
    if (lane) {
      lane.push(job); // the lane is queued or running: the job waits its turn
      return;
    }
    this.lanes.set(job.sessionID, [job]);
    this.ready.push(job.sessionID);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const sessionId = this.ready.shift()!;
      this.running++;
      void this.drainOne(sessionId);
    }
    if (this.running === 0 && this.ready.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async drainOne(sessionId: string): Promise<void> {
    const lane = this.lanes.get(sessionId)!;
    const job = lane[0];
    try {
      this.onResult(job, await this.execute(job));
    } catch {
      // The executor answers every failure itself and the listener logs its own; a throw
      // here must not stall the session's lane.
    } finally {
      lane.shift();
      this.running--;
      if (lane.length > 0) this.ready.push(sessionId); // back of the line: fairness across sessions
      else this.lanes.delete(sessionId);
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

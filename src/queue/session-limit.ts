import type { Job, JobQueue } from './job.ts';

/** A request refused because its session already has MAX_QUEUED_PER_SESSION waiting or running. */
export class BusyError extends Error {
  readonly code = 'busy';
  constructor(max: number) {
    super(`this session already has ${max} requests waiting or running (MAX_QUEUED_PER_SESSION); wait for their answers and send again`);
    this.name = 'BusyError';
  }
}

/**
 * Bound the requests one session may have queued or running, over any queue
 * implementation: `wrap` the queue, and call `done` for each job whose result was delivered.
 * Without it one client could queue work without end behind its session's lane (each job
 * of a session waits for the previous one).
 */
export class SessionLimit {
  private readonly counts = new Map<string, number>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  wrap(queue: JobQueue): JobQueue {
    return {
      submit: async (job: Job) => {
        const n = this.counts.get(job.sessionID) ?? 0;
        if (n >= this.max) throw new BusyError(this.max);
        this.counts.set(job.sessionID, n + 1);
        try {
          await queue.submit(job);
        } catch (err) {
          this.done(job);
          throw err;
        }
      },
      close: () => queue.close(),
    };
  }

  done(job: Job): void {
    const n = (this.counts.get(job.sessionID) ?? 1) - 1;
    if (n > 0) this.counts.set(job.sessionID, n);
    else this.counts.delete(job.sessionID);
  }
}

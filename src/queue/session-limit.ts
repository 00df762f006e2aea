import type { Job, JobQueue, JobResult, SubmitHooks } from './job.ts';

/** A request refused because its session already has MAX_QUEUED_PER_SESSION waiting or running. */
export class BusyError extends Error {
  readonly code = 'busy';
  constructor(max: number) {
    super(`this session already has ${max} requests waiting or running through this server (MAX_QUEUED_PER_SESSION); wait for their answers and send again`);
    this.name = 'BusyError';
  }
}

/**
 * Bound the requests one session may have queued or running, over any queue
 * implementation: `wrap` the queue, and call `done` for each job whose result was delivered.
 * Without it one client could queue work without end behind its session's lane (each job
 * of a session waits for the previous one). Counted by each gateway for the requests it
 * submitted, in its memory: with N gateways a session may have N × max. What it bounds is
 * each gateway's memory and each client's share of its session's lane; a count shared in
 * Redis would stay raised by the jobs of a gateway that died, refusing the session's
 * requests until it expired.
 */
export class SessionLimit {
  private readonly counts = new Map<string, number>();
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }

  wrap(queue: JobQueue): JobQueue {
    return {
      submit: async (job: Job, hooks?: SubmitHooks) => {
        const n = this.counts.get(job.sessionID) ?? 0;
        if (n >= this.max) throw new BusyError(this.max);
        this.counts.set(job.sessionID, n + 1);
        try {
          await queue.submit(job, hooks);
        } catch (err) {
          this.done(job);
          throw err;
        }
      },
      whenReady: queue.whenReady ? () => queue.whenReady!() : undefined,
      close: () => queue.close(),
    };
  }

  done(job: Job): void {
    const n = (this.counts.get(job.sessionID) ?? 1) - 1;
    if (n > 0) this.counts.set(job.sessionID, n);
    else this.counts.delete(job.sessionID);
  }
}

/** The answer `busy` to a job that did not run, `description` saying why (for a person). */
function busyAnswer(job: Job, description: string): JobResult {
  return {
    message: { operation: job.operation, sessionID: job.sessionID, requestID: job.requestID ?? null, success: false, error: 'busy', errorDescription: description },
    dataChanged: false,
  };
}

/**
 * The answer to a job that takes a command process and waited longer than COMMAND_WAIT_MS
 * for one to be free (EmbeddedOptions.capped): `busy`, as executeCommand answers when it
 * waits in vain for a process itself (engine/sandbox-process.ts).
 */
export function waitedForCommandProcess(job: Job, waitedMs: number, limitMs: number, processes: number): JobResult {
  return busyAnswer(
    job,
    `this request runs a command, and all ${processes} command processes (COMMAND_PROCESSES) stayed in use for ${Math.round(waitedMs)} ms, more than the longest a command waits for one (${limitMs} ms, COMMAND_WAIT_MS); it did not run and the dataset is unchanged; send it again later`,
  );
}

/**
 * The answer to a read that waited longer than READ_WAIT_MS for its turn and was not run:
 * `busy`, like a request refused for a full backlog, since what it asks for is the same
 * (send again later) — and a client waiting that long has usually moved on.
 */
export function waitedTooLong(job: Job, waitedMs: number, limitMs: number): JobResult {
  return busyAnswer(job, `this read waited ${Math.round(waitedMs)} ms for its turn, more than ${limitMs} ms (READ_WAIT_MS), and was not run; the server is busy, send it again`);
}

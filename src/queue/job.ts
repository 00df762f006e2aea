import { z } from 'zod';

/** A request as it travels through the queue: the client's body, untouched, plus where it came from. */
export const jobSchema = z.object({
  /** Event name the client used (may be an alias of the operation). */
  operation: z.string(),
  sessionID: z.string(),
  requestID: z.unknown(),
  body: z.record(z.string(), z.unknown()),
  /**
   * Set by queues that may run a job twice (BullMQ re-runs the jobs of a killed worker):
   * unique across gateways, recorded with the version the job makes, so that its commit is
   * idempotent. The embedded queue runs each job once and leaves it unset.
   */
  jobId: z.string().optional(),
});
export type Job = z.infer<typeof jobSchema>;

/**
 * The message for the session's room, and whether a `dataChanged` event must follow it:
 * after every successful changing operation, also one that changed nothing (the message's
 * own `changed` says which); never after a read or a failure.
 */
export const jobResultSchema = z.object({
  message: z.record(z.string(), z.unknown()),
  dataChanged: z.boolean(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

/**
 * Called with each job's result. `mine` is false for a job another gateway submitted (over
 * BullMQ every gateway receives every result, to reach its own clients of the session): a
 * gateway's count of its session's outstanding requests takes only its own. Unset: mine.
 */
export type ResultListener = (job: Job, result: JobResult, mine?: boolean) => void;

/**
 * Jobs that each need one of a few resources of their own (executeCommand's processes,
 * COMMAND_PROCESSES): a queue runs at most `max` of them at once, and the others wait for
 * one without taking a slot of the queue's concurrency (waiting inside running jobs, six of
 * them held every slot and every other session's requests waited behind them). One that has
 * waited longer than `waitMs` for one (0: one that cannot start at once) is answered
 * `busy(job, waitedMs)` without running.
 */
export interface CappedJobs {
  matches(job: Job): boolean;
  max: number;
  waitMs: number;
  busy(job: Job, waitedMs: number): JobResult;
}

/**
 * The queue between gateway and workers. The embedded implementation runs jobs in this
 * process; the BullMQ one hands them to worker processes over Redis. Either way, each result
 * reaches the listener, a session's changes run one at a time in arrival order, and a
 * client's jobs in a session keep its order (a read sees that client's earlier edits). The
 * BullMQ queue runs every job of a session one at a time in arrival order; the embedded one
 * lets reads run beside changes of other clients (snapshot reads, see EmbeddedQueue).
 */
export interface JobQueue {
  submit(job: Job, hooks?: SubmitHooks): Promise<void>;
  /**
   * Resolves once the queue can run jobs (BullMQ: Redis reached, partitions configured);
   * until then submitted jobs wait. Unset: at once.
   */
  whenReady?(): Promise<void>;
  /** Stop; resolves with a note on what had to be dropped (unanswered jobs, unreachable Redis), if anything. */
  close(): Promise<string | void>;
}

/** What the gateway knows about a job's client, for queues that can use it (the embedded one). */
export interface SubmitHooks {
  /**
   * True once nobody can receive the job's answer (its client disconnected): a read not yet
   * started is then dropped without running. Changes run whatever happens to their client.
   */
  abandoned?: () => boolean;
  /**
   * Who sent the job (the Socket.IO connection's id): the embedded queue keeps each
   * client's order in a session and lets other clients' reads run beside a change. Unset:
   * the job is ordered against every job of its session, as if all came from one client.
   */
  client?: string;
}

import type { CappedJobs, Job, JobQueue, JobResult, ResultListener, SubmitHooks } from './job.ts';
import { waitedTooLong } from './session-limit.ts';

export type Executor = (job: Job) => Promise<JobResult>;

export interface EmbeddedOptions {
  /** Whether a job only reads (reads may run beside other jobs of their session; see the class). Default: none does. */
  isRead?: (job: Job) => boolean;
  /**
   * Longest a read may wait for its turn, in ms (READ_WAIT_MS; 0: no limit): past it the read
   * is answered `busy` without running (waitedTooLong). A read's turn comes once its own
   * client's earlier changes are done (it waits for those by that client's order, however long). Under overload the queue then holds
   * what clients still wait for, instead of a backlog of answers nobody reads any more.
   */
  readWaitMs?: number;
  /** Called for each read dropped unanswered because its client is gone (SubmitHooks.abandoned). */
  onDropped?: (job: Job) => void;
  /** Clock in ms (tests). */
  now?: () => number;
  /** Jobs of which at most `max` run at once (CappedJobs); the others wait in their lanes. */
  capped?: CappedJobs;
  /**
   * Most jobs of one session running at once (default: half the concurrency, at least 1).
   * Slots are given to sessions in turn, but a session with many reads waiting took every
   * slot free when no other session waited; a session coming a moment later then waited for
   * one of those reads to end (seconds each on a large dataset) and was answered `busy`.
   */
  perSession?: number;
}

/** A job of a lane, waiting or running. */
interface Entry {
  job: Job;
  read: boolean;
  /** Whether the job is one of EmbeddedOptions.capped. */
  capped: boolean;
  /** When a capped job was first free to start but every capped slot was taken (its wait for one). */
  cappedSince?: number;
  /** SubmitHooks.client, or null: a job without one is ordered against every job of its session. */
  client: string | null;
  /** When the job came, or, for a read its order still holds back, when last found so (its wait for a turn, what READ_WAIT_MS bounds, starts after). */
  at: number;
  abandoned?: () => boolean;
  running: boolean;
}

/** A session's jobs, waiting and running, in arrival order. */
interface Lane {
  entries: Entry[];
  running: number;
}

/**
 * In-process queue: one lane per session and at most `concurrency` jobs running across
 * sessions (sessions served in turn), at most `perSession` of them of one session.
 *
 * Within a session, a job waits only for the earlier jobs it must not overtake:
 * - changes (every job that is not a read: it may make a new version) run one at a time,
 *   in arrival order;
 * - a read runs on the version current when it starts (the executor pins it, see
 *   SessionStore.snapshot), beside reads and beside a change of another client. Versions
 *   are immutable once committed, so such a read is a snapshot read: it answers from a
 *   version that was current during its lifetime (linearizable), whether the change
 *   commits before it starts or not;
 * - per client (`SubmitHooks.client`, the Socket.IO connection), arrival order holds: a read
 *   waits for that client's earlier changes (a client that sends an edit and then a read
 *   without waiting sees its edit), a change for that client's earlier reads;
 * - a job without a client keeps the strict order: it waits for every earlier change (a
 *   change of it for every earlier job), and every later change waits for it (every later
 *   job, when it is a change).
 * Without `isRead` every job is a change and runs alone.
 *
 * Reads that can no longer be of use are not run: one whose client disconnected is dropped
 * (`onDropped`; nobody could receive its answer), one that waited past `readWaitMs` is
 * answered `busy` — both when they come up and, so that a lane held by a long change does
 * not keep them, by a sweep a few times a second. A read of a client waits for that
 * client's earlier changes without this limit: it counts from when they are done. Capped jobs (EmbeddedOptions.capped) start
 * only while fewer than their `max` run, and one that waited past their `waitMs` is answered
 * `busy` alike. Every other job is answered by its run.
 */
export class EmbeddedQueue implements JobQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Sessions with a job that can start, in the order they became so. */
  private readonly ready: string[] = [];
  private readonly isReady = new Set<string>();
  private running = 0;
  private readonly execute: Executor;
  private readonly onResult: ResultListener;
  private readonly concurrency: number;
  private readonly perSession: number;
  private readonly isRead: (job: Job) => boolean;
  private readonly readWaitMs: number;
  private readonly onDropped: (job: Job) => void;
  private readonly now: () => number;
  private readonly capped: EmbeddedOptions['capped'];
  /** Capped jobs running. */
  private cappedRunning = 0;
  /**
   * Capped jobs free to start but for the cap, in the order they became so: they take the
   * capped slots first come, first served (left to the order lanes come up in, a session
   * with its next command queued took every slot its last one gave back).
   */
  private readonly cappedLine: Entry[] = [];
  private readonly sweeper: NodeJS.Timeout | null;
  private idleWaiters: (() => void)[] = [];

  constructor(execute: Executor, onResult: ResultListener, concurrency: number, options: EmbeddedOptions = {}) {
    this.execute = execute;
    this.onResult = onResult;
    this.concurrency = concurrency;
    this.perSession = options.perSession ?? Math.max(1, Math.ceil(concurrency / 2));
    this.isRead = options.isRead ?? (() => false);
    this.readWaitMs = options.readWaitMs ?? 0;
    this.onDropped = options.onDropped ?? (() => {});
    this.now = options.now ?? (() => performance.now());
    this.capped = options.capped;
    this.sweeper = this.readWaitMs > 0 || options.onDropped || this.capped ? setInterval(() => this.sweep(), Math.min(250, Math.max(10, this.readWaitMs / 4 || 250))) : null;
    this.sweeper?.unref();
  }

  async submit(job: Job, hooks: SubmitHooks = {}): Promise<void> {
    let lane = this.lanes.get(job.sessionID);
    if (!lane) this.lanes.set(job.sessionID, (lane = { entries: [], running: 0 }));
    lane.entries.push({ job, read: this.isRead(job), capped: this.capped?.matches(job) ?? false, client: hooks.client ?? null, at: this.now(), abandoned: hooks.abandoned, running: false });
    this.markReady(job.sessionID, lane);
    this.pump();
  }

  /**
   * The first waiting job of the lane that no earlier job (waiting or running) holds back,
   * by the rules of the class comment; one pass over the lane (at most MAX_QUEUED_PER_SESSION).
   */
  private startable(lane: Lane): Entry | undefined {
    for (const [e, free] of this.waiting(lane)) {
      if (free && (!e.capped || this.cappedTurn(e))) return e;
    }
    return undefined;
  }

  /** Each waiting job of the lane, in order, with whether its earlier jobs let it start (the rules of the class comment). */
  private *waiting(lane: Lane): Generator<[Entry, boolean]> {
    let changeBefore = false; // any earlier change
    let readBefore = false; // any earlier read
    let anonymousChangeBefore = false;
    let anonymousReadBefore = false;
    const clientChanges = new Set<string>(); // clients with an earlier change
    const clientReads = new Set<string>(); // clients with an earlier read
    for (const e of lane.entries) {
      if (!e.running) {
        yield [
          e,
          e.read
            ? e.client === null
              ? !changeBefore
              : !anonymousChangeBefore && !clientChanges.has(e.client)
            : !changeBefore && !anonymousReadBefore && (e.client === null ? !readBefore : !clientReads.has(e.client)),
        ];
      }
      if (e.read) {
        readBefore = true;
        if (e.client === null) anonymousReadBefore = true;
        else clientReads.add(e.client);
      } else {
        changeBefore = true;
        if (e.client === null) anonymousChangeBefore = true;
        else clientChanges.add(e.client);
      }
    }
  }

  /**
   * Whether capped job `e`, free to start by its lane's order, may take a capped slot now:
   * the slots left go to the longest waiting first. One that may not joins the line; its
   * wait for a slot (not for its session's earlier jobs) is what the limit counts.
   */
  private cappedTurn(e: Entry): boolean {
    const room = this.capped!.max - this.cappedRunning;
    const at = this.cappedLine.indexOf(e);
    if (at >= 0) return at < room;
    if (this.cappedLine.length < room) return true;
    e.cappedSince = this.now();
    this.cappedLine.push(e);
    return false;
  }

  /** Queue the session for a slot when one of its waiting jobs may start beside what runs. */
  private markReady(sessionId: string, lane: Lane): void {
    if (this.isReady.has(sessionId) || !this.startable(lane)) return;
    this.isReady.add(sessionId);
    this.ready.push(sessionId);
  }

  /**
   * Whether a waiting job is of no use any more: answered `busy` (waited too long) or
   * dropped (client gone) here; the caller removes it from its lane.
   */
  private retire(e: Entry, now: number): boolean {
    if (e.running) return false;
    if (e.capped) {
      // Only one in the line that the slots left cannot take yet, for as long as it has waited for one.
      const at = this.cappedLine.indexOf(e);
      if (at < 0 || at < this.capped!.max - this.cappedRunning) return false;
      const waited = now - e.cappedSince!;
      if (waited <= this.capped!.waitMs) return false;
      this.cappedLine.splice(at, 1);
      this.onResult(e.job, this.capped!.busy(e.job, waited));
      return true;
    }
    if (!e.read) return false;
    if (e.abandoned?.()) {
      this.onDropped(e.job);
      return true;
    }
    if (this.readWaitMs > 0 && now - e.at > this.readWaitMs) {
      this.onResult(e.job, waitedTooLong(e.job, now - e.at, this.readWaitMs));
      return true;
    }
    return false;
  }

  /** Retire the waiting reads of a lane that are of no use any more; whether any was. */
  private retireFrom(lane: Lane, now: number): boolean {
    // A read held back by its own client's earlier change waits by the order that client
    // asked for (it must see that change), not for a slot of an overloaded server: its wait
    // for a turn starts once that change is done. Counted from its arrival, every read a
    // client sent during its change of a minute was answered `busy` after READ_WAIT_MS.
    // (A job without a client keeps the strict order: its reads are retired as before.)
    for (const [e, free] of this.waiting(lane)) {
      if (e.read && e.client !== null && !free) e.at = now;
    }
    const before = lane.entries.length;
    lane.entries = lane.entries.filter((e) => !this.retire(e, now));
    return lane.entries.length !== before;
  }

  /** Retire the reads of every lane that are of no use any more. */
  private sweep(): void {
    const now = this.now();
    for (const [sessionId, lane] of this.lanes) {
      if (!this.retireFrom(lane, now)) continue;
      if (lane.entries.length === 0) this.lanes.delete(sessionId);
      // A change that waited behind retired reads may now be free to start.
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
      this.retireFrom(lane, this.now());
      // At its share: it is marked ready again when one of its jobs ends (run()).
      if (lane.running >= this.perSession) continue;
      const next = this.startable(lane);
      if (!next) {
        // What is left may not start beside what runs (or nothing is left): wait for it.
        if (lane.entries.length === 0) this.lanes.delete(sessionId);
        continue;
      }
      next.running = true;
      lane.running++;
      this.running++;
      if (next.capped) {
        this.cappedRunning++;
        const at = this.cappedLine.indexOf(next);
        if (at >= 0) this.cappedLine.splice(at, 1);
      }
      void this.run(sessionId, lane, next);
      // Another job may start too, after the sessions already waiting (fairness).
      this.markReady(sessionId, lane);
    }
    if (this.running === 0 && this.ready.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(sessionId: string, lane: Lane, entry: Entry): Promise<void> {
    try {
      this.onResult(entry.job, await this.execute(entry.job));
    } catch {
      // The executor answers every failure itself and the listener logs its own; a throw
      // here must not stall the session's lane.
    } finally {
      lane.entries.splice(lane.entries.indexOf(entry), 1);
      lane.running--;
      this.running--;
      if (lane.entries.length === 0) this.lanes.delete(sessionId);
      else this.markReady(sessionId, lane);
      if (entry.capped) {
        this.cappedRunning--;
        // Room for a capped job: every lane that waits for one may start it now.
        for (const [id, l] of this.lanes) this.markReady(id, l);
      }
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

import type { Logger } from './log.ts';

/** How long one distinct error is logged at most once (ms). */
export const ERROR_REPEAT_MS = 30_000;

/**
 * Logs recurring errors at most once per `windowMs` each. A Redis that is down makes every
 * client and BullMQ object (a gateway has 3 clients and QUEUE_PARTITIONS queues) report the
 * same failure at every reconnection attempt, several lines a second per process for as long
 * as the outage lasts. Errors are told apart by their message (ECONNREFUSED to one address
 * is one error whichever object reports it); the first of each is logged at once with the
 * object that reported it (`source`), later ones within the window are counted, and the next
 * line logged for it says how many were left out since the previous one (`suppressed`).
 */
export class ErrorThrottle {
  private readonly log: Logger;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(log: Logger, windowMs = ERROR_REPEAT_MS, now: () => number = () => performance.now()) {
    this.log = log;
    this.windowMs = windowMs;
    this.now = now;
  }

  /** Log `msg` at warn level for `err` reported by `source`, unless the same error was logged less than the window ago. */
  report(source: string, err: unknown, msg: string): void {
    const message = err instanceof Error ? err.message : String(err);
    const key = `${msg}\u0000${message}`;
    const now = this.now();
    const last = this.seen.get(key);
    if (last && now - last.at < this.windowMs) {
      last.suppressed++;
      return;
    }
    const suppressed = last?.suppressed ?? 0;
    this.seen.set(key, { at: now, suppressed: 0 });
    // Bounded: distinct messages are few (an address, a reason); forget the oldest past 100.
    if (this.seen.size > 100) this.seen.delete(this.seen.keys().next().value!);
    this.log.warn({ source, err: message, ...(suppressed ? { suppressed, windowMs: this.windowMs } : {}) }, msg);
  }
}

const shared = new WeakMap<Logger, ErrorThrottle>();

/** The throttle every Redis client and BullMQ object of a process logging to `log` shares. */
export function errorThrottle(log: Logger): ErrorThrottle {
  let t = shared.get(log);
  if (!t) shared.set(log, (t = new ErrorThrottle(log)));
  return t;
}

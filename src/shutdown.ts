import type { Logger } from './log.ts';

/** One step of a process's shutdown. */
export interface ShutdownStep {
  /** What it closes, as the log line that reports it abandoned names it. */
  name: string;
  /**
   * Close it. May resolve with a note on what it had to drop nevertheless (Redis connections
   * not connected, dropped instead of closed; jobs left unanswered), reported with the
   * abandoned steps.
   */
  run(): Promise<string | void> | string | void;
  /**
   * Bounded and needing no network (a SQLite file, DuckDB, a timer): run even once the
   * deadline has passed, so that what can be closed is. Others are then skipped.
   */
  local?: boolean;
}

/**
 * Run `steps` in order within `timeoutMs` in all (Infinity: no deadline). A step still
 * running at the deadline is left to itself (it waits for Redis, say) and, like the non-local
 * steps after it, reported abandoned; local steps run all the same. A step that throws is
 * logged and counted abandoned, and the next one runs. Resolves with what was abandoned: the
 * names of unfinished steps and the notes of finished ones ([] after a clean shutdown).
 */
export async function runShutdown(steps: ShutdownStep[], timeoutMs: number, log: Logger): Promise<string[]> {
  const abandoned: string[] = [];
  const deadline = performance.now() + timeoutMs;
  let late = false;
  for (const step of steps) {
    if (late && !step.local) {
      abandoned.push(step.name);
      continue;
    }
    const left = deadline - performance.now();
    let timer: NodeJS.Timeout | undefined;
    const expired = Symbol('expired');
    try {
      const run = Promise.resolve().then(() => step.run());
      const outcome = step.local || !Number.isFinite(timeoutMs) ? await run : await Promise.race([run, new Promise<typeof expired>((resolve) => (timer = setTimeout(() => resolve(expired), Math.max(0, left))))]);
      if (outcome === expired) {
        late = true;
        abandoned.push(`${step.name} (not closed within SHUTDOWN_TIMEOUT_MS)`);
        run.catch(() => undefined); // it may still fail once abandoned: nobody waits for it
      } else if (typeof outcome === 'string') {
        abandoned.push(`${step.name}: ${outcome}`);
      }
    } catch (err) {
      log.error({ err, step: step.name }, 'shutdown step failed');
      abandoned.push(`${step.name} (failed: ${(err as Error).message})`);
    } finally {
      clearTimeout(timer);
    }
  }
  return abandoned;
}

/**
 * From now on (the process is stopping), a rejected promise nobody handles is logged, not a
 * crash with a raw stack trace: work abandoned at the deadline (a BullMQ job's last Redis
 * command, an adapter's unsubscribe) fails with `Connection is closed` once its Redis
 * connection is dropped, and that is expected. Logged through `report` (ErrorThrottle).
 */
export function toleratePendingFailures(report: (err: unknown) => void): void {
  process.on('unhandledRejection', (err) => report(err));
}

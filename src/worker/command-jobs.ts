import type { Config } from '../config.ts';
import type { CappedJobs } from '../queue/job.ts';
import { waitedForCommandProcess } from '../queue/session-limit.ts';
import { takesCommandProcess } from '../operations/index.ts';

/**
 * The jobs that run a command (takesCommandProcess), at most COMMAND_PROCESSES at once in a
 * server or worker process, each waiting at most COMMAND_WAIT_MS for its turn: for the
 * embedded queue (EmbeddedOptions.capped) and the BullMQ workers (ConsumerSettings.capped).
 */
export function commandJobs(config: Pick<Config, 'COMMAND_PROCESSES' | 'COMMAND_WAIT_MS'>): CappedJobs {
  return {
    matches: (job) => takesCommandProcess(job.operation, job.body),
    max: config.COMMAND_PROCESSES,
    waitMs: config.COMMAND_WAIT_MS,
    busy: (job, waitedMs) => waitedForCommandProcess(job, waitedMs, config.COMMAND_WAIT_MS, config.COMMAND_PROCESSES),
  };
}

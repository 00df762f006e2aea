import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'willow'): Logger {
  return pino({ name, level });
}

/**
 * `log` with `fields` bound, less the keys it binds already. pino writes a child's bindings
 * and then a line's own fields as they are, so a key bound twice (or bound and given again on
 * a line) appears twice in the JSON and log processors keep either one: a BullMQ worker's job
 * logger binds jobId, sessionID and operation before the executor sees it, the embedded
 * queue's does not. Returns `log` itself when nothing is missing.
 */
export function withBindings(log: Logger, fields: Record<string, unknown>): Logger {
  const bound = log.bindings();
  const missing = Object.fromEntries(Object.entries(fields).filter(([k, v]) => !(k in bound) && v !== undefined));
  return Object.keys(missing).length ? log.child(missing) : log;
}

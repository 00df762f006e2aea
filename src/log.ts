import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'willow'): Logger {
  return pino({ name, level });
}

import crypto from 'node:crypto';

export const SESSION_ID_PATTERN = /^[0-9a-f]{30}$/;

/** 120 bits from the OS's cryptographic source: the sessionID is a capability. */
export function newSessionId(): string {
  return crypto.randomBytes(15).toString('hex');
}

export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

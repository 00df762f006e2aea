// An error meant for the client: `code` becomes `error` (short), `message` becomes
// `errorDescription` (what was wrong, for a person). Anything else thrown by an operation
// is an internal error and is reported without leaking internals.
export class OperationError extends Error {
  readonly code: string;
  constructor(code: string, description: string) {
    super(description);
    this.name = 'OperationError';
    this.code = code;
  }
}

export const invalidParameter = (description: string): OperationError => new OperationError('invalid parameters', description);

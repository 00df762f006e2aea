/**
 * Results of pure reads (ReadOperation.pure: a function of the version's data and the
 * parameters only), kept by key — the session, the version's immutable manifest id (or the
 * operation's own finer key), the operation and its parameters — so a version is read once
 * however many clients ask. Least recently used entries go first once the estimated size
 * passes `maxBytes` (READ_CACHE_BYTES). Identical reads arriving while one computes share
 * its result; a failure is not kept, so the next request computes again.
 */
export class ReadCache {
  private readonly entries = new Map<string, { value: Record<string, unknown>; bytes: number }>();
  private readonly inFlight = new Map<string, Promise<Record<string, unknown>>>();
  private bytes = 0;
  private readonly maxBytes: number;
  /** Counters for tests and diagnostics. */
  hits = 0;
  misses = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** The cached result for `key`, or `compute()`'s (kept when it succeeds and fits). */
  async get(key: string, compute: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, hit); // most recently used last
      return hit.value;
    }
    const running = this.inFlight.get(key);
    if (running) {
      this.hits++;
      return running;
    }
    this.misses++;
    const promise = compute();
    this.inFlight.set(key, promise);
    try {
      const value = await promise;
      this.put(key, value);
      return value;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private put(key: string, value: Record<string, unknown>): void {
    if (this.maxBytes <= 0) return;
    // UTF-16 length of the reply's JSON: what Socket.IO will send, within a factor of two.
    const bytes = 2 * JSON.stringify(value).length + 2 * key.length;
    if (bytes > this.maxBytes / 4) return; // one huge slice must not flush everything else
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A key for `get`: fields joined by NUL, parameters as JSON with sorted keys (the same request spelled differently hits). */
export function readKey(sessionId: string, version: string, operation: string, params: unknown): string {
  return [sessionId, version, operation, stableJson(params)].join('\u0000');
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * Run `send` and, while it fails with an error `retryable` accepts, run it again after the
 * next of `delaysMs` (each lengthened by up to half again at random, so that clients refused
 * together do not come back together); the last failure reaches the caller once the delays
 * are used up, or as soon as `retryable` says no (also when asked again after a delay: the
 * person may have moved on meanwhile). `sleep` is for tests.
 */
export async function withRetries<T>(
  send: () => Promise<T>,
  retryable: (err: unknown) => boolean,
  delaysMs: readonly number[],
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= delaysMs.length || !retryable(err)) throw err;
      const delay = delaysMs[attempt];
      await sleep(delay + Math.random() * delay * 0.5);
      if (!retryable(err)) throw err;
    }
  }
}

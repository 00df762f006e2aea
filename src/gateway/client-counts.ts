/**
 * How many of something (downloads, uploads) each client (remote address) has in progress,
 * for the per-client limits (MAX_DOWNLOADS_PER_CLIENT, MAX_UPLOADS_PER_CLIENT). A client
 * whose count is back to 0 is forgotten, so the map holds only clients with work in progress.
 */
export class ClientCounts {
  private readonly counts = new Map<string, number>();

  /** What `client` has in progress. */
  of(client: string): number {
    return this.counts.get(client) ?? 0;
  }

  /** One more for `client`. */
  add(client: string): void {
    this.counts.set(client, this.of(client) + 1);
  }

  /** One fewer for `client` (one added before). */
  remove(client: string): void {
    const n = this.of(client) - 1;
    if (n > 0) this.counts.set(client, n);
    else this.counts.delete(client);
  }
}

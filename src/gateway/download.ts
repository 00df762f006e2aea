import type { FastifyInstance } from 'fastify';
import pLimit from 'p-limit';
import { Dataset } from '../engine/dataset.ts';
import { startExport, type ExportFormat } from '../engine/export.ts';
import { isSessionId } from '../store/session-id.ts';
import { SessionNotFoundError } from '../store/session-store.ts';
import { touchSession } from '../store/quota.ts';
import type { Runtime } from '../worker/runtime.ts';
import { BlockRelay } from './block-relay.ts';
import { ClientCounts } from './client-counts.ts';

const FORMATS = {
  CSV: { contentType: 'text/csv; charset=utf-8', filename: 'data.csv' },
  JSON: { contentType: 'application/json; charset=utf-8', filename: 'data.json' },
} as const;

/** Longest wait for DuckDB's first bytes before the response starts anyway (ms). */
export const FIRST_BYTE_WAIT_MS = 300;

/**
 * GET /downloadCSV/:id and /downloadJSON/:id. DuckDB writes the file on its own threads
 * into a pipe and the response streams it on as it comes (chunked, no Content-Length): the
 * first bytes leave at once whatever the size, and no dataset sits in memory or on disk.
 * A client that goes away stops DuckDB's work, and so does one that stops reading: after
 * DOWNLOAD_STALL_MS without a byte leaving (the socket's idle timeout) the response is cut
 * off. Until then the export's statement blocks a thread of the pool DuckDB's statements and
 * file I/O share (libuv's; before it was sized for them, see thread-pool.ts, it had 4
 * threads, and four stalled downloads stopped every session).
 * For the same reason at most MAX_DOWNLOADS export at once; the others wait their turn.
 *
 * One client (remote address) has at most MAX_DOWNLOADS_PER_CLIENT downloads at once, waiting
 * or streaming, from the request until its response has closed; past it the request is
 * answered 429 naming the limit at once, without waiting: otherwise one client could fill
 * the MAX_DOWNLOADS line for everyone (behind a reverse proxy every client has the proxy's address).
 * The session is held (SessionStore.hold) meanwhile: the expiry sweeper does not delete its
 * files under an export.
 */
export function registerDownloads(app: FastifyInstance, rt: Runtime): void {
  const slots = pLimit(rt.config.MAX_DOWNLOADS);
  const perClient = new ClientCounts();
  const maxPerClient = rt.config.MAX_DOWNLOADS_PER_CLIENT;
  for (const format of ['CSV', 'JSON'] as const satisfies ExportFormat[]) {
    app.get<{ Params: { sessionID: string } }>(`/download${format}/:sessionID`, async (req, reply) => {
      const { sessionID } = req.params;
      const unknown = (errorDescription: string) => reply.code(404).send({ success: false, error: 'unknown session', errorDescription });
      if (!isSessionId(sessionID)) return unknown('no dataset with this sessionID');
      // The expiry sweeper leaves the session alone until the response has closed and the
      // export, if one started, has ended; a session it is deleting is not found.
      let unhold: () => void;
      try {
        unhold = rt.store.hold(sessionID);
      } catch (err) {
        if (err instanceof SessionNotFoundError) return unknown(err.message);
        throw err;
      }
      let holds = 1;
      const unheld = () => {
        if (--holds === 0) unhold();
      };
      // The client's downloads count until the response has closed, whichever way it ends
      // (sent, refused, failed, cut off, client gone).
      const client = req.ip;
      let counted = false;
      const closed = () => {
        unheld();
        if (!counted) return;
        counted = false;
        perClient.remove(client);
      };
      if (reply.raw.destroyed) closed();
      else reply.raw.once('close', closed);
      if (!(await rt.store.exists(sessionID))) return unknown('no dataset with this sessionID');
      // A download is a use of the session: one only ever exported does not expire (SESSION_TTL_DAYS).
      await touchSession(rt.store, sessionID);
      const mine = perClient.of(client);
      if (mine >= maxPerClient) {
        return reply.code(429).send({ success: false, error: 'too many downloads', errorDescription: `this client already has ${mine} download${mine === 1 ? '' : 's'} in progress, the limit per client (MAX_DOWNLOADS_PER_CLIENT = ${maxPerClient}); wait for it to finish, then download again` });
      }
      if (!reply.raw.destroyed) {
        perClient.add(client);
        counted = true;
      }
      // A slot from here until the export has finished (or was aborted); the session is held as long.
      holds++;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await new Promise<void>((acquired) => void slots(() => (acquired(), held)));
      const ended = () => {
        release();
        unheld();
      };
      let exp;
      try {
        if (req.raw.destroyed) return reply.hijack(); // the client left while it waited
        const { manifest } = await rt.store.current(sessionID);
        const dataset = new Dataset(manifest, rt.store.filesDir(sessionID));
        exp = await startExport(rt.duck, dataset, format, rt.store.tmpDir(sessionID));
      } finally {
        if (!exp) ended();
      }
      void exp.finished.catch(() => {}).finally(ended);
      // From here on a client that leaves stops DuckDB's work, even while the response has
      // not started yet (up to FIRST_BYTE_WAIT_MS): a 'close' already past is not emitted again.
      const started = exp;
      const abandon = () => {
        if (!reply.raw.writableFinished) started.abort();
      };
      if (reply.raw.destroyed) abandon();
      else reply.raw.once('close', abandon);
      const { head, tail } = exp;
      const relay = new BlockRelay(exp);
      // Answer once DuckDB's first bytes are there, so that an export failing at once still
      // gets an error status rather than a cut-off 200, but no later than FIRST_BYTE_WAIT_MS:
      // a CSV's datetime columns are scanned before DuckDB writes, and a large dataset's
      // client must not wait for that to see the download start.
      let timer: NodeJS.Timeout | undefined;
      const first = await Promise.race([
        relay.first.then(() => null),
        exp.finished.then(() => null),
        new Promise<null>((resolve) => (timer = setTimeout(resolve, FIRST_BYTE_WAIT_MS, null))),
      ]).catch((err: Error) => err);
      clearTimeout(timer);
      if (first instanceof Error) {
        exp.abort();
        exp.stream.destroy();
        throw first;
      }
      if (reply.raw.destroyed) {
        // The client left before the response started: its export was aborted above.
        exp.stream.destroy();
        return reply.hijack();
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'Content-Type': FORMATS[format].contentType, 'Content-Disposition': `attachment; filename=${FORMATS[format].filename}` });
      // An idle socket: no write has completed (the client reads nothing) nor any byte come in.
      res.setTimeout(rt.config.DOWNLOAD_STALL_MS, () => {
        req.log.warn({ sessionID, format, stallMs: rt.config.DOWNLOAD_STALL_MS }, 'download cut off: the client stopped reading (DOWNLOAD_STALL_MS)');
        res.destroy();
      });
      // The names (CSV header, JSON brackets) around DuckDB's bytes, which go to the socket as they come.
      if (head) res.write(head);
      else res.flushHeaders();
      relay.start(res);
      void relay.ended.then(() => {
        if (!res.destroyed) res.end(tail || undefined);
      });
      exp.finished.catch((err: unknown) => {
        // Too late for an error status: cut the response short so the client sees it failed.
        req.log.error({ err, sessionID }, 'download failed while streaming');
        res.destroy(err as Error);
      });
    });
  }
}

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { importDataset, fileKind, type FileKind, type Upload } from '../engine/import/index.ts';
import { LineEndingScan } from '../engine/import/line-endings.ts';
import { LineLengthScan } from '../engine/import/line-length.ts';
import { WriteBatch } from './write-batch.ts';
import { GrowingFile } from '../engine/import/growing.ts';
import { importOptionsSchema, ImportError, type ImportOptions, type ImportReport } from '../engine/import/types.ts';
import { describeZodError } from '../operations/params.ts';
import { clientText } from '../operations/errors.ts';
import { newSessionId } from '../store/session-id.ts';
import { sessionCount, totalBytes } from '../store/quota.ts';
import type { Runtime } from '../worker/runtime.ts';
import { ClientCounts } from './client-counts.ts';

/** Limits of the upload form besides the file's size (fastify-multipart's), named in errors. */
export const FORM_LIMITS = { fields: 32, files: 1, parts: 40, fieldSize: 1024 * 1024 } as const;

/** `close`: the request body may not have been read to its end, so the connection cannot be reused. */
type Answer = { status: number; body: Record<string, unknown>; close?: boolean };

const fail = (status: number, error: string, errorDescription: string): Answer => ({ status, body: { success: false, error, errorDescription } });

/**
 * POST /upload: stream the file to disk, import it (a large delimited-text file while it
 * streams in), answer with the new sessionID.
 */
export function registerUpload(app: FastifyInstance, rt: Runtime): void {
  const incoming = path.join(rt.config.dataDir, 'incoming');
  fs.mkdirSync(incoming, { recursive: true });

  // Uploads in progress per client (remote address): each holds a connection and an open file.
  const perClient = new ClientCounts();
  app.post('/upload', async (req, reply) => {
    const client = req.ip;
    const mine = perClient.of(client);
    if (mine >= rt.config.MAX_UPLOADS_PER_CLIENT) {
      reply.header('Connection', 'close');
      return reply.code(429).send({ success: false, error: 'too many uploads', errorDescription: `this client already has ${mine} upload${mine === 1 ? '' : 's'} in progress, the limit per client (MAX_UPLOADS_PER_CLIENT = ${rt.config.MAX_UPLOADS_PER_CLIENT}); wait for one to finish, then upload again` });
    }
    perClient.add(client);
    try {
      const { status, body, close } = await handle(req, rt, incoming);
      if (close) reply.header('Connection', 'close');
      return reply.code(status).send(body);
    } finally {
      perClient.remove(client);
    }
  });
}

// The answer is computed first and sent only once the uploaded file is gone, so that no
// client (or test) ever sees a response while its upload still sits in DATA_DIR/incoming.
async function handle(req: FastifyRequest, rt: Runtime, incoming: string): Promise<Answer> {
  if (!req.isMultipart()) return fail(400, 'not multipart', 'send the dataset as multipart/form-data with a "file" field');
  const max = rt.config.MAX_SESSIONS;
  if (max > 0 && (await sessionCount(rt.store)) >= max) {
    return { ...fail(503, 'too many sessions', `the server holds its limit of ${max} sessions (MAX_SESSIONS); idle ones expire after ${rt.config.SESSION_TTL_DAYS} days (SESSION_TTL_DAYS)`), close: true };
  }
  const fields: Record<string, string> = Object.create(null);
  let upload: Upload | null = null;
  let refused: Error | null = null;
  let bodyRead = false;
  // The import of a delimited-text file whose options came before it, started while the
  // file streams in (see importDataset); used when the options are still the same at the end.
  let early: { sessionID: string; options: ImportOptions; growing: GrowingFile; result: Promise<{ report: ImportReport }> } | null = null;
  let imported: string | null = null;
  // A body that sends nothing for UPLOAD_STALL_MS is cut off (the parts' iteration then fails
  // and the partial file is removed below); the import after the body may take its time.
  const socket = req.raw.socket;
  let stalled = false;
  const onStall = () => {
    stalled = true;
    req.log.warn({ stallMs: rt.config.UPLOAD_STALL_MS }, 'upload cut off: its body sent nothing for UPLOAD_STALL_MS');
    req.raw.destroy(new Error('upload stalled'));
  };
  socket.setTimeout(rt.config.UPLOAD_STALL_MS);
  socket.on('timeout', onStall);
  const bodyDone = () => {
    socket.removeListener('timeout', onStall);
    socket.setTimeout(0);
  };
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated) throw new ImportError('field too large', `form field ${JSON.stringify(part.fieldname.slice(0, 64))} is longer than ${FORM_LIMITS.fieldSize} bytes`);
        fields[part.fieldname] = String(part.value ?? '');
        continue;
      }
      if (part.fieldname !== 'file' || upload || refused) {
        part.file.resume(); // not ours: drain it
        continue;
      }
      let kind: FileKind;
      try {
        kind = fileKind(part.filename || '').kind;
      } catch (err) {
        // An unsupported extension: the body is read to its end (so the connection stays
        // usable) but never stored.
        refused = err as Error;
        part.file.resume();
        continue;
      }
      const target = path.join(incoming, crypto.randomBytes(12).toString('hex'));
      const lineEndings = new LineEndingScan();
      const lineLengths = new LineLengthScan(rt.config.MAX_LINE_BYTES);
      upload = { path: target, filename: part.filename || 'upload', lineEndings, lineLengths };
      const known = importOptionsSchema.safeParse(fields);
      if (kind === 'text' && known.success) {
        const growing = new GrowingFile(target);
        const sessionID = newSessionId();
        const result = importDataset(rt, sessionID, { ...upload, growing }, known.data);
        result.catch(() => {}); // awaited below, or discarded
        early = { sessionID, options: known.data, growing, result };
      }
      // Streamed to disk as it arrives: the multipart limit stops it at MAX_UPLOAD_BYTES.
      // Its line endings and longest line are learnt on the way, so the import need not read it for that.
      const sink = await fsp.open(target, 'w');
      try {
        const batch = new WriteBatch(sink, (bytes) => early?.growing.grew(bytes));
        for await (const chunk of part.file as AsyncIterable<Buffer>) {
          lineEndings.update(chunk);
          lineLengths.update(chunk);
          await batch.add(chunk);
        }
        await batch.flush();
        lineEndings.end();
        lineLengths.end();
      } finally {
        await sink.close();
      }
      if (part.file.truncated) return { ...tooLarge(rt), close: true };
      early?.growing.complete();
    }
    bodyRead = true;
    bodyDone();
    if (refused) throw refused;
    if (!upload) return fail(400, 'no file', 'the form has no "file" field with a dataset');
    if (rt.config.MAX_DATA_BYTES > 0) {
      const size = (await fsp.stat(upload.path)).size;
      if ((await totalBytes(rt.store)) + size > rt.config.MAX_DATA_BYTES) return fail(507, 'storage full', `the server's storage for datasets is full (limit ${rt.config.MAX_DATA_BYTES} bytes, MAX_DATA_BYTES)`);
    }
    const options = importOptionsSchema.safeParse(fields);
    if (!options.success) return fail(400, 'invalid parameters', describeZodError(options.error));
    const started = early && JSON.stringify(early.options) === JSON.stringify(options.data) ? early : null;
    if (early && !started) {
      // Options came after the file: the early import read it with others. Let it end
      // first (two imports of one file at once would only compete for memory).
      await early.result.catch(() => {});
      await fsp.rm(rt.store.dir(early.sessionID), { recursive: true, force: true });
    }
    const sessionID = started?.sessionID ?? newSessionId();
    try {
      const { report } = await (started ? started.result : importDataset(rt, sessionID, upload, options.data));
      imported = sessionID;
      req.log.info({ sessionID, file: upload.filename, rows: report.rows, columns: report.columns, skippedLines: report.skippedLines, paddedLines: report.paddedLines }, 'dataset imported');
      return { status: 200, body: { success: true, sessionID, ...report } };
    } catch (err) {
      await fsp.rm(rt.store.dir(sessionID), { recursive: true, force: true });
      throw err;
    }
  } catch (err) {
    // A body not read to its end cannot be followed by another request on this connection.
    // One the client stopped sending, or gave up on, is its doing: no error of ours is logged.
    if (stalled) return { ...fail(408, 'upload stalled', `the upload sent nothing for ${rt.config.UPLOAD_STALL_MS} ms (UPLOAD_STALL_MS) and was cut off`), close: true };
    const answer = failure(req, rt, err);
    return bodyRead ? answer : { ...answer, close: true };
  } finally {
    bodyDone();
    if (early && early.sessionID !== imported) {
      // Not used (failed upload, other options): stop it and remove what it wrote.
      early.growing.fail();
      await early.result.catch(() => {});
      await fsp.rm(rt.store.dir(early.sessionID), { recursive: true, force: true });
    }
    if (upload) await fsp.rm(upload.path, { force: true });
  }
}

const tooLarge = (rt: Runtime): Answer => fail(413, 'file too large', `the file is larger than ${rt.config.MAX_UPLOAD_BYTES} bytes`);

/** The answer to a failed upload: the client's fault (400, 413) or ours (500). */
function failure(req: FastifyRequest, rt: Runtime, err: unknown): Answer {
  const e = err as Error & { code?: string; statusCode?: number };
  // The form's limits (fastify-multipart gives them status 413 too) are not about the file's size.
  if (e.code === 'FST_FIELDS_LIMIT') return fail(400, 'too many fields', `the form has more than ${FORM_LIMITS.fields} fields; the limit is ${FORM_LIMITS.fields} (file, initialSkip, sampleSize, seed, headerIncluded)`);
  if (e.code === 'FST_FILES_LIMIT') return fail(400, 'too many files', `the form has more than ${FORM_LIMITS.files} file; send one dataset per upload`);
  if (e.code === 'FST_PARTS_LIMIT') return fail(400, 'too many parts', `the form has more than ${FORM_LIMITS.parts} parts`);
  if (e.code === 'FST_PROTO_VIOLATION') return fail(400, 'invalid form', `a form field is named ${JSON.stringify('__proto__')} or "constructor"`);
  if (e.code === 'FST_MP_PREMATURE_CLOSE') return fail(400, 'incomplete upload', 'the request ended before the form was complete');
  // busboy's (the multipart parser's) own errors about the body it was sent: a body cut off
  // before its closing boundary, a Content-Type without a boundary.
  if (/unexpected end of multipart data/i.test(e.message)) return fail(400, 'incomplete upload', 'the request body ended before the form was complete (no closing boundary)');
  if (/^Multipart: Boundary not found/.test(e.message)) return fail(400, 'invalid form', 'the Content-Type multipart/form-data names no boundary');
  if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.statusCode === 413) return tooLarge(rt);
  if (e.name === 'NotUtf8Error') return fail(400, 'unreadable file', 'the file is not text in an encoding that could be recognized');
  if (e instanceof ImportError || e.name === 'ImportError') return fail(400, e.code ?? 'unreadable file', e.message);
  // DuckDB's reason is the client's to read; the file's path in DATA_DIR, the reader's
  // settings and its internal names are not (clientText), so the full message is logged.
  const duck = /^(?:Invalid Input|Conversion|Parser|IO|Binder) Error: ?/.exec(e.message);
  if (duck) {
    req.log.warn({ err }, 'uploaded file could not be read');
    return fail(400, 'unreadable file', `the file could not be read: ${clientText(e.message.slice(duck[0].length))}`);
  }
  // The client went away mid-body (its connection reset or closed): its doing, not a fault of
  // ours to log as an error (thousands of them flooded the log in a trial).
  if (req.raw.destroyed && !req.raw.complete) {
    req.log.info({ reason: e.message }, 'upload aborted by the client');
    return fail(400, 'incomplete upload', 'the request ended before the form was complete');
  }
  req.log.error({ err }, 'upload failed');
  return fail(500, 'internal error', 'the server could not import this file');
}

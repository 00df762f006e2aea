import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { importDataset, fileKind } from '../engine/import/index.ts';
import { importOptionsSchema, ImportError } from '../engine/import/types.ts';
import { describeZodError } from '../operations/params.ts';
import { newSessionId } from '../store/session-id.ts';
import { sessionCount, totalBytes } from '../store/quota.ts';
import type { Runtime } from '../worker/runtime.ts';

/** Limits of the upload form besides the file's size (fastify-multipart's), named in errors. */
export const FORM_LIMITS = { fields: 32, files: 1, parts: 40, fieldSize: 1024 * 1024 } as const;

/** `close`: the request body may not have been read to its end, so the connection cannot be reused. */
type Answer = { status: number; body: Record<string, unknown>; close?: boolean };

const fail = (status: number, error: string, errorDescription: string): Answer => ({ status, body: { success: false, error, errorDescription } });

/** POST /upload: stream the file to disk, import it, answer with the new sessionID. */
export function registerUpload(app: FastifyInstance, rt: Runtime): void {
  const incoming = path.join(rt.config.dataDir, 'incoming');
  fs.mkdirSync(incoming, { recursive: true });

  app.post('/upload', async (req, reply) => {
    const { status, body, close } = await handle(req, rt, incoming);
    if (close) reply.header('Connection', 'close');
    return reply.code(status).send(body);
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
  let upload: { path: string; filename: string } | null = null;
  let sink: fs.WriteStream | null = null;
  let refused: Error | null = null;
  let bodyRead = false;
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
      try {
        fileKind(part.filename || '');
      } catch (err) {
        // An unsupported extension: the body is read to its end (so the connection stays
        // usable) but never stored.
        refused = err as Error;
        part.file.resume();
        continue;
      }
      const target = path.join(incoming, crypto.randomBytes(12).toString('hex'));
      upload = { path: target, filename: part.filename || 'upload' };
      // Streamed to disk as it arrives: the multipart limit stops it at MAX_UPLOAD_BYTES.
      sink = fs.createWriteStream(target);
      await pipeline(part.file, sink);
      if (part.file.truncated) return { ...tooLarge(rt), close: true };
    }
    bodyRead = true;
    if (refused) throw refused;
    if (!upload) return fail(400, 'no file', 'the form has no "file" field with a dataset');
    if (rt.config.MAX_DATA_BYTES > 0) {
      const size = (await fsp.stat(upload.path)).size;
      if ((await totalBytes(rt.store)) + size > rt.config.MAX_DATA_BYTES) return fail(507, 'storage full', `the server's storage for datasets is full (limit ${rt.config.MAX_DATA_BYTES} bytes, MAX_DATA_BYTES)`);
    }
    const options = importOptionsSchema.safeParse(fields);
    if (!options.success) return fail(400, 'invalid parameters', describeZodError(options.error));
    const sessionID = newSessionId();
    try {
      const { report } = await importDataset(rt, sessionID, upload, options.data);
      req.log.info({ sessionID, file: upload.filename, ...report }, 'dataset imported');
      return { status: 200, body: { success: true, sessionID, ...report } };
    } catch (err) {
      await fsp.rm(rt.store.dir(sessionID), { recursive: true, force: true });
      throw err;
    }
  } catch (err) {
    // A body not read to its end cannot be followed by another request on this connection.
    const answer = failure(req, rt, err);
    return bodyRead ? answer : { ...answer, close: true };
  } finally {
    if (sink && !sink.closed) await new Promise<void>((resolve) => sink!.once('close', () => resolve()).destroy());
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
  if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.statusCode === 413) return tooLarge(rt);
  if (e.name === 'NotUtf8Error') return fail(400, 'unreadable file', 'the file is not text in an encoding that could be recognized');
  if (e instanceof ImportError || e.name === 'ImportError') return fail(400, e.code ?? 'unreadable file', e.message);
  if (/^(Invalid Input|Conversion|Parser|IO|Binder) Error/.test(e.message)) return fail(400, 'unreadable file', `the file could not be read: ${e.message.split('\n')[0]}`);
  if (e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT' || e.code === 'FST_FILES_LIMIT') return fail(400, 'invalid form', e.message);
  req.log.error({ err }, 'upload failed');
  return fail(500, 'internal error', 'the server could not import this file');
}

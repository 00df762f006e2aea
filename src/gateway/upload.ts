import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { importDataset, fileKind } from '../engine/import/index.ts';
import { importOptionsSchema, ImportError } from '../engine/import/types.ts';
import { describeZodError } from '../operations/params.ts';
import { newSessionId } from '../store/session-id.ts';
import type { Runtime } from '../worker/runtime.ts';

function fail(reply: FastifyReply, status: number, error: string, errorDescription: string) {
  return reply.code(status).send({ success: false, error, errorDescription });
}

/** POST /upload: stream the file to disk, import it, answer with the new sessionID. */
export function registerUpload(app: FastifyInstance, rt: Runtime): void {
  const incoming = path.join(rt.config.dataDir, 'incoming');
  fs.mkdirSync(incoming, { recursive: true });

  app.post('/upload', async (req, reply) => {
    if (!req.isMultipart()) return fail(reply, 400, 'not multipart', 'send the dataset as multipart/form-data with a "file" field');
    const fields: Record<string, string> = {};
    let upload: { path: string; filename: string } | null = null;
    try {
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = String(part.value ?? '');
          continue;
        }
        if (part.fieldname !== 'file' || upload) {
          part.file.resume(); // not ours: drain it
          continue;
        }
        const target = path.join(incoming, crypto.randomBytes(12).toString('hex'));
        upload = { path: target, filename: part.filename || 'upload' };
        await pipeline(part.file, fs.createWriteStream(target));
        if (part.file.truncated) {
          return fail(reply, 413, 'file too large', `the file is larger than ${rt.config.MAX_UPLOAD_BYTES} bytes`);
        }
      }
      if (!upload) return fail(reply, 400, 'no file', 'the form has no "file" field with a dataset');
      const options = importOptionsSchema.safeParse(fields);
      if (!options.success) return fail(reply, 400, 'invalid parameters', describeZodError(options.error));
      fileKind(upload.filename); // unsupported extensions fail before any work
      const sessionID = newSessionId();
      try {
        const { report } = await importDataset(rt, sessionID, upload, options.data);
        req.log.info({ sessionID, file: upload.filename, ...report }, 'dataset imported');
        return reply.send({ success: true, sessionID, ...report });
      } catch (err) {
        await fsp.rm(rt.store.dir(sessionID), { recursive: true, force: true });
        throw err;
      }
    } catch (err) {
      const e = err as Error & { code?: string; statusCode?: number };
      if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.statusCode === 413) return fail(reply, 413, 'file too large', `the file is larger than ${rt.config.MAX_UPLOAD_BYTES} bytes`);
      if (e instanceof ImportError) return fail(reply, 400, e.code, e.message);
      if (/^(Invalid Input|Conversion|Parser|IO|Binder) Error/.test(e.message)) return fail(reply, 400, 'unreadable file', `the file could not be read: ${e.message.split('\n')[0]}`);
      if (e.name === 'CpuTaskError' || e.name === 'ImportError') return fail(reply, 400, e.code ?? 'unreadable file', e.message);
      req.log.error({ err }, 'upload failed');
      return fail(reply, 500, 'internal error', 'the server could not import this file');
    } finally {
      if (upload) await fsp.rm(upload.path, { force: true });
    }
  });
}

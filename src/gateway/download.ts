import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Dataset } from '../engine/dataset.ts';
import { jsonValue } from '../engine/json-values.ts';
import { ident, literal } from '../engine/sql.ts';
import { isSessionId } from '../store/session-id.ts';
import type { Runtime } from '../worker/runtime.ts';

const FORMATS = {
  CSV: { contentType: 'text/csv; charset=utf-8', filename: 'data.csv' },
  JSON: { contentType: 'application/json; charset=utf-8', filename: 'data.json' },
} as const;

/**
 * GET /downloadCSV/:id and /downloadJSON/:id. DuckDB writes the file on its own threads
 * into scratch space, and the response streams it from disk: a 1 GB dataset never sits in
 * the server's memory.
 */
export function registerDownloads(app: FastifyInstance, rt: Runtime): void {
  for (const format of ['CSV', 'JSON'] as const) {
    app.get<{ Params: { sessionID: string } }>(`/download${format}/:sessionID`, async (req, reply) => {
      const { sessionID } = req.params;
      if (!isSessionId(sessionID) || !(await rt.store.exists(sessionID))) {
        return reply.code(404).send({ success: false, error: 'unknown session', errorDescription: 'no dataset with this sessionID' });
      }
      const { manifest } = await rt.store.current(sessionID);
      const dataset = new Dataset(manifest, rt.store.filesDir(sessionID));
      const out = path.join(rt.store.tmpDir(sessionID), `download-${crypto.randomBytes(6).toString('hex')}.${format.toLowerCase()}`);
      await rt.duck.withConnection((db) => db.run(exportStatement(dataset, format, out)));
      const { size } = await fsp.stat(out);
      const stream = fs.createReadStream(out);
      const cleanup = () => void fsp.rm(out, { force: true });
      stream.on('close', cleanup);
      reply.raw.on('close', () => stream.destroy());
      return reply
        .header('Content-Type', FORMATS[format].contentType)
        .header('Content-Disposition', `attachment; filename=${FORMATS[format].filename}`)
        .header('Content-Length', size)
        .send(stream);
    });
  }
}

function exportStatement(ds: Dataset, format: 'CSV' | 'JSON', out: string): string {
  if (ds.columns.length === 0) {
    return format === 'CSV' ? `COPY (SELECT '' AS "") TO ${literal(out)} (HEADER false)` : `COPY (SELECT [] AS a) TO ${literal(out)} (FORMAT csv, HEADER false, QUOTE '')`;
  }
  if (format === 'CSV') {
    // Missing values (NaN too) as empty fields, no index column, header row.
    const cols = ds.columns.map((c) => (/^(DOUBLE|FLOAT|REAL)$/.test(c.type) ? `CASE WHEN isnan(${ident(c.name)}) THEN NULL ELSE ${ident(c.name)} END AS ${ident(c.name)}` : ident(c.name)));
    return `COPY (SELECT ${cols.join(', ')} FROM (${ds.select()})) TO ${literal(out)} (FORMAT csv, HEADER true, NULLSTR '')`;
  }
  const cols = ds.columns.map((c) => `${jsonValue(c.name, c.type)} AS ${ident(c.name)}`);
  return `COPY (SELECT ${cols.join(', ')} FROM (${ds.select()})) TO ${literal(out)} (FORMAT json, ARRAY true)`;
}

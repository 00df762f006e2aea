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
import type { Db } from '../engine/duck.ts';

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
      try {
        await rt.duck.withConnection(async (db) => db.run(await exportStatement(db, dataset, format, out)));
      } catch (err) {
        await fsp.rm(out, { force: true }); // no half-written export left in the session's tmp
        throw err;
      }
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

async function exportStatement(db: Db, ds: Dataset, format: 'CSV' | 'JSON', out: string): Promise<string> {
  if (ds.columns.length === 0) {
    return format === 'CSV' ? `COPY (SELECT '' AS "") TO ${literal(out)} (HEADER false)` : `COPY (SELECT [] AS a) TO ${literal(out)} (FORMAT csv, HEADER false, QUOTE '')`;
  }
  if (format === 'CSV') {
    const dateFormats = await csvDateFormats(db, ds);
    const cols = ds.columns.map((c, i) => `${csvValue(c.name, c.type, dateFormats.get(i))} AS ${ident(c.name)}`);
    return `COPY (SELECT ${cols.join(', ')} FROM (${ds.select()})) TO ${literal(out)} (FORMAT csv, HEADER true, NULLSTR '')`;
  }
  const cols = ds.columns.map((c) => `${jsonValue(c.name, c.type)} AS ${ident(c.name)}`);
  return `COPY (SELECT ${cols.join(', ')} FROM (${ds.select()})) TO ${literal(out)} (FORMAT json, ARRAY true)`;
}

const TIMESTAMP = /^(DATE|TIMESTAMP(_S|_MS|_NS)?)$/;

/**
 * A CSV field as pandas' to_csv writes it: missing values (NaN too) and empty strings as
 * empty fields, booleans as True/False, datetimes in the column's own precision.
 */
function csvValue(name: string, type: string, dateFormat: string | undefined): string {
  const c = ident(name);
  if (/^(DOUBLE|FLOAT|REAL)$/.test(type)) return `CASE WHEN isnan(${c}) THEN NULL ELSE ${c} END`;
  if (type === 'BOOLEAN') return `CASE WHEN ${c} THEN 'True' WHEN NOT ${c} THEN 'False' END`;
  if (type === 'VARCHAR') return `nullif(${c}, '')`; // DuckDB would write "" to tell it from missing
  if (dateFormat) return `strftime(${c}::TIMESTAMP, ${literal(dateFormat)})`;
  return c;
}

/**
 * pandas prints a datetime column as dates alone when every value is at midnight, and with
 * microseconds only when some value has a fraction of a second: one scan of those columns.
 */
async function csvDateFormats(db: Db, ds: Dataset): Promise<Map<number, string>> {
  const temporal = ds.columns.flatMap((c, i) => (TIMESTAMP.test(c.type) ? [i] : []));
  const formats = new Map<number, string>();
  if (temporal.length === 0) return formats;
  const checks = temporal.map((i) => {
    const x = `${ident(ds.column(i).name)}::TIMESTAMP`;
    return `coalesce(bool_or(${x}::TIME <> TIME '00:00:00'), false) AS t${i}, coalesce(bool_or(epoch_us(${x}) % 1000000 <> 0), false) AS f${i}`;
  });
  const row = await db.one(`SELECT ${checks.join(', ')} FROM (${ds.select({ columns: temporal })})`);
  for (const i of temporal) formats.set(i, row[`f${i}`] ? '%Y-%m-%d %H:%M:%S.%f' : row[`t${i}`] ? '%Y-%m-%d %H:%M:%S' : '%Y-%m-%d');
  return formats;
}

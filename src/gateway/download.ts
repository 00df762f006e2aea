import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
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
 * the server's memory. The column names are written here, not by DuckDB, which would
 * rename one of two names that differ only in case (`Id`, `id` → `id_1`): the CSV header
 * line, and, when two names differ only in case, the keys of the JSON records (json_object
 * takes them as text).
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
      let frame: { head: string; tail: string };
      try {
        frame = await rt.duck.withConnection(async (db) => {
          const exported = await exportStatement(db, dataset, format, out);
          await db.run(exported.sql);
          return exported;
        });
      } catch (err) {
        await fsp.rm(out, { force: true }); // no half-written export left in the session's tmp
        throw err;
      }
      const { size } = await fsp.stat(out);
      const file = fs.createReadStream(out);
      file.on('close', () => void fsp.rm(out, { force: true }));
      const stream = Readable.from(framed(frame.head, file, frame.tail), { objectMode: false });
      reply.raw.on('close', () => {
        stream.destroy();
        file.destroy();
      });
      return reply
        .header('Content-Type', FORMATS[format].contentType)
        .header('Content-Disposition', `attachment; filename=${FORMATS[format].filename}`)
        .header('Content-Length', Buffer.byteLength(frame.head) + size + Buffer.byteLength(frame.tail))
        .send(stream);
    });
  }
}

async function* framed(head: string, body: fs.ReadStream, tail: string): AsyncGenerator<Buffer> {
  yield Buffer.from(head);
  for await (const chunk of body) yield chunk as Buffer;
  yield Buffer.from(tail);
}

/** The COPY writing the body of the export, and the text around it (CSV header, JSON brackets). */
async function exportStatement(db: Db, ds: Dataset, format: 'CSV' | 'JSON', out: string): Promise<{ sql: string; head: string; tail: string }> {
  if (ds.columns.length === 0) {
    return format === 'CSV' ? { sql: `COPY (SELECT '' AS "") TO ${literal(out)} (HEADER false)`, head: '', tail: '' } : { sql: `COPY (SELECT [] AS a) TO ${literal(out)} (FORMAT csv, HEADER false, QUOTE '')`, head: '', tail: '' };
  }
  if (format === 'CSV') {
    const dateFormats = await csvDateFormats(db, ds);
    const cols = ds.columns.map((c, i) => `${csvValue(ds.sqlName(i), c.type, dateFormats.get(i))} AS ${ident(`v${i}`)}`);
    const head = ds.names.map(csvField).join(',') + '\n';
    return { sql: `COPY (SELECT ${cols.join(', ')} FROM (${ds.select()})) TO ${literal(out)} (FORMAT csv, HEADER false, NULLSTR '')`, head, tail: '' };
  }
  const folded = new Set(ds.names.map((n) => n.toLowerCase()));
  if (folded.size === ds.names.length) {
    // No two names differ only in case: DuckDB's JSON writer keeps them (and is ~20% faster).
    const cols = ds.columns.map((c, i) => `${jsonValue(ds.sqlName(i), c.type)} AS ${ident(c.name)}`);
    return { sql: `COPY (SELECT ${cols.join(', ')} FROM (${ds.select()})) TO ${literal(out)} (FORMAT json, ARRAY true)`, head: '', tail: '' };
  }
  // One record per line, written as text by the CSV writer without quoting; a comma after
  // every record but the last (positions are 0…rows-1), brackets around them here.
  const members = ds.columns.map((c, i) => `${literal(c.name)}, ${jsonValue(ds.sqlName(i), c.type)}`);
  const line = `'\t' || json_object(${members.join(', ')})::VARCHAR || CASE WHEN __pos < ${ds.rows - 1} THEN ',' ELSE '' END`;
  return {
    sql: `COPY (SELECT ${line} AS j FROM (${ds.select({ withPosition: true })})) TO ${literal(out)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f')`,
    head: '[\n',
    tail: ']\n',
  };
}

/** A name as pandas' to_csv writes it in the header (QUOTE_MINIMAL): quoted when it holds a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

const TIMESTAMP = /^(DATE|TIMESTAMP(_S|_MS|_NS)?)$/;

/**
 * A CSV field as pandas' to_csv writes it: missing values (NaN too) and empty strings as
 * empty fields, booleans as True/False, datetimes in the column's own precision.
 */
function csvValue(column: string, type: string, dateFormat: string | undefined): string {
  const c = ident(column);
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
    const x = `${ds.ref(i)}::TIMESTAMP`;
    return `coalesce(bool_or(${x}::TIME <> TIME '00:00:00'), false) AS t${i}, coalesce(bool_or(epoch_us(${x}) % 1000000 <> 0), false) AS f${i}`;
  });
  const row = await db.one(`SELECT ${checks.join(', ')} FROM (${ds.select({ columns: temporal })})`);
  for (const i of temporal) formats.set(i, row[`f${i}`] ? '%Y-%m-%d %H:%M:%S.%f' : row[`t${i}`] ? '%Y-%m-%d %H:%M:%S' : '%Y-%m-%d');
  return formats;
}

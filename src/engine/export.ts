import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ident, literal } from './sql.ts';
import { jsonDownloadValue } from './json-values.ts';
import { columnGroups, gluedText, groupIndices } from './column-groups.ts';
import type { Dataset } from './dataset.ts';
import type { Db, Duck } from './duck.ts';
import { collectAfterWide } from './native-release.ts';
import { DAY_US, MILLISECOND_US, PANDAS_DATETIME, SECOND_US, someValueOff } from './date-precision.ts';

export type ExportFormat = 'CSV' | 'JSON';

/** A running export: DuckDB writes the file into a pipe, the reader streams it on. */
export interface ExportStream {
  /** Text the file starts with (the CSV header line, a JSON bracket), written by the caller before DuckDB's part. */
  head: string;
  /**
   * The pipe DuckDB's part of the file comes through: pause() and resume() it to hold DuckDB
   * back; it emits 'end' once that part is complete. Its bytes go to `receive`'s callback
   * (not to 'data' events), and none are read before `receive` is called.
   */
  stream: net.Socket;
  /**
   * Hand DuckDB's bytes, in order, as it produces them, to `to`: the first `length` bytes of
   * `buffer`, valid only during the call, as the same buffer is read into again next (not a
   * new one for every 64 KB, whose garbage collection was the largest cost of a download),
   * so `to` copies what it keeps. Call once.
   */
  receive(to: (buffer: Buffer, length: number) => void): void;
  /** Text the file ends with, written by the caller after `stream` ended. */
  tail: string;
  /**
   * Settles once DuckDB's work is over (the stream then ends after the bytes still in the
   * pipe): rejects with DuckDB's error when the export failed, not when it was aborted.
   */
  finished: Promise<void>;
  /** Stop: DuckDB is interrupted, what it still writes is discarded. Safe to call twice. */
  abort(): void;
}

/** Bytes of one read from the pipe (a pipe holds 64 KB). */
const READ_BYTES = 64 * 1024;

const run = promisify(execFile);

/**
 * Export a dataset as pandas' to_csv / to_json(orient='records') would write it, streamed
 * while DuckDB produces it: DuckDB's own writer (COPY … TO) writes into a pipe, so the first
 * bytes leave after the first rows are done, whatever the size, and nothing is written to
 * disk. The pipe is a FIFO made in `scratchDir` whose name is removed as soon as both ends
 * are open (DuckDB opens it as /proc/self/fd/N), so no scratch file outlives this call,
 * even when the client disconnects or the process dies.
 *
 * Errors: DuckDB failing before the first byte rejects `finished` (the caller can still
 * answer with an error status); `mkfifo` missing throws.
 */
export async function startExport(duck: Duck, ds: Dataset, format: ExportFormat, scratchDir: string): Promise<ExportStream> {
  const db = await duck.connect();
  const fifo = path.join(scratchDir, `download-${crypto.randomBytes(6).toString('hex')}.pipe`);
  try {
    await run('mkfifo', ['-m', '600', fifo]);
  } catch (err) {
    db.close();
    throw err;
  }
  let readFd = -1;
  let holdFd = -1;
  try {
    // Non-blocking opens: the reader first (a writer cannot open before one exists), then
    // our own writer end, which keeps the reader from seeing end-of-file before DuckDB has
    // opened the pipe. It is closed once DuckDB is done, and then the reader ends.
    readFd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    holdFd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    if (readFd >= 0) fs.closeSync(readFd);
    db.close();
    throw err;
  } finally {
    await fsp.rm(fifo, { force: true });
  }
  let receiver: (buffer: Buffer, length: number) => void = () => {};
  const readInto = Buffer.allocUnsafe(READ_BYTES);
  // pauseOnCreate (not in Node's types): nothing is read before `receive`.
  const options: net.SocketConstructorOpts & { pauseOnCreate: boolean } = {
    fd: readFd,
    readable: true,
    writable: false,
    pauseOnCreate: true,
    onread: {
      buffer: readInto,
      callback: (bytes: number) => {
        receiver(readInto, bytes);
        return true;
      },
    },
  };
  const stream = new net.Socket(options);
  let aborted = false;
  // The statement is prepared (a CSV's datetime columns are scanned for their format) while
  // the caller may already answer: the names around DuckDB's bytes need no scan.
  const copy = exportSql(db, ds, format, `/proc/self/fd/${holdFd}`).then((sql) => {
    if (aborted) throw new Error('export aborted');
    return db.run(sql);
  });
  const finished = copy
    .then(() => {})
    .catch((err: unknown) => {
      if (!aborted) throw err;
    })
    .finally(() => {
      db.close();
      fs.closeSync(holdFd);
      collectAfterWide(ds.columns.length);
    });
  // The caller awaits `finished` when it wants the outcome; an abort's rejection is not one.
  finished.catch(() => {});
  return {
    ...exportFrame(ds, format),
    stream,
    receive(to) {
      receiver = to;
      stream.resume();
    },
    finished,
    abort() {
      if (aborted) return;
      aborted = true;
      db.interrupt();
      // Keep reading, and drop what comes: a full pipe would block DuckDB in a write.
      receiver = () => {};
      stream.resume();
    },
  };
}

/**
 * The same file written to disk at `out` in one go (no pipe): the reference the streamed
 * form is checked against, and a plain export for callers that want a file. `columnChunk`:
 * past this many columns the wide form is written (see EXPORT_COLUMN_CHUNK).
 */
export async function exportToFile(duck: Duck, ds: Dataset, format: ExportFormat, out: string, columnChunk = EXPORT_COLUMN_CHUNK): Promise<void> {
  const body = `${out}.body`;
  try {
    await duck.withConnection(async (db) => db.run(await exportSql(db, ds, format, body, columnChunk)));
    const { head, tail } = exportFrame(ds, format, columnChunk);
    await fsp.writeFile(out, head);
    await fsp.appendFile(out, await fsp.readFile(body));
    await fsp.appendFile(out, tail);
  } finally {
    await fsp.rm(body, { force: true });
  }
}

/**
 * The text the caller writes around DuckDB's part of the download file. Column names are
 * written here, not by DuckDB, which would rename one of two names that differ only in case
 * (`Id`, `id` → `id_1`): the CSV header line, and, when two names differ only in case or the
 * dataset is wide, the brackets around the records exportSql then writes one per line.
 */
function exportFrame(ds: Dataset, format: ExportFormat, columnChunk = EXPORT_COLUMN_CHUNK): { head: string; tail: string } {
  if (ds.columns.length === 0) return { head: '', tail: '' };
  if (format === 'CSV') return { head: ds.names.map(csvField).join(',') + '\n', tail: '' };
  return namesDifferInCaseOnly(ds) || ds.columns.length > columnChunk ? { head: '[\n', tail: ']\n' } : { head: '', tail: '' };
}

function namesDifferInCaseOnly(ds: Dataset): boolean {
  return new Set(ds.names.map((n) => n.toLowerCase())).size !== ds.names.length;
}

/** The COPY statement that writes the body of the download file `out` (exportFrame's text goes around it). */
async function exportSql(db: Db, ds: Dataset, format: ExportFormat, out: string, columnChunk = EXPORT_COLUMN_CHUNK): Promise<string> {
  // USE_TMP_FILE false: DuckDB would otherwise write beside an existing path and rename.
  const options = 'USE_TMP_FILE false';
  if (ds.columns.length === 0) {
    return format === 'CSV' ? `COPY (SELECT '' AS "") TO ${literal(out)} (FORMAT csv, HEADER false, ${options})` : `COPY (SELECT [] AS a) TO ${literal(out)} (FORMAT csv, HEADER false, QUOTE '', ${options})`;
  }
  if (ds.columns.length > columnChunk) return wideExportSql(db, ds, format, out, options, columnChunk);
  if (format === 'CSV') {
    const dateFormats = await csvDateFormats(db, ds);
    const cols = ds.columns.map((c, i) => `${csvValue(ds.sqlName(i), c.type, dateFormats.get(i))} AS ${ident(`v${i}`)}`);
    return `COPY (SELECT ${cols.join(', ')} FROM (${ds.select()})) TO ${literal(out)} (FORMAT csv, HEADER false, NULLSTR '', ${options})`;
  }
  if (!namesDifferInCaseOnly(ds)) {
    // No two names differ only in case: DuckDB's JSON writer keeps them (and is ~20% faster).
    const cols = ds.columns.map((c, i) => `${jsonDownloadValue(ds.sqlName(i), c)} AS ${ident(c.name)}`);
    return `COPY (SELECT ${cols.join(', ')} FROM (${ds.select()})) TO ${literal(out)} (FORMAT json, ARRAY true, ${options})`;
  }
  // One record per line, written as text by the CSV writer without quoting; a comma after
  // every record but the last (positions are 0…rows-1), brackets around them by the caller.
  const members = ds.columns.map((c, i) => `${literal(c.name)}, ${jsonDownloadValue(ds.sqlName(i), c)}`);
  const line = `'\t' || json_object(${members.join(', ')})::VARCHAR || CASE WHEN __pos < ${ds.rows - 1} THEN ',' ELSE '' END`;
  return `COPY (SELECT ${line} AS j FROM (${ds.select({ withPosition: true })})) TO ${literal(out)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f', ${options})`;
}

/**
 * Most columns one projection of an export holds. DuckDB's vectors hold 2,048 values per
 * column whatever the row count, so a projection of 10,000 columns needs about 330 MB per
 * thread: a wider dataset is written as lines of text built from chunks of this many
 * columns, each in its own subquery, joined on the row position.
 */
export const EXPORT_COLUMN_CHUNK = 500;

/**
 * exportSql for a dataset of more than `columnChunk` columns: each line is built as text
 * (CSV fields quoted as DuckDB's writer quotes them; JSON members by json_object) chunk by
 * chunk, and the lines are written unquoted, in row order (exportFrame's text around them).
 */
async function wideExportSql(db: Db, ds: Dataset, format: ExportFormat, out: string, options: string, columnChunk: number): Promise<string> {
  const dateFormats = format === 'CSV' ? await csvDateFormats(db, ds) : new Map<number, string>();
  const parts: string[] = [];
  for (const group of columnGroups(ds.columns.length, columnChunk)) {
    const chunk = groupIndices(group);
    let text: string;
    if (format === 'CSV') {
      const fields = chunk.map((i) => {
        const v = `CAST(${csvValue(ds.sqlName(i), ds.column(i).type, dateFormats.get(i))} AS VARCHAR)`;
        // QUOTE_MINIMAL, as DuckDB's CSV writer and pandas quote; a missing value is an empty field.
        return ds.column(i).type === 'VARCHAR' ? `CASE WHEN regexp_matches(${v}, '[",\n\r]') THEN '"' || replace(${v}, '"', '""') || '"' ELSE coalesce(${v}, '') END` : `coalesce(${v}, '')`;
      });
      text = `concat(${fields.join(`, ',', `)})`;
    } else {
      // The members of one JSON object, braces removed (a chunk always has members).
      text = `(json_object(${chunk.map((i) => `${literal(ds.column(i).name)}, ${jsonDownloadValue(ds.sqlName(i), ds.column(i))}`).join(', ')})::VARCHAR)[2:-2]`;
    }
    parts.push(`SELECT __pos, ${text} AS t FROM (${ds.select({ withPosition: true, columns: chunk })})`);
  }
  const joins = parts.map((sql, k) => (k === 0 ? `(${sql}) p0` : `JOIN (${sql}) p${k} USING (__pos)`)).join(' ');
  const line = gluedText(
    parts.map((_, k) => `p${k}.t`),
    format === 'CSV' ? null : { open: `'\t{'`, close: `CASE WHEN p0.__pos < ${ds.rows - 1} THEN '},' ELSE '}' END` },
  );
  return `COPY (SELECT ${line} AS j FROM ${joins} ORDER BY p0.__pos) TO ${literal(out)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f', ${options})`;
}

/** A name as pandas' to_csv writes it in the header (QUOTE_MINIMAL): quoted when it holds a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

const DATE_ONLY = '%Y-%m-%d';
const SECONDS = '%Y-%m-%d %H:%M:%S';
const MILLISECONDS = '%Y-%m-%d %H:%M:%S.%g';
const MICROSECONDS = '%Y-%m-%d %H:%M:%S.%f';

/**
 * A CSV field as pandas' to_csv writes it: missing values (NaN too) and empty strings as
 * empty fields, booleans as True/False, datetimes in the column's own precision. DuckDB's
 * writer already prints a TIMESTAMP without fractions and a DATE in pandas' form, and does
 * so much faster than strftime: only fractions of seconds need the format.
 */
function csvValue(name: string, type: string, dateFormat: string | undefined): string {
  const c = ident(name);
  if (/^(DOUBLE|FLOAT|REAL)$/.test(type)) return `CASE WHEN isnan(${c}) THEN NULL ELSE ${c} END`;
  if (type === 'BOOLEAN') return `CASE WHEN ${c} THEN 'True' WHEN NOT ${c} THEN 'False' END`;
  if (type === 'VARCHAR') return `nullif(${c}, '')`; // DuckDB would write "" to tell it from missing
  if (dateFormat === DATE_ONLY && (type === 'TIMESTAMP' || type === 'DATE')) return `${c}::DATE`;
  if (dateFormat === SECONDS && type === 'TIMESTAMP') return c;
  if (dateFormat) return `strftime(${c}::TIMESTAMP, ${literal(dateFormat)})`;
  return c;
}

/**
 * pandas prints a datetime column as dates alone when every value is at midnight, with
 * milliseconds when some value has a fraction of a second and all are whole milliseconds,
 * with microseconds when some value is not (pandas 1.5, tslib.format_array_from_datetime:
 * show_ms, show_us; stored time stamps have no nanoseconds): one scan of those columns.
 */
async function csvDateFormats(db: Db, ds: Dataset): Promise<Map<number, string>> {
  const temporal = ds.columns.flatMap((c, i) => (PANDAS_DATETIME.test(c.type) ? [i] : []));
  const formats = new Map<number, string>();
  // A fraction anywhere means fractions (of which part of a millisecond anywhere means
  // microseconds); otherwise a time of day anywhere means seconds (date-precision.ts).
  const fractions = async (i: number) => ((await someValueOff(db, ds, i, MILLISECOND_US)) ? MICROSECONDS : MILLISECONDS);
  for (const i of temporal) {
    formats.set(i, (await someValueOff(db, ds, i, SECOND_US)) ? await fractions(i) : (await someValueOff(db, ds, i, DAY_US)) ? SECONDS : DATE_ONLY);
  }
  return formats;
}

import fs from 'node:fs/promises';
import { literal, ident } from '../sql.ts';
import { uniqueColumnNames } from './names.ts';
import { ImportError } from './types.ts';
import { PANDAS_NA } from './na.ts';
import type { Db } from '../duck.ts';

export { PANDAS_NA };

export interface CsvSource {
  /** SELECT yielding the data with final names and types. */
  sql: string;
  names: string[];
  skippedLines: number;
  paddedLines: number;
}

export interface CsvOptions {
  header: boolean;
  skip: number;
  /** Force a delimiter (e.g. tab for .tsv); otherwise it is sniffed. */
  delimiter?: string;
  /** Known column types (e.g. from Excel cells); null or absent: inferred from the values. */
  types?: (InferredType | null)[];
}

interface Dialect {
  delim: string;
  quote: string;
  escape: string;
}

/**
 * The file is not valid UTF-8 after all (DuckDB only reads UTF-8): the caller transcodes it
 * and reads again. `bytePosition` locates the first bad line, to guess the encoding from.
 */
export class NotUtf8Error extends Error {
  readonly bytePosition: number | null;
  constructor(bytePosition: number | null) {
    super('the file is not valid UTF-8');
    this.name = 'NotUtf8Error';
    this.bytePosition = bytePosition;
  }
}

let counter = 0;
const unique = (prefix: string) => `${prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;

/**
 * Read a UTF-8 delimited text file the way pandas.read_csv would: the header line fixes
 * the number of columns, shorter lines are padded with missing values, longer ones are
 * skipped, both are counted, and types are inferred from every value, not a sample.
 */
export async function readCsv(db: Db, path: string, options: CsvOptions): Promise<CsvSource> {
  // pandas skips blank lines, those before the header too; DuckDB would take one for the header.
  const opts = { ...options, skip: options.skip + (await blankLinesAfter(path, options.skip)) };
  const dialect = await utf8Guard(() => sniffDialect(db, path, opts));
  const rawHeader = await utf8Guard(() => firstRecord(db, path, dialect, opts.skip));
  if (rawHeader.length === 0) throw new ImportError('empty file', options.skip > 0 ? `the file has no lines to read after initialSkip (${options.skip})` : 'the file has no lines to read');
  const names = opts.header ? uniqueColumnNames(rawHeader) : rawHeader.map((_, i) => String(i));
  const fields = names.map((_, i) => `c${i}`);

  // Every field as text, with the header's width; rejected lines are recorded with why.
  const scan = (padding: boolean, rejects: string): string =>
    `read_csv(${literal(path)}, auto_detect = false, delim = ${literal(dialect.delim)}, quote = ${literal(dialect.quote)}, escape = ${literal(dialect.escape)}, ` +
    `header = ${opts.header}, skip = ${opts.skip}, null_padding = ${padding}, ignore_errors = true, ` +
    `store_rejects = true, rejects_table = ${literal(rejects)}, rejects_scan = ${literal(rejects + '_scan')}, ` +
    `nullstr = ${'[' + PANDAS_NA.map(literal).join(', ') + ']'}, ` +
    `columns = {${fields.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ')}})`;

  // Pass 1 without padding: short lines are rejected as MISSING COLUMNS, which counts them.
  // Only a file that has some is read again with padding, so regular files cost one pass.
  const table = unique('csv');
  const rejects = unique('rejects');
  await utf8Guard(() => db.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${scan(false, rejects)}`));
  const lines = await rejectedLines(db, rejects);
  if (lines.invalidEncoding > 0) throw new NotUtf8Error(lines.firstInvalidByte);
  if (lines.padded > 0) await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM ${scan(true, unique('rejects'))}`);

  // Pass 2: each column's type from all its values, as pandas does (unless already known).
  const inferred = await inferTypes(db, table, fields);
  const types = inferred.map((t, i) => opts.types?.[i] ?? t);
  const casts = fields.map((f, i) => `${castExpr(f, types[i])} AS ${ident(names[i])}`);
  return { sql: `SELECT ${casts.join(', ')} FROM ${table}`, names, skippedLines: lines.skipped, paddedLines: lines.padded };
}

/** How many blank lines follow the first `skip` lines (looking at the first 64 KB). */
async function blankLinesAfter(path: string, skip: number): Promise<number> {
  const handle = await fs.open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const lines = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
    lines.pop(); // the last piece may be cut short (or be what follows the final newline)
    let blank = 0;
    while (skip + blank < lines.length && /^[ \t]*$/.test(lines[skip + blank])) blank++;
    return blank;
  } finally {
    await handle.close();
  }
}

/** Rejected lines of one scan, by what happens to them. */
async function rejectedLines(db: Db, rejects: string): Promise<{ skipped: number; padded: number; invalidEncoding: number; firstInvalidByte: number | null }> {
  const row = await db.one(`
    SELECT count(*) FILTER (WHERE enc) AS enc, min(pos) FILTER (WHERE enc) AS pos,
           count(*) FILTER (WHERE NOT enc AND short) AS padded, count(*) FILTER (WHERE NOT enc AND NOT short) AS skipped
    FROM (SELECT line, bool_or(error_type = 'INVALID ENCODING') AS enc, bool_and(error_type = 'MISSING COLUMNS') AS short, min(byte_position) AS pos
          FROM ${rejects} GROUP BY line)`);
  return {
    skipped: Number(row.skipped),
    padded: Number(row.padded),
    invalidEncoding: Number(row.enc),
    firstInvalidByte: row.pos === null ? null : Number(row.pos),
  };
}

/** Run a read; DuckDB's "invalid unicode" failure becomes NotUtf8Error. */
async function utf8Guard<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (/Invalid unicode|not utf-8 encoded/i.test((err as Error).message)) throw new NotUtf8Error(null);
    throw err;
  }
}

export type InferredType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP' | 'VARCHAR';

/** The narrowest type every non-missing value of a text column converts to. */
export async function inferTypes(db: Db, table: string, fields: string[]): Promise<InferredType[]> {
  if (fields.length === 0) return [];
  const checks = fields.flatMap((f, i) => {
    const c = ident(f);
    return [
      // DuckDB would round '2.5' to a BIGINT: integers must look like integers.
      `bool_and(${c} IS NULL OR (regexp_matches(${c}, '^\\s*[-+]?\\d+\\s*$') AND TRY_CAST(${c} AS BIGINT) IS NOT NULL)) AS i${i}`,
      `bool_and(${c} IS NULL OR TRY_CAST(${c} AS DOUBLE) IS NOT NULL) AS d${i}`,
      `bool_and(${c} IS NULL OR lower(${c}) IN ('true', 'false')) AS b${i}`,
      `bool_and(${c} IS NULL OR (regexp_matches(${c}, '^\\d{4}-\\d{1,2}-\\d{1,2}([ T]\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?$') AND TRY_CAST(${c} AS TIMESTAMP) IS NOT NULL)) AS t${i}`,
      `count(${c}) AS n${i}`,
    ];
  });
  const row = await db.one(`SELECT ${checks.join(', ')} FROM ${table}`);
  return fields.map((_, i) => {
    if (Number(row[`n${i}`]) === 0) return 'VARCHAR'; // all missing: pandas says float, text is kinder to fill
    if (row[`i${i}`]) return 'BIGINT';
    if (row[`d${i}`]) return 'DOUBLE';
    if (row[`b${i}`]) return 'BOOLEAN';
    if (row[`t${i}`]) return 'TIMESTAMP';
    return 'VARCHAR';
  });
}

export function castExpr(field: string, type: InferredType): string {
  const c = ident(field);
  if (type === 'VARCHAR') return c;
  if (type === 'BOOLEAN') return `(lower(${c}) = 'true')::BOOLEAN`;
  return `TRY_CAST(${c} AS ${type})`;
}

async function sniffDialect(db: Db, path: string, opts: CsvOptions): Promise<Dialect> {
  if (opts.delimiter) return { delim: opts.delimiter, quote: '"', escape: '"' };
  const clean = (v: unknown): string => (v === '(empty)' || v === null ? '"' : String(v));
  try {
    const row = await db.one(`SELECT Delimiter, Quote, Escape, len(Columns) AS n FROM sniff_csv(${literal(path)}, skip = ${opts.skip}, header = ${opts.header})`);
    const delim = String(row.Delimiter);
    if ([',', ';', '\t', '|'].includes(delim) && Number(row.n) > 1) return { delim, quote: clean(row.Quote), escape: clean(row.Escape) };
  } catch {
    // The sniffer gives up on irregular files; the header line decides below.
  }
  // Irregular file: take the candidate that splits the first line into the most fields.
  const line = await db.scalar(`SELECT column0 FROM read_csv(${literal(path)}, auto_detect = false, header = false, skip = ${opts.skip}, delim = ${literal('\u001e')}, quote = '', escape = '', columns = {'column0': 'VARCHAR'}, strict_mode = false) LIMIT 1`);
  const text = line === null ? '' : String(line);
  const best = [',', '\t', ';', '|'].map((d) => ({ d, n: text.split(d).length })).sort((a, b) => b.n - a.n)[0];
  return { delim: best.n > 1 ? best.d : ',', quote: '"', escape: '"' };
}

/** The first record after `skip` lines, split with the dialect, as raw text. */
async function firstRecord(db: Db, path: string, d: Dialect, skip: number): Promise<string[]> {
  // One wide VARCHAR row: read with the dialect, no header, and enough padding columns.
  const width = 4096;
  const cols = Array.from({ length: width }, (_, i) => `${literal(`x${i}`)}: 'VARCHAR'`).join(', ');
  const rows = await db.rows(
    `SELECT * FROM read_csv(${literal(path)}, auto_detect = false, delim = ${literal(d.delim)}, quote = ${literal(d.quote)}, escape = ${literal(d.escape)}, header = false, skip = ${skip}, null_padding = true, strict_mode = false, nullstr = [${literal('\u001e')}], columns = {${cols}}) LIMIT 1`,
  );
  if (rows.length === 0) return [];
  const values = Object.values(rows[0]);
  let last = values.length - 1;
  while (last >= 0 && values[last] === null) last--;
  return values.slice(0, last + 1).map((v) => (v === null ? '' : String(v)));
}

import fs from 'node:fs/promises';
import { join as pathJoin } from 'node:path';
import { literal, ident } from '../sql.ts';
import { uniqueColumnNames } from './names.ts';
import { ImportError, type LineExample } from './types.ts';
import { PANDAS_NA } from './na.ts';
import { utcOf, zonedInstant } from '../iso-time.ts';
import { inPandasRange } from '../date-precision.ts';
import { readWide, scanFirstRecord, tooManyColumns } from './wide.ts';
import type { Db } from '../duck.ts';
import { parquetOptions } from '../parquet-layout.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../../config.ts';
import { lineNumberAt, lineNumbersAt, lineTooLong, scanLineLengths, assertLineLengths, PARALLEL_LINE_BYTES, type LineLengthScan } from './line-length.ts';

export { PANDAS_NA };

export interface CsvSource {
  /**
   * SELECT yielding the data in final types, column i named `c<i>`: names are data and
   * stay in `names` (two of them may differ only in case, which SQL could not tell apart).
   */
  sql: string;
  names: string[];
  skippedLines: number;
  paddedLines: number;
  /** The first few skipped lines (LINE_EXAMPLES): 1-based line number in the file as an editor counts, and text (cut to LINE_EXAMPLE_CHARS). */
  skippedLineExamples?: LineExample[];
  /** The same for padded lines. */
  paddedLineExamples?: LineExample[];
  /**
   * Parquet files already holding the data in final types (the fast path writes them while
   * reading): column i is `field` of `file`. The caller may adopt them as they are.
   */
  ready?: { files: string[]; columns: { file: string; field: string; present?: number }[] };
  /** Indices of text columns whose values keep JSON types in a JSON download (ColumnEntry.jsonValues). */
  jsonValues?: number[];
}

export interface CsvOptions {
  header: boolean;
  skip: number;
  /** Force a delimiter (e.g. tab for .tsv); otherwise it is sniffed. */
  delimiter?: string;
  /** Known column types (e.g. from Excel cells); null or absent: inferred from the values. */
  types?: (InferredType | null)[];
  /** Scratch folder (same file system as the session) for the fast path's Parquet files (and wide files'). */
  tmpDir?: string;
  /**
   * The file's one kind of line ending, when known. DuckDB otherwise takes the first one it
   * meets, which may be a break inside a quoted header field (`"a\r\nb"` in a `\n` file)
   * and then sees the whole file as one line.
   */
  newLine?: NewLine;
  /** Called as each step of the read ends, with its name (for the import's phase timings). */
  phase?: (name: string) => void;
  /**
   * Read the data from here (a pipe still being filled by the upload) in the one pass of
   * the fast path, while dialect, header and types are sniffed from `path` (the file's
   * head). Only the fast path can read a pipe: when it cannot be used, readCsv returns
   * null and the caller reads the whole file once it has arrived.
   */
  streamFrom?: string;
  /**
   * With `streamFrom` a file still arriving (not a pipe): the one pass waits for this, run
   * after the sniffing on `path` (the head), which resolves once the file is whole, with the
   * rows per row group to write (null: it will not be, and readCsv returns null).
   */
  streamReady?: () => Promise<{ rowGroup: number } | null>;
  /** Most columns accepted (config MAX_COLUMNS); a wider file is refused, never truncated. */
  maxColumns?: number;
  /** Rows per row group of the Parquet files the fast path writes (parquet-layout.ts); DuckDB's default when absent. */
  rowGroup?: number;
  /**
   * Longest line read, in bytes of UTF-8 without its line break (config MAX_LINE_BYTES;
   * DEFAULT_MAX_LINE_BYTES when absent). A file with a longer line is refused whole
   * (ImportError `line too long`, naming the line), never read without it.
   */
  maxLineBytes?: number;
  /**
   * The scan of `path`'s bytes made as they arrived (the upload's), against maxLineBytes;
   * absent, readCsv scans the file itself first (one read of it). With `streamFrom`, only
   * the head at `path` is scanned here: the caller checks the rest (streamedCsv).
   */
  lineScan?: LineLengthScan;
  /**
   * Read on one thread, lines up to maxLineBytes (csvLineArgs). Set by readCsv, not by its
   * callers: for a file with a line longer than PARALLEL_LINE_BYTES, or a record DuckDB's
   * parallel read found longer.
   */
  serial?: boolean;
}

export type NewLine = '\n' | '\r\n' | '\r';

/**
 * The read_csv / sniff_csv arguments bounding a line (a record: DuckDB measures a quoted
 * field's line breaks as part of its line) for the read `opts.serial` says. A parallel read
 * keeps DuckDB's defaults, as every read did before the limit existed: lines up to
 * PARALLEL_LINE_BYTES (or `maxLineBytes` when lower), a buffer (`buffer_size`, one per
 * thread) of 32 MB, 16 such lines.
 * A serial one (`parallel = false`, which scanArgs and the other reads add) takes lines up
 * to `maxLineBytes`, its buffer twice that (at least the 32 MB default; DuckDB wants it
 * larger than max_line_size): DuckDB's parallel reader lost lines with buffers only a few
 * lines long, its serial reader none (PARALLEL_LINE_BYTES). DuckDB counts the line break
 * before a line (but the first) as part of it: 40 lines of exactly 1,000,000 bytes read
 * with max_line_size 1,000,000 lost all but the first (DuckDB 1.5; `\r\n` needs 2 bytes
 * more), hence LINE_BREAK_BYTES of slack, LineLengthScan holding every line to the exact
 * limit. A record longer than the bound in a read with ignore_errors is a rejected line of
 * type LINE SIZE OVER MAXIMUM (rejectedLines: `tooLong`), and an error ("Maximum line size
 * of … exceeded") otherwise (readGuard): a parallel read then gives way to a serial one
 * (LongRecords), a serial one refuses the file.
 */
export function csvLineArgs(opts: CsvOptions): string {
  const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // A limit below DuckDB's default is its bound in a parallel read too.
  if (!opts.serial) return `max_line_size = ${Math.min(max, PARALLEL_LINE_BYTES) + LINE_BREAK_BYTES}, buffer_size = 32000000, `;
  return `max_line_size = ${max + LINE_BREAK_BYTES}, buffer_size = ${Math.max(2 * max, 32_000_000)}, `;
}

/** The longest line break (`\r\n`), which DuckDB counts into the line after it (csvLineArgs). */
const LINE_BREAK_BYTES = 2;

/** A parallel read met a record longer than PARALLEL_LINE_BYTES: readCsv reads the file again on one thread. */
class LongRecords extends Error {
  constructor() {
    super(`a record longer than ${PARALLEL_LINE_BYTES} bytes`);
    this.name = 'LongRecords';
  }
}

/** The read_csv / sniff_csv argument naming the line ending, or nothing. */
function newLineArg(opts: CsvOptions): string {
  if (!opts.newLine) return '';
  return `new_line = ${literal(opts.newLine.replaceAll('\r', '\\r').replaceAll('\n', '\\n'))}, `;
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
export async function readCsv(db: Db, path: string, options: CsvOptions & { streamFrom: string }): Promise<CsvSource | null>;
export async function readCsv(db: Db, path: string, options: CsvOptions): Promise<CsvSource>;
export async function readCsv(db: Db, path: string, options: CsvOptions): Promise<CsvSource | null> {
  // Every line within the limit before DuckDB reads any: DuckDB lost a line longer than its
  // buffer without a word, and does not check the header line.
  const scan = options.lineScan ?? (await scanLineLengths(path, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES));
  await assertLineLengths(path, scan);
  // Long lines are read on one thread (csvLineArgs), which a streaming read is not set up for.
  if (scan.longLines && options.streamFrom) return null;
  try {
    return await readCsvOnce(db, path, { ...options, serial: scan.longLines });
  } catch (err) {
    if (!(err instanceof LongRecords) || options.serial) throw err;
    // A quoted field holding line breaks made a record longer than the parallel read takes.
    if (options.streamFrom) return null;
    return readCsvOnce(db, path, { ...options, serial: true });
  }
}

/** readCsv's read, once its lines are checked, in the mode `options.serial` says. */
async function readCsvOnce(db: Db, path: string, options: CsvOptions): Promise<CsvSource | null> {
  // pandas skips blank lines, those before the header too; DuckDB would take one for the header.
  const opts = { ...options, skip: options.skip + (await blankLinesAfter(path, options.skip)) };
  const maxColumns = opts.maxColumns ?? Infinity;
  const first = await scanFirstRecord(path, opts.skip, opts.delimiter, maxColumns);
  if (first?.wide && opts.tmpDir) {
    // A wide file takes many passes over the whole file (see readWide): it is read once it
    // has arrived, not from the pipe of a streaming upload, which can be read only once.
    if (opts.streamFrom) return null;
    const names = opts.header ? uniqueColumnNames(first.fields) : first.fields.map((_, i) => String(i));
    return readGuard(opts, () => readWide(db, path, opts as CsvOptions & { tmpDir: string }, { delim: first.delim, quote: '"', escape: '"' }, names));
  }
  const dialect = await readGuard(opts, () => sniffDialect(db, path, opts));
  opts.phase?.('sniff dialect');
  const rawHeader = await readGuard(opts, () => firstRecord(db, path, dialect, opts, Math.min(first?.bound ?? 1, maxColumns + 1)));
  opts.phase?.('header');
  if (rawHeader.length === 0) throw new ImportError('empty file', options.skip > 0 ? `the file has no lines to read after initialSkip (${options.skip})` : 'the file has no lines to read');
  if (rawHeader.length > maxColumns) throw tooManyColumns(rawHeader.length, maxColumns);
  const names = opts.header ? uniqueColumnNames(rawHeader) : rawHeader.map((_, i) => String(i));

  if (opts.tmpDir && !opts.types) {
    const fast = await readGuard(opts, () => readTyped(db, path, opts as CsvOptions & { tmpDir: string }, dialect, names));
    if (fast || opts.streamFrom) return fast;
  }
  if (opts.streamFrom) return null;
  return readGuard(opts, () => readThorough(db, path, opts, dialect, names));
}

/**
 * Arguments of read_csv shared by every scan of one file; rejected lines are stored in the
 * table `rejects` when given. `parallel` false: DuckDB's parallel scanner refuses padding
 * lines when a quoted field holds a line break. The scan that pads stores no rejects: the
 * first scan counted them, and storing them while padding fails on long lines.
 */
export function scanArgs(path: string, opts: CsvOptions, d: Dialect, padding: boolean, rejects: string | null, parallel = true, missing: 'all' | 'empty' = 'all'): string {
  return (
    `${literal(path)}, auto_detect = false, delim = ${literal(d.delim)}, quote = ${literal(d.quote)}, escape = ${literal(d.escape)}, ${newLineArg(opts)}${csvLineArgs(opts)}` +
    `header = ${opts.header}, skip = ${opts.skip}, null_padding = ${padding}, ignore_errors = true, ${parallel && !opts.serial ? '' : 'parallel = false, '}` +
    (rejects ? `store_rejects = true, rejects_table = ${literal(rejects)}, rejects_scan = ${literal(rejects + '_scan')}, ` : '') +
    `nullstr = ${'[' + (missing === 'all' ? PANDAS_NA : ['']).map(literal).join(', ') + ']'}`
  );
}

/**
 * Whether text value `c` is one of pandas' missing-value tokens other than the empty field
 * (SQL). Not `c IN (…)`: DuckDB rewrites an IN list this long into a join, and the COPY
 * then wrote the rows out of order (all 10M of the bench file).
 */
const isToken = (c: string) => `list_contains([${PANDAS_NA.filter((t) => t !== '').map(literal).join(', ')}], ${c})`;
const unlessToken = (c: string) => `CASE WHEN ${isToken(c)} THEN NULL ELSE ${c} END`;

/**
 * The fast path, one pass: types guessed by DuckDB's sniffer from a sample, the file read
 * with them straight into Parquet. If the guess was wrong somewhere (a value that does not
 * convert rejects its line) or some lines need padding, the result is thrown away (null)
 * and the thorough path reads the file again. Only ISO dates count as dates, and booleans
 * are only true/false (pandas does not read t/f or yes/no as booleans).
 */
async function readTyped(db: Db, path: string, opts: CsvOptions & { tmpDir: string }, d: Dialect, names: string[], strictBooleans = true, tokensInParser = false): Promise<CsvSource | null> {
  let sniffed: { Columns: { name: string; type: string }[]; DateFormat: string | null; TimestampFormat: string | null };
  try {
    const rows = await db.rowsJson(
      `SELECT Columns, DateFormat, TimestampFormat FROM sniff_csv(${literal(path)}, delim = ${literal(d.delim)}, quote = ${literal(d.quote)}, escape = ${literal(d.escape)}, ${newLineArg(opts)}${csvLineArgs(opts)}header = ${opts.header}, skip = ${opts.skip}, ` +
        `null_padding = false, ignore_errors = true, nullstr = ${'[' + PANDAS_NA.map(literal).join(', ') + ']'}, auto_type_candidates = ['BIGINT', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'VARCHAR'])`,
    );
    sniffed = rows[0] as typeof sniffed;
  } catch {
    return null;
  }
  opts.phase?.('sniff types');
  if (!sniffed || sniffed.Columns.length !== names.length) return null;
  const isoDate = sniffed.DateFormat === null || sniffed.DateFormat === '%Y-%m-%d';
  const isoTimestamp = sniffed.TimestampFormat === null || /^%Y-%m-%d[ T]%H:%M(:%S(\.%[fgn])?)?$/.test(sniffed.TimestampFormat);
  const readAs = sniffed.Columns.map((c) => {
    const t = c.type.toUpperCase();
    if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(t)) return 'BIGINT';
    if (/^(FLOAT|DOUBLE|DECIMAL.*)$/.test(t)) return 'DOUBLE';
    if (t === 'DATE' && isoDate) return 'DATE';
    if (t === 'TIMESTAMP' && isoTimestamp) return 'TIMESTAMP';
    if (t === 'BOOLEAN') return 'BOOLEAN';
    return 'VARCHAR';
  });
  const fields = names.map((_, i) => `c${i}`);
  // DuckDB's booleans include t/f, yes/no, 1/0; pandas' are only true/false in any letter
  // case. A column sniffed as boolean whose head has only those is read as text and turned
  // into booleans in the same pass, a value that is neither stopping the pass (it is then
  // read again as text, refined below); any other is read as text and refined.
  const candidates = fields.flatMap((_, i) => (readAs[i] === 'BOOLEAN' ? [i] : []));
  const strict = new Set(strictBooleans ? await pandasBooleans(db, path, opts, d, fields, candidates) : []);
  for (const i of candidates) readAs[i] = 'VARCHAR';
  // Comparing every field with pandas' 18 missing-value tokens (`nullstr`) costs DuckDB's
  // parser about a quarter of its time. Only the empty field is left to it when no typed
  // column holds another token in the head: text columns then compare their values with the
  // tokens in the SELECT, and a typed column meeting one further on rejects its line (a
  // cast error), which reads the file again with the tokens in the parser.
  let missing: 'all' | 'empty' = tokensInParser ? 'all' : 'empty';
  const typed = fields.filter((_, i) => readAs[i] !== 'VARCHAR');
  if (missing === 'empty' && typed.length > 0) {
    const text = fields.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ');
    const checks = typed.map((f) => `coalesce(bool_or(${isToken(ident(f))}), false)`).join(' OR ');
    const found = await db.scalar(`SELECT ${checks} FROM (SELECT * FROM read_csv(${scanArgs(path, opts, d, false, null, true, 'empty')}, columns = {${text}}) LIMIT ${TOKEN_CHECK_ROWS})`);
    if (found === true) missing = 'all';
  }
  let rowGroup = opts.rowGroup;
  if (opts.streamFrom && opts.streamReady) {
    const ready = await opts.streamReady();
    if (!ready) return null;
    rowGroup = ready.rowGroup;
  }
  const rejects = unique('rejects');
  // DuckDB's parser converts leniently ('2.5' to the BIGINT 3, '1e3' and '0x10' to integers,
  // a date and time to its date, an offset dropped), so a value past the sniffer's sample
  // that pandas reads otherwise was changed without a word. Integers are read as text and
  // converted below, taking only what inferTypes would (TYPE_TESTS.i); dates and time stamps
  // are parsed by one exact format (a value of another shape rejects its line, and the file
  // is read thoroughly), or as text tested like integers when their head has no one shape.
  // Numbers stay with DuckDB's parser: its syntax is pandas' but for `_` between digits
  // (`1_000` is read as 1000 where pandas keeps text), and reading them as text too cost
  // a quarter more CPU for the whole pass.
  const stamps = fields.flatMap((_, i) => (readAs[i] === 'TIMESTAMP' ? [i] : []));
  const stampFormat = stamps.length === 0 ? null : (sniffed.TimestampFormat ?? (await isoTimestampFormat(db, path, opts, d, fields, stamps)));
  const parseAs = readAs.map((t) => (t === 'BIGINT' || (t === 'TIMESTAMP' && stampFormat === null) ? 'VARCHAR' : t));
  const formats = `dateformat = '%Y-%m-%d', ${stampFormat === null ? '' : `timestampformat = ${literal(stampFormat)}, `}`;
  const columns = fields.map((f, i) => `${literal(f)}: ${literal(parseAs[i])}`).join(', ');
  const main = pathJoin(opts.tmpDir, `${unique('typed')}.parquet`);
  const select = fields.map((f, i) => {
    const c = ident(f);
    if (readAs[i] === 'VARCHAR' && missing === 'empty' && !strict.has(i)) return `${unlessToken(c)} AS ${c}`;
    const otherwise = `ELSE error(${literal(NOT_AS_SNIFFED)}) END AS ${c}`;
    // Integers as DuckDB writes them pass without the regular expression (most do).
    if (readAs[i] === 'BIGINT') return `CASE WHEN ${c} IS NULL THEN NULL WHEN TRY_CAST(${c} AS BIGINT)::VARCHAR = ${c} OR (${TYPE_TESTS.i(c)}) THEN CAST(${c} AS BIGINT) ${otherwise}`;
    if (parseAs[i] === 'VARCHAR' && readAs[i] === 'TIMESTAMP') return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${TYPE_TESTS.t(c)} THEN CAST(${c} AS TIMESTAMP) ${otherwise}`;
    // A date column becomes time stamps, as inferTypes makes it (its test takes both). A
    // value outside pandas' range makes the column text: read thoroughly, as it is not
    // datetimes (TYPE_TESTS.t).
    if (readAs[i] === 'DATE' || readAs[i] === 'TIMESTAMP') {
      const stamp = readAs[i] === 'DATE' ? `${c}::TIMESTAMP` : c;
      return `CASE WHEN ${c} IS NULL OR ${inPandasRange(stamp)} THEN ${stamp} ELSE error(${literal(NOT_PANDAS_DATETIME)}) END AS ${c}`;
    }
    // DuckDB reads `NAN`, `-NAN`, `Nan`… as the number NaN; pandas only knows its missing
    // tokens (null here already), so such a column holds text for it: the pass stops and
    // the file is read thoroughly.
    if (readAs[i] === 'DOUBLE') return `CASE WHEN isnan(${c}) THEN error(${literal(NOT_A_NUMBER)}) ELSE ${c} END AS ${c}`;
    // The usual spellings are compared as they are; lower() (a new string per value) only
    // for the rest.
    if (strict.has(i)) {
      const token = missing === 'empty' ? `WHEN ${isToken(c)} THEN NULL ` : '';
      return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} IN ('true', 'True', 'TRUE') THEN true WHEN ${c} IN ('false', 'False', 'FALSE') THEN false WHEN lower(${c}) = 'true' THEN true WHEN lower(${c}) = 'false' THEN false ${token}ELSE error(${literal(NOT_BOOLEAN)}) END AS ${c}`;
    }
    return c;
  });
  try {
    await db.run(`COPY (SELECT ${select.join(', ')} FROM read_csv(${scanArgs(opts.streamFrom ?? path, opts, d, false, rejects, true, missing)}, ${formats}columns = {${columns}})) TO ${literal(main)} ${parquetOptions(rowGroup)}`);
  } catch (err) {
    await fs.rm(main, { force: true });
    // `nan` and `NaN` are missing-value tokens, and a token in a typed column is no value of
    // its type: read again with them in the parser. Anything else no value of its column's
    // type, read thoroughly.
    if ((err as Error).message.includes(NOT_PANDAS_DATETIME)) return null;
    if ((err as Error).message.includes(NOT_A_NUMBER) || (err as Error).message.includes(NOT_AS_SNIFFED)) return missing === 'empty' && !opts.streamFrom ? readTyped(db, path, opts, d, names, strictBooleans, true) : null;
    if (!strict.size || !(err as Error).message.includes(NOT_BOOLEAN)) throw err;
    // A pipe cannot be read twice: the caller reads the whole file.
    return opts.streamFrom ? null : readTyped(db, path, opts, d, names, false, tokensInParser);
  }
  for (const i of strict) readAs[i] = 'BOOLEAN';
  opts.phase?.('typed read to Parquet');
  const lines = await rejectedLines(db, rejects);
  const files = [main];
  const discard = async () => {
    await Promise.all(files.map((f) => fs.rm(f, { force: true })));
    return null;
  };
  if (lines.invalidEncoding + lines.tooLong + lines.unterminated > 0) {
    await discard();
    // A pipe cannot be read again to number a line: the caller reads the whole file.
    if (opts.streamFrom && lines.invalidEncoding === 0) return null;
    throw await refusalOf(path, lines, opts);
  }
  if (lines.cast > 0 && lines.padded === 0 && missing === 'empty' && !opts.streamFrom) {
    // Perhaps a missing-value token in a typed column past the head.
    await discard();
    return readTyped(db, path, opts, d, names, strictBooleans, true);
  }
  if (lines.cast > 0 || lines.padded > 0) return discard();
  // DuckDB's parser read `12345678901234567890123` in a column it sniffed as DOUBLE as a
  // float, its digits lost, where pandas (inferTypes) keeps a column of such integers as text.
  // Only the file's values tell whether one was written as an integer: a column that may hold
  // one sends the file to the thorough path (bigIntegerSuspects).
  if ((await bigIntegerSuspects(db, main, fields.filter((_, i) => readAs[i] === 'DOUBLE'))).length > 0) return discard();

  // The sniffer saw a sample: a column it read as text may still be all booleans, ISO
  // dates or numbers in pandas' eyes. Such columns are converted into a small file of their
  // own; their text stays unused in the main file.
  const placed = fields.map((field) => ({ file: main, field }));
  const textual = fields.flatMap((f, i) => (readAs[i] === 'VARCHAR' ? [i] : []));
  if (textual.length > 0) {
    const view = unique('typed_view');
    await db.run(`CREATE TEMP VIEW ${view} AS SELECT * FROM read_parquet(${literal(main)})`);
    const refined = await inferTypes(db, view, textual.map((i) => fields[i]));
    const converted = textual.filter((_, k) => refined[k] !== 'VARCHAR');
    if (converted.length > 0) {
      const extra = pathJoin(opts.tmpDir, `${unique('refined')}.parquet`);
      files.push(extra);
      const casts = converted.map((i) => `${castExpr(fields[i], refined[textual.indexOf(i)])} AS ${ident(fields[i])}`);
      await db.run(`COPY (SELECT ${casts.join(', ')} FROM ${view}) TO ${literal(extra)} ${parquetOptions(rowGroup)}`);
      for (const i of converted) placed[i] = { file: extra, field: fields[i] };
    }
    await db.run(`DROP VIEW ${view}`);
    opts.phase?.(`refine ${textual.length} text columns`);
  }
  const aliases = new Map(files.map((f, k) => [f, `t${k}`]));
  const outputs = placed.map((p, i) => `${aliases.get(p.file)}.${ident(p.field)} AS ${ident(fields[i])}`);
  const sql = `SELECT ${outputs.join(', ')} FROM ${files.map((f) => `read_parquet(${literal(f)}) ${aliases.get(f)}`).join(' POSITIONAL JOIN ')}`;
  return { sql, names, skippedLines: lines.skipped, paddedLines: 0, ...(await lineExamples(path, lines)), ready: { files, columns: placed } };
}

/**
 * Of the DOUBLE columns `doubles` of the Parquet file `file`, those that may have been read
 * from integers beyond int64 (which inferTypes makes text, not floats): columns reaching
 * ±2^63 (or ±inf, for which DuckDB writes no statistics) whose values are all whole numbers.
 * Told from the row groups' statistics first (no data read), so a column of ordinary floats
 * costs nothing; only a column that reaches that far is read, until its first fraction.
 */
async function bigIntegerSuspects(db: Db, file: string, doubles: string[]): Promise<string[]> {
  if (doubles.length === 0) return [];
  const far = (v: string) => `coalesce(abs(TRY_CAST(${v} AS DOUBLE)) >= 9223372036854775808.0, true)`;
  const reaching = await db.rows(
    `SELECT DISTINCT path_in_schema AS f FROM parquet_metadata(${literal(file)}) WHERE path_in_schema IN (${doubles.map(literal).join(', ')}) ` +
      `AND coalesce(stats_null_count, 0) < row_group_num_rows AND (${far('stats_min_value')} OR ${far('stats_max_value')})`,
  );
  const fields = reaching.map((r) => String(r.f));
  if (fields.length === 0) return [];
  const found = await db.one(
    `SELECT ${fields.map((f, k) => `(SELECT count(*) FROM (SELECT 1 FROM read_parquet(${literal(file)}) WHERE ${ident(f)} <> trunc(${ident(f)}) LIMIT 1)) AS f${k}`).join(', ')}`,
  );
  return fields.filter((_, k) => Number(found[`f${k}`]) === 0);
}

const NOT_BOOLEAN = 'willow: not a true/false value';
/** Rows of the head in which typed columns are looked at for missing-value tokens. */
const TOKEN_CHECK_ROWS = 100_000;
const NOT_A_NUMBER = 'willow: NaN read from text';
const NOT_AS_SNIFFED = 'willow: a value not of the type sniffed';
const NOT_PANDAS_DATETIME = 'willow: a date outside pandas\' datetime range';

/** Time stamps as inferTypes takes them (TYPE_TESTS.t), by shape: separator, seconds, fraction. */
const ISO_STAMP = /^\d{4}-\d{2}-\d{2}([ T])\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;

/**
 * The one strptime format (DuckDB's `timestampformat`) of the time stamps in the file's head
 * (its first 1,000 rows) in columns `stamps`, when the sniffer gave none: ISO time stamps,
 * all of one shape (`T` or space, with or without seconds and fraction). Null when they have
 * several shapes (or none of these): the pass then reads them as text.
 */
async function isoTimestampFormat(db: Db, path: string, opts: CsvOptions, d: Dialect, fields: string[], stamps: number[]): Promise<string | null> {
  const columns = fields.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ');
  const rows = await db.rows(`SELECT ${stamps.map((i) => ident(fields[i])).join(', ')} FROM read_csv(${scanArgs(path, opts, d, false, null)}, columns = {${columns}}) LIMIT 1000`);
  const shapes = new Set<string>();
  for (const row of rows) {
    for (const i of stamps) {
      const v = row[fields[i]];
      if (v === null || v === undefined) continue;
      const m = ISO_STAMP.exec(String(v));
      if (!m) return null;
      shapes.add(`%Y-%m-%d${m[1]}%H:%M${m[2] === undefined ? '' : m[3] === undefined ? ':%S' : ':%S.%f'}`);
    }
  }
  return shapes.size === 1 ? [...shapes][0] : null;
}

/**
 * Of the columns `candidates` (positions), those whose values in the file's first 20,000
 * rows are all true, false or missing, as pandas reads booleans.
 */
async function pandasBooleans(db: Db, path: string, opts: CsvOptions, d: Dialect, fields: string[], candidates: number[]): Promise<number[]> {
  if (candidates.length === 0) return [];
  const columns = fields.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ');
  const checks = candidates.map((i) => `coalesce(bool_and(lower(${ident(fields[i])}) IN ('true', 'false')), true) AS b${i}`);
  const row = await db.one(`SELECT ${checks.join(', ')} FROM (SELECT * FROM read_csv(${scanArgs(path, opts, d, false, null)}, columns = {${columns}}) LIMIT 20000)`);
  return candidates.filter((i) => row[`b${i}`] === true);
}

/**
 * The thorough path: every field read as text with the header's width, then each column's
 * type inferred from all its values, as pandas does.
 */
async function readThorough(db: Db, path: string, opts: CsvOptions, dialect: Dialect, names: string[]): Promise<CsvSource> {
  const fields = names.map((_, i) => `c${i}`);
  const scan = (padding: boolean, rejects: string | null, parallel = true): string =>
    `read_csv(${scanArgs(path, opts, dialect, padding, rejects, parallel)}, columns = {${fields.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ')}})`;

  // Pass 1 without padding: short lines are rejected as MISSING COLUMNS, which counts them.
  // Only a file that has some is read again with padding, so regular files cost one pass.
  const table = unique('csv');
  const rejects = unique('rejects');
  await db.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${scan(false, rejects)}`);
  const lines = await rejectedLines(db, rejects);
  const refused = await refusalOf(path, lines, opts);
  if (refused) throw refused;
  if (lines.padded > 0) {
    const padded = (parallel: boolean) => db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM ${scan(true, null, parallel)}`);
    try {
      await padded(true);
    } catch (err) {
      if (!/null_padding in conjunction with quoted new lines/.test((err as Error).message)) throw err;
      await padded(false);
    }
  }

  // Pass 2: each column's type from all its values, as pandas does (unless already known).
  opts.phase?.('thorough read as text');
  const inferred = await inferTypes(db, table, fields);
  opts.phase?.('infer types');
  const types = inferred.map((t, i) => opts.types?.[i] ?? t);
  const casts = fields.map((f, i) => `${castExpr(f, types[i])} AS ${ident(f)}`);
  return { sql: `SELECT ${casts.join(', ')} FROM ${table}`, names, skippedLines: lines.skipped, paddedLines: lines.padded, ...(await lineExamples(path, lines)) };
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

/** What rejectedLines found in one scan. */
export interface RejectedLines {
  skipped: number;
  padded: number;
  cast: number;
  invalidEncoding: number;
  firstInvalidByte: number | null;
  tooLong: number;
  firstTooLongByte: number | null;
  unterminated: number;
  firstUnterminatedByte: number | null;
  /** The first few skipped lines, by position: where each starts (a byte of the file read) and its text, cut to LINE_EXAMPLE_CHARS. */
  skippedExamples: RejectedExample[];
  /** The same for padded lines. */
  paddedExamples: RejectedExample[];
}

/** A rejected line as DuckDB's rejects table gives it: its first byte in the file read, and its text. */
export interface RejectedExample {
  start: number;
  text: string;
}

/** Skipped and padded lines an import names (each kind), so that a person can find them in the file. */
export const LINE_EXAMPLES = 5;
/** Characters of a named line's text (a line may be MAX_LINE_BYTES long). */
export const LINE_EXAMPLE_CHARS = 200;

/**
 * Rejected lines of one scan (DuckDB's rejects table `rejects`), by what happens to them:
 * `padded` (too few fields: MISSING COLUMNS only), `cast` (a value not of its column's type),
 * `invalidEncoding` (not UTF-8; `firstInvalidByte` locates the first), `tooLong` (LINE SIZE
 * OVER MAXIMUM: longer than csvLineArgs' max_line_size, which refuses the file;
 * `firstTooLongByte`: the file offset where the first such line starts), `unterminated`
 * (UNQUOTED VALUE on a record spanning lines: a quoted value swallowed the lines after it,
 * which refuses the file; `firstUnterminatedByte` likewise) and `skipped` (any other reason,
 * e.g. too many fields: dropped and counted, as pandas' on_bad_lines='skip'). A line counts
 * once, under the first of encoding, too long, unterminated, cast, padded, skipped that
 * applies. refusalOf turns the refusing kinds into their errors.
 */
export async function rejectedLines(db: Db, rejects: string): Promise<RejectedLines> {
  // One row per rejected line, with the kind it counts under (the first that applies).
  const byLine = `
    SELECT line, start, text, CASE WHEN enc THEN 'enc' WHEN long THEN 'long' WHEN swallowed THEN 'unterminated'
                                   WHEN cast_error THEN 'cast' WHEN short THEN 'padded' ELSE 'skipped' END AS kind, pos
    FROM (SELECT line, bool_or(error_type = 'INVALID ENCODING') AS enc, bool_and(error_type = 'MISSING COLUMNS') AS short,
                 bool_or(error_type = 'CAST') AS cast_error, min(byte_position) AS pos,
                 bool_or(error_type = 'LINE SIZE OVER MAXIMUM') AS long, min(line_byte_position) AS start,
                 bool_or(error_type = 'UNQUOTED VALUE' AND regexp_matches(csv_line, '[\r\n]')) AS swallowed,
                 left(any_value(csv_line), ${LINE_EXAMPLE_CHARS}) AS text
          FROM ${rejects} GROUP BY line)`;
  const row = await db.one(`
    SELECT count(*) FILTER (WHERE kind = 'enc') AS enc, min(pos) FILTER (WHERE kind = 'enc') AS pos,
           count(*) FILTER (WHERE kind = 'long') AS long_lines, min(start) FILTER (WHERE kind = 'long') AS long_start,
           count(*) FILTER (WHERE kind = 'unterminated') AS unterminated, min(start) FILTER (WHERE kind = 'unterminated') AS unterminated_start,
           count(*) FILTER (WHERE kind = 'cast') AS cast_lines, count(*) FILTER (WHERE kind = 'padded') AS padded, count(*) FILTER (WHERE kind = 'skipped') AS skipped
    FROM (${byLine})`);
  const skipped = Number(row.skipped);
  const padded = Number(row.padded);
  // Only a file with such lines pays for a second look at the (small) rejects table.
  const examples = skipped + padded === 0 ? [] : await db.rows(`
    SELECT kind, start, text FROM (${byLine}) WHERE kind IN ('skipped', 'padded')
    QUALIFY row_number() OVER (PARTITION BY kind ORDER BY line) <= ${LINE_EXAMPLES} ORDER BY line`);
  const of = (kind: string): RejectedExample[] => examples.filter((e) => e.kind === kind).map((e) => ({ start: Number(e.start), text: String(e.text ?? '') }));
  return {
    skipped,
    padded,
    cast: Number(row.cast_lines),
    invalidEncoding: Number(row.enc),
    firstInvalidByte: row.pos === null ? null : Number(row.pos),
    tooLong: Number(row.long_lines),
    firstTooLongByte: row.long_start === null ? null : Number(row.long_start),
    unterminated: Number(row.unterminated),
    firstUnterminatedByte: row.unterminated_start === null ? null : Number(row.unterminated_start),
    skippedExamples: of('skipped'),
    paddedExamples: of('padded'),
  };
}

/**
 * The lines of `path` that `lines` (rejectedLines of a scan of it) names as skipped and
 * padded, numbered as an editor numbers them (lineNumbersAt), for the import's report.
 */
export async function lineExamples(path: string, lines: RejectedLines): Promise<Pick<CsvSource, 'skippedLineExamples' | 'paddedLineExamples'>> {
  const all = [...lines.skippedExamples, ...lines.paddedExamples];
  if (all.length === 0) return {};
  const numbers = await lineNumbersAt(path, all.map((e) => e.start));
  // DuckDB's text of a line after a \r\n starts with the \n (it splits at the \r).
  const named = all.map((e, i) => ({ line: numbers[i], text: e.text.replace(/^[\r\n]+/, '') }));
  const skipped = named.slice(0, lines.skippedExamples.length);
  const padded = named.slice(lines.skippedExamples.length);
  return { ...(skipped.length && { skippedLineExamples: skipped }), ...(padded.length && { paddedLineExamples: padded }) };
}

/**
 * The refusal a scan's rejected lines (rejectedLines) call for, or null: text not in UTF-8
 * (NotUtf8Error), a record over the line bound (tooLongAt: in a parallel read, LongRecords,
 * which reads again on one thread), a quoted value swallowing the lines after it
 * (unterminatedQuote). A line is numbered in `path` only for a refusal that names it.
 */
export async function refusalOf(path: string, lines: RejectedLines, opts: CsvOptions): Promise<Error | null> {
  if (lines.invalidEncoding > 0) return new NotUtf8Error(lines.firstInvalidByte);
  if (lines.tooLong > 0) return tooLongAt(path, lines.firstTooLongByte, opts);
  if (lines.unterminated > 0) return unterminatedQuote(path, lines.firstUnterminatedByte);
  return null;
}

/**
 * The refusal of a file in which a quoted value opened at byte `start` of `path` does not
 * close where a value ends, so that the lines after it were read into it (rejectedLines'
 * `unterminated`: DuckDB's "Value with unterminated quote found" on a record spanning
 * lines). Skipping that record as one bad line would drop every line it swallowed (to the
 * end of the file for a quote never closed) under a count of one; pandas refuses it too
 * ("EOF inside string").
 */
async function unterminatedQuote(path: string, start: number | null): Promise<ImportError> {
  const line = start === null ? null : await lineNumberAt(path, start);
  const where = line === null ? 'a line' : `line ${line}`;
  return new ImportError('unterminated quote', `${where} of the file opens a quoted value that is not closed where the value ends (a closing quote missing, or text after it), so the lines after it would be read into it; close the quote, or double a quote that is part of the value ("")`);
}

/**
 * What a read does with a record DuckDB found too long, starting at byte `start` of `path`
 * (rejectedLines): a parallel read gives way to a serial one (LongRecords), a serial one
 * refuses the file (lineTooLong, the line numbered in `path`).
 */
async function tooLongAt(path: string, start: number | null, opts: CsvOptions): Promise<Error> {
  if (!opts.serial) return new LongRecords();
  return lineTooLong(start === null ? null : await lineNumberAt(path, start), opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
}

/**
 * Run a read; DuckDB's "invalid unicode" failure becomes NotUtf8Error, and its "Maximum
 * line size of N bytes exceeded" (a read without ignore_errors meeting a record longer
 * than csvLineArgs' bound) LongRecords in a parallel read, the ImportError `line too long`
 * in a serial one, with DuckDB's line number.
 */
async function readGuard<T>(opts: CsvOptions, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    const message = (err as Error).message;
    if (/Invalid unicode|not utf-8 encoded/i.test(message)) throw new NotUtf8Error(null);
    const long = /Maximum line size of (\d+) bytes exceeded/.exec(message);
    if (long && !opts.serial) throw new LongRecords();
    if (long) throw lineTooLong(Number(/CSV Error on Line: (\d+)/.exec(message)?.[1] ?? NaN) || null, Number(long[1]) - LINE_BREAK_BYTES);
    throw err;
  }
}

/**
 * A column's type as inference reads its text. `TIMESTAMPTZ` is ISO time stamps with a UTC
 * offset: stored as TIMESTAMP like every datetime column, each value the UTC time it stands
 * for (castExpr), as changeColumnDataType converts them.
 */
export type InferredType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP' | 'TIMESTAMPTZ' | 'VARCHAR';

/** Text written as an integer (pandas' integer syntax), whatever its size. */
const WHOLE_TEXT = `'^\\s*[-+]?\\d+\\s*$'`;

/**
 * The type tests of inferTypes, by kind (int, double, bool, timestamp, zoned timestamp,
 * whole): SQL conditions on a text value. `w` is `i` without its range: a value written as an
 * integer that may not fit BIGINT (see inferTypes). `t` takes ISO dates and time stamps
 * without an offset, `z` ISO time stamps with one (`Z`, `+02`, `+0200`, `+02:00`: what pandas'
 * ISO parser reads; lower-case `z` is text there too): no value passes both.
 */
export const TYPE_TESTS: Record<'i' | 'd' | 'b' | 't' | 'z' | 'w', (c: string) => string> = {
  // DuckDB would round '2.5' to a BIGINT: integers must look like integers.
  i: (c) => `regexp_matches(${c}, ${WHOLE_TEXT}) AND TRY_CAST(${c} AS BIGINT) IS NOT NULL`,
  // pandas' float parser: decimal notation or inf/infinity; DuckDB would also take
  // `NAN`, `Nan`, `1_000`, which pandas leaves as text.
  d: (c) => `regexp_matches(${c}, '^\\s*[-+]?((\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?|inf|infinity)\\s*$', 'i') AND TRY_CAST(${c} AS DOUBLE) IS NOT NULL`,
  b: (c) => `lower(${c}) IN ('true', 'false')`,
  // Within pandas' datetime64[ns] range (inPandasRange): `1500-01-01` is text there.
  t: (c) => `regexp_matches(${c}, '^\\d{4}-\\d{1,2}-\\d{1,2}([ T]\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?$') AND ${inPandasRange(`TRY_CAST(${c} AS TIMESTAMP)`)}`,
  // DuckDB's TIMESTAMP cast would read these too, dropping the offset: the instant is the
  // TIMESTAMPTZ cast's (zonedInstant), which also checks the date and time are real.
  z: (c) => `regexp_matches(${c}, '^\\d{4}-\\d{1,2}-\\d{1,2}[ T]\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}(:?\\d{2})?)$') AND ${inPandasRange(utcOf(zonedInstant(c)))}`,
  w: (c) => `regexp_matches(${c}, ${WHOLE_TEXT})`,
};

/**
 * The narrowest type every non-missing value of each text column `fields` of `table` (a
 * table or view name) converts to, as pandas read_csv infers dtypes: BIGINT when all are
 * integers within int64, DOUBLE when all are numbers, then BOOLEAN, TIMESTAMP, TIMESTAMPTZ
 * (all with a UTC offset: a column mixing zoned and naive time stamps is text, as pandas
 * leaves it), else VARCHAR; a column with no value at all is DOUBLE (allMissingType: VARCHAR when there are no rows).
 * A column written all in integers of which some do not fit int64 (`12345678901234567890123`,
 * `9223372036854775808`) is VARCHAR, each value kept as written: pandas reads it as text
 * (object dtype; it would take 2^63…2^64−1 as uint64, which has no column type here), never
 * as floats, which would lose its digits. Once it also holds a number written otherwise
 * (`2.5`, `1e3`, `inf`) it is DOUBLE, as in pandas, whose C parser tries no integer type
 * for a column with a float in it.
 */
export async function inferTypes(db: Db, table: string, fields: string[]): Promise<InferredType[]> {
  if (fields.length === 0) return [];
  const tests = TYPE_TESTS;
  const kinds = Object.keys(tests) as (keyof typeof tests)[];
  const aggregate = async (columns: string[], source: string, candidates: (keyof typeof tests)[][]) => {
    const checks = ['count(*) AS rows', ...columns.flatMap((f, i) => [
      `count(${ident(f)}) AS n${i}`,
      ...candidates[i].map((k) => `bool_and(${ident(f)} IS NULL OR (${tests[k](ident(f))})) AS ${k}${i}`),
    ])];
    return db.one(`SELECT ${checks.join(', ')} FROM ${source}`);
  };
  // A sample first: most text columns fail every test on their first rows, and then the
  // whole column need not be tested at all (the tests are regular expressions: costly).
  const sample = await aggregate(fields, `(SELECT * FROM ${table} LIMIT 20000)`, fields.map(() => kinds));
  // Whether the sample has only integers (test w, which the full scan leaves out): a number
  // column whose sample has another number is DOUBLE whatever size its integers are.
  const sampleWhole = fields.map((_, i) => Number(sample[`n${i}`]) === 0 || sample[`w${i}`] === true);
  const candidates = fields.map((_, i) => (Number(sample[`n${i}`]) === 0 ? kinds : kinds.filter((k) => sample[`${k}${i}`] === true)).filter((k) => k !== 'w'));
  // A column with no candidate left is text whatever the rest holds: only the others are
  // scanned whole (often none: a file's text columns are then not read a second time).
  const open = fields.flatMap((_, i) => (candidates[i].length > 0 ? [i] : []));
  const full = open.length > 0 ? await aggregate(open.map((i) => fields[i]), table, open.map((i) => candidates[i])) : {};
  const position = new Map(open.map((i, at) => [i, at]));
  const types = fields.map((_, i): InferredType | 'numbers' => {
    const at = position.get(i);
    if (at === undefined) return 'VARCHAR';
    if (Number(full[`n${at}`]) === 0) return allMissingType(Number(full.rows));
    const holds = (k: (typeof candidates)[number][number]) => candidates[i].includes(k) && full[`${k}${at}`] === true;
    if (holds('i')) return 'BIGINT';
    if (holds('d')) return sampleWhole[i] ? 'numbers' : 'DOUBLE';
    if (holds('b')) return 'BOOLEAN';
    if (holds('t')) return 'TIMESTAMP';
    // Zoned and naive time stamps mixed pass neither: text, as pandas leaves such a column.
    if (holds('z')) return 'TIMESTAMPTZ';
    return 'VARCHAR';
  });
  // Numbers, not all int64 integers, whose sample had only integers: DOUBLE when some value
  // is not written as an integer (looked for until the first one), else integers beyond
  // int64, kept as text.
  const numbers = fields.flatMap((_, i) => (types[i] === 'numbers' ? [i] : []));
  if (numbers.length > 0) {
    const found = await db.one(
      `SELECT ${numbers.map((i, k) => `(SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE ${ident(fields[i])} IS NOT NULL AND NOT (${tests.w(ident(fields[i]))}) LIMIT 1)) AS f${k}`).join(', ')}`,
    );
    numbers.forEach((i, k) => (types[i] = Number(found[`f${k}`]) > 0 ? 'DOUBLE' : 'VARCHAR'));
  }
  return types as InferredType[];
}

/**
 * The type of a column whose values are all missing, in a dataset of `rows` rows: DOUBLE
 * (all NULL), as pandas 1.5 reads such a column from CSV (`,,` or only missing-value tokens),
 * Excel (blank cells) and JSON (a key always null): float64 of NaN. Without rows (a header
 * alone) every column is text, as pandas gives an empty frame object columns.
 */
export function allMissingType(rows: number): InferredType {
  return rows > 0 ? 'DOUBLE' : 'VARCHAR';
}

export function castExpr(field: string, type: InferredType): string {
  const c = ident(field);
  if (type === 'VARCHAR') return c;
  if (type === 'BOOLEAN') return `(lower(${c}) = 'true')::BOOLEAN`;
  if (type === 'TIMESTAMPTZ') return utcOf(zonedInstant(c));
  return `TRY_CAST(${c} AS ${type})`;
}

async function sniffDialect(db: Db, path: string, opts: CsvOptions): Promise<Dialect> {
  if (opts.delimiter) return { delim: opts.delimiter, quote: '"', escape: '"' };
  const clean = (v: unknown): string => (v === '(empty)' || v === null ? '"' : String(v));
  try {
    const row = await db.one(`SELECT Delimiter, Quote, Escape, len(Columns) AS n FROM sniff_csv(${literal(path)}, ${newLineArg(opts)}${csvLineArgs(opts)}skip = ${opts.skip}, header = ${opts.header})`);
    const delim = String(row.Delimiter);
    if ([',', ';', '\t', '|'].includes(delim) && Number(row.n) > 1) return { delim, quote: clean(row.Quote), escape: clean(row.Escape) };
  } catch {
    // The sniffer gives up on irregular files; the header line decides below.
  }
  // Irregular file: take the candidate that splits the first line into the most fields.
  const line = await db.scalar(`SELECT column0 FROM read_csv(${literal(path)}, auto_detect = false, ${newLineArg(opts)}${csvLineArgs(opts)}${opts.serial ? 'parallel = false, ' : ''}header = false, skip = ${opts.skip}, delim = ${literal('\u001e')}, quote = '', escape = '', columns = {'column0': 'VARCHAR'}, strict_mode = false) LIMIT 1`);
  const text = line === null ? '' : String(line);
  const best = [',', '\t', ';', '|'].map((d) => ({ d, n: text.split(d).length })).sort((a, b) => b.n - a.n)[0];
  return { delim: best.n > 1 ? best.d : ',', quote: '"', escape: '"' };
}

/** The first record after `skip` lines, split with the dialect, as raw text. */
async function firstRecord(db: Db, path: string, d: Dialect, opts: CsvOptions, width: number): Promise<string[]> {
  // One VARCHAR row: read with the dialect, no header, and enough padding columns. `width`
  // bounds the fields (scanFirstRecord): each column costs DuckDB a buffer, and a fixed 4,096
  // of them ran concurrent imports out of a 1 GB memory limit and cut wider headers short.
  const cols = Array.from({ length: width }, (_, i) => `${literal(`x${i}`)}: 'VARCHAR'`).join(', ');
  // The parallel scanner is much faster to start on a large file, but refuses padding when
  // a quoted field holds a line break: the serial one reads those.
  const read = (parallel: boolean) =>
    db.rows(
      `SELECT * FROM read_csv(${literal(path)}, auto_detect = false, delim = ${literal(d.delim)}, quote = ${literal(d.quote)}, escape = ${literal(d.escape)}, ${newLineArg(opts)}${csvLineArgs(opts)}header = false, skip = ${opts.skip}, null_padding = true, parallel = ${parallel && !opts.serial}, strict_mode = false, nullstr = [${literal('\u001e')}], columns = {${cols}}) LIMIT 1`,
    );
  let rows;
  try {
    rows = await read(true);
  } catch (err) {
    if (!/null_padding in conjunction with quoted new lines/.test((err as Error).message)) throw err;
    rows = await read(false);
  }
  if (rows.length === 0) return [];
  const values = Object.values(rows[0]);
  let last = values.length - 1;
  while (last >= 0 && values[last] === null) last--;
  return values.slice(0, last + 1).map((v) => (v === null ? '' : String(v)));
}

import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { literal, ident } from '../sql.ts';
import { readCsv, NotUtf8Error, type CsvSource, type NewLine } from './csv.ts';
import { readJsonDataset } from './json.ts';
import { collectAfterWide } from '../native-release.ts';
import { detectEncoding, legacyEncodingAround } from './encoding.ts';
import { scanLineEndings, type LineEndingScan } from './line-endings.ts';
import type { LineLengthScan } from './line-length.ts';
import { readablePipe, type GrowingFile } from './growing.ts';
import { assertText } from './binary.ts';
import type { ExcelCsv } from './excel.ts';
import { ImportError, type ImportOptions, type ImportReport } from './types.ts';
import { fsyncFile } from '../../store/atomic.ts';
import { columnGroups } from '../column-groups.ts';
import type { Db } from '../duck.ts';
import type { Runtime } from '../../worker/runtime.ts';
import type { Manifest } from '../../store/manifest.ts';
import { parquetOptions, uploadRowGroupRows } from '../parquet-layout.ts';

export type FileKind = 'text' | 'json' | 'excel';

export function fileKind(filename: string): { kind: FileKind; delimiter?: string } {
  const ext = path.extname(filename).toLowerCase();
  switch (ext) {
    case '.csv':
    case '.txt':
      return { kind: 'text' };
    case '.tsv':
    case '.tab':
      return { kind: 'text', delimiter: '\t' };
    case '.json':
    // JSON Lines (one record a line), which the JSON reader tells from a document by itself.
    case '.jsonl':
    case '.ndjson':
      return { kind: 'json' };
    case '.xlsx':
    case '.xls':
    case '.xlsm':
      return { kind: 'excel' };
    default:
      throw new ImportError('unsupported file type', `${JSON.stringify(filename)}: expected a .csv, .tsv, .txt, .json, .jsonl, .xlsx or .xls file`);
  }
}

/**
 * An uploaded file on disk. `lineEndings`: the scan of its bytes made while it streamed in
 * (the upload does it); absent, the file is scanned here.
 */
export interface Upload {
  path: string;
  filename: string;
  lineEndings?: LineEndingScan;
  /**
   * The scan of its bytes against MAX_LINE_BYTES made while it streamed in (the upload does
   * it); absent, a delimited-text file is scanned before it is read (readCsv).
   */
  lineLengths?: LineLengthScan;
  /**
   * Set while the file is still arriving: a large delimited-text upload is then read by
   * DuckDB as it streams in (see streamedCsv); any other file waits for its end.
   */
  growing?: GrowingFile;
}

/**
 * How much of a streaming upload must have arrived before its read starts: enough for the
 * dialect, header and type sniffing (DuckDB samples 20,480 rows) to see what they would see
 * in the whole file. A smaller file is read once it has arrived.
 */
export const STREAM_HEAD_BYTES = 8 * 1024 * 1024;

/**
 * Turn an uploaded file into the first version of a new session. The upload is read in
 * place; scratch files go to the session's tmp folder and are removed afterwards.
 */
export async function importDataset(rt: Runtime, sessionId: string, upload: Upload, opts: ImportOptions): Promise<{ manifest: Manifest; report: ImportReport }> {
  const { kind, delimiter } = fileKind(upload.filename);
  if (opts.sheetName !== undefined && kind !== 'excel') throw new ImportError('invalid parameters', `sheetName ${JSON.stringify(opts.sheetName)} names a sheet of an Excel workbook; ${JSON.stringify(upload.filename)} is not one`);
  const phase = phaseTimer(rt, sessionId);
  await rt.store.prepare(sessionId);
  const scratch: string[] = [];
  const db = await rt.duck.connect();
  let columns = 0;
  try {
    const tmpDir = rt.store.tmpDir(sessionId);
    let source: CsvSource | null = null;
    let sheets: Pick<ImportReport, 'sheetName' | 'sheetNames'> = {};
    let streamed: { source: CsvSource | null; rowGroup: number | null } = { source: null, rowGroup: null };
    if (upload.growing) {
      if (kind === 'text') streamed = await streamedCsv(rt, db, upload as Upload & { growing: GrowingFile }, opts, tmpDir, scratch, delimiter, phase);
      source = streamed.source;
      if (!(await upload.growing.ended())) throw new ImportError('incomplete upload', 'the file did not arrive whole');
      phase('upload');
    }
    const stat = await fs.stat(upload.path);
    if (stat.size === 0) throw new ImportError('empty file', `${JSON.stringify(upload.filename)} is empty`);
    // Row groups by the upload's size when it is read after arriving (one read through the
    // pipe is large, its size unknown when its read began).
    let rowGroup = streamed.rowGroup ?? uploadRowGroupRows(null);
    // A streamed upload may have been read already, as it arrived.
    if (!source) {
      rowGroup = uploadRowGroupRows(stat.size);
      if (kind === 'text') {
        const lineEndings = upload.lineEndings ?? (await scanLineEndings(upload.path));
        // The upload's scan of line lengths holds for the file read in place, not for one
        // rewritten as UTF-8 (its lines are measured in UTF-8: readCsv scans it).
        const lineScan = (file: string) => (file === upload.path && upload.lineLengths?.maxBytes === rt.config.MAX_LINE_BYTES ? upload.lineLengths : undefined);
        source = await readText(rt, db, upload.path, upload.filename, tmpDir, scratch, { lineEndings, delimiter, phase }, (file, newLine) =>
          readCsv(db, file, { header: opts.headerIncluded, skip: opts.initialSkip, delimiter, tmpDir, newLine, phase, maxColumns: rt.config.MAX_COLUMNS, rowGroup, maxLineBytes: rt.config.MAX_LINE_BYTES, lineScan: lineScan(file) }),
        );
      } else if (kind === 'excel') {
        const csv = path.join(tmpDir, `excel-${crypto.randomBytes(6).toString('hex')}.csv`);
        scratch.push(csv);
        const limits = { maxInflatedBytes: rt.config.MAX_EXCEL_INFLATED_BYTES, maxCells: rt.config.MAX_EXCEL_CELLS };
        const sheet = await cpuImportStep(rt.cpu.run<ExcelCsv>('excelToCsv', { input: upload.path, output: csv, skipRows: opts.initialSkip, header: opts.headerIncluded, limits, sheetName: opts.sheetName }, { owner: sessionId }), rt, 'the workbook');
        sheets = { sheetName: sheet.sheetName, sheetNames: sheet.sheetNames };
        // The cells' own types (text "007" stays text), not ones guessed from the CSV text.
        const types = opts.headerIncluded ? sheet.typesBody : sheet.typesAll;
        source = await readCsv(db, csv, { header: opts.headerIncluded, skip: 0, delimiter: ',', types, tmpDir, maxColumns: rt.config.MAX_COLUMNS, rowGroup, maxLineBytes: rt.config.MAX_LINE_BYTES });
      } else {
        // The strict syntax check (a pass over the bytes in JavaScript) runs on a CPU thread, beside DuckDB's parse.
        const checkSyntax = (file: string) => cpuImportStep(rt.cpu.run<number>('checkJson', { input: file }, { owner: sessionId }), rt, 'the JSON file');
        source = await readText(rt, db, upload.path, upload.filename, tmpDir, scratch, {}, (file) => readJsonDataset(db, file, rt.config.MAX_COLUMNS, tmpDir, undefined, checkSyntax));
      }
    }
    if (source.skippedLines > 0) await refuseMostlySkipped(db, source);
    columns = source.names.length;
    const written = await writeFirstVersion(rt, db, sessionId, upload.filename, source, opts, rowGroup);
    phase('first version');
    return { ...written, report: { ...written.report, ...sheets } };
  } finally {
    db.close();
    collectAfterWide(columns);
    await Promise.all(scratch.map((f) => fs.rm(f, { force: true })));
  }
}

/**
 * Refuse a read that skipped more lines (longer than the header) than it kept: its header is
 * not the data's (a title or notes above it, most often), and a dataset of what little fitted
 * would lose the file's data while looking imported. pandas.read_csv stops at the first such
 * line ("Expected 1 fields in line 3, saw 4"); this names the first one and the initialSkip
 * that starts at it, as a guess (lines before it counted as an editor counts them).
 * @throws ImportError `header does not match the data`
 */
async function refuseMostlySkipped(db: Db, source: CsvSource): Promise<void> {
  const rows = Number(await db.scalar(`SELECT count(*) FROM (${source.sql})`));
  if (source.skippedLines <= rows) return;
  const header = source.names.length;
  const first = source.skippedLineExamples?.[0]?.line;
  const guess = first === undefined ? '' : `; line ${first} is the first of them: if the lines above it are a title or notes, upload again with initialSkip=${first - 1}`;
  throw new ImportError(
    'header does not match the data',
    `${source.skippedLines} lines have more fields than the header (${header} ${header === 1 ? 'field' : 'fields'}) and only ${rows} fit it${guess}; nothing was imported`,
  );
}

/** A CPU-thread step of an import: its deadline or memory cap passed (error codes of worker/cpu-pool.ts) means the file is too much to read (400). */
async function cpuImportStep<T>(step: Promise<T>, rt: Runtime, what: string): Promise<T> {
  try {
    return await step;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_CPU_TASK_TIMEOUT') throw new ImportError('file too complex', `${what} took longer than ${rt.config.CPU_TASK_TIMEOUT_MS} ms to read (CPU_TASK_TIMEOUT_MS) and was abandoned`);
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') throw new ImportError('file too complex', `${what} needed more than ${rt.config.CPU_TASK_MEMORY_MB} MB to read (CPU_TASK_MEMORY_MB) and was abandoned`);
    throw err;
  }
}

/**
 * Read a text file as UTF-8 with one kind of line ending. A UTF-8 file with one kind (by
 * far the most common, and the only kind that can be large cheaply) is read in place,
 * never copied; any other encoding, or line endings of mixed kinds (which DuckDB's reader
 * refuses), go through one rewriting pass on a CPU thread first (transcodeToUtf8).
 * Detection samples the file; if DuckDB still meets invalid UTF-8 further on, the file is
 * rewritten from the encoding guessed there.
 */
async function readText(
  rt: Runtime,
  db: Db,
  file: string,
  filename: string,
  tmpDir: string,
  scratch: string[],
  text: { lineEndings?: LineEndingScan; delimiter?: string; phase?: (name: string) => void },
  read: (utf8File: string, newLine?: NewLine) => Promise<CsvSource>,
): Promise<CsvSource> {
  const transcoded = async (encoding: string | null) => {
    const out = path.join(tmpDir, `utf8-${crypto.randomBytes(6).toString('hex')}.txt`);
    scratch.push(out);
    await cpuImportStep(rt.cpu.run('transcode', { input: file, output: out, encoding, delimiter: text.delimiter }, { owner: file }), rt, 'the file');
    text.phase?.(`rewrite as UTF-8 from ${encoding ?? 'UTF-8 with mixed line endings'}`);
    return read(out, '\n');
  };
  const encoding = await detectEncoding(file);
  text.phase?.('detect encoding');
  if (!/^utf-(16|32)/.test(encoding)) await assertText(file, filename);
  if (encoding !== 'utf-8') return transcoded(encoding);
  try {
    return await (text.lineEndings?.mixed ? transcoded(null) : read(file, text.lineEndings?.only));
  } catch (err) {
    if (!(err instanceof NotUtf8Error)) throw err;
    rt.log.debug({ file, at: err.bytePosition }, 'not UTF-8 after all: transcoding');
    return transcoded(await legacyEncodingAround(file, err.bytePosition));
  }
}

/**
 * The fast path of readCsv on an upload still arriving: sniffing on the first
 * STREAM_HEAD_BYTES (cut after a line) while the rest arrives, then the one typed pass:
 * through a pipe fed as the upload grows, so that DuckDB parses while the network delivers,
 * or, for an upload faster than that pipe's one thread (STREAM_IMPORT_MAX_RATE), from the
 * file on every thread once it is whole. Returns a null source, with nothing left behind,
 * whenever the usual path must read the whole file instead: a small file, a slow upload
 * (STREAM_IMPORT_MIN_RATE), a head that is not UTF-8 or mixes line endings, a read the fast
 * path could not do (types, padding, invalid UTF-8 or mixed line endings further on, a line
 * over MAX_LINE_BYTES or an upload not scanned for one), or an upload that failed. `rowGroup`: the rows per row group the read from the file wrote.
 */
async function streamedCsv(
  rt: Runtime,
  db: Db,
  upload: Upload & { growing: GrowingFile },
  opts: ImportOptions,
  tmpDir: string,
  scratch: string[],
  delimiter: string | undefined,
  phase: (name: string) => void,
): Promise<{ source: CsvSource | null; rowGroup: number | null }> {
  const none = { source: null, rowGroup: null };
  const growing = upload.growing;
  await growing.atLeast(STREAM_HEAD_BYTES);
  if (growing.hasEnded || upload.lineEndings?.mixed) return none;
  // Below STREAM_IMPORT_MIN_RATE, DuckDB's threads would wait on the pipe for data that
  // is late: a slow client must not hold the threads every other session's queries run on.
  // A fast one (a local network) keeps DuckDB fed, and its read then overlaps the upload.
  if (growing.rate() < rt.config.STREAM_IMPORT_MIN_RATE) {
    rt.log.debug({ bytesPerSecond: Math.round(growing.rate()) }, 'slow upload: read once it has arrived');
    return none;
  }
  const head = path.join(tmpDir, `head-${crypto.randomBytes(6).toString('hex')}.csv`);
  scratch.push(head);
  if (!(await copyHead(upload.path, head, STREAM_HEAD_BYTES))) return none;
  if ((await detectEncoding(head)) !== 'utf-8') return none;
  phase('head');
  const csvOptions = { header: opts.headerIncluded, skip: opts.initialSkip, delimiter, tmpDir, newLine: upload.lineEndings?.only, phase, maxColumns: rt.config.MAX_COLUMNS, maxLineBytes: rt.config.MAX_LINE_BYTES };
  // A line over MAX_LINE_BYTES past the head: the read, which DuckDB may have done without
  // that line, is thrown away, and the usual path refuses the file naming the line (a pipe
  // cannot be read again to number it). The upload's scan is whole once the upload is.
  // So is one with a line too long for a parallel read (LineLengthScan.longLines).
  const tooLong = () => upload.lineLengths === undefined || upload.lineLengths.tooLong !== null || upload.lineLengths.longLines;
  // Above STREAM_IMPORT_MAX_RATE, the pipe's one thread would parse slower than the file
  // arrives: the upload ends long before the read, and reading the whole file afterwards on
  // every thread is sooner. On the 10M-row bench over loopback (two cores, load 5-9), upload
  // + import took 12-22 s streamed, 5.4-13 s read afterwards, at less server CPU. The
  // sniffing is still done on the head while the rest arrives.
  if (growing.rate() > rt.config.STREAM_IMPORT_MAX_RATE) {
    rt.log.debug({ bytesPerSecond: Math.round(growing.rate()) }, 'fast upload: read on every thread once it has arrived');
    const whole = async () => (await growing.ended()) && !upload.lineEndings?.mixed && !tooLong();
    let rowGroup: number | null = null;
    const streamReady = async () => ((await whole()) ? { rowGroup: (rowGroup = uploadRowGroupRows(growing.written)) } : null);
    let source: CsvSource | null = null;
    try {
      source = await readCsv(db, head, { ...csvOptions, streamFrom: upload.path, streamReady });
    } catch (err) {
      rt.log.debug({ err }, 'read after the upload failed: reading the whole file the usual way');
    }
    if (source && !(await whole())) {
      await Promise.all((source.ready?.files ?? []).map((f) => fs.rm(f, { force: true })));
      return none;
    }
    return source ? { source, rowGroup } : none;
  }
  const pipe = await readablePipe(tmpDir);
  let stop = false;
  const feeding = growing.feed(pipe.socket, () => stop);
  let source: CsvSource | null = null;
  try {
    source = await readCsv(db, head, { ...csvOptions, streamFrom: pipe.path });
  } catch (err) {
    rt.log.debug({ err }, 'streamed read failed: reading the whole file');
  } finally {
    stop = true;
    pipe.socket.destroy();
  }
  const fed = await feeding.catch(() => -1);
  const whole = (await growing.ended()) && fed === growing.written && !upload.lineEndings?.mixed && !tooLong();
  if (source && !whole) {
    await Promise.all((source.ready?.files ?? []).map((f) => fs.rm(f, { force: true })));
    return none;
  }
  return { source, rowGroup: null };
}

/** Copy the first `bytes` of a file, cut after its last line break; false when it has none. */
async function copyHead(file: string, out: string, bytes: number): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    const end = Math.max(buf.lastIndexOf(0x0a, bytesRead - 1), buf.lastIndexOf(0x0d, bytesRead - 1));
    if (end < 0) return false;
    await fs.writeFile(out, buf.subarray(0, end + 1));
    return true;
  } finally {
    await handle.close();
  }
}

/**
 * Log each step of one import at debug level with its duration in ms, to see where the
 * time of a large import goes (`LOG_LEVEL=debug`).
 */
function phaseTimer(rt: Runtime, sessionId: string): (name: string) => void {
  if (!rt.log.isLevelEnabled('debug')) return () => {};
  const started = performance.now();
  let last = started;
  return (name) => {
    const now = performance.now();
    rt.log.debug({ sessionID: sessionId, phase: name, ms: Math.round(now - last), sinceStart: Math.round(now - started) }, 'import phase');
    last = now;
  };
}

async function writeFirstVersion(rt: Runtime, db: Db, sessionId: string, filename: string, source: CsvSource, opts: ImportOptions, rowGroup: number): Promise<{ manifest: Manifest; report: ImportReport }> {
  // Refused whole: dropping the columns past the limit would import another dataset than the file.
  if (source.names.length > rt.config.MAX_COLUMNS) {
    throw new ImportError('too many columns', `${JSON.stringify(filename)} has ${source.names.length} columns; the limit is ${rt.config.MAX_COLUMNS} (MAX_COLUMNS)`);
  }
  let columns: Manifest['columns'];
  let rows: number;
  let bytesWritten = 0;
  if (source.ready && opts.sampleSize >= 1) {
    // The fast path already wrote the data in its final form: adopt its files as they are.
    const types = await db.describe(`(${source.sql})`);
    const adopted = new Map<string, string>();
    for (const tmp of source.ready.files) {
      const { file, path: target } = rt.store.newFile(sessionId);
      await fs.rename(tmp, target);
      await fsyncFile(target);
      adopted.set(tmp, file);
      bytesWritten += (await fs.stat(target)).size;
    }
    rows = Number(await db.scalar(`SELECT count(*) FROM read_parquet(${literal(rt.store.filePath(sessionId, adopted.get(source.ready.files[0])!))})`));
    columns = source.names.map((name, i) => {
      const { file, field, present } = source.ready!.columns[i];
      // Counted on the way (wide files): metadata need not scan the column for its missing values.
      return { name, file: adopted.get(file)!, field, type: types[i].type, ...(present === undefined ? {} : { missing: rows - present }) };
    });
  } else {
    // Dates become timestamps: one datetime type, as pandas has datetime64 only.
    const described = await db.describe(`(${source.sql})`);
    const fields = described.map((d, i) => `${d.type === 'DATE' ? `${ident(d.name)}::TIMESTAMP` : ident(d.name)} AS c${i}`);
    let select = `SELECT ${fields.length ? fields.join(', ') : '*'} FROM (${source.sql})`;
    if (opts.sampleSize < 1) select = await sampled(db, select, opts);
    // Files of at most WIDE_GROUP columns (column-groups.ts); the sample is the same rows in
    // each, as `sampled` orders by a hash of the row number and the seed.
    columns = [];
    rows = 0;
    const jsonValues = new Set(source.jsonValues);
    for (const { from, to } of described.length ? columnGroups(described.length) : [{ from: 0, to: 0 }]) {
      const { file, path: target } = rt.store.newFile(sessionId);
      const group = described.length ? described.slice(from, to).map((_, k) => `c${from + k}`) : ['*'];
      rows = Number(await db.scalar(`COPY (SELECT ${group.join(', ')} FROM (${select})) TO ${literal(target)} ${parquetOptions(rowGroup)}`));
      await fsyncFile(target);
      const types = await db.describe(`SELECT * FROM read_parquet(${literal(target)})`);
      bytesWritten += (await fs.stat(target)).size;
      for (let i = from; i < to; i++) columns.push({ name: source.names[i], file, field: `c${i}`, type: types[i - from].type, ...(jsonValues.has(i) ? { jsonValues: true as const } : {}) });
    }
    await Promise.all((source.ready?.files ?? []).map((f) => fs.rm(f, { force: true })));
  }
  const manifest = await rt.store.create(sessionId, {
    rows,
    columns,
    operations: [],
    bytesWritten,
    source: { filename, skippedLines: source.skippedLines, paddedLines: source.paddedLines },
  });
  const examples = { skippedLineExamples: source.skippedLineExamples, paddedLineExamples: source.paddedLineExamples };
  return { manifest, report: { rows, columns: source.names.length, skippedLines: source.skippedLines, paddedLines: source.paddedLines, ...examples } };
}

/**
 * round(p·n) rows chosen by a hash of (row number, seed): the same file, proportion and
 * seed always give the same rows, and the chosen rows keep their original order.
 */
async function sampled(db: Db, select: string, opts: ImportOptions): Promise<string> {
  const staged = `import_${Math.random().toString(36).slice(2)}`;
  await db.run(`CREATE TEMP TABLE ${staged} AS ${select}`);
  const total = Number(await db.scalar(`SELECT count(*) FROM ${staged}`));
  const keep = Math.round(opts.sampleSize * total);
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  return `SELECT * EXCLUDE (__rn) FROM (SELECT *, rowid AS __rn FROM ${staged} ORDER BY hash(rowid, ${seed}), rowid LIMIT ${keep}) ORDER BY __rn`;
}

import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { literal, ident } from '../sql.ts';
import { readCsv, NotUtf8Error, type CsvSource } from './csv.ts';
import { readJsonDataset } from './json.ts';
import { detectEncoding, legacyEncodingAround } from './encoding.ts';
import type { ExcelCsv } from './excel.ts';
import { ImportError, type ImportOptions, type ImportReport } from './types.ts';
import { fsyncFile } from '../../store/atomic.ts';
import type { Db } from '../duck.ts';
import type { Runtime } from '../../worker/runtime.ts';
import type { Manifest } from '../../store/manifest.ts';

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
      return { kind: 'json' };
    case '.xlsx':
    case '.xls':
    case '.xlsm':
      return { kind: 'excel' };
    default:
      throw new ImportError('unsupported file type', `${JSON.stringify(filename)}: expected a .csv, .tsv, .txt, .json, .xlsx or .xls file`);
  }
}

/**
 * Turn an uploaded file into the first version of a new session. The upload is read in
 * place; scratch files go to the session's tmp folder and are removed afterwards.
 */
export async function importDataset(rt: Runtime, sessionId: string, upload: { path: string; filename: string }, opts: ImportOptions): Promise<{ manifest: Manifest; report: ImportReport }> {
  const { kind, delimiter } = fileKind(upload.filename);
  const stat = await fs.stat(upload.path);
  if (stat.size === 0) throw new ImportError('empty file', `${JSON.stringify(upload.filename)} is empty`);
  await rt.store.prepare(sessionId);
  const scratch: string[] = [];
  const db = await rt.duck.connect();
  try {
    const tmpDir = rt.store.tmpDir(sessionId);
    let source: CsvSource;
    if (kind === 'text') {
      source = await readText(rt, db, upload.path, tmpDir, scratch, (file) => readCsv(db, file, { header: opts.headerIncluded, skip: opts.initialSkip, delimiter, tmpDir, maxColumns: rt.config.MAX_COLUMNS }));
    } else if (kind === 'excel') {
      const csv = path.join(tmpDir, `excel-${crypto.randomBytes(6).toString('hex')}.csv`);
      scratch.push(csv);
      const sheet = await rt.cpu.run<ExcelCsv>('excelToCsv', { input: upload.path, output: csv, skipRows: opts.initialSkip, header: opts.headerIncluded });
      // The cells' own types (text "007" stays text), not ones guessed from the CSV text.
      const types = opts.headerIncluded ? sheet.typesBody : sheet.typesAll;
      source = await readCsv(db, csv, { header: opts.headerIncluded, skip: 0, delimiter: ',', types, tmpDir, maxColumns: rt.config.MAX_COLUMNS });
    } else {
      source = await readText(rt, db, upload.path, tmpDir, scratch, (file) => readJsonDataset(db, file, rt.config.MAX_COLUMNS));
    }
    return await writeFirstVersion(rt, db, sessionId, upload.filename, source, opts);
  } finally {
    db.close();
    await Promise.all(scratch.map((f) => fs.rm(f, { force: true })));
  }
}

/**
 * Read a text file as UTF-8. A file that is UTF-8 (by far the most common, and the only
 * kind that can be large cheaply) is read in place, never copied; any other encoding is
 * transcoded on a CPU thread first. Detection samples the file; if DuckDB still meets
 * invalid UTF-8 further on, the file is transcoded from the encoding guessed there.
 */
async function readText(rt: Runtime, db: Db, file: string, tmpDir: string, scratch: string[], read: (utf8File: string) => Promise<CsvSource>): Promise<CsvSource> {
  const transcoded = async (encoding: string) => {
    const out = path.join(tmpDir, `utf8-${crypto.randomBytes(6).toString('hex')}.txt`);
    scratch.push(out);
    await rt.cpu.run('transcode', { input: file, output: out, encoding });
    return read(out);
  };
  const encoding = await detectEncoding(file);
  if (encoding !== 'utf-8') return transcoded(encoding);
  try {
    return await read(file);
  } catch (err) {
    if (!(err instanceof NotUtf8Error)) throw err;
    rt.log.debug({ file, at: err.bytePosition }, 'not UTF-8 after all: transcoding');
    return transcoded(await legacyEncodingAround(file, err.bytePosition));
  }
}

async function writeFirstVersion(rt: Runtime, db: Db, sessionId: string, filename: string, source: CsvSource, opts: ImportOptions): Promise<{ manifest: Manifest; report: ImportReport }> {
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
    columns = source.names.map((name, i) => ({ name, file: adopted.get(source.ready!.columns[i].file)!, field: source.ready!.columns[i].field, type: types[i].type }));
  } else {
    // Dates become timestamps: one datetime type, as pandas has datetime64 only.
    const described = await db.describe(`(${source.sql})`);
    const fields = described.map((d, i) => `${d.type === 'DATE' ? `${ident(d.name)}::TIMESTAMP` : ident(d.name)} AS c${i}`);
    let select = `SELECT ${fields.length ? fields.join(', ') : '*'} FROM (${source.sql})`;
    if (opts.sampleSize < 1) select = await sampled(db, select, opts);
    const { file, path: target } = rt.store.newFile(sessionId);
    rows = Number(await db.scalar(`COPY (${select}) TO ${literal(target)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`));
    await fsyncFile(target);
    const types = await db.describe(`SELECT * FROM read_parquet(${literal(target)})`);
    bytesWritten = (await fs.stat(target)).size;
    await Promise.all((source.ready?.files ?? []).map((f) => fs.rm(f, { force: true })));
    columns = source.names.map((name, i) => ({ name, file, field: `c${i}`, type: types[i].type }));
  }
  const manifest = await rt.store.create(sessionId, {
    rows,
    columns,
    operations: [],
    bytesWritten,
    source: { filename, skippedLines: source.skippedLines, paddedLines: source.paddedLines },
  });
  return { manifest, report: { rows, columns: source.names.length, skippedLines: source.skippedLines, paddedLines: source.paddedLines } };
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

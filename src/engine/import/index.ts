import fs from 'node:fs/promises';
import path from 'node:path';
import { literal, ident } from '../sql.ts';
import { readCsv, type CsvSource } from './csv.ts';
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
    let source: CsvSource;
    if (kind === 'text') {
      const utf8 = await toUtf8(rt, upload.path, rt.store.tmpDir(sessionId));
      if (utf8 !== upload.path) scratch.push(utf8);
      source = await readCsv(db, utf8, { header: opts.headerIncluded, skip: opts.initialSkip, delimiter });
    } else if (kind === 'excel') {
      const csv = path.join(rt.store.tmpDir(sessionId), `excel-${Date.now()}.csv`);
      scratch.push(csv);
      await rt.cpu.run('excelToCsv', { input: upload.path, output: csv, skipRows: opts.initialSkip });
      source = await readCsv(db, csv, { header: opts.headerIncluded, skip: 0, delimiter: ',' });
    } else {
      const { readJsonDataset } = await import('./json.ts');
      source = await readJsonDataset(db, upload.path, rt.store.tmpDir(sessionId), scratch);
    }
    return await writeFirstVersion(rt, db, sessionId, upload.filename, source, opts);
  } finally {
    db.close();
    await Promise.all(scratch.map((f) => fs.rm(f, { force: true })));
  }
}

async function toUtf8(rt: Runtime, file: string, tmpDir: string): Promise<string> {
  const { detectEncoding } = await import('./encoding.ts');
  const encoding = await detectEncoding(file);
  if (encoding === 'utf-8') return file;
  const out = path.join(tmpDir, `utf8-${Date.now()}.txt`);
  await rt.cpu.run('transcode', { input: file, output: out, encoding });
  return out;
}

async function writeFirstVersion(rt: Runtime, db: Db, sessionId: string, filename: string, source: CsvSource, opts: ImportOptions): Promise<{ manifest: Manifest; report: ImportReport }> {
  // Dates become timestamps: one datetime type, as pandas has datetime64 only.
  const described = await db.describe(`(${source.sql})`);
  const fields = described.map((d, i) => `${d.type === 'DATE' ? `${ident(d.name)}::TIMESTAMP` : ident(d.name)} AS c${i}`);
  let select = `SELECT ${fields.length ? fields.join(', ') : '*'} FROM (${source.sql})`;
  if (opts.sampleSize < 1) select = await sampled(db, select, opts);
  const { file, path: target } = rt.store.newFile(sessionId);
  const rows = Number(await db.scalar(`COPY (${select}) TO ${literal(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`));
  await fsyncFile(target);
  const types = await db.describe(`SELECT * FROM read_parquet(${literal(target)})`);
  const bytesWritten = (await fs.stat(target)).size;
  const manifest = await rt.store.create(sessionId, {
    rows,
    columns: source.names.map((name, i) => ({ name, file, field: `c${i}`, type: types[i].type })),
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

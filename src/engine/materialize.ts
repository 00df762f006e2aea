import fs from 'node:fs/promises';
import { literal } from './sql.ts';
import type { Db } from './duck.ts';
import type { Dataset } from './dataset.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { ColumnEntry } from '../store/manifest.ts';
import type { Change, ColumnPlan } from '../operations/types.ts';
import { fsyncFile } from '../store/atomic.ts';
import { OperationError } from '../operations/errors.ts';
import { columnGroups, writeGroupSize } from './column-groups.ts';
import { cellLimitError, cellChecked } from './cell-limit.ts';

export interface Materialized {
  rows: number;
  columns: ColumnEntry[];
  bytesWritten: number;
}

import { parquetOptions, rowGroupRows } from './parquet-layout.ts';

/** Bounds on what a version may hold (from the config). */
export interface VersionLimits {
  /** MAX_CELL_BYTES: largest cell of a written column, in bytes (cellBytesSql). */
  maxCellBytes: number;
}

/**
 * Write what a change computes into new Parquet files of the session and describe the
 * resulting version. Nothing becomes current here: the caller commits the manifest.
 * Requires the temp views `df`/`df_pos` of `dataset` on `db`.
 *
 * Every value this writes is checked against `limits.maxCellBytes` as it is written (see
 * cell-limit.ts); files an operation wrote itself (`file`, `adopt`: executeCommand's result)
 * were checked by their writer (SandboxInput.maxCellBytes), and kept columns when they were
 * made.
 * @throws OperationError 'value too large' naming the column, the size and MAX_CELL_BYTES;
 *   the file being written is removed (files written before it are the caller's to discard,
 *   as after any failure: SessionStore.discardUncommitted).
 */
export async function materialize(db: Db, store: SessionStore, sessionId: string, dataset: Dataset, change: Change, limits: VersionLimits): Promise<Materialized> {
  const made = await written(db, store, sessionId, dataset, change, limits);
  return { ...made, columns: keptJsonValues(dataset, made.columns) };
}

/**
 * ColumnEntry.jsonValues carried over to a text column written anew (a file `dataset` does
 * not read) under the name of a marked text column of `dataset`: a cell edit, findReplace,
 * a fill… rewrites a column under its name, and its values keep their JSON types. A new
 * column of another name is plain text; a kept or renamed one has its entry's own mark.
 */
function keptJsonValues(dataset: Dataset, columns: ColumnEntry[]): ColumnEntry[] {
  const marked = new Set(dataset.columns.filter((c) => c.jsonValues && c.type === 'VARCHAR').map((c) => c.name));
  if (marked.size === 0) return columns;
  const old = new Set(dataset.columns.map((c) => c.file));
  return columns.map((c) => (c.type === 'VARCHAR' && !old.has(c.file) && marked.has(c.name) ? { ...c, jsonValues: true } : c));
}

async function written(db: Db, store: SessionStore, sessionId: string, dataset: Dataset, change: Change, limits: VersionLimits): Promise<Materialized> {
  if (change.kind === 'none') return { rows: dataset.rows, columns: dataset.columns, bytesWritten: 0 };
  if (change.kind === 'table') return writeTable(db, store, sessionId, change.sql, change.names, rowGroupRows(dataset.rows), limits);
  if (change.kind === 'file') return adoptFiles(db, store, sessionId, change.paths, change.names);
  if (change.kind === 'rows') return deleteRows(db, store, sessionId, dataset, change.deleted);

  const names = change.columns.map((c) => c.name);
  checkNames(names);
  const computed = change.columns.flatMap((c, i) => ('expr' in c ? [{ at: i, expr: c.expr, dictionary: c.dictionary !== false }] : []));
  const columns: ColumnEntry[] = change.columns.map((c) => ('keep' in c ? { ...dataset.column(c.keep), name: c.name } : { name: c.name, file: '', field: '', type: '' }));
  let bytesWritten = await adoptFields(db, store, sessionId, dataset, change.columns, columns);
  const rowGroup = rowGroupRows(dataset.rows);
  // Files of at most writeGroupSize columns (see column-groups.ts): one COPY per group, each
  // over the same ordered source, so every group's rows are in the same order.
  for (const { from, to } of columnGroups(computed.length, writeGroupSize(dataset.rows, rowGroup))) {
    const group = computed.slice(from, to);
    const { file, path } = store.newFile(sessionId);
    const outputs = group.map((c, k) => `${c.expr} AS c${k}`).join(', ');
    const scan = await scanFor(db, dataset, group.map((c) => c.expr), outputs, change.joins ?? []);
    const source = [scan.source, ...(change.joins ?? [])].join(' POSITIONAL JOIN ');
    const fields = scan.types.map((t, k) => ({ field: `c${k}`, type: t.type }));
    const checked = cellChecked(`SELECT ${outputs}${change.ordered ? ', __pos AS __order' : ''} FROM ${source}`, fields, limits.maxCellBytes, change.ordered ? '__order' : undefined);
    const select = checked ?? `SELECT ${outputs} FROM ${source}${change.ordered ? ' ORDER BY __pos' : ''}`;
    const options = parquetOptions(rowGroup, { dictionary: group.some((c) => c.dictionary) });
    const count = await copyChecked(db, select, path, options, (k) => names[group[k].at], limits);
    if (count !== dataset.rows) {
      await fs.rm(path, { force: true });
      throw new Error(`column change produced ${count} rows for a dataset of ${dataset.rows}`);
    }
    const types = readBackTypes(scan.types.map((t) => t.type)) ?? (await parquetTypes(db, path));
    group.forEach((c, k) => {
      columns[c.at] = { name: names[c.at], file, field: `c${k}`, type: types[k] };
    });
    bytesWritten += (await fs.stat(path)).size;
  }
  return { rows: dataset.rows, columns, bytesWritten };
}

/**
 * Fill in `columns[i]` for each plan that adopts a field of a file the operation wrote: each
 * such file is checked (scratchFile: in the session's tmp folder; the dataset's row count,
 * the fields named), then moved into the session's files. Returns the bytes adopted.
 */
async function adoptFields(db: Db, store: SessionStore, sessionId: string, dataset: Dataset, plans: ColumnPlan[], columns: ColumnEntry[]): Promise<number> {
  const byPath = new Map<string, number[]>();
  plans.forEach((c, i) => {
    if ('adopt' in c) byPath.set(c.adopt.path, [...(byPath.get(c.adopt.path) ?? []), i]);
  });
  // Every file checked before any moves: a refusal leaves them all where they were.
  const checked: { source: string; members: number[]; fields: string[]; types: Map<string, string> }[] = [];
  for (const [source, members] of byPath) {
    const { fields: described, rows } = await scratchFile(db, store, sessionId, source);
    if (rows !== dataset.rows) throw new Error(`adopted file ${source} has ${rows} rows for a dataset of ${dataset.rows}`);
    const types = new Map(described.map((d) => [d.name, d.type]));
    const fields = members.map((i) => (plans[i] as Extract<ColumnPlan, { adopt: unknown }>).adopt.field);
    const missing = fields.find((field) => !types.has(field));
    if (missing !== undefined) throw new Error(`adopted file ${source} has no field ${missing}`);
    checked.push({ source, members, fields, types });
  }
  let bytes = 0;
  for (const { source, members, fields, types } of checked) {
    const moved = await moveIntoSession(store, sessionId, source);
    members.forEach((i, k) => {
      columns[i] = { name: plans[i].name, file: moved.file, field: fields[k], type: types.get(fields[k])! };
    });
    bytes += moved.bytes;
  }
  return bytes;
}

/** A Parquet file an operation wrote, before it is adopted: its fields and row count; it must be in the session's tmp folder. */
async function scratchFile(db: Db, store: SessionStore, sessionId: string, source: string): Promise<{ fields: { name: string; type: string }[]; rows: number }> {
  if (!source.startsWith(store.tmpDir(sessionId) + '/')) throw new Error(`adopted file ${source} is not in the session's tmp folder`);
  const fields = await db.describe(`SELECT * FROM read_parquet(${literal(source)})`);
  const rows = Number(await db.scalar(`SELECT count(*) FROM read_parquet(${literal(source)})`));
  return { fields, rows };
}

/**
 * Move a checked scratch file into the session's files (same file system: tmp/ and files/
 * are folders of the session) and sync it: a version becomes current only once its files
 * are on disk for good. Returns its name there and its size in bytes.
 */
async function moveIntoSession(store: SessionStore, sessionId: string, source: string): Promise<{ file: string; bytes: number }> {
  const { file, path } = store.newFile(sessionId);
  await fs.rename(source, path);
  await fsyncFile(path);
  return { file, bytes: (await fs.stat(path)).size };
}

/**
 * What computed columns are read from: `df_pos`, or, when the expressions name the columns
 * of fewer files than the version has, a `df_pos` of those files only. Every file beyond the
 * first is one more POSITIONAL JOIN, which about doubles the cost of writing one column
 * (measured on 10M rows: 0.47 s against 0.24 s from one file). A column is taken to be used
 * when its quoted SQL name (Dataset.ref) appears in an expression; should an expression
 * name a column some other way, the narrowed scan does not bind and df_pos is used.
 */
async function scanFor(db: Db, dataset: Dataset, exprs: string[], outputs: string, joins: string[]): Promise<{ source: string; types: { name: string; type: string }[] }> {
  // The outputs' types too (for the cell limit), from the one DESCRIBE that binds them.
  const bound = async (source: string) => ({ source, types: await db.describe(`SELECT ${outputs} FROM ${[source, ...joins].join(' POSITIONAL JOIN ')}`) });
  const text = exprs.join('\n');
  const used = dataset.columns.flatMap((_, i) => (text.includes(dataset.ref(i)) ? [i] : []));
  const files = (indices: number[]) => new Set(indices.map((i) => dataset.column(i).file)).size;
  if (files(used) >= files(dataset.columns.map((_, i) => i))) return bound('df_pos');
  const narrowed = `(${dataset.select({ withPosition: true, columns: used })}) AS df_pos`;
  try {
    return await bound(narrowed);
  } catch {
    return bound('df_pos');
  }
}

// Files of deleted row numbers: small (what was deleted), sorted, read whole or by zone maps
// on g; delta encoding (Parquet v2) stores runs of consecutive row numbers in a few bits.
const DELETED_PARQUET = '(FORMAT parquet, COMPRESSION snappy, PARQUET_VERSION V2, ROW_GROUP_SIZE 122880)';
let deletions = 0;

/**
 * A version without some rows, written as what it deleted: for each distinct set of rows
 * the columns had already lost (none, or one ColumnEntry.deleted file), one new file of the
 * row numbers (in the columns' Parquet files) they lose now, merged with the earlier ones.
 * Position i of the current version is row i + #{d : g(d) ≤ i} of such a file (ASOF join).
 */
async function deleteRows(db: Db, store: SessionStore, sessionId: string, dataset: Dataset, sql: string): Promise<Materialized> {
  const positions = `__willow_deleted_${++deletions}`;
  // Producers mostly give positions ascending (a scan's, a command's filter): kept in the
  // order they come, and only put in order (and made distinct) when they are not, since a
  // DISTINCT and two sorts of 5M positions cost 2.5 s where streaming windows cost 0.3 s.
  await db.run(`CREATE TEMP TABLE ${positions} AS SELECT p::BIGINT AS i FROM (${sql}) AS t(p) WHERE p IS NOT NULL`);
  try {
    // (lag OVER (): a streaming window, reading the table in insertion order.)
    const disordered = Number(await db.scalar(`SELECT count(*) FROM (SELECT i, lag(i) OVER () AS prev FROM ${positions}) WHERE i <= prev`));
    if (disordered > 0) {
      await db.run(`CREATE TEMP TABLE ${positions}_sorted AS SELECT DISTINCT i FROM ${positions} ORDER BY i`);
      await db.run(`DROP TABLE ${positions}`);
      await db.run(`ALTER TABLE ${positions}_sorted RENAME TO ${positions}`);
    }
    const count = Number(await db.scalar(`SELECT count(*) FROM ${positions}`));
    const outside = Number(await db.scalar(`SELECT count(*) FROM ${positions} WHERE i < 0 OR i >= ${dataset.rows}`));
    if (outside > 0) throw new Error(`row deletion names ${outside} positions outside 0…${dataset.rows - 1}`);
    if (count === 0) return { rows: dataset.rows, columns: dataset.columns, bytesWritten: 0 };
    const written = new Map<string, { file: string; count: number }>();
    let bytesWritten = 0;
    for (const earlier of new Set(dataset.columns.map((c) => c.deleted?.file ?? ''))) {
      // The positions, ascending in the table, are the physical rows when the file lost none
      // before: numbered in that order by streaming windows. Otherwise merged with the earlier
      // deletions, and sorted.
      let select = `SELECT i AS d, i - (row_number() OVER () - 1) AS g, row_number() OVER () AS k FROM ${positions}`;
      if (earlier !== '') {
        const prev = `read_parquet(${literal(dataset.filePath(earlier))})`;
        const rows = `SELECT d FROM ${prev} UNION ALL SELECT l.i + coalesce(m.k, 0) AS d FROM ${positions} l ASOF LEFT JOIN (SELECT g, max(k) AS k FROM ${prev} GROUP BY g) m ON l.i >= m.g`;
        select = `SELECT d, d - (row_number() OVER (ORDER BY d) - 1) AS g, row_number() OVER (ORDER BY d) AS k FROM (${rows}) ORDER BY d`;
      }
      const { file, path } = store.newFile(sessionId);
      const n = await copyToParquet(db, select, path, DELETED_PARQUET);
      written.set(earlier, { file, count: n });
      bytesWritten += (await fs.stat(path)).size;
    }
    return {
      rows: dataset.rows - count,
      columns: dataset.columns.map((c) => ({ ...c, deleted: written.get(c.deleted?.file ?? '')! })),
      bytesWritten,
    };
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${positions}`);
  }
}

/**
 * copyToParquet of a query made by cellChecked: a cell over the limit fails it as
 * OperationError 'value too large' naming the column (`name(k)` for field c<k>), and the file
 * it was writing is removed; any other failure is rethrown as it is (the file removed too).
 */
async function copyChecked(db: Db, select: string, path: string, options: string, name: (k: number) => string, limits: VersionLimits): Promise<number> {
  return copyToParquet(db, select, path, options).catch(async (err: unknown) => {
    await fs.rm(path, { force: true });
    throw cellLimitError(err, name, limits.maxCellBytes) ?? err;
  });
}

/** A whole new table; its row count is known only once written, so its row groups are sized for the version it replaces (`rowGroup`). */
async function writeTable(db: Db, store: SessionStore, sessionId: string, sql: string, names: string[], rowGroup: number, limits: VersionLimits): Promise<Materialized> {
  const described = await db.describe(`(${sql})`);
  if (described.length !== names.length) throw new Error(`table change yields ${described.length} columns for ${names.length} names`);
  checkNames(names);
  const { file, path } = store.newFile(sessionId);
  const aliases = described.map((_, i) => `c${i}`).join(', ');
  const table = `SELECT * FROM (${sql}) AS t(${aliases})`;
  const select = cellChecked(table, described.map((d, i) => ({ field: `c${i}`, type: d.type })), limits.maxCellBytes) ?? table;
  const rows = await copyChecked(db, select, path, parquetOptions(rowGroup), (i) => names[i], limits);
  const types = await parquetTypes(db, path);
  return {
    rows,
    columns: names.map((name, i) => ({ name, file, field: `c${i}`, type: types[i] })),
    bytesWritten: (await fs.stat(path)).size,
  };
}

// A table already written in our format: moved into the session's files (same file system:
// tmp/ and files/ are folders of the session) instead of being read and written again.
async function adoptFiles(db: Db, store: SessionStore, sessionId: string, sources: string[], names: string[]): Promise<Materialized> {
  checkNames(names);
  const columns: ColumnEntry[] = [];
  let rows = -1;
  let bytesWritten = 0;
  for (const source of sources) {
    const { fields, rows: count } = await scratchFile(db, store, sessionId, source);
    if (fields.some((d, k) => d.name !== `c${columns.length + k}`)) throw new Error(`adopted file ${source} does not hold fields c${columns.length}…`);
    if (rows >= 0 && count !== rows) throw new Error(`adopted file ${source} has ${count} rows, the one before ${rows}`);
    rows = count;
    const moved = await moveIntoSession(store, sessionId, source);
    for (const d of fields) columns.push({ name: names[columns.length], file: moved.file, field: d.name, type: d.type });
    bytesWritten += moved.bytes;
  }
  if (columns.length !== names.length) throw new Error(`adopted files hold ${columns.length} fields for ${names.length} names`);
  return { rows: Math.max(rows, 0), columns, bytesWritten };
}

async function copyToParquet(db: Db, select: string, path: string, options: string): Promise<number> {
  const count = await db.scalar(`COPY (${select}) TO ${literal(path)} ${options}`);
  // A version becomes current only once its files are on disk for good.
  await fsyncFile(path);
  return Number(count);
}

/**
 * Types that read back from Parquet as DuckDB wrote them (the dataset's own five): a file of
 * only these need not be described again once written, about 1.5 ms a change of one cell.
 * Others may come back as another type (HUGEINT as DOUBLE, ENUM as VARCHAR, TIME WITH TIME
 * ZONE…), which only the written file tells.
 */
const ROUND_TRIP_TYPES = new Set(['BIGINT', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'TIMESTAMP']);

/** `types` when every one of them reads back from Parquet as itself, else null. */
function readBackTypes(types: string[]): string[] | null {
  return types.every((t) => ROUND_TRIP_TYPES.has(t)) ? types : null;
}

async function parquetTypes(db: Db, path: string): Promise<string[]> {
  const described = await db.describe(`SELECT * FROM read_parquet(${literal(path)})`);
  return described.map((d) => d.type);
}

/**
 * Column names of a new version: any non-empty text without NUL, unique by exact comparison
 * (`Id` and `id` are two columns, as in pandas; names never reach SQL as identifiers, see Dataset).
 * Throws OperationError('invalid column name' | 'duplicate column name').
 */
export function checkNames(names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw new OperationError('invalid column name', 'a column name cannot be empty');
    // (SQL text cannot carry NUL, and the names of downloads and commands pass through it.)
    if (name.includes('\u0000')) throw new OperationError('invalid column name', `column name ${JSON.stringify(name)} holds a NUL character`);
    if (seen.has(name)) throw new OperationError('duplicate column name', `the result would have two columns named ${JSON.stringify(name)}; column names must be unique`);
    seen.add(name);
  }
}

import fs from 'node:fs/promises';
import { join as pathJoin } from 'node:path';
import { ident, literal } from '../sql.ts';
import { ImportError } from './types.ts';
import type { Db } from '../duck.ts';
import { columnGroups, groupIndices, WIDE_GROUP } from '../column-groups.ts';
// csv.ts hands wide files to readWide and readWide reuses its scan and type inference: the
// cycle is between functions only, none of which runs while the modules load.
import { allMissingType, castExpr, TYPE_TESTS, type InferredType, rejectedLines, lineExamples, refusalOf, scanArgs, type CsvOptions, type CsvSource } from './csv.ts';

/**
 * Wide files (more than WIDE_COLUMNS columns) take a path of their own, because DuckDB's
 * CSV machinery does not scale with the column count (measured with DuckDB 1.5, 10,000
 * columns × 1,000 rows, 54 MB, 2 cores):
 * - sniff_csv takes 45–70 s (its type detection is per column and per candidate), so the
 *   dialect and the header are read here from the first record;
 * - a read_csv of all 10,000 columns runs out of a 1 GB memory limit (vectors of 2,048
 *   values per column), so the file is read a column group at a time;
 * - the data is written as Parquet files of WIDE_GROUP columns (see column-groups.ts).
 */
export const WIDE_COLUMNS = 1000;

/** The refusal of a dataset wider than `maxColumns` (config MAX_COLUMNS). */
export function tooManyColumns(count: number | string, maxColumns: number): ImportError {
  return new ImportError('too many columns', `the file has ${count} columns; the limit is ${maxColumns} (MAX_COLUMNS)`);
}

// The header of a file with 16,384 columns of long names is a few MB; beyond this a "line"
// is not a header but a file without line breaks.
const MAX_HEADER_BYTES = 64 * 1024 * 1024;
const CANDIDATES = [',', '\t', ';', '|'];

/**
 * The first record after `skip` lines, split RFC 4180-style (double quotes, `""` inside
 * quotes) with `delimiter` or the candidate that splits it into the most fields: `wide` when
 * it has more than WIDE_COLUMNS fields (the file then takes readWide). `bound` is an upper
 * bound of its field count for any delimiter and quote, for DuckDB's own reading of the
 * header (every candidate delimiter counted, quotes ignored). Null when there is no record.
 * Throws ImportError('too many columns') when the record has more than `maxColumns` fields.
 */
export async function scanFirstRecord(path: string, skip: number, delimiter: string | undefined, maxColumns: number): Promise<{ delim: string; fields: string[]; wide: boolean; bound: number } | null> {
  const text = await headText(path, skip);
  if (text === null) return null;
  const candidates = delimiter ? [delimiter] : CANDIDATES;
  const counts = candidates.map((d) => ({ d, n: splitRecord(text, d, true).length }));
  const best = counts.sort((a, b) => b.n - a.n)[0];
  if (best.n > maxColumns) throw tooManyColumns(best.n, maxColumns);
  let bound = 1;
  for (const ch of text) if (ch === best.d || CANDIDATES.includes(ch)) bound++;
  return { delim: best.d, fields: best.n > WIDE_COLUMNS ? splitRecord(text, best.d, false) : [], wide: best.n > WIDE_COLUMNS, bound };
}

/** The record starting at line `skip` (BOM removed), or null when the file has fewer lines. */
async function headText(path: string, skip: number): Promise<string | null> {
  const handle = await fs.open(path, 'r');
  try {
    const chunk = Buffer.alloc(1024 * 1024);
    const parts: Buffer[] = [];
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      parts.push(Buffer.from(chunk.subarray(0, bytesRead)));
      position += bytesRead;
      const text = Buffer.concat(parts).toString('utf8').replace(/^\uFEFF/, '');
      const start = lineStart(text, skip);
      const end = start === null ? null : recordEnd(text, start);
      if (start !== null && end !== null) return text.slice(start, end);
      if (position >= MAX_HEADER_BYTES) throw new ImportError('header too long', `the first line of the file is longer than ${MAX_HEADER_BYTES} bytes`);
    }
    const text = Buffer.concat(parts).toString('utf8').replace(/^\uFEFF/, '');
    const start = lineStart(text, skip);
    return start === null ? null : text.slice(start);
  } finally {
    await handle.close();
  }
}

/** Offset after `skip` line breaks (`\r\n`, `\n`, `\r`), or null when the text has fewer. */
function lineStart(text: string, skip: number): number | null {
  let at = 0;
  for (let k = 0; k < skip; k++) {
    const n = text.slice(at).search(/\r\n|\n|\r/);
    if (n < 0) return null;
    at += n + (text.startsWith('\r\n', at + n) ? 2 : 1);
  }
  return at;
}

/** Offset of the line break ending the record that starts at `start` (quotes may hold line breaks). */
function recordEnd(text: string, start: number): number | null {
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) return i;
  }
  return null;
}

/** Fields of one record; `countOnly` skips building the strings. */
function splitRecord(record: string, delim: string, countOnly: boolean): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i];
    if (quoted) {
      if (ch === '"') {
        if (record[i + 1] === '"') {
          if (!countOnly) field += '"';
          i++;
        } else quoted = false;
      } else if (!countOnly) field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) {
      fields.push(field);
      field = '';
    } else if (!countOnly) field += ch;
  }
  fields.push(field);
  return fields;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;

/**
 * How many column groups of a wide CSV are read and written at once, each on its own
 * connection: writing one group's Parquet file (a single row group for up to 122,880 rows)
 * keeps one thread busy, and the CSV scan of a group is mostly per-field work that does
 * not use a second thread, so two groups side by side use both cores of a small machine.
 */
const WIDE_CONCURRENCY = 2;

/**
 * A wide delimited file (see WIDE_COLUMNS), read like readThorough reads a narrow one: every
 * field as text with the header's width, lines too long skipped and too short padded (both
 * counted; one over the line limit refuses the file), each column's type inferred from all its values (or taken from `opts.types`),
 * then written in final types as Parquet files of WIDE_GROUP columns (`ready`) by
 * writeTypedGroups, WIDE_CONCURRENCY groups at a time.
 */
export async function readWide(db: Db, path: string, opts: CsvOptions & { tmpDir: string }, dialect: { delim: string; quote: string; escape: string }, names: string[]): Promise<CsvSource> {
  const fields = names.map((_, i) => `c${i}`);
  const columns = `{${fields.map((f) => `${literal(f)}: 'VARCHAR'`).join(', ')}}`;
  const scan = (padding: boolean, rejects: string | null, parallel = true) => `read_csv(${scanArgs(path, opts, dialect, padding, rejects, parallel)}, columns = ${columns})`;
  // Reading the last column makes every short line a rejected one (MISSING COLUMNS).
  const rejects = unique('rejects');
  await db.scalar(`SELECT count(${ident(fields[fields.length - 1])}) FROM ${scan(false, rejects)}`);
  const lines = await rejectedLines(db, rejects);
  const refused = await refusalOf(path, lines, opts);
  if (refused) throw refused;
  opts.phase?.('wide: line check');
  // Each group's scan on one thread (parallel = false): WIDE_CONCURRENCY groups already keep
  // the cores busy, and a parallel scan staged into a table costs about a quarter more CPU
  // (10,000 × 1,000: 12.2–12.8 s of CPU for the whole import against 8.9–11.3 s, 4 runs
  // each), the table's row groups from each thread being merged in order afterwards.
  const text = scan(lines.padded > 0, null, false);
  const { sql, ready } = await writeTypedGroups(db, (from, to) => `SELECT ${fields.slice(from, to).map(ident).join(', ')} FROM ${text}`, fields.length, opts.tmpDir, {
    concurrency: WIDE_CONCURRENCY,
    types: opts.types,
    phase: opts.phase,
  });
  return { sql, names, skippedLines: lines.skipped, paddedLines: lines.padded, ...(await lineExamples(path, lines)), ready };
}

/**
 * Type and write text columns c0…c<count-1> as Parquet files of at most `groupSize` columns
 * in `tmpDir`: `groupSelect(from, to)` gives the columns c<from>…c<to-1> (every row, in row
 * order, the same rows for every group), or a list of SELECTs of them whose rows, one after
 * the other, are those (parts staged one statement each, to bound what one statement
 * holds). Each group is staged once in a temp table (the source, e.g. a CSV scan, is then
 * parsed once per group, not once for types and again for values), unless `staged` is false
 * (a groupSelect cheap to run twice, e.g. a table's columns: one SELECT, read once for the
 * types and once for the values, without a copy); its types taken from `types` or inferred
 * by inferLong from all its values, and written in those types. `concurrency` groups run
 * side by side, each on a connection of its own (a groupSelect reading a temp table of `db`
 * needs 1). Returns CsvSource's `ready` (every column's file, field and present values when
 * inferred) and the SELECT reading it back. On failure no file is left.
 */
export async function writeTypedGroups(
  db: Db,
  groupSelect: (from: number, to: number) => string | string[],
  count: number,
  tmpDir: string,
  opts: { groupSize?: number; concurrency?: number; types?: (InferredType | null)[]; phase?: (name: string) => void; staged?: boolean } = {},
): Promise<{ sql: string; ready: NonNullable<CsvSource['ready']> }> {
  const groups = columnGroups(count, opts.groupSize ?? WIDE_GROUP);
  const files = groups.map(() => pathJoin(tmpDir, `${unique('wide')}.parquet`));
  const columns: NonNullable<CsvSource['ready']>['columns'] = [];
  let next = 0;
  const worker = async (conn: Db) => {
    for (let g = next++; g < groups.length; g = next++) {
      const { from, to } = groups[g];
      const group = groupIndices(groups[g]).map((i) => `c${i}`);
      const staged = unique('wide_group');
      let source: string;
      if (opts.staged === false) {
        const select = groupSelect(from, to);
        if (Array.isArray(select)) throw new Error('writeTypedGroups: an unstaged group is one SELECT');
        source = `(${select})`;
      } else {
        // Several SELECTs: consecutive parts of the rows, staged one after the other.
        const [first, ...rest] = [groupSelect(from, to)].flat();
        await conn.run(`CREATE TEMP TABLE ${staged} AS SELECT ${group.map(ident).join(', ')} FROM (${first})`);
        for (const part of rest) await conn.run(`INSERT INTO ${staged} SELECT ${group.map(ident).join(', ')} FROM (${part})`);
        source = staged;
        opts.phase?.(`wide: group ${g} staged`);
      }
      try {
        // A group at a time: one statement of 50,000 aggregates never completes.
        const known = opts.types?.slice(from, to);
        const inferred = known?.length === group.length && known.every((t) => t !== null) ? { types: known as InferredType[], present: undefined } : await inferLong(conn, `SELECT * FROM ${source}`, group);
        const casts = group.map((f, k) => `${castExpr(f, inferred.types[k])} AS ${ident(f)}`);
        await conn.run(`COPY (SELECT ${casts.join(', ')} FROM ${source}) TO ${literal(files[g])} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`);
        group.forEach((field, k) => (columns[from + k] = { file: files[g], field, present: inferred.present?.[k] }));
      } finally {
        await conn.run(`DROP TABLE IF EXISTS ${staged}`);
      }
      opts.phase?.(`wide: group ${g} written`);
    }
  };
  const siblings = await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 1, groups.length) - 1 }, () => db.sibling()));
  try {
    // On a failure the other workers stop at their next group; allSettled waits for them
    // so that no statement still writes a file that is about to be removed.
    const results = await Promise.allSettled([db, ...siblings].map((conn) => worker(conn).catch((err) => ((next = groups.length), Promise.reject(err)))));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(files.map((f) => fs.rm(f, { force: true })));
      throw (failed as PromiseRejectedResult).reason;
    }
  } finally {
    for (const s of siblings) s.close();
  }
  const alias = new Map(files.map((f, k) => [f, `t${k}`]));
  const sql = `SELECT ${columns.map((c) => `${alias.get(c.file)}.${ident(c.field)}`).join(', ')} FROM ${files.map((f) => `read_parquet(${literal(f)}) ${alias.get(f)}`).join(' POSITIONAL JOIN ')}`;
  return { sql, ready: { files, columns } };
}

/**
 * The class of one text value `v` for type inference, as a SQL expression: 1 integer,
 * 2 float, 3 boolean, 4 datetime, 5 an integer beyond int64, 6 datetime with a UTC offset
 * (test z), 0 text (NULL stays NULL). A value is in class k (1…4, 6) exactly when it passes
 * TYPE_TESTS' test k (i, d, b, t, z) and no earlier one,
 * and in class 5 when it passes d and w but not i; so "every value passes test d" is "every
 * class is 1, 2 or 5", and inferLong decides as inferTypes does (a column of classes 1 and 5
 * is text, one with a 2 among them float). Nested CASEs run each costly test (a regular
 * expression) only on the values a cheap one left open: only what casts to DOUBLE can be an
 * integer or a float, and a datetime has at least 8 characters.
 */
export function valueClass(v: string): string {
  return (
    `CASE WHEN TRY_CAST(${v} AS DOUBLE) IS NOT NULL THEN (CASE WHEN ${TYPE_TESTS.i(v)} THEN 1 WHEN ${TYPE_TESTS.d(v)} THEN (CASE WHEN ${TYPE_TESTS.w(v)} THEN 5 ELSE 2 END) ELSE 0 END) ` +
    `WHEN ${TYPE_TESTS.b(v)} THEN 3 WHEN length(${v}) >= 8 AND ${TYPE_TESTS.t(v)} THEN 4 WHEN length(${v}) >= 8 AND ${TYPE_TESTS.z(v)} THEN 6 ELSE 0 END`
  );
}

/**
 * inferTypes' answer for the columns `fields` of `select` and the number of values present
 * (not missing) in each, computed over the values in long form (column name, value) classified by valueClass: a few expressions over one column of
 * values instead of five aggregates per column, which DuckDB evaluates an order of
 * magnitude slower on wide inputs (1,000 columns × 1,000 rows: 26 s against about 1 s).
 */
async function inferLong(db: Db, select: string, fields: string[]): Promise<{ types: InferredType[]; present: number[] }> {
  const rows = await db.rows(
    `SELECT k, count(v) AS n, bool_and(c = 1) AS i, bool_and(c IN (1, 2, 5)) AND bool_or(c = 2) AS d, bool_and(c = 3) AS b, bool_and(c = 4) AS t, bool_and(c = 6) AS z ` +
      `FROM (SELECT k, v, ${valueClass('v')} AS c FROM (UNPIVOT (${select}) ON COLUMNS(*) INTO NAME k VALUE v)) GROUP BY k`,
  );
  const byField = new Map(rows.map((r) => [String(r.k), r]));
  const present = fields.map((f) => Number(byField.get(f)?.n ?? 0));
  // Absent: every value missing (UNPIVOT drops NULLs). Such a column is typed as inferTypes
  // types it (allMissingType), by the number of rows, counted only then.
  const empty = present.some((n) => n === 0) ? allMissingType(Number(await db.scalar(`SELECT count(*) FROM (${select})`))) : null;
  const types = fields.map((f): InferredType => {
    const r = byField.get(f);
    if (!r || Number(r.n) === 0) return empty!;
    if (r.i === true) return 'BIGINT';
    if (r.d === true) return 'DOUBLE';
    if (r.b === true) return 'BOOLEAN';
    if (r.t === true) return 'TIMESTAMP';
    if (r.z === true) return 'TIMESTAMPTZ';
    return 'VARCHAR';
  });
  return { types, present };
}

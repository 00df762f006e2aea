import crypto from 'node:crypto';
import { DuckDBInstance, ResultReturnType, StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { ident, literal, stringList } from './sql.ts';
import { OperationError, clientText } from '../operations/errors.ts';
import { ALLOWED_TABLE_FUNCTIONS, alterRefusal, deniedFunction, planTableFunctions, refusedTableFunction, sqlIdentifiers, type FunctionKinds } from './sql-identifiers.ts';
import { commandNames, type ShownNames } from '../protocol/command-names.ts';
import { columnGroups, WIDE_GROUP } from './column-groups.ts';
import { isRowFilter, isRowProjection, projectedColumns } from './sandbox-projection.ts';
import { cellLimitError, cellChecked } from './cell-limit.ts';

// executeCommand runs a user's SQL statement. The original ran arbitrary Python, i.e. gave
// every client remote code execution; here the statement runs in a DuckDB instance of its
// own, created for this one command and closed after it:
//
//  - before anything of the user's is even parsed, external access is switched off (no
//    files, no network, no ATTACH, no COPY), known extensions can neither be installed nor
//    autoloaded, and the configuration is locked so the statement cannot switch anything
//    back on (DuckDB refuses to re-enable these and, once locked, to change any setting);
//  - the statement may call no table function but pure generators (range, unnest, …: an
//    allow-list, see ALLOWED_TABLE_FUNCTIONS), checked on its text before it binds and on its
//    bound plan, which also shows what the text hides (`FROM 'file.parquet'`, catalog views);
//  - the only files DuckDB may touch are listed one by one in `allowed_paths` (no directory
//    is allowed, so nothing can be listed or globbed): the current version's Parquet files,
//    which the view `df` reads, and the result file. Those files hold more than df shows
//    (deleted rows, overwritten values, the deleted-rows file), so no statement may read
//    them but through df: besides the check above, they are reached through links whose
//    names hold 128 random bits, new for each command (hidePaths in sandbox-process.ts),
//    which only the refused settings and catalog could tell. Only our own COPY writes the result file, after the statement was checked:
//    the user's statement must be a single SELECT/UPDATE/DELETE/INSERT/ALTER, none of which
//    writes files, and while it runs the result file does not exist yet (DuckDB resolves
//    file names when binding), so it cannot be read either;
//  - what does not fit in memory_limit is spilled to a temp directory of this command alone
//    (`spillDir`: a folder with a random name in the job's folder, the process's working
//    directory, see runInProcess in sandbox-process.ts), bounded by max_temp_directory_size
//    (COMMAND_SPILL_LIMIT, or less when the disk quota has less left). DuckDB adds its temp
//    directory to the allowed directories: it holds nothing but this command's own
//    intermediate data, its name is as unguessable as the links' and shown only by the
//    refused settings, and no statement the checker lets through reads or writes files.
//    Without a spill limit (0) there is no temp directory at all, and memory_limit is the
//    bound. Its own thread count keeps a runaway command from taking over the engine;
//  - a timer interrupts the statement (and the writing of its result) at the time limit.
//
// A query reads df straight from the Parquet files (a view: nothing is loaded into memory)
// and its result is streamed by DuckDB into the result file. Statements that modify df
// need a real table: the dataset is loaded into one, modified, then written out the same
// way. Either way no row passes through JavaScript.
//
// Column names: df shows each column under its own name, exactly. DuckDB compares
// identifiers without regard to case (quoted ones too), so of two columns whose names differ
// only in case (`Id`, `id`) neither could be named unambiguously: such columns are shown
// under names that tell them apart, `<name>#<n>` (n counts the columns of that spelling in
// column order: `Id#1`, `id#2`; see commandNames), and a statement that writes the plain
// name in any spelling is refused with an error that lists them. In the result, a column
// still carrying one of those names gets its own name back, so `SELECT * FROM df` keeps
// `Id` and `id`; a result may hold names differing only in case, but not exact duplicates.

export interface SandboxLimits {
  timeoutMs: number;
  /** DuckDB memory size, e.g. '1GB'. */
  memoryLimit: string;
  threads: number;
  /**
   * Disk the command may spill to beyond memoryLimit: `bytes` (max_temp_directory_size), and
   * what set it, for the error that names it ('COMMAND_SPILL_LIMIT=4GB', what the disk quota leaves…).
   * Absent or 0 bytes: no spilling.
   */
  spill?: { bytes: number; setBy: string };
}

export interface SandboxInput {
  /** The user's statement. */
  command: string;
  /** SELECT giving the current dataset over `files`: its column j is the dataset's column j (whatever its SQL name). */
  source: string;
  /** The dataset's column names (users' names, any text), one per column of `source`. */
  names: string[];
  /** The Parquet files `source` reads: the only files the statement may read. */
  files: string[];
  /** Where the result is written (a fresh path in a folder of this job only). */
  resultPath: string;
  /**
   * The folder DuckDB spills to (relative to the working directory; it need not exist), when
   * limits.spill allows spilling; the caller removes it after the command, whatever its end.
   */
  spillDir?: string;
  /** Parquet options of the result file, e.g. '(FORMAT parquet)'. */
  parquet: string;
  /**
   * MAX_CELL_BYTES: a result value larger than this (cell-limit.ts cellBytesSql) fails the
   * command with OperationError 'value too large' while the result is written; the result
   * files are the version's files as they are, never checked again.
   */
  maxCellBytes: number;
  /**
   * For a query over a wide dataset, `source` as SELECTs of consecutive column groups
   * (together every column, in order), from which df can be loaded into a table (see
   * loadTable). With `preload` (a dataset with deleted rows) df is that table from the start;
   * otherwise df reads the files, and is loaded only when the query ran out of memory so.
   */
  groups?: { selects: string[]; preload: boolean };
  /**
   * `source` with each row's position (0-based, in order) as its first column, when a query
   * that only filters df may be taken as a deletion (see projection()); absent for wide data.
   */
  positioned?: string;
}

export type StatementKind = 'SELECT' | 'UPDATE' | 'DELETE' | 'INSERT' | 'ALTER';

export type SandboxOutcome =
  /** A DML statement that touched no row: the dataset stays as it is. */
  | { kind: 'unchanged' }
  /**
   * The new dataset: `names` in order, `rows` rows. `kept[j]` is the index of a column of
   * the current dataset holding exactly the values of result column j (checked for UPDATE
   * and ALTER, whose result has the same rows; for a query, when it maps df row by row and
   * column j repeats a df column, see sandbox-projection.ts), else -1: column j is then field `c<j>` of
   * one of the result files (resultFiles(), in order), rows in their new order. No file is
   * written when every column is kept.
   */
  | { kind: 'result'; statement: StatementKind; names: string[]; rows: number; kept: number[] }
  /**
   * A DELETE run on the columns it reads only: the dataset keeps its columns and loses the
   * rows whose positions field `c0` of the result file lists (`deleted` of them).
   */
  | { kind: 'deleted'; deleted: number };

export interface ColumnInfo {
  name: string;
  type: string;
}

// Statement kinds that produce the next dataset: a query replaces it, the others modify df.
const ALLOWED = new Map<StatementType, StatementKind>([
  [StatementType.SELECT, 'SELECT'],
  [StatementType.UPDATE, 'UPDATE'],
  [StatementType.DELETE, 'DELETE'],
  [StatementType.INSERT, 'INSERT'],
  [StatementType.ALTER, 'ALTER'],
]);
// First words a statement of those kinds may start with. DuckDB rewrites some other
// statements into queries (PRAGMA table_info → SELECT), so the leading word is checked too:
// it also names the refused statement in the error better than DuckDB's statement type.
const LEADING = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'UPDATE', 'DELETE', 'INSERT', 'ALTER', 'DESCRIBE', 'SHOW', 'SUMMARIZE', 'PIVOT', 'UNPIVOT', 'PIVOT_WIDER', 'PIVOT_LONGER']);
const ALLOWED_TEXT = 'executeCommand runs one SELECT (or WITH … SELECT, FROM …), UPDATE, DELETE, INSERT or ALTER TABLE statement on the table df';

const DML = new Set<StatementType>([StatementType.UPDATE, StatementType.DELETE, StatementType.INSERT]);

/**
 * Run `input.command` over `df` (the rows of `input.source`) and write the resulting dataset
 * to `input.resultPath`. Every failure is an OperationError naming what went wrong; the
 * caller's data is untouched (the caller removes the result folder).
 */
export async function runSandboxed(input: SandboxInput, limits: SandboxLimits): Promise<SandboxOutcome> {
  const { instance, conn } = await openSandbox(input.files, input.resultPath, limits, { wide: input.names.length > WIDE_GROUP, spillDir: input.spillDir });
  try {
    // An empty df with the dataset's columns, to check (bind) the statement against: it
    // tells a query from a modification before any data is read.
    const shown = commandNames(input.names);
    const dfRows = input.names.length ? `SELECT * FROM (${input.source}) AS s(${shown.names.map(ident).join(', ')})` : input.source;
    const definitions = await createEmpty(conn, dfRows);
    const started = performance.now();
    const remaining = () => limits.timeoutMs - (performance.now() - started);
    const toResultNames = resultNames(input.names, shown);
    const checked = await withTimeLimit(conn, limits, remaining(), shown, async (c) => {
      const prepared = await prepareChecked(c, input.command);
      try {
        const kind = ALLOWED.get(prepared.statementType)!;
        const names = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
        const types = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnType(i).toString());
        return { kind, names, types };
      } finally {
        prepared.destroySync();
      }
    });
    if (checked.kind === 'SELECT') {
      const result = toResultNames(checked.names);
      // The query reads the files in place; DuckDB streams its result into the file.
      await conn.run('DROP TABLE df');
      // query() takes the statement as a string value (it cannot reach into our SQL) and
      // itself accepts nothing but a single SELECT.
      const fields = `AS t(${checked.names.map((_, j) => `c${j}`).join(', ')})`;
      const groups = input.groups;
      // A row-by-row projection writes only its computed columns (sandbox-projection.ts);
      // not tried on wide data, where planning on a copy of df costs more than it saves.
      const shortcut = groups ? null : await projection(input.command, shown.names, definitions, checked.names.length, input.resultPath, limits, remaining());
      if (shortcut?.kind === 'filter' && input.positioned) {
        // The rows the condition keeps, told apart by a position column beside df's that the
        // statement cannot name; the others are deleted, and every column keeps its file.
        const position = `__position_${crypto.randomBytes(6).toString('hex')}`;
        const names = [...shown.names, position].map(ident);
        await conn.run(`CREATE VIEW df AS SELECT ${names.join(', ')} FROM (${input.positioned}) AS s(${[position, ...shown.names].map(ident).join(', ')})`);
        return await withTimeLimit(conn, limits, remaining(), shown, async (c) => {
          const rows = await count(c);
          // (A filter keeps the scan's order: the kept positions come ascending.)
          const deleted = await copyDeleted(c, `SELECT c${names.length - 1} FROM query(${literal(input.command)}) AS t(${names.map((_, j) => `c${j}`).join(', ')})`, rows, input);
          return deleted === 0 ? { kind: 'unchanged' } : { kind: 'deleted', deleted };
        });
      }
      if (shortcut?.kind === 'columns') {
        const { kept } = shortcut;
        const written = kept.flatMap((k, j) => (k < 0 ? [j] : []));
        await conn.run(`CREATE VIEW df AS ${dfRows}`);
        const rows = await withTimeLimit(conn, limits, remaining(), shown, (c) =>
          written.length ? storing(() => copyOut(c, `SELECT ${written.map((j) => stored(j, checked.types[j])).join(', ')} FROM query(${literal(input.command)}) ${fields}`, written, input, { names: result, types: checked.types })) : count(c),
        );
        return { kind: 'result', statement: 'SELECT', names: result, rows, kept };
      }
      const select = `SELECT ${checked.types.map((type, j) => stored(j, type)).join(', ')} FROM query(${literal(input.command)}) ${fields}`;
      const query = () => withTimeLimit(conn, limits, remaining(), shown, (c) => storing(() => copyOut(c, select, checked.names.map((_, j) => j), input, { names: result, types: checked.types })));
      if (groups?.preload) {
        await loadTable(conn, groups.selects, shown.names, limits);
        const resultRows = await query();
        return { kind: 'result', statement: 'SELECT', names: result, rows: resultRows, kept: result.map(() => -1) };
      }
      await conn.run(`CREATE VIEW df AS ${dfRows}`);
      let resultRows: number;
      try {
        resultRows = await query();
      } catch (err) {
        // Wide, over the files: a sort, join or aggregate of whole rows holds chunks of every
        // column in each of its operators. Loaded into one table, df gets DuckDB's late
        // materialization (an ORDER BY … LIMIT sorts row ids, then fetches those rows).
        if (!groups || !(err instanceof OperationError) || err.code !== 'command out of memory') throw err;
        await conn.run('DROP VIEW df');
        await loadTable(conn, groups.selects, shown.names, limits);
        resultRows = await query();
      }
      return { kind: 'result', statement: 'SELECT', names: result, rows: resultRows, kept: result.map(() => -1) };
    }
    // (Only a modification needs df's types as the engine reads them: a query never reads
    // them, and reading them runs a plan of every column.)
    const before = await describe(conn, 'df');
    // An UPDATE or DELETE needs in memory only the columns it reads or writes (a 10M-row
    // dataset of 8 columns did not fit in a command's 1 GB as a whole).
    const touched = checked.kind === 'UPDATE' || checked.kind === 'DELETE' ? await touchedColumns(input, shown.names, before, limits) : null;
    if (touched) {
      const columns = touched.map((j) => ident(shown.names[j])).join(', ');
      await conn.run('DROP TABLE df');
      await createEmpty(conn, `SELECT ${columns} FROM (${dfRows})`);
      await load(conn, `SELECT ${columns} FROM (${dfRows})`, limits);
      return await withTimeLimit(conn, limits, remaining(), shown, (c) => modifyNarrowed(c, input, checked.kind, touched, shown.names, before, toResultNames));
    }
    // A modification needs df as a table: load the dataset (outside the time limit: this is
    // our work, not the command's), then check and run the statement again on it (plans
    // made on the empty table could rely on its emptiness).
    await load(conn, dfRows, limits);
    return await withTimeLimit(conn, limits, remaining(), shown, (c) => modify(c, input, checked.kind, before, toResultNames));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Create df as an empty table with the columns (names and types) of `select`, from its
 * DESCRIBE: that binds the query (reading the files' metadata) without running it.
 * `CREATE TABLE df AS … LIMIT 0` ran the plan, and every operator of a plan allocates its
 * vectors of 2,048 values for each column even when no row comes: over 10,000 columns that
 * took about 0.8 GB of address space (RLIMIT_DATA counts it, though hardly a page is touched)
 * and a second of CPU, for a table with no row. DESCRIBE gives DuckDB's own type names,
 * which read back as the same types (DECIMAL(18,3), ENUM(…), STRUCT("a b" …), …).
 */
async function createEmpty(conn: DuckDBConnection, select: string): Promise<string[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE ${select}`);
  const columns = reader.getRowObjects().map((c) => `${ident(String(c.column_name))} ${String(c.column_type)}`);
  await conn.run(`CREATE TABLE df (${columns.join(', ')})`);
  return columns;
}

/** Fill the table df with the rows of `select` (the dataset, or some of its columns); its own error when they do not fit. */
async function load(conn: DuckDBConnection, select: string, limits: SandboxLimits): Promise<void> {
  {
    try {
      await conn.run(`INSERT INTO df ${select}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : '';
      if (!/^Out of Memory Error/.test(message)) throw err;
      throw new OperationError('command out of memory', `the dataset does not fit in ${commandRoom(message, limits)} to be modified in place (a SELECT statement reads it without loading it, an UPDATE or DELETE loads only the columns it names); the dataset is unchanged`);
    }
  }
}

/**
 * Whether an 'Out of Memory' failure of DuckDB (`message`) came from its temp directory being
 * full (max_temp_directory_size: the spill bound), not from memory it could not spill.
 */
function spillExhausted(message: string, limits: SandboxLimits): boolean {
  return !!limits.spill?.bytes && /max_temp_directory_size|failed to offload/.test(message);
}

/** The spill bound, for errors: '20000000 bytes (COMMAND_SPILL_LIMIT)'. */
function spillLimitText(limits: SandboxLimits): string {
  return `${limits.spill?.bytes ?? 0} bytes (${limits.spill?.setBy ?? 'COMMAND_SPILL_LIMIT'})`;
}

/** What a command may hold, for an error about df not fitting: the memory, and the spill bound when that was reached too. */
function commandRoom(message: string, limits: SandboxLimits): string {
  if (!spillExhausted(message, limits)) return `the memory a command may use (${limits.memoryLimit})`;
  return `the memory and disk a command may use (${limits.memoryLimit} of memory, and at most ${spillLimitText(limits)} spilled to disk)`;
}

/**
 * Load df for a query into one table (`names`: df's names, in order) from `groups`, SELECTs
 * of consecutive column groups, each first loaded into a temp table of its own (then dropped).
 *
 * Why: every operator between a scan and its sink holds vectors of 2,048 values for each
 * column, about 24 KB a column whatever the row count, counted against memory_limit, and a
 * Parquet reader holds about 48 KB a column. Over the files of a 10,000-column version with
 * deleted rows (a MARK join, a filter and a projection on 10,000-column chunks), `SELECT * FROM
 * df LIMIT 900` needed 1.7 GB and a plain `SELECT * FROM df` 3.3 GB of DuckDB memory for
 * 1,000 rows; loaded a group of 1,000 columns at a time, 0.65–0.86 GB (the tables, 225 MB,
 * included). Side by side in a POSITIONAL JOIN the group tables still failed `… ORDER BY c
 * LIMIT 10` (a top-n of whole rows: more than 1 GB); one table gets DuckDB's late
 * materialization (the top-n of row ids and `c` only, then those rows fetched), which fits,
 * as do filters and plain scans. Building it from the group tables needs 0.5–0.7 GB.
 * Errors: `command out of memory` when the dataset does not fit.
 */
async function loadTable(conn: DuckDBConnection, groups: string[], names: string[], limits: SandboxLimits): Promise<void> {
  const tables = groups.map((_, g) => `__df${g}`);
  try {
    for (const [g, select] of groups.entries()) await conn.run(`CREATE TEMP TABLE ${tables[g]} AS ${select}`);
    await conn.run(`CREATE TABLE df AS SELECT * FROM (SELECT * FROM ${tables.join(' POSITIONAL JOIN ')}) AS s(${names.map(ident).join(', ')})`);
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (!/^Out of Memory Error/.test(message)) throw err;
    throw new OperationError('command out of memory', `the dataset does not fit in ${commandRoom(message, limits)} to be queried (a dataset this wide is loaded into a table for such a query); the dataset is unchanged`);
  } finally {
    for (const t of tables) await conn.run(`DROP TABLE IF EXISTS ${t}`);
  }
}

/**
 * A DuckDB instance configured as the sandbox (see above), and its one connection: only
 * `files` and `resultPath` within reach, no extensions, external access off, configuration
 * locked; `optimizer: false` plans unoptimized, `wide` plans for a df of more than WIDE_GROUP
 * columns. `spillDir`: the temp directory, of at most limits.spill.bytes; without it (or
 * with no spill bytes) none. The caller closes both.
 */
export async function openSandbox(files: string[], resultPath: string, limits: SandboxLimits, opts: { optimizer?: boolean; wide?: boolean; spillDir?: string } = {}): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const spill = opts.spillDir && limits.spill && limits.spill.bytes > 0 ? { dir: opts.spillDir, bytes: limits.spill.bytes } : null;
  const instance = await DuckDBInstance.create(':memory:', {
    // Wide df on one thread: every thread's operators hold vectors of every column (10,000
    // columns: ~240 MB an operator), and at two threads `ORDER BY … LIMIT` over 10,000
    // columns with deleted rows sometimes passed the process's address-space limit
    // (Allocation failure) under the 1 GB command limit.
    threads: String(opts.wide ? 1 : limits.threads),
    memory_limit: limits.memoryLimit,
    // '' = no temp directory: nothing is ever spilled to disk, and no directory joins the
    // allowed ones (DuckDB allows its temp directory implicitly, see above).
    temp_directory: spill?.dir ?? '',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    // Secrets stored on the machine (~/.duckdb/stored_secrets) stay out of reach.
    allow_persistent_secrets: 'false',
  });
  try {
    const conn = await instance.connect();
    try {
      // Order matters: the allowed files first (they can only be set while external access
      // is on), then external access off, the lock last (it freezes every setting).
      await conn.run(`SET allowed_paths = ${stringList([...files, ...resultFiles(resultPath, MAX_RESULT_COLUMNS)])}`);
      // Set here, not with the instance: DuckDB 1.5 takes max_temp_directory_size given at
      // creation for the setting but not for its temp files (a sort spilled 500 MB under a
      // 20MB one); SET bounds them.
      if (spill) await conn.run(`SET max_temp_directory_size = '${spill.bytes}B'`);
      if (opts.optimizer === false) await conn.run('PRAGMA disable_optimizer');
      // Wide df (`wide`: more than WIDE_GROUP columns): compressed materialization wraps a
      // sort's payload in a projection that compresses every column and one that decompresses
      // it, two more operators holding vectors of every column (10,000 columns: about 240 MB
      // each), which took `ORDER BY … LIMIT` past 1 GB even with late materialization.
      if (opts.wide) await conn.run(`SET disabled_optimizers = 'compressed_materialization'`);
      await conn.run('SET enable_external_access = false');
      await conn.run('SET lock_configuration = true');
      return { instance, conn };
    } catch (err) {
      conn.closeSync();
      throw err;
    }
  } catch (err) {
    instance.closeSync();
    throw err;
  }
}

async function modify(conn: DuckDBConnection, input: SandboxInput, kind: StatementKind, before: ColumnInfo[], resultNames: (sqlNames: string[]) => string[]): Promise<SandboxOutcome> {
  const prepared = await prepareChecked(conn, input.command);
  try {
    const rowsBefore = DML.has(prepared.statementType) ? await count(conn) : -1;
    // stream(): the statement runs to its end, but rows of a RETURNING clause are not
    // gathered (they are not the result; df is). With RETURNING the result is a query, whose
    // rowsChanged is 0 whatever the statement did: only a plain count of changed rows says
    // "nothing changed", and a DELETE or INSERT … RETURNING is judged by df's row count.
    const done = await prepared.stream();
    if (DML.has(prepared.statementType)) {
      if (done.returnType === ResultReturnType.CHANGED_ROWS && done.rowsChanged === 0) return { kind: 'unchanged' };
      if (prepared.statementType !== StatementType.UPDATE && done.returnType !== ResultReturnType.CHANGED_ROWS && (await count(conn)) === rowsBefore) return { kind: 'unchanged' };
    }
  } finally {
    prepared.destroySync();
  }
  let after: ColumnInfo[];
  try {
    after = await describe(conn, 'df');
  } catch {
    throw new OperationError('command refused', 'the command must leave the table df in place (it renamed or dropped it); the dataset is unchanged');
  }
  // (alterRefusal refuses every ALTER that adds a constraint; should one get through, it
  // would be lost with the table: refused rather than accepted without effect.)
  if (kind === 'ALTER' && Number((await conn.runAndReadAll(`SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'df'`)).getRows()[0][0]) > 0) {
    throw new OperationError('command refused', 'the statement added a constraint to df; the dataset\'s columns are plain columns, which keep no constraints: the statement would have no lasting effect');
  }
  if (kind === 'ALTER' && after.some((c, j) => HUGE.test(c.type) && c.type !== before[j]?.type)) throw new OperationError('command refused', `ALTER TABLE … TYPE HUGEINT/UHUGEINT would have no effect: ${HUGE_RULE}`);
  const names = resultNames(after.map((c) => c.name));
  const kept = kind === 'UPDATE' || kind === 'ALTER' ? await keptColumns(conn, input.source, before, after) : after.map(() => -1);
  const written = after.flatMap((c, j) => (kept[j] < 0 ? [j] : []));
  const select = `SELECT ${written.map((j) => `${ident(after[j].name)} AS c${j}`).join(', ')} FROM df`;
  const cells = { names, types: after.map((c) => c.type) };
  const rows = written.length ? await copyOut(conn, select, written, input, cells) : Number((await conn.runAndReadAll('SELECT count(*) FROM df')).getRows()[0][0]);
  return { kind: 'result', statement: kind, names, rows, kept };
}

/**
 * The columns (indices into the dataset) an UPDATE or DELETE needs, when they are fewer than
 * all; else null. Candidates are the columns whose df name the statement's text holds (in
 * any letter case, quotes doubled or not): a column it reads or writes by name is among
 * them. A statement may also reach columns without naming them (`*`, COLUMNS(…), a table
 * or alias used as a row value, NATURAL joins…), so the candidates are kept only when the
 * statement binds to the same plan on a df of only those columns as on the full df: both
 * planned unoptimized (nothing folded away on the empty tables), in an instance of its own
 * that holds no data and is as closed as the sandbox. Anything that does not bind, or binds
 * otherwise, keeps the whole table.
 */
async function touchedColumns(input: SandboxInput, shown: string[], before: ColumnInfo[], limits: SandboxLimits): Promise<number[] | null> {
  const text = input.command.toLowerCase();
  const named = shown.flatMap((name, j) => {
    const lower = name.toLowerCase();
    return text.includes(lower) || text.includes(lower.replaceAll('"', '""')) ? [j] : [];
  });
  // A table has at least one column: a statement naming none (DELETE … WHERE rowid …) gets the first.
  const candidates = named.length ? named : [0];
  if (shown.length === 0 || candidates.length === shown.length) return null;
  const { instance, conn } = await openSandbox([], input.resultPath, limits, { optimizer: false });
  try {
    const plan = async (columns: number[]): Promise<string | null> => {
      try {
        await conn.run('DROP TABLE IF EXISTS df');
        await conn.run(`CREATE TABLE df (${columns.map((j) => `${ident(shown[j])} ${before[j].type}`).join(', ')})`);
        const reader = await conn.runAndReadAll(`EXPLAIN ${input.command}`);
        return JSON.stringify(reader.getRows());
      } catch {
        return null;
      }
    };
    const full = await plan(shown.map((_, j) => j));
    if (full === null) return null;
    const narrowed = await plan(candidates);
    return narrowed !== null && narrowed === full ? candidates : null;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * A query that maps df row by row: which result columns repeat a df column unchanged (its
 * index) and which are computed (-1), when at least one repeats; or a query that only keeps
 * some rows of df whole (`SELECT * FROM df WHERE …`, a deletion of the others); else null
 * (see sandbox-projection.ts). Decided on an empty df (`definitions`: its columns, as
 * createEmpty made them) in an instance of its own that holds no data, planned unoptimized,
 * as closed as the sandbox, within `ms`; anything that fails there is null, and the query
 * runs as written.
 */
async function projection(command: string, shown: string[], definitions: string[], resultColumns: number, resultPath: string, limits: SandboxLimits, ms: number): Promise<{ kind: 'columns'; kept: number[] } | { kind: 'filter' } | null> {
  const { instance, conn } = await openSandbox([], resultPath, limits, { optimizer: false });
  // Within the command's time: binding can take long (a chain of lateral aliases grows
  // exponentially). Interrupted, the query runs as written, and meets the limit there.
  const timer = setTimeout(() => conn.interrupt(), Math.max(0, ms));
  try {
    await conn.run(`CREATE TABLE df (${definitions.join(', ')})`);
    const tree = String((await conn.runAndReadAll(`SELECT json_serialize_sql(${literal(command)})`)).getRows()[0][0]);
    const kept = projectedColumns(tree, shown, resultColumns);
    const filter = !kept && resultColumns === shown.length && isRowFilter(tree, shown);
    if (!filter && (!kept || kept.every((k) => k < 0))) return null;
    const plan = String((await conn.runAndReadAll(`EXPLAIN (FORMAT json) ${command}`)).getRows()[0]?.[1]);
    if (filter) return isRowProjection(plan, { filter: true }) ? { kind: 'filter' } : null;
    return kept && isRowProjection(plan) ? { kind: 'columns', kept } : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * modify() for a df of some of the dataset's columns (`touched`, see touchedColumns):
 * an UPDATE writes the columns whose values changed and keeps the others; a DELETE writes
 * the positions of the rows it deleted (df was loaded in row order, so a row's rowid is its
 * position), and the dataset keeps every column file.
 */
async function modifyNarrowed(conn: DuckDBConnection, input: SandboxInput, kind: StatementKind, touched: number[], shown: string[], before: ColumnInfo[], resultNames: (sqlNames: string[]) => string[]): Promise<SandboxOutcome> {
  const rowsBefore = await count(conn);
  const prepared = await prepareChecked(conn, input.command);
  try {
    const done = await prepared.stream();
    if (done.returnType === ResultReturnType.CHANGED_ROWS && done.rowsChanged === 0) return { kind: 'unchanged' };
  } finally {
    prepared.destroySync();
  }
  if (kind === 'DELETE') {
    const rowsAfter = await count(conn);
    if (rowsAfter === rowsBefore) return { kind: 'unchanged' };
    // (df was loaded in row order: the rowids left are the kept positions, ascending.)
    const deleted = await copyDeleted(conn, 'SELECT rowid FROM df', rowsBefore, input);
    return { kind: 'deleted', deleted };
  }
  // UPDATE: a touched column still holding its old values keeps its file too.
  const source = `SELECT ${touched.map((j) => `s.${ident(shown[j])}`).join(', ')} FROM (${input.source}) AS s(${shown.map(ident).join(', ')})`;
  const checks = touched.map((j, k) => `bool_and(df.${ident(shown[j])} IS NOT DISTINCT FROM src.s${k}) AS k${k}`);
  const reader = await conn.runAndReadAll(`SELECT ${checks.join(', ')} FROM df POSITIONAL JOIN (${source}) AS src(${touched.map((_, k) => `s${k}`).join(', ')})`);
  const same = reader.getRowObjects()[0];
  const kept = shown.map((_, j) => j);
  touched.forEach((j, k) => {
    if (same[`k${k}`] === false) kept[j] = -1;
  });
  const written = touched.filter((j) => kept[j] < 0);
  const names = resultNames(before.map((c) => c.name));
  if (written.length === 0) return { kind: 'unchanged' };
  // (An UPDATE keeps the columns' types.)
  const rows = await copyOut(conn, `SELECT ${written.map((j) => `${ident(shown[j])} AS c${j}`).join(', ')} FROM df`, written, input, { names, types: before.map((c) => c.type) });
  return { kind: 'result', statement: kind, names, rows, kept };
}

/**
 * The column of the dataset each result column may still be: the one of the same name, else
 * the one at the same position (a rename), when the types match; -1 for none.
 */
function candidateColumns(before: ColumnInfo[], after: ColumnInfo[]): number[] {
  return after.map((c, j) => {
    const byName = before.findIndex((b) => b.name === c.name);
    const i = byName >= 0 ? byName : j;
    return i < before.length && before[i].type === c.type ? i : -1;
  });
}

// UPDATE and ALTER keep the rows: a column still holding exactly its old values need not be
// written (the engine keeps its file), so `UPDATE df SET a = …` writes one column and a
// rename none. The table is in memory; the old values are read from the files.
async function keptColumns(conn: DuckDBConnection, source: string, before: ColumnInfo[], after: ColumnInfo[]): Promise<number[]> {
  const candidates = candidateColumns(before, after);
  const checks = candidates.flatMap((i, j) => (i < 0 ? [] : [`bool_and(df.${ident(after[j].name)} IS NOT DISTINCT FROM src.s${i}) AS k${j}`]));
  if (checks.length === 0) return candidates;
  const reader = await conn.runAndReadAll(`SELECT ${checks.join(', ')} FROM df POSITIONAL JOIN (${source}) AS src(${before.map((_, i) => `s${i}`).join(', ')})`);
  const row = reader.getRowObjects()[0];
  // An empty table compares as NULL: every candidate holds the same (no) values.
  return candidates.map((i, j) => (i >= 0 && row[`k${j}`] !== false ? i : -1));
}

async function count(conn: DuckDBConnection): Promise<number> {
  return Number((await conn.runAndReadAll('SELECT count(*) FROM df')).getRows()[0][0]);
}

async function describe(conn: DuckDBConnection, table: string): Promise<ColumnInfo[]> {
  const reader = await conn.runAndReadAll(`SELECT * FROM ${table} LIMIT 0`);
  const types = reader.columnTypes();
  return reader.columnNames().map((name, i) => ({ name, type: types[i].toString() }));
}

/**
 * Write the positions of 0…rows-1 that `kept` (a query of one column: the kept positions,
 * ascending) leaves out to the result file, field c0, ascending; the number written. They
 * are the gaps between consecutive kept positions (and after the last, up to `rows`): read
 * by a streaming window from a table of the kept ones, with no join and no sort.
 */
async function copyDeleted(conn: DuckDBConnection, kept: string, rows: number, input: SandboxInput): Promise<number> {
  await conn.run(`CREATE TEMP TABLE __kept AS SELECT * FROM (${kept}) AS k(r)`);
  try {
    await conn.run(`INSERT INTO __kept VALUES (${rows})`);
    return await copyOut(conn, 'SELECT unnest(range(coalesce(lag(r) OVER () + 1, 0), r)) AS c0 FROM __kept', [0], input, null);
  } finally {
    await conn.run('DROP TABLE IF EXISTS __kept');
  }
}

// 128-bit integers (HUGEINT, UHUGEINT: what sum() of integers gives, and 2^64 and beyond)
// have no Parquet type: DuckDB would write them as DOUBLE, and 170141183460469231731687303715884105727
// would come back as 1.7014118346046923e38. A result column of such a type (also within a
// list or struct) is stored as BIGINT, exactly; a value beyond BIGINT's range fails the
// command (storing) rather than be rounded, and the user picks the type (DECIMAL(38,0) keeps
// 38 digits, VARCHAR every digit, DOUBLE rounds). DECIMAL(p,s) is stored as it is, exactly.
const HUGE = /\bU?HUGEINT\b/;
const HUGE_RULE = 'the dataset stores integers as BIGINT at most (HUGEINT and UHUGEINT have no exact file type: a result of those types is stored as BIGINT)';

/** Result column c<j> of type `type` as it is written: a 128-bit integer type as BIGINT (see HUGE). */
function stored(j: number, type: string): string {
  return HUGE.test(type) ? `CAST(c${j} AS ${type.replace(/\bU?HUGEINT\b/g, 'BIGINT')}) AS c${j}` : `c${j}`;
}

/** `write()`, with the failure of a 128-bit integer that does not fit in BIGINT (see stored) told as such. */
async function storing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    if (!/^Conversion Error: Type U?INT128 with value .* out of range for the destination type INT64/.test(message)) throw err;
    const value = /with value (-?\d+)/.exec(message)?.[1];
    throw new OperationError('command failed', `the result holds an integer beyond BIGINT's range${value ? ` (${value})` : ''}: ${HUGE_RULE}, and this value would be rounded; cast the column in the statement to the type to keep (::DECIMAL(38,0) keeps up to 38 digits, ::VARCHAR every digit, ::DOUBLE rounds); the dataset is unchanged`, { cause: err });
  }
}

/**
 * The result files of a result whose written columns number `columns`: `resultPath` holds the
 * first WIDE_GROUP of them, `<resultPath>-1.parquet` the next, and so on (see
 * column-groups.ts: one Parquet file of 10,000 columns needs 2.5 GB to write).
 */
export function resultFiles(resultPath: string, columns: number): string[] {
  const base = resultPath.replace(/\.parquet$/, '');
  return columnGroups(Math.max(1, columns)).map((_, g) => (g === 0 ? resultPath : `${base}-${g}.parquet`));
}

/** Widest result the sandbox may write (the files it may write are listed before the statement runs). */
export const MAX_RESULT_COLUMNS = 65_536;

/**
 * Our own COPY of a query into the result files; the number of rows written. `select` names
 * its columns c<j> for each j of `written` (in order); they go to resultFiles(). A wider
 * result is computed once into a table first, so that every file holds the same rows in the
 * same order whatever the query (random(), LIMIT without ORDER BY).
 * `cells`: the result's column names (users') and DuckDB types, by j, when its values are
 * cells of the next version: each is checked against input.maxCellBytes as it is written
 * (OperationError 'value too large' naming the column); null for the deleted positions.
 */
async function copyOut(conn: DuckDBConnection, select: string, written: number[], input: SandboxInput, cells: { names: string[]; types: string[] } | null): Promise<number> {
  if (written.length > MAX_RESULT_COLUMNS) throw new OperationError('too many columns', `the result has ${written.length} columns; a command may produce at most ${MAX_RESULT_COLUMNS}`);
  // The check goes into each COPY, over the columns of its file: around the query of a wide
  // result it would be one more operator holding vectors of every column, and queries of
  // 10,000 columns that fit in the command's memory limit without it ran out of memory.
  const copy = async (sql: string, columns: number[], file: string) => {
    const query = (cells && cellChecked(sql, columns.map((j) => ({ field: `c${j}`, type: cells.types[j] })), input.maxCellBytes)) ?? sql;
    try {
      const reader = await conn.runAndReadAll(`COPY (${query}) TO ${literal(file)} ${input.parquet}`);
      return Number(reader.getRows()[0][0]);
    } catch (err) {
      throw (cells && cellLimitError(err, (k) => cells.names[columns[k]], input.maxCellBytes)) || err;
    }
  };
  const files = resultFiles(input.resultPath, written.length);
  if (files.length === 1) return copy(select, written, input.resultPath);
  await conn.run(`CREATE TABLE __result AS ${select}`);
  try {
    let rows = 0;
    for (const [g, { from, to }] of columnGroups(written.length).entries()) {
      const columns = written.slice(from, to);
      rows = await copy(`SELECT ${columns.map((j) => `c${j}`).join(', ')} FROM __result`, columns, files[g]);
    }
    return rows;
  } finally {
    await conn.run('DROP TABLE IF EXISTS __result');
  }
}

async function withTimeLimit<T>(conn: DuckDBConnection, limits: SandboxLimits, ms: number, shown: ShownNames, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      conn.interrupt();
    },
    Math.max(0, ms),
  );
  const timeout = () => new OperationError('command timed out', `the command ran longer than its limit of ${limits.timeoutMs} ms and was stopped; the dataset is unchanged`);
  try {
    const result = await fn(conn);
    // An interrupt that landed between two calls may not have stopped anything: still a timeout.
    if (timedOut) throw timeout();
    return result;
  } catch (err) {
    if (timedOut) throw timeout();
    throw translate(err, limits, shown);
  } finally {
    clearTimeout(timer);
  }
}

/** The command as a prepared (bound, not run) statement, once it is known to be one allowed statement. */
async function prepareChecked(conn: DuckDBConnection, command: string): Promise<DuckDBPreparedStatement> {
  // (DuckDB's extractor fails without a message on text that holds no statement.)
  if (command.replace(/\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/|;/g, '') === '') throw new OperationError('invalid command', 'command holds no SQL statement');
  // Before DuckDB parses it: some of these it refuses only as unsupported syntax (ADD UNIQUE).
  const alter = leadingWord(command) === 'ALTER' ? alterRefusal(command) : null;
  if (alter) throw new OperationError('command refused', alter);
  const extracted = await conn.extractStatements(command).catch((err: unknown) => {
    throw invalid(err);
  });
  if (extracted.count === 0) throw new OperationError('invalid command', 'command holds no SQL statement');
  const leading = leadingWord(command);
  if (extracted.count > 1) {
    // DuckDB runs a PIVOT whose columns are not listed as two statements (an ENUM first).
    // DuckDB turns an ADD COLUMN whose DEFAULT calls a function (now(), random()) into several.
    const hint =
      leading === 'PIVOT'
        ? ' (a PIVOT needs an explicit IN list of values here)'
        : leading === 'ALTER'
          ? ' (DuckDB runs an ADD COLUMN whose DEFAULT calls a function, such as now() or random(), as several statements: give a constant DEFAULT, or ADD the column and then UPDATE df SET it)'
          : '';
    throw new OperationError('command refused', `command must be exactly one SQL statement, found ${extracted.count}${hint}; ${ALLOWED_TEXT}`);
  }
  if (!LEADING.has(leading)) throw refused(leading || 'this statement');
  const denied = deniedFunction(command) ?? refusedTableFunction(command, await functionKinds(conn));
  if (denied) throw notAvailable(denied);
  const prepared = await extracted.prepare(0);
  try {
    if (!ALLOWED.has(prepared.statementType)) throw refused(statementName(command, prepared.statementType));
    // What the text does not show, the plan does: a replacement scan (`FROM 'v0.parquet'`),
    // a catalog view (information_schema.tables reads duckdb_tables()), a table macro's body.
    // Bound, not run: nothing was read but the file's metadata (and external access allows
    // only df's own files, see openSandbox).
    const reader = await conn.runAndReadAll(`EXPLAIN (FORMAT json) ${command}`);
    const functions = reader.getRows().flatMap((row) => planTableFunctions(String(row[1])) ?? ['an unreadable plan']);
    const other = functions.find((f) => !ALLOWED_TABLE_FUNCTIONS.has(f));
    if (other) throw notAvailable(other, !sqlIdentifiers(command).some((id) => id.call && id.name === other));
  } catch (err) {
    prepared.destroySync();
    throw err;
  }
  return prepared;
}

function notAvailable(name: string, hidden = false): OperationError {
  // A function the text does not call: a string used as a table reads that file through it.
  const how = !hidden ? '' : name.startsWith('duckdb_') ? ' (reached without being named: catalog views such as information_schema.tables, sqlite_master or SHOW TABLES read it)' : ` (reached without being named: a string used as a table, FROM 'file', reads that file with it)`;
  return new OperationError('command refused', `${name}() is not available to commands${how}: executeCommand has no access to files, the network or extensions, nor to the server's settings, catalog or versions, only to the table df`);
}

let kinds: Promise<FunctionKinds> | null = null;

/** DuckDB's function names by kind (the same for every instance of this DuckDB: read once per process). */
function functionKinds(conn: DuckDBConnection): Promise<FunctionKinds> {
  kinds ??= conn
    .runAndReadAll(`SELECT function_name, function_type FROM duckdb_functions()`)
    .then((reader) => {
      const table = new Set<string>();
      const expression = new Set<string>();
      for (const [name, type] of reader.getRows()) {
        const t = String(type);
        if (t === 'table' || t === 'table_macro') table.add(String(name).toLowerCase());
        else if (t === 'scalar' || t === 'aggregate' || t === 'macro') expression.add(String(name).toLowerCase());
      }
      return { table, expression };
    })
    .catch((err: unknown) => {
      kinds = null;
      throw err;
    });
  return kinds;
}

/** The name each dataset column has in df, and the columns hidden behind each ambiguous spelling. */
/**
 * The result's column names from the SQL names of a statement's result: a column that
 * still has the name df showed a dataset column under (`id#2`) gets that column's own name
 * back (`id`). Names may then differ only in case; an empty or exactly repeated name is an
 * OperationError (the user names the columns, and decides which to keep).
 */
function resultNames(names: string[], shown: ShownNames): (sqlNames: string[]) => string[] {
  const original = new Map<string, string>();
  shown.names.forEach((s, j) => {
    if (s !== names[j]) original.set(s, names[j]);
  });
  return (sqlNames) => {
    const result = sqlNames.map((n) => original.get(n) ?? n);
    const seen = new Set<string>();
    for (const name of result) {
      if (name === '') throw new OperationError('invalid column name', 'the command result has a column without a name; give every column a name (… AS name)');
      if (seen.has(name)) throw new OperationError('duplicate column name', `the command result has two columns named ${JSON.stringify(name)}; column names must be unique (rename one with … AS other_name)`);
      seen.add(name);
    }
    return result;
  };
}

/**
 * When a statement failed because it wrote a name of an ambiguous spelling (df has no
 * column `id` when the dataset has `Id` and `id`), an error saying which columns it could
 * mean and how to write each; otherwise null. DuckDB names the missing column in its
 * message, quoted (or not, for UPDATE … SET).
 */
function ambiguityError(message: string, shown: ShownNames): OperationError | null {
  if (shown.ambiguous.size === 0) return null;
  const mentioned = [...message.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1].replaceAll('""', '"'));
  const update = /update column (.+?) not found/.exec(message);
  if (update) mentioned.push(update[1]);
  for (const name of mentioned) {
    const columns = shown.ambiguous.get(name.toLowerCase());
    if (!columns) continue;
    const how = columns.map((c) => `${ident(shown.renamed.get(c)!)} for ${JSON.stringify(c)}`).join(', ');
    return new OperationError(
      'ambiguous column name',
      `${JSON.stringify(name)} is ambiguous: the dataset has columns ${columns.map((c) => JSON.stringify(c)).join(' and ')}, whose names differ only in letter case, and SQL compares names without regard to case (quoted too). In commands write ${how}; in the result they keep their own names unless renamed (… AS other_name)`,
    );
  }
  return null;
}

/** The statement's first keyword, past comments and opening parentheses. */
function leadingWord(sql: string): string {
  const rest = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/|\()*/, '');
  return (/^[A-Za-z_]+/.exec(rest)?.[0] ?? '').toUpperCase();
}

function statementName(sql: string, type: StatementType): string {
  const word = leadingWord(sql);
  if (word === 'UPDATE' && type === StatementType.UPDATE_EXTENSIONS) return 'UPDATE EXTENSIONS';
  return word || StatementType[type] || 'this statement';
}

function refused(what: string): OperationError {
  return new OperationError('command refused', `${what} statements are not allowed: ${ALLOWED_TEXT}, without access to files, the network or extensions`);
}

function invalid(err: unknown): OperationError {
  const message = err instanceof Error ? err.message : String(err);
  // Errors quote the statement ("at or near …"): clientText cuts a line of a 100 KB statement short.
  return new OperationError('invalid command', `the command is not valid SQL: ${clientText(message.replace(/^Failed to extract statements: /, '').replace(/^Parser Error: /, ''), { userSql: true })}`, { cause: err });
}

// DuckDB's errors, as errors a person can act on: its reason, first line, without a path of
// the server or a name of ours (clientText); the full message is the cause, for the log.
// Anything already an OperationError passes.
function translate(err: unknown, limits: SandboxLimits, shown: ShownNames): unknown {
  if (err instanceof OperationError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const ambiguous = /^(Binder|Catalog) Error/.test(message) ? ambiguityError(message, shown) : null;
  if (ambiguous) return ambiguous;
  const m = /^([A-Za-z ]+?) Error: ?([\s\S]*)$/.exec(message);
  const kind = m?.[1] ?? '';
  const detail = clientText(m?.[2] ?? message, { names: shown.names, userSql: true });
  const cause = { cause: err };
  if (kind === 'Permission') {
    return new OperationError('command refused', `the command tried to reach a file, the network or a setting (${detail}); executeCommand has no access to files, the network or extensions, only to the table df`, cause);
  }
  if (kind === 'Out of Memory') {
    const disk = spillExhausted(message, limits) ? ` and more disk to spill to than its limit of ${spillLimitText(limits)}` : '';
    return new OperationError('command out of memory', `the command needed more memory than its limit of ${limits.memoryLimit}${disk} and was stopped (${detail}); the dataset is unchanged`, cause);
  }
  if (kind === 'Parser') return new OperationError('invalid command', `the command is not valid SQL: ${detail}`, cause);
  if (kind === 'INTERRUPT') return new OperationError('command timed out', `the command was stopped; the dataset is unchanged`);
  if (m) return new OperationError('command failed', `${kind} error: ${detail}`, cause);
  return err;
}

import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { ident } from './sql.ts';
import { OperationError } from '../operations/errors.ts';
import type { Db } from './duck.ts';

// executeCommand runs a user's SQL statement. The original ran arbitrary Python, i.e. gave
// every client remote code execution; here the statement runs in a DuckDB instance of its
// own, created for this one command and closed after it:
//
//  - the dataset is copied into it as the table `df` first, while it may still read files;
//    then external access is switched off (no files, no network, no ATTACH, no COPY), known
//    extensions can neither be installed nor autoloaded, and the configuration is locked so
//    the statement cannot switch anything back on (DuckDB refuses to re-enable these and,
//    once locked, to change any setting at all);
//  - it never gets a temp directory (no spilling to disk), so memory_limit is a real bound,
//    and it has its own thread count, so a runaway command cannot take over the engine;
//  - only one statement, of an allowed kind, is run; a timer interrupts it at the limit.
//
// The result comes back without the sandbox ever touching a file: its chunks are streamed
// through node-api and appended into a temp table of the job's own connection, from which
// the engine writes Parquet as it does for any other operation. (Writing a file from the
// sandbox would need a writable path it could also be told to use for anything else.)

export interface SandboxLimits {
  timeoutMs: number;
  /** DuckDB memory size, e.g. '1GB'. */
  memoryLimit: string;
  threads: number;
}

export type SandboxOutcome =
  /** A DML statement that touched no row: the dataset stays as it is. */
  | { kind: 'unchanged' }
  /** The new dataset, in a temp table of the target connection, rows in their new order. */
  | { kind: 'table'; table: string; names: string[]; rows: number };

// Statement kinds that produce the next dataset: a query replaces it, the others modify df.
const ALLOWED = new Map<StatementType, string>([
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
 * Run `command` over `df` (the rows of `source`, a SELECT the sandbox runs before locking
 * itself down) and put the resulting dataset into temp table `table` of `target`.
 * Every failure is an OperationError naming what went wrong; the caller's data is untouched.
 */
export async function runSandboxed(source: string, command: string, target: Db, table: string, limits: SandboxLimits): Promise<SandboxOutcome> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(limits.threads),
    memory_limit: limits.memoryLimit,
    // '' = no temp directory: nothing is ever spilled to disk, memory_limit holds.
    temp_directory: '',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    // Secrets stored on the machine (~/.duckdb/stored_secrets) stay out of reach.
    allow_persistent_secrets: 'false',
  });
  let conn: DuckDBConnection | undefined;
  try {
    conn = await instance.connect();
    try {
      await conn.run(`CREATE TABLE df AS ${source}`);
    } catch (err) {
      if (!/^Out of Memory Error/.test(err instanceof Error ? err.message : '')) throw err;
      throw new OperationError('command out of memory', `the dataset does not fit in the memory a command may use (${limits.memoryLimit}); the dataset is unchanged`);
    }
    // Order matters: external access off first, the lock last (it freezes every setting).
    await conn.run('SET enable_external_access = false');
    await conn.run('SET lock_configuration = true');
    return await withTimeLimit(conn, limits, (c) => runChecked(c, command, target, table));
  } finally {
    conn?.closeSync();
    instance.closeSync();
  }
}

async function withTimeLimit<T>(conn: DuckDBConnection, limits: SandboxLimits, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.interrupt();
  }, limits.timeoutMs);
  const timeout = () => new OperationError('command timed out', `the command ran longer than its limit of ${limits.timeoutMs} ms and was stopped; the dataset is unchanged`);
  try {
    const result = await fn(conn);
    // An interrupt that landed between two calls may not have stopped anything: still a timeout.
    if (timedOut) throw timeout();
    return result;
  } catch (err) {
    if (timedOut) throw timeout();
    throw translate(err, limits);
  } finally {
    clearTimeout(timer);
  }
}

async function runChecked(conn: DuckDBConnection, command: string, target: Db, table: string): Promise<SandboxOutcome> {
  // (DuckDB's extractor fails without a message on text that holds no statement.)
  if (command.replace(/\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/|;/g, '') === '') throw new OperationError('invalid command', 'command holds no SQL statement');
  const extracted = await conn.extractStatements(command).catch((err: unknown) => {
    throw invalid(err);
  });
  if (extracted.count === 0) throw new OperationError('invalid command', 'command holds no SQL statement');
  const leading = leadingWord(command);
  if (extracted.count > 1) {
    // DuckDB runs a PIVOT whose columns are not listed as two statements (an ENUM first).
    const hint = leading === 'PIVOT' ? ' (a PIVOT needs an explicit IN list of values here)' : '';
    throw new OperationError('command refused', `command must be exactly one SQL statement, found ${extracted.count}${hint}; ${ALLOWED_TEXT}`);
  }
  if (!LEADING.has(leading)) throw refused(leading || 'this statement');
  const prepared = await extracted.prepare(0);
  try {
    const kind = ALLOWED.get(prepared.statementType);
    if (!kind) throw refused(statementName(command, prepared.statementType));
    if (kind === 'SELECT') {
      const result = await prepared.stream();
      return await transfer(result, target, table);
    }
    const done = await prepared.run();
    if (DML.has(prepared.statementType) && done.rowsChanged === 0) return { kind: 'unchanged' };
  } finally {
    prepared.destroySync();
  }
  let result: DuckDBResult;
  try {
    result = await conn.stream('SELECT * FROM df');
  } catch {
    throw new OperationError('command refused', 'the command must leave the table df in place (it renamed or dropped it); the dataset is unchanged');
  }
  return transfer(result, target, table);
}

/** Stream a sandbox result into a new temp table of `target`, chunk by chunk, types unchanged. */
async function transfer(result: DuckDBResult, target: Db, table: string): Promise<SandboxOutcome> {
  const names = result.columnNames();
  checkNames(names);
  const types = result.columnTypes();
  // DuckDB types print as SQL (struct fields and enum members quoted), so they round-trip.
  await target.run(`CREATE TEMP TABLE ${ident(table)} (${names.map((n, i) => `${ident(n)} ${types[i].toString()}`).join(', ')})`);
  let rows = 0;
  try {
    const appender = await target.connection.createAppender(table, 'main', 'temp');
    try {
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        appender.appendDataChunk(chunk);
        rows += chunk.rowCount;
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  } catch (err) {
    // A half-filled table must not outlive a failed command (applyOperations keeps the connection).
    await target.run(`DROP TABLE IF EXISTS temp.main.${ident(table)}`).catch(() => undefined);
    throw err;
  }
  return { kind: 'table', table, names, rows };
}

function checkNames(names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw new OperationError('invalid column name', 'the command result has a column without a name; give every column a name (… AS name)');
    if (seen.has(name)) throw new OperationError('duplicate column name', `the command result has two columns named ${JSON.stringify(name)}; column names must be unique (rename one with … AS other_name)`);
    seen.add(name);
  }
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
  return new OperationError('invalid command', `the command is not valid SQL: ${firstLine(message.replace(/^Failed to extract statements: /, '').replace(/^Parser Error: /, ''))}`);
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

// DuckDB's errors, as errors a person can act on. Anything already an OperationError passes.
function translate(err: unknown, limits: SandboxLimits): unknown {
  if (err instanceof OperationError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const m = /^([A-Za-z ]+?) Error: ?([\s\S]*)$/.exec(message);
  const kind = m?.[1] ?? '';
  const detail = firstLine(m?.[2] ?? message);
  if (kind === 'Permission') {
    return new OperationError('command refused', `the command tried to reach a file, the network or a setting (${detail}); executeCommand has no access to files, the network or extensions, only to the table df`);
  }
  if (kind === 'Out of Memory') {
    return new OperationError('command out of memory', `the command needed more memory than its limit of ${limits.memoryLimit} and was stopped (${detail}); the dataset is unchanged`);
  }
  if (kind === 'Parser') return new OperationError('invalid command', `the command is not valid SQL: ${detail}`);
  if (kind === 'INTERRUPT') return new OperationError('command timed out', `the command was stopped; the dataset is unchanged`);
  if (m) return new OperationError('command failed', `${kind} error: ${detail}`);
  return err;
}

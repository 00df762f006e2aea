import fs from 'node:fs/promises';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createRuntime, closeRuntime, type Runtime } from '../../src/worker/runtime.ts';
import { executeJob } from '../../src/worker/executor.ts';
import { importDataset } from '../../src/engine/import/index.ts';
import { importOptionsSchema } from '../../src/engine/import/types.ts';
import { newSessionId } from '../../src/store/session-id.ts';
import { Dataset } from '../../src/engine/dataset.ts';
import { ident, literal } from '../../src/engine/sql.ts';
import { jsonValue } from '../../src/engine/json-values.ts';
import { apiType } from '../../src/engine/column-types.ts';

/**
 * Operations without the network: a runtime with its own DATA_DIR, datasets imported from
 * text, and jobs run by the same executor the queue uses. For operation tests; the
 * over-the-wire tests use helpers/server.ts.
 */
export interface EngineHarness {
  rt: Runtime;
  /** Import a file's content (CSV by default) as a new session. */
  load(content: string | Buffer, filename?: string, fields?: Record<string, string>): Promise<string>;
  /** A session whose first version is the result of a SELECT (fast large datasets for measurements). */
  loadSql(select: string, options?: { rowGroupRows?: number }): Promise<string>;
  /**
   * Import a CSV in which the field `NAN` stands for a NaN value: pandas (and the import)
   * read `NAN` as text, but NaN still reaches float columns by other ways (commands,
   * conversions), and operations must treat it as missing. A text column whose values are
   * all numbers or `NAN` becomes a float column holding NaN there.
   */
  loadWithNaN(content: string): Promise<string>;
  /**
   * Run an operation like a client request; resolves with the response message, `changed`
   * false where the message has none (reads, failures), and `dataChanged`: whether the
   * gateway sends that event after it.
   */
  run(sessionId: string, operation: string, params?: Record<string, unknown>): Promise<Record<string, any> & { changed: boolean; dataChanged: boolean }>;
  /** Like run, but throws when the response is not a success. */
  ok(sessionId: string, operation: string, params?: Record<string, unknown>): Promise<Record<string, any>>;
  /** The current dataset: column names, API types and rows as JSON values (dates ISO, missing null). */
  table(sessionId: string): Promise<{ columns: string[]; types: string[]; rows: unknown[][] }>;
  /** One column's values. */
  column(sessionId: string, name: string): Promise<unknown[]>;
  close(): Promise<void>;
}

/** A new session of `rt` whose first version is the result of a SELECT (large datasets in a second). */
export async function sessionFromSelect(rt: Runtime, select: string, { rowGroupRows }: { rowGroupRows?: number } = {}): Promise<string> {
  const sessionId = newSessionId();
  await rt.store.prepare(sessionId);
  const { file, path: target } = rt.store.newFile(sessionId);
  return rt.duck.withConnection(async (db) => {
    const described = await db.describe(`(${select})`);
    const fields = described.map((d, i) => `${ident(d.name)} AS c${i}`).join(', ');
    const rows = Number(await db.scalar(`COPY (SELECT ${fields} FROM (${select})) TO ${literal(target)} (FORMAT parquet${rowGroupRows === undefined ? '' : `, ROW_GROUP_SIZE ${rowGroupRows}`})`));
    const { size } = await fs.stat(target);
    await rt.store.create(sessionId, { rows, columns: described.map((d, i) => ({ name: d.name, file, field: `c${i}`, type: d.type })), operations: [], bytesWritten: size });
    return sessionId;
  });
}

export async function engineHarness(overrides: Partial<Config> = {}): Promise<EngineHarness> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-engine-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', DUCKDB_MEMORY_LIMIT: '1GB', READ_WAIT_MS: '0' }, overrides);
  const rt = await createRuntime(config, createLogger(config.LOG_LEVEL));
  let n = 0;
  const harness: EngineHarness = {
    rt,
    async load(content, filename = 'data.csv', fields = {}) {
      const sessionId = newSessionId();
      const file = path.join(dir, `upload-${++n}`);
      await fs.writeFile(file, content);
      await importDataset(rt, sessionId, { path: file, filename }, importOptionsSchema.parse(fields));
      return sessionId;
    },
    async loadSql(select, options) {
      return sessionFromSelect(rt, select, options);
    },
    async loadWithNaN(content) {
      const imported = await harness.load(content);
      const t = await harness.table(imported);
      const { manifest } = await rt.store.current(imported);
      const ds = new Dataset(manifest, rt.store.filesDir(imported));
      const number = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
      const floats = t.columns.map((_, i) => t.types[i] === 'string' && t.rows.some((r) => r[i] === 'NAN') && t.rows.every((r) => r[i] === null || r[i] === 'NAN' || number.test(String(r[i]))));
      const outputs = ds.columns.map((c, i) => `${floats[i] ? `CAST(${ds.ref(i)} AS DOUBLE)` : ds.ref(i)} AS ${ident(c.name)}`);
      return harness.loadSql(`SELECT ${outputs.join(', ')} FROM (${ds.select({ withPosition: true })}) ORDER BY __pos`);
    },
    async run(sessionId, operation, params = {}) {
      const result = await executeJob(rt, { operation, sessionID: sessionId, requestID: `t${++n}`, body: { operation, sessionID: sessionId, requestID: `t${n}`, ...params } });
      return { ...result.message, changed: result.message.changed === true, dataChanged: result.dataChanged };
    },
    async ok(sessionId, operation, params = {}) {
      const res = await harness.run(sessionId, operation, params);
      if (!res.success) throw new Error(`${operation} failed: ${res.error}: ${res.errorDescription}`);
      return res;
    },
    async table(sessionId) {
      const { manifest } = await rt.store.current(sessionId);
      const ds = new Dataset(manifest, rt.store.filesDir(sessionId));
      const columns = ds.names;
      const types = ds.columns.map((c) => apiType(c.type));
      if (columns.length === 0) return { columns, types, rows: [] };
      return rt.duck.withConnection(async (db) => {
        const exprs = ds.columns.map((c, i) => jsonValue(ds.sqlName(i), c.type));
        const json = await db.scalar(`SELECT coalesce(list(json_array(${exprs.join(', ')}) ORDER BY __pos), [])::VARCHAR FROM (${ds.select({ withPosition: true })})`);
        return { columns, types, rows: JSON.parse(String(json)) as unknown[][] };
      });
    },
    async column(sessionId, name) {
      const t = await harness.table(sessionId);
      const i = t.columns.indexOf(name);
      if (i < 0) throw new Error(`no column ${name} in ${t.columns.join(', ')}`);
      return t.rows.map((r) => r[i]);
    },
    async close() {
      await closeRuntime(rt);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}


/** Assert that an operation is refused with the given error code (the message names the parameters). */
export async function expectFailure(h: EngineHarness, sessionId: string, operation: string, params: Record<string, unknown>, error: string): Promise<void> {
  const res = await h.run(sessionId, operation, params);
  assert.equal(res.success, false, JSON.stringify(params));
  assert.equal(res.error, error, JSON.stringify(params));
}

/**
 * Append a key column to a CSV text: the rows of a one-column CSV with a missing value would
 * be blank lines, which pandas (and the importer) skip rather than read as missing.
 */
export function withKeyColumn(csv: string): string {
  const lines = csv.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => `${line},${i === 0 ? 'k' : i}`).join('\n') + '\n';
}

/** Long sequences compared value by value, reporting the first difference (a diff of 400,000 values takes minutes). */
export function sameSequence(actual: unknown[], expected: unknown[]): void {
  assert.equal(actual.length, expected.length);
  const at = actual.findIndex((v, i) => v !== expected[i]);
  assert.equal(at, -1, `first difference at row ${at}: ${String(actual[at])} instead of ${String(expected[at])}`);
}

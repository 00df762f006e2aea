import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { runSandboxed, type SandboxInput } from './sandbox.ts';
import { OperationError } from '../operations/errors.ts';
import { ALLOWED_TABLE_FUNCTIONS } from './sql-identifiers.ts';

// The statement checker on its own: these files are in the sandbox's allowed_paths (as df's
// files are), so only the check of the statement's text and plan stands between a command
// and them. (executeCommand also links df's files under random names; see
// execute-command.test.ts for the end-to-end refusals.)
describe('commands reach no file, whatever the function or form', () => {
  let dir: string;
  let parquet: string;
  let csv: string;
  let json: string;
  const limits = { timeoutMs: 10_000, memoryLimit: '256MB', threads: 1 };
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-fns-'));
    parquet = path.join(dir, 'raw.parquet');
    csv = path.join(dir, 'raw.csv');
    json = path.join(dir, 'raw.json');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run(`COPY (SELECT range::INTEGER AS id, 'hidden' || range AS s, [range] AS l FROM range(3)) TO '${parquet}' (FORMAT parquet)`);
    conn.closeSync();
    instance.closeSync();
    await fs.writeFile(csv, 'id,s\n9,hidden\n');
    await fs.writeFile(json, '{"id": 9, "s": "hidden"}\n');
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function run(command: string) {
    const resultPath = path.join(dir, `result-${Math.random().toString(36).slice(2)}.parquet`);
    const input: SandboxInput = { command, source: `SELECT * FROM read_parquet('${parquet}') WHERE id > 0`, names: ['id', 's', 'l'], files: [parquet, csv, json], resultPath, parquet: '(FORMAT parquet)', maxCellBytes: 1_000_000 };
    try {
      return await runSandboxed(input, limits);
    } finally {
      await fs.rm(resultPath, { force: true });
    }
  }

  test('every table function that reads files, the catalog or SQL text is refused by name, in any clause or statement', async () => {
    const P = `'${parquet}'`;
    const C = `'${csv}'`;
    const J = `'${json}'`;
    const cases: [string, string][] = [
      [`SELECT * FROM read_parquet(${P}, filename=true)`, 'read_parquet'],
      [`SELECT * FROM read_parquet([${P}, ${P}], union_by_name=true)`, 'read_parquet'],
      [`SELECT * FROM parquet_scan(${P})`, 'parquet_scan'],
      [`SELECT * FROM parquet_metadata(${P})`, 'parquet_metadata'],
      [`SELECT * FROM parquet_schema(${P})`, 'parquet_schema'],
      [`SELECT * FROM parquet_file_metadata(${P})`, 'parquet_file_metadata'],
      [`SELECT * FROM parquet_kv_metadata(${P})`, 'parquet_kv_metadata'],
      [`SELECT * FROM parquet_full_metadata(${P})`, 'parquet_full_metadata'],
      [`SELECT * FROM read_csv(${C})`, 'read_csv'],
      [`SELECT * FROM read_csv_auto(${C})`, 'read_csv_auto'],
      [`SELECT * FROM sniff_csv(${C})`, 'sniff_csv'],
      [`SELECT * FROM read_json(${J})`, 'read_json'],
      [`SELECT * FROM read_json_auto(${J})`, 'read_json_auto'],
      [`SELECT * FROM read_json_objects(${J})`, 'read_json_objects'],
      [`SELECT * FROM read_ndjson(${J})`, 'read_ndjson'],
      [`SELECT * FROM read_ndjson_auto(${J})`, 'read_ndjson_auto'],
      [`SELECT * FROM read_ndjson_objects(${J})`, 'read_ndjson_objects'],
      [`SELECT * FROM read_text(${C})`, 'read_text'],
      [`SELECT * FROM read_blob(${P})`, 'read_blob'],
      [`SELECT * FROM read_duckdb(${P})`, 'read_duckdb'],
      [`SELECT * FROM glob(${P})`, 'glob'],
      [`SELECT * FROM query_table(${P})`, 'query_table'],
      [`SELECT * FROM query('SELECT 1')`, 'query'],
      [`SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))`, 'json_execute_serialized_sql'],
      [`SELECT * FROM checkpoint()`, 'checkpoint'],
      [`SELECT * FROM seq_scan()`, 'seq_scan'],
      // other schemas, quoted names
      [`SELECT * FROM system.main.read_parquet(${P})`, 'read_parquet'],
      [`SELECT * FROM main.read_csv(${C})`, 'read_csv'],
      [`SELECT * FROM "read_csv" /* c */ (${C})`, 'read_csv'],
      // replacement scans: a string as a table
      [`SELECT * FROM ${P}`, 'parquet_scan'],
      [`FROM ${C}`, 'read_csv_auto'],
      [`SELECT * FROM ${J}`, 'read_json_auto'],
      [`SELECT * FROM df, ${P} AS raw`, 'parquet_scan'],
      // in a WHERE clause, a subquery, a CTE, UPDATE … FROM, INSERT … SELECT, DELETE
      [`SELECT * FROM df WHERE s IN (SELECT s FROM ${P})`, 'parquet_scan'],
      [`SELECT * FROM df WHERE EXISTS (SELECT 1 FROM read_csv(${C}))`, 'read_csv'],
      [`SELECT (SELECT max(s) FROM ${P}) AS m FROM df`, 'parquet_scan'],
      [`WITH raw AS (FROM ${P}) SELECT * FROM raw`, 'parquet_scan'],
      [`WITH raw AS (FROM read_parquet(${P})) SELECT * FROM df JOIN raw USING (id)`, 'read_parquet'],
      [`UPDATE df SET s = raw.s FROM ${P} AS raw WHERE raw.id = df.id`, 'parquet_scan'],
      [`UPDATE df SET s = (SELECT max(s) FROM read_parquet(${P}))`, 'read_parquet'],
      [`INSERT INTO df SELECT * FROM ${P}`, 'parquet_scan'],
      [`INSERT INTO df SELECT * FROM read_parquet(${P})`, 'read_parquet'],
      [`DELETE FROM df WHERE id IN (SELECT id FROM ${C})`, 'read_csv_auto'],
      // catalog views read the catalog's table functions
      ['SELECT * FROM information_schema.tables', 'duckdb_tables'],
      ['SELECT view_definition FROM information_schema.views', 'duckdb_views'],
      ['SELECT sql FROM sqlite_master', 'duckdb_tables'],
      ['SHOW TABLES', 'duckdb_tables'],
      // a table macro whose body reaches a file
      [`SELECT * FROM histogram(${P}, id)`, 'parquet_scan'],
    ];
    for (const [sql, fn] of cases) {
      await assert.rejects(run(sql), (err: unknown) => {
        assert.ok(err instanceof OperationError, `${sql}: ${String(err)}`);
        assert.equal(err.code, 'command refused', `${sql}: ${err.message}`);
        assert.match(err.message, new RegExp(`^${fn}\\(\\) is not available to commands`), sql);
        assert.doesNotMatch(err.message, /hidden/, sql);
        return true;
      });
    }
  });

  test('generators and ordinary queries over df keep working', async () => {
    const ok: [string, number][] = [
      ['SELECT * FROM range(3)', 3],
      ['SELECT * FROM generate_series(1, 4)', 4],
      ['SELECT * FROM unnest([1, 2, 3])', 3],
      ['SELECT unnest(l) AS v, s FROM df', 2],
      ['SELECT * FROM df, range(2) AS r(k)', 4],
      ["SELECT repeat(s, 2) AS r FROM df", 2],
      ['SELECT * FROM repeat(7, 3)', 3],
      ["SELECT * FROM json_each('[1, 2]')", 2],
      ['SELECT id, s, row_number() OVER (ORDER BY id DESC) AS n, sum(id) OVER () AS total FROM df', 2],
      ['WITH t AS (SELECT id * 2 AS d FROM df) SELECT d FROM t WHERE d > 2', 1],
      ['SELECT * FROM df WHERE id IN (SELECT range FROM range(2))', 1],
      ["SELECT * FROM histogram('df', id)", 2],
      ['DESCRIBE df', 3],
      ['SUMMARIZE df', 3],
      ['UPDATE df SET s = (SELECT max(range)::VARCHAR FROM range(5))', 2],
      ['INSERT INTO df SELECT range, range::VARCHAR, [range] FROM range(4)', 6],
      ['DELETE FROM df WHERE id IN (SELECT * FROM generate_series(2, 2))', 1],
    ];
    for (const [sql, rows] of ok) {
      const out = await run(sql);
      assert.ok(out.kind === 'result' || out.kind === 'deleted', `${sql}: ${JSON.stringify(out)}`);
      if (out.kind === 'result') assert.equal(out.rows, rows, sql);
      else assert.equal(out.deleted, 1, sql);
    }
  });

  test('the allow-list holds only generators, each still a table function of this DuckDB', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const reader = await conn.runAndReadAll(`SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro')`);
      const names = new Set(reader.getRows().map((r) => String(r[0])));
      for (const name of ALLOWED_TABLE_FUNCTIONS) assert.ok(names.has(name), name);
      assert.ok(names.size > 50, 'the others are refused');
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

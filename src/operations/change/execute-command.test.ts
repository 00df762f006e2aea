import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { openSandbox } from '../../engine/sandbox.ts';
import { Dataset } from '../../engine/dataset.ts';
import { lastCommandMemory } from '../../engine/sandbox-process.ts';
import { assertNoHost } from '../../../test/helpers/host.ts';

const CSV = 'a,x,f\n1,p,1.5\n-2,q,2.5\n3,r,\n';

async function snapshot(h: EngineHarness, id: string) {
  return { table: await h.table(id), state: await h.rt.store.state(id) };
}

async function command(h: EngineHarness, id: string, sql: string) {
  return h.run(id, 'executeCommand', { command: sql });
}

describe('executeCommand: statements over df', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a SELECT replaces the dataset with its result', async () => {
    const id = await h.load(CSV);
    const res = await command(h, id, 'SELECT *, a*2 AS b FROM df WHERE a > 0');
    assert.equal(res.success, true, JSON.stringify(res));
    assert.equal(res.changed, true);
    assert.deepEqual(await h.table(id), {
      columns: ['a', 'x', 'f', 'b'],
      types: ['int', 'string', 'float', 'int'],
      rows: [
        [1, 'p', 1.5, 2],
        [3, 'r', null, 6],
      ],
    });
    // undo brings the original back
    await h.ok(id, 'undo');
    assert.deepEqual((await h.table(id)).rows, [
      [1, 'p', 1.5],
      [-2, 'q', 2.5],
      [3, 'r', null],
    ]);
  });

  test('WITH … SELECT, FROM-first and ORDER BY (the result order is the new row order)', async () => {
    const id = await h.load(CSV);
    await h.ok(id, 'executeCommand', { command: 'WITH t AS (SELECT a, x FROM df) SELECT x, a FROM t ORDER BY a DESC' });
    assert.deepEqual(await h.table(id), { columns: ['x', 'a'], types: ['string', 'int'], rows: [['r', 3], ['p', 1], ['q', -2]] });
    await h.ok(id, 'executeCommand', { command: 'FROM df WHERE a < 3' });
    assert.deepEqual((await h.table(id)).rows, [['p', 1], ['q', -2]]);
  });

  test('column types survive the sandbox', async () => {
    const id = await h.load(CSV);
    await h.ok(id, 'executeCommand', {
      command: `SELECT a, a::DOUBLE / 4 AS d, x, a > 0 AS pos, TIMESTAMP '2021-03-04 05:06:07' + to_days(a::INTEGER) AS ts,
                DATE '2020-02-28' + a::INTEGER AS day, NULL::BIGINT AS missing FROM df`,
    });
    const { manifest } = await h.rt.store.current(id);
    assert.deepEqual(
      manifest.columns.map((c) => c.type),
      ['BIGINT', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'TIMESTAMP', 'DATE', 'BIGINT'],
    );
    assert.deepEqual(await h.table(id), {
      columns: ['a', 'd', 'x', 'pos', 'ts', 'day', 'missing'],
      types: ['int', 'float', 'string', 'bool', 'datetime', 'datetime', 'int'],
      rows: [
        [1, 0.25, 'p', true, '2021-03-05T05:06:07.000', '2020-02-29T00:00:00.000', null],
        [-2, -0.5, 'q', false, '2021-03-02T05:06:07.000', '2020-02-26T00:00:00.000', null],
        [3, 0.75, 'r', true, '2021-03-07T05:06:07.000', '2020-03-02T00:00:00.000', null],
      ],
    });
  });

  test('UPDATE modifies df in place and writes only the column it changed', async () => {
    const id = await h.load(CSV);
    const first = (await h.rt.store.current(id)).manifest;
    const res = await command(h, id, 'UPDATE df SET a = a + 1');
    assert.equal(res.success, true, JSON.stringify(res));
    assert.deepEqual(await h.column(id, 'a'), [2, -1, 4]);
    assert.deepEqual(await h.column(id, 'x'), ['p', 'q', 'r']);
    const { manifest } = await h.rt.store.current(id);
    assert.notEqual(manifest.columns[0].file, first.columns[0].file);
    assert.deepEqual(manifest.columns.slice(1), first.columns.slice(1), 'unchanged columns keep their files');
    await h.ok(id, 'undo');
    assert.deepEqual(await h.column(id, 'a'), [1, -2, 3]);
  });

  test('ALTER TABLE ADD COLUMN, RENAME COLUMN (free), DROP COLUMN', async () => {
    const id = await h.load(CSV);
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df ADD COLUMN c INTEGER' });
    assert.deepEqual(await h.table(id), {
      columns: ['a', 'x', 'f', 'c'],
      types: ['int', 'string', 'float', 'int'],
      rows: [
        [1, 'p', 1.5, null],
        [-2, 'q', 2.5, null],
        [3, 'r', null, null],
      ],
    });
    assert.equal((await h.rt.store.current(id)).manifest.columns[3].type, 'INTEGER');
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df RENAME COLUMN x TO label' });
    const { manifest } = await h.rt.store.current(id);
    assert.equal(manifest.bytesWritten, 0, 'a rename points at the existing file');
    assert.deepEqual(await h.column(id, 'label'), ['p', 'q', 'r']);
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df DROP COLUMN c' });
    assert.deepEqual((await h.table(id)).columns, ['a', 'label', 'f']);
  });

  test('every ALTER TABLE form either takes effect or is refused by name', async () => {
    const id = await h.load(CSV);
    const before = await snapshot(h, id);
    // What a table keeps for later statements and a dataset of plain columns cannot:
    // before, the first ones answered success without any effect.
    const refusedForms: [string, RegExp][] = [
      ['ALTER TABLE df ALTER COLUMN a SET DEFAULT 9', /SET DEFAULT is not supported/],
      ['ALTER TABLE df ALTER a DROP DEFAULT', /DROP DEFAULT is not supported/],
      ['ALTER TABLE df ADD PRIMARY KEY (a)', /ADD PRIMARY KEY is not supported/],
      ['ALTER TABLE df ALTER COLUMN a SET NOT NULL', /SET NOT NULL is not supported/],
      ['ALTER TABLE df ALTER COLUMN f SET NOT NULL', /SET NOT NULL is not supported/],
      ['ALTER TABLE df ALTER COLUMN a DROP NOT NULL', /DROP NOT NULL is not supported/],
      ['ALTER TABLE df ADD UNIQUE (a)', /ADD UNIQUE is not supported/],
      ['ALTER TABLE df ADD CHECK (a > 0)', /ADD CHECK is not supported/],
      ['ALTER TABLE df ADD CONSTRAINT pos CHECK (a > 0)', /ADD CONSTRAINT is not supported/],
      ['ALTER TABLE df ADD FOREIGN KEY (a) REFERENCES df (a)', /ADD FOREIGN KEY is not supported/],
      ['ALTER TABLE df DROP CONSTRAINT pos', /DROP CONSTRAINT is not supported/],
      ['ALTER TABLE df ALTER x SET STATISTICS 5', /SET STATISTICS is not supported/],
      ['ALTER TABLE df ALTER x TYPE VARCHAR COLLATE nocase', /COLLATE is not supported/],
      ['ALTER TABLE df ADD COLUMN y VARCHAR COLLATE nocase', /COLLATE is not supported/],
      ['ALTER TABLE df SET PARTITIONED BY (a)', /SET PARTITIONED BY is not supported/],
      ['ALTER TABLE df SET SORTED BY (a)', /SET SORTED BY is not supported/],
      ['ALTER TABLE df RESET PARTITIONED BY', /RESET PARTITIONED BY is not supported/],
      ['ALTER TABLE df SET (fillfactor = 1)', /SET .*is not supported/],
      ['ALTER TABLE df ALTER a TYPE HUGEINT', /TYPE HUGEINT\/UHUGEINT would have no effect/],
      ['ALTER VIEW df RENAME TO v', /ALTER VIEW is not supported/],
      ['ALTER TABLE df RENAME TO gone', /must leave the table df in place/],
    ];
    for (const [sql, description] of refusedForms) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, 'command refused', `${sql}: ${res.error} ${res.errorDescription}`);
      assert.match(res.errorDescription, description, sql);
    }
    assert.deepEqual(await snapshot(h, id), before);
    // The forms that change the columns take effect.
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df ADD COLUMN n INTEGER DEFAULT 5' });
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE IF EXISTS df ADD m VARCHAR' });
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df ALTER COLUMN n SET DATA TYPE VARCHAR' });
    await h.ok(id, 'executeCommand', { command: "ALTER TABLE df ALTER a TYPE VARCHAR USING a || '!'" });
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df RENAME m TO mm' });
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df DROP mm' });
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df ADD COLUMN s STRUCT(p INTEGER)' });
    await h.ok(id, 'executeCommand', { command: 'ALTER TABLE df ADD COLUMN s.q VARCHAR' });
    assert.deepEqual((await h.rt.store.current(id)).manifest.columns.map((c) => `${c.name} ${c.type}`), ['a VARCHAR', 'x VARCHAR', 'f DOUBLE', 'n VARCHAR', 's STRUCT(p INTEGER, q VARCHAR)']);
    assert.deepEqual(await h.column(id, 'a'), ['1!', '-2!', '3!']);
    assert.deepEqual(await h.column(id, 'n'), ['5', '5', '5']);
  });

  test('128-bit integers are stored exactly as BIGINT, or the command fails; DECIMAL keeps its type', async () => {
    const id = await h.load(CSV);
    // sum() of integers is a HUGEINT: before, it was stored as DOUBLE.
    await h.ok(id, 'executeCommand', { command: "SELECT sum(a) AS s, 9223372036854775807::HUGEINT AS top, [1::UHUGEINT] AS l, {'v': -5::HUGEINT} AS st, 12345678901234567890123456789.123456789::DECIMAL(38,9) AS d FROM df" });
    const { manifest } = await h.rt.store.current(id);
    assert.deepEqual(manifest.columns.map((c) => c.type), ['BIGINT', 'BIGINT', 'BIGINT[]', 'STRUCT(v BIGINT)', 'DECIMAL(38,9)']);
    await h.ok(id, 'executeCommand', { command: 'SELECT top::VARCHAR AS top, d::VARCHAR AS d FROM df' });
    assert.deepEqual((await h.table(id)).rows, [['9223372036854775807', '12345678901234567890123456789.123456789']]);
    const before = await snapshot(h, id);
    for (const sql of ['SELECT 170141183460469231731687303715884105727::HUGEINT AS h', 'SELECT 18446744073709551615::UHUGEINT AS u', 'SELECT [9223372036854775808::HUGEINT] AS l']) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, 'command failed', `${sql}: ${res.errorDescription}`);
      assert.match(res.errorDescription, /integer beyond BIGINT's range .*::VARCHAR every digit/, sql);
    }
    assert.deepEqual(await snapshot(h, id), before);
    // Cast as the message says, every digit is kept.
    await h.ok(id, 'executeCommand', { command: 'SELECT 170141183460469231731687303715884105727::HUGEINT::VARCHAR AS h' });
    assert.deepEqual((await h.table(id)).rows, [['170141183460469231731687303715884105727']]);
  });

  test('DELETE and INSERT change the rows; positions are renumbered', async () => {
    const id = await h.load(CSV);
    await h.ok(id, 'executeCommand', { command: 'DELETE FROM df WHERE a < 0' });
    assert.deepEqual((await h.table(id)).rows, [
      [1, 'p', 1.5],
      [3, 'r', null],
    ]);
    await h.ok(id, 'executeCommand', { command: "INSERT INTO df VALUES (7, 's', 0.5)" });
    assert.deepEqual((await h.table(id)).rows, [
      [1, 'p', 1.5],
      [3, 'r', null],
      [7, 's', 0.5],
    ]);
    const data = await h.ok(id, 'data', { rowIndexFrom: 0, rowIndexTo: 2, columnIndexFrom: 0, columnIndexTo: 0 });
    assert.deepEqual(JSON.parse(data.data).index, [0, 1, 2]);
  });

  test('a statement that changes nothing makes no version', async () => {
    const id = await h.load(CSV);
    const before = await snapshot(h, id);
    for (const sql of ['DELETE FROM df WHERE false', 'UPDATE df SET a = 0 WHERE a > 100', 'SELECT * FROM df']) {
      const res = await command(h, id, sql);
      assert.equal(res.success, true, JSON.stringify(res));
      assert.equal(res.changed, false, sql);
    }
    assert.deepEqual(await snapshot(h, id), before);
  });

  test('beyond the first slice of rows: a change in the last row is seen, unchanged columns keep their files', async () => {
    const id = await h.loadSql('SELECT range AS a, range % 7 AS b, range::VARCHAR AS s FROM range(300000)');
    const first = (await h.rt.store.current(id)).manifest;
    // Only the last row differs: the query's result is not the dataset.
    const res = await command(h, id, 'SELECT * REPLACE (CASE WHEN a = 299999 THEN -1 ELSE a END AS a) FROM df');
    assert.equal(res.changed, true, JSON.stringify(res));
    const last = async () => (await h.ok(id, 'data', { rowIndexFrom: 299998, rowIndexTo: 299999, columnIndexFrom: 0, columnIndexTo: 2 })).data;
    assert.deepEqual(JSON.parse(await last()).data, [
      [299998, 6, '299998'],
      [-1, 0, '299999'],
    ]);
    await h.ok(id, 'undo');
    // UPDATE of one late value: only that column is written.
    await h.ok(id, 'executeCommand', { command: 'UPDATE df SET b = 100 WHERE a = 299999' });
    const { manifest } = await h.rt.store.current(id);
    assert.deepEqual([manifest.columns[0], manifest.columns[2]], [first.columns[0], first.columns[2]]);
    assert.notEqual(manifest.columns[1].file, first.columns[1].file);
    assert.deepEqual(JSON.parse(await last()).data, [
      [299998, 6, '299998'],
      [299999, 100, '299999'],
    ]);
    // A rewritten value equal to the old one everywhere: no version.
    const same = await command(h, id, "UPDATE df SET s = a::VARCHAR WHERE a > 200000");
    assert.equal(same.changed, false, JSON.stringify(same));
  });

  test('the sandbox runs with external access off, extensions off and the configuration locked', async () => {
    const { instance, conn } = await openSandbox(['v0.parquet'], 'result.parquet', { timeoutMs: 1000, memoryLimit: '64MB', threads: 1 });
    try {
      const reader = await conn.runAndReadAll(`SELECT current_setting('enable_external_access'), current_setting('lock_configuration'),
                current_setting('autoload_known_extensions'), current_setting('autoinstall_known_extensions'),
                current_setting('allow_community_extensions'), current_setting('temp_directory'), current_setting('allowed_directories')::VARCHAR`);
      assert.deepEqual(reader.getRows()[0], [false, true, false, false, false, '', '[]']);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    // With a spill folder: named relative to the job folder, bounded, and locked like the rest.
    const spilling = await openSandbox(['v0.parquet'], 'result.parquet', { timeoutMs: 1000, memoryLimit: '64MB', threads: 1, spill: { bytes: 20_000_000, setBy: 'test' } }, { spillDir: 'spill-x' });
    try {
      const reader = await spilling.conn.runAndReadAll(`SELECT current_setting('enable_external_access'), current_setting('lock_configuration'), current_setting('temp_directory'), current_setting('max_temp_directory_size')`);
      assert.deepEqual(reader.getRows()[0], [false, true, 'spill-x', '19.0 MiB']);
      for (const sql of ["SET max_temp_directory_size = '1TB'", "SET temp_directory = '/'", "SET allowed_directories = ['/']"]) await assert.rejects(spilling.conn.run(sql), /disabled by configuration|locked|Cannot change/, sql);
    } finally {
      spilling.conn.closeSync();
      spilling.instance.closeSync();
    }
  });

  test('nothing of the host is visible: settings, catalog, versions and file metadata are refused, paths are the job folder\'s own', async () => {
    const id = await h.load(CSV);
    const before = await snapshot(h, id);
    for (const sql of [
      "SELECT current_setting('allowed_paths') AS p",
      'SELECT "current_setting" /* hidden */ (\'temp_directory\') AS p',
      'SELECT * FROM duckdb_settings()',
      'SELECT * FROM main.duckdb_views()',
      'SELECT * FROM duckdb_databases()',
      'SELECT * FROM duckdb_extensions()',
      'SELECT version() AS v',
      'SELECT * FROM pragma_version()',
      "SELECT * FROM parquet_metadata('v0.parquet')",
      "SELECT * FROM read_text('v0.parquet')",
      "SELECT * FROM query('SELECT current_setting(''allowed_paths'')')",
      // The statement being run is the engine's wrapper around the command.
      'SELECT current_query() AS q',
      'SELECT * FROM df WHERE current_query() LIKE \'%parquet%\'',
      // SQL given as text to the JSON extension: json_serialize_plan binds it (naming df's
      // files, and sniffing any file a read_csv in it names) though it does not run it.
      "SELECT json_serialize_plan('SELECT * FROM df') AS p",
      "SELECT json_serialize_plan('SELECT * FROM read_csv(''v0.parquet'')')::VARCHAR AS p",
      "SELECT json_serialize_sql('SELECT 1') AS p",
      "SELECT json_deserialize_sql(json_serialize_sql('SELECT 1')) AS p",
      "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))",
    ]) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, 'command refused', `${sql}: ${res.errorDescription}`);
      assert.match(res.errorDescription, /is not available to commands/, sql);
    }
    // Errors about files name them as the command did, not where they are.
    const missing = await command(h, id, "SELECT * FROM 'nothing.parquet'");
    assert.equal(missing.success, false);
    assert.doesNotMatch(missing.errorDescription, new RegExp(h.rt.config.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(missing.errorDescription, /"nothing\.parquet"/);
    assert.deepEqual(await snapshot(h, id), before);
    // Columns may carry those names: only calls are refused.
    await h.ok(id, 'executeCommand', { command: 'SELECT a AS version, x AS query FROM df' });
    assert.deepEqual((await h.table(id)).columns, ['version', 'query']);
  });

  test('errors name the problem and leave the dataset unchanged', async () => {
    const id = await h.load(CSV);
    const before = await snapshot(h, id);
    const cases: [string, string, RegExp][] = [
      ['SELEC * FROM df', 'invalid command', /not valid SQL: syntax error at or near "SELEC"/],
      ['SELECT nope FROM df', 'command failed', /nope/],
      ['SELECT a, a FROM df', 'duplicate column name', /two columns named "a"/],
      ['SELECT * FROM other_table', 'command failed', /other_table/],
      ['ALTER TABLE df RENAME TO gone', 'command refused', /must leave the table df in place/],
      ['-- only a comment', 'invalid command', /no SQL statement/],
      ['/* nothing */ ;', 'invalid command', /no SQL statement/],
      ["UPDATE df SET a = 'text'", 'command failed', /Conversion error/],
    ];
    for (const [sql, error, description] of cases) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, error, `${sql}: ${res.errorDescription}`);
      assert.match(res.errorDescription, description, sql);
    }
    const empty = await h.run(id, 'executeCommand', { command: '  ' });
    assert.equal(empty.error, 'invalid parameters');
    assert.match(empty.errorDescription, /command/);
    const missing = await h.run(id, 'executeCommand', {});
    assert.equal(missing.error, 'invalid parameters');
    assert.deepEqual(await snapshot(h, id), before);
  });
});

describe('executeCommand: escape attempts are refused', () => {
  let h: EngineHarness;
  let scratch: string;
  before(async () => {
    h = await engineHarness();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-escape-'));
    await fs.writeFile(path.join(scratch, 'secret.csv'), 'secret\nhunter2\n');
  });
  after(async () => {
    await h.close();
    await fs.rm(scratch, { recursive: true, force: true });
  });

  const exists = (p: string) =>
    fs.access(p).then(
      () => true,
      () => false,
    );

  test('reading files: read_csv, read_text, read_parquet of the session files, glob, replacement scans', async () => {
    const id = await h.load(CSV);
    const files = h.rt.store.filesDir(id);
    const imported = (await h.rt.store.current(id)).manifest.columns[0].file;
    // A new version in a file of its own: the imported file now belongs to history only
    // (every column computed: one passed through unchanged would keep the imported file).
    await h.ok(id, 'executeCommand', { command: "SELECT a + 1 AS a, x || '' AS x, f + 0 AS f FROM df" });
    assert.notEqual((await h.rt.store.current(id)).manifest.columns[0].file, imported);
    const before = await snapshot(h, id);
    const attempts = [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
      "SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM read_blob('/etc/passwd')",
      `SELECT * FROM read_parquet('${files}/*.parquet')`,
      `SELECT * FROM '${files}/${imported}'`,
      `SELECT * FROM read_parquet('${files}/${imported}')`,
      `SELECT * FROM read_parquet('${files}/../files/${imported}')`,
      `SELECT * FROM read_csv('${scratch}/secret.csv')`,
      `SELECT * FROM '${scratch}/secret.csv'`,
      "SELECT * FROM glob('/*')",
      `SELECT * FROM glob('${scratch}/*')`,
      "SELECT * FROM sniff_csv('/etc/passwd')",
      `SELECT * FROM parquet_metadata('${files}/*.parquet')`,
      "SELECT * FROM read_json('https://example.com/x.json')",
      'SELECT * FROM df, read_csv(\'/etc/hostname\')',
      "INSERT INTO df SELECT * FROM read_csv('/etc/passwd')",
    ];
    for (const sql of attempts) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, 'command refused', `${sql}: ${res.error} ${res.errorDescription}`);
      assert.match(res.errorDescription, /no access to files, the network or extensions/, sql);
      assert.doesNotMatch(res.errorDescription, /hunter2|root:/, sql);
    }
    assert.deepEqual(await snapshot(h, id), before);
  });

  test('writing files: COPY, EXPORT, and COPY wrapped in a query', async () => {
    const id = await h.load(CSV);
    const before = await snapshot(h, id);
    const target = path.join(scratch, `out-${crypto.randomBytes(4).toString('hex')}`);
    const attempts: [string, string, RegExp][] = [
      [`COPY df TO '${target}.csv'`, 'command refused', /COPY statements are not allowed/],
      [`COPY (SELECT * FROM df) TO '${target}.parquet' (FORMAT parquet)`, 'command refused', /COPY statements are not allowed/],
      [`COPY df FROM '/etc/passwd'`, 'command refused', /COPY statements are not allowed/],
      [`EXPORT DATABASE '${target}'`, 'command refused', /EXPORT statements are not allowed/],
      [`SELECT * FROM query('COPY df TO ''${target}.csv''')`, 'command refused', /query\(\) is not available to commands/],
      [`FROM query_table('df'); COPY df TO '${target}.csv'`, 'command refused', /exactly one SQL statement, found 2/],
      [`WITH x AS (SELECT 1) COPY df TO '${target}.csv'`, 'invalid command', /not valid SQL/],
      [`(COPY df TO '${target}.csv')`, 'invalid command', /not valid SQL/],
      [`/* hidden */ COPY df TO '${target}.csv'`, 'command refused', /COPY statements are not allowed/],
    ];
    for (const [sql, error, description] of attempts) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, error, `${sql}: ${res.errorDescription}`);
      assert.match(res.errorDescription, description, sql);
    }
    for (const suffix of ['.csv', '.parquet', '']) assert.equal(await exists(target + suffix), false, `${target}${suffix} was written`);
    assert.deepEqual(await snapshot(h, id), before);
  });

  test("the session's raw files are out of reach: not the deleted rows, the overwritten values or the deleted-rows file", async () => {
    const id = await h.load(CSV);
    await h.ok(id, 'deleteRows', { rowIndices: [0] });
    await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: 0, newValue: 'changed' });
    const before = await snapshot(h, id);
    // Before: these read the version's files (linked as v0.parquet, v1.parquet …) and gave
    // back columns c0, c1, c2 with the deleted row and the old value, and the file d, g, k.
    for (const sql of [
      "SELECT * FROM read_parquet('v0.parquet', filename=true)",
      "SELECT * FROM read_parquet('v1.parquet')",
      "SELECT * FROM read_parquet(['v0.parquet', 'v1.parquet'], union_by_name=true)",
      "SELECT * FROM 'v0.parquet'",
      "SELECT * FROM parquet_scan('v2.parquet')",
      "SELECT * FROM df WHERE a IN (SELECT c0 FROM 'v0.parquet')",
      "UPDATE df SET x = (SELECT max(c1) FROM 'v0.parquet')",
      "INSERT INTO df SELECT * FROM read_parquet('v0.parquet')",
      "WITH raw AS (FROM 'v1.parquet') SELECT * FROM raw",
    ]) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, 'command refused', `${sql}: ${res.errorDescription}`);
      assert.doesNotMatch(res.errorDescription, /\bp\b|changed|-2/, sql);
    }
    assert.deepEqual(await snapshot(h, id), before);
    assert.deepEqual((await h.table(id)).rows, [
      [-2, 'changed', 2.5],
      [3, 'r', null],
    ]);
  });

  test("the only files within reach are the current version's (through links in the job folder) and the result file; no folder", async () => {
    const id = await h.load(CSV);
    await h.ok(id, 'executeCommand', { command: 'UPDATE df SET a = a * 10' });
    // Two files make the current version; df reads them, the statement cannot: the plan
    // check refuses a replacement scan, and the links' names are random (v0.parquet is none).
    for (const sql of ["SELECT (SELECT count(*) FROM 'v0.parquet') + (SELECT count(*) FROM 'v1.parquet') AS n", "SELECT * FROM 'v2.parquet'", "SELECT * FROM read_parquet('*.parquet')", "SELECT * FROM '../../files/*.parquet'"]) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, 'command refused', `${sql}: ${res.errorDescription}`);
    }
  });

  test("other sessions' files and other versions' files are out of reach", async () => {
    const mine = await h.load(CSV);
    const other = await h.load('secret\nhunter2\n');
    const otherFile = h.rt.store.filePath(other, (await h.rt.store.current(other)).manifest.columns[0].file);
    const first = h.rt.store.filePath(mine, (await h.rt.store.current(mine)).manifest.columns[0].file);
    // Computed columns: a column passed through unchanged keeps its file, and the import
    // wrote one file for all columns.
    await h.ok(mine, 'executeCommand', { command: "SELECT a + 0 AS a, x || '' AS x FROM df" });
    const before = await snapshot(h, mine);
    for (const sql of [
      `SELECT * FROM read_parquet('${otherFile}')`,
      `SELECT * FROM '${otherFile}'`,
      `SELECT * FROM read_blob('${otherFile}')`,
      `SELECT * FROM glob('${h.rt.store.filesDir(other)}/*')`,
      `SELECT * FROM read_parquet('${h.rt.store.dir(other)}/../*/files/*.parquet')`,
      `SELECT * FROM read_parquet('${first}')`,
      `UPDATE df SET x = (SELECT max(c0) FROM read_parquet('${otherFile}'))`,
    ]) {
      const res = await command(h, mine, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, 'command refused', `${sql}: ${res.errorDescription}`);
      assert.doesNotMatch(res.errorDescription, /hunter2/, sql);
    }
    assert.deepEqual(await snapshot(h, mine), before);
  });

  test('the job folder: the statement can neither read nor write it, and it is removed after every command', async () => {
    const id = await h.load(CSV);
    const tmp = h.rt.store.tmpDir(id);
    // The result file's name is no secret (result.parquet in the job folder, the command's
    // working directory); while the statement runs, that file does not exist yet, and
    // nothing else of the job folder is allowed.
    const result = "'result.parquet'";
    const folder = "'./'";
    const before = await snapshot(h, id);
    const attempts = [
      `SELECT * FROM read_parquet(${result})`,
      `SELECT * FROM df, read_parquet(${result})`,
      `SELECT * FROM read_csv(${result})`,
      `SELECT * FROM glob(${folder} || '*')`,
      `SELECT * FROM read_blob(${folder} || '*')`,
      `SELECT * FROM read_text(${folder})`,
      `SELECT * FROM read_csv(${folder} || '*')`,
      `INSERT INTO df SELECT * FROM read_parquet(${result})`,
      // The spill folder (DuckDB's temp directory, which it allows) is no way in either.
      `SELECT * FROM glob('spill-*')`,
      `SELECT * FROM read_blob('spill-*/*')`,
      `SELECT * FROM 'spill-*/*.tmp'`,
      `UPDATE df SET x = (SELECT max(content) FROM read_text(${folder} || '*'))`,
      `COPY df TO '${tmp}/x.csv'`,
      `COPY df TO 'x.csv'`,
      `SELECT * FROM query('COPY df TO ''${tmp}/x.csv''')`,
      `EXPORT DATABASE '${tmp}/x'`,
    ];
    for (const sql of attempts) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, `${sql}: ${JSON.stringify(res)}`);
      assert.match(res.error, /^(command refused|command failed|invalid command)$/, `${sql}: ${res.errorDescription}`);
      assert.deepEqual(await fs.readdir(tmp), [], `${sql} left files behind`);
    }
    assert.deepEqual(await snapshot(h, id), before);
    // Successes and no-ops leave nothing behind either.
    for (const sql of ['SELECT * FROM df WHERE a > 0', 'UPDATE df SET a = 5', 'ALTER TABLE df RENAME COLUMN x TO y', 'DELETE FROM df WHERE false', 'SELECT * FROM df']) {
      await h.ok(id, 'executeCommand', { command: sql });
      assert.deepEqual(await fs.readdir(tmp), [], `${sql} left files behind`);
    }
  });

  test('databases, extensions, settings and other statements are refused by name', async () => {
    const id = await h.load(CSV);
    const before = await snapshot(h, id);
    const db = path.join(scratch, 'x.db');
    const attempts: [string, RegExp][] = [
      [`ATTACH '${db}'`, /^ATTACH statements are not allowed/],
      [`ATTACH '${db}' AS x (READ_ONLY)`, /^ATTACH statements are not allowed/],
      ["ATTACH ':memory:' AS m", /^ATTACH statements are not allowed/],
      ['DETACH memory', /^DETACH statements are not allowed/],
      ['INSTALL httpfs', /^INSTALL statements are not allowed/],
      ['FORCE INSTALL httpfs', /^FORCE statements are not allowed/],
      ['LOAD httpfs', /^LOAD statements are not allowed/],
      ['UPDATE EXTENSIONS', /^UPDATE EXTENSIONS statements are not allowed/],
      ['SET enable_external_access = true', /^SET statements are not allowed/],
      ["SET memory_limit = '100GB'", /^SET statements are not allowed/],
      ['RESET lock_configuration', /^RESET statements are not allowed/],
      ['SET VARIABLE v = 1', /^SET statements are not allowed/],
      ['PRAGMA threads = 64', /^PRAGMA statements are not allowed/],
      ["PRAGMA table_info('df')", /^PRAGMA statements are not allowed/],
      ['CALL pragma_version()', /^CALL statements are not allowed/],
      ['CHECKPOINT', /^CHECKPOINT statements are not allowed/],
      ['CREATE TABLE t AS SELECT * FROM df', /^CREATE statements are not allowed/],
      ['CREATE MACRO m(x) AS x + 1', /^CREATE statements are not allowed/],
      ['DROP TABLE df', /^DROP statements are not allowed/],
      ['EXPLAIN SELECT * FROM df', /^EXPLAIN statements are not allowed/],
      ['BEGIN TRANSACTION', /^BEGIN statements are not allowed/],
      ['USE memory', /^USE statements are not allowed/],
      ['VACUUM', /^VACUUM statements are not allowed/],
      ['MERGE INTO df USING (SELECT 1 AS a) s ON df.a = s.a WHEN MATCHED THEN DELETE', /^MERGE statements are not allowed/],
      ['SELECT 1; DROP TABLE df', /exactly one SQL statement, found 2/],
      ['UPDATE df SET a = 0; SET enable_external_access = true', /exactly one SQL statement, found 2/],
      // One statement as written, several as DuckDB runs it: the refusal says which form does.
      ['ALTER TABLE df ADD COLUMN e TIMESTAMP DEFAULT now()', /an ADD COLUMN whose DEFAULT calls a function, such as now\(\) or random\(\), as several statements: give a constant DEFAULT/],
    ];
    for (const [sql, description] of attempts) {
      const res = await command(h, id, sql);
      assert.equal(res.success, false, sql);
      assert.equal(res.error, 'command refused', `${sql}: ${res.errorDescription}`);
      assert.match(res.errorDescription, description, sql);
    }
    assert.equal(await exists(db), false);
    // No environment (server secrets live there) through SQL either.
    const env = await command(h, id, "SELECT getenv('HOME') AS h");
    assert.equal(env.success, false);
    assert.equal(env.error, 'command refused');
    assert.deepEqual(await snapshot(h, id), before);
  });
});

describe('executeCommand: resource limits', () => {
  test('a runaway query is stopped at COMMAND_TIMEOUT_MS', async () => {
    const h = await engineHarness({ COMMAND_TIMEOUT_MS: 500 });
    try {
      const id = await h.load(CSV);
      const before = await snapshot(h, id);
      const res = await command(h, id, 'SELECT count(*) AS n FROM range(1000000) a, range(1000000) b');
      assert.equal(res.success, false);
      assert.equal(res.error, 'command timed out');
      assert.match(res.errorDescription, /limit of 500 ms/);
      assert.deepEqual(await snapshot(h, id), before);
      // The session works normally afterwards.
      await h.ok(id, 'executeCommand', { command: 'SELECT a FROM df WHERE a > 1' });
      assert.deepEqual((await h.table(id)).rows, [[3]]);
    } finally {
      await h.close();
    }
  });

  test('a memory-hungry query is stopped at COMMAND_MEMORY_LIMIT', async () => {
    // Without spilling: a sort then has nowhere to go (with it, see the spilling tests).
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '64MB', COMMAND_SPILL_LIMIT: '0' });
    try {
      const id = await h.load(CSV);
      const before = await snapshot(h, id);
      for (const sql of ['SELECT list(range) AS l FROM range(100000000)', 'SELECT * FROM range(20000000) ORDER BY random()']) {
        const res = await command(h, id, sql);
        assert.equal(res.success, false, sql);
        assert.equal(res.error, 'command out of memory', `${sql}: ${res.errorDescription}`);
        assert.match(res.errorDescription, /limit of 64MB/);
      }
      assert.deepEqual(await snapshot(h, id), before);
    } finally {
      await h.close();
    }
  });

  test('a query streams a dataset larger than COMMAND_MEMORY_LIMIT; a modification of it is refused clearly', async () => {
    // Without spilling (which would hold the loaded table on disk).
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '32MB', COMMAND_SPILL_LIMIT: '0' });
    try {
      const small = await h.load(CSV);
      await h.ok(small, 'executeCommand', { command: 'UPDATE df SET a = -a' });
      assert.deepEqual(await h.column(small, 'a'), [-1, 2, -3]);
      // About 60MB as a DuckDB table: a query reads it from its files, a modification must load it.
      const big = await h.loadSql(`SELECT range AS a, 'value-' || range || '-padding-padding' AS b FROM range(1000000)`);
      const before = await snapshot(h, big);
      // b does not fit (an UPDATE loads only the columns it names: see the next test)
      const res = await command(h, big, "UPDATE df SET b = b || '!'");
      assert.equal(res.success, false);
      assert.equal(res.error, 'command out of memory');
      assert.match(res.errorDescription, /does not fit in the memory a command may use \(32MB\) to be modified in place/);
      assert.deepEqual(await snapshot(h, big), before);
      await h.ok(big, 'executeCommand', { command: 'SELECT -a AS a, b FROM df WHERE a % 250000 = 1' });
      assert.deepEqual(await h.table(big), {
        columns: ['a', 'b'],
        types: ['int', 'string'],
        rows: [
          [-1, 'value-1-padding-padding'],
          [-250001, 'value-250001-padding-padding'],
          [-500001, 'value-500001-padding-padding'],
          [-750001, 'value-750001-padding-padding'],
        ],
      });
    } finally {
      await h.close();
    }
  });

  test('an UPDATE or DELETE loads only the columns it reads or writes; the others keep their files', async () => {
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '64MB', COMMAND_SPILL_LIMIT: '0' });
    try {
      // 1M rows: a fits in 64MB on its own, b (about 100MB) does not.
      const big = await h.loadSql(`SELECT range AS a, 'value-' || range || repeat('-padding', 10) AS b FROM range(1000000)`);
      const files = async () => (await h.rt.store.current(big)).manifest.columns.map((c) => ({ file: c.file, field: c.field, deleted: c.deleted?.file ?? null }));
      const probe = async (query: string) =>
        h.rt.duck.withConnection(async (db) => {
          const { manifest } = await h.rt.store.current(big);
          const ds = new Dataset(manifest, h.rt.store.filesDir(big));
          return db.rowsJson(query.replace('FROM ds', `FROM (${ds.select({ withPosition: true })}) AS ds`));
        });
      const start = await files();

      await h.ok(big, 'executeCommand', { command: 'UPDATE df SET a = -a WHERE a % 2 = 0' });
      let now = await files();
      assert.notEqual(now[0].file, start[0].file, 'a is written');
      assert.deepEqual(now[1], start[1], 'b keeps its file');
      assert.deepEqual(await probe('SELECT count(*) FILTER (WHERE __c0 < 0)::INT AS neg, min(__c0)::INT AS lo, count(*) FILTER (WHERE __c1 = \'value-\' || abs(__c0) || repeat(\'-padding\', 10))::INT AS same FROM ds'), [{ neg: 499999, lo: -999998, same: 1000000 }]);

      // a DELETE records the rows it deletes: no column is written
      const res = await h.ok(big, 'executeCommand', { command: 'DELETE FROM df WHERE a % 3 = 1 OR a % 3 = -1' });
      assert.equal(res.changed, true);
      const afterDelete = await files();
      afterDelete.forEach((c, i) => {
        assert.equal(c.file, now[i].file, 'every column keeps its file');
        assert.notEqual(c.deleted, null, 'and records deleted rows');
      });
      assert.deepEqual(await probe('SELECT count(*)::INT AS n, count(*) FILTER (WHERE abs(__c0) % 3 = 1)::INT AS left FROM ds'), [{ n: 666667, left: 0 }]);

      // rowid is the row position; a statement naming no column still loads one
      await h.ok(big, 'executeCommand', { command: 'DELETE FROM df WHERE rowid < 2' });
      assert.deepEqual(await probe('SELECT list(__c0::INT ORDER BY __pos)[1:2] AS first FROM ds'), [{ first: [3, 5] }]);
      assert.equal((await command(h, big, 'DELETE FROM df WHERE a = 7')).changed, false, 'no row matched: no change');

      // a statement reaching every column without naming them (here df as a row value) loads them all
      const whole = await command(h, big, 'UPDATE df SET a = 0 WHERE df IS NULL');
      assert.equal(whole.error, 'command out of memory', whole.errorDescription);
      now = await files();
      assert.deepEqual(await probe('SELECT count(*)::INT AS n FROM ds'), [{ n: 666665 }]);
    } finally {
      await h.close();
    }
  });
});

// What a command cannot hold within COMMAND_MEMORY_LIMIT it spills to a folder of its own in
// the job's folder, at most COMMAND_SPILL_LIMIT (or what the disk quota leaves); the folder
// is gone once the command ends, however it ends.
describe('executeCommand: spilling to disk', () => {
  /** The user trial's dataset (id, category, amount, ts, note, score) of `rows` rows, as its generator made it. */
  const trial = (rows: number) => `SELECT range AS id, ['alpha', 'beta', 'gamma', 'delta', ''][range % 5 + 1] AS category,
    CASE WHEN range % 97 = 0 THEN NULL ELSE ((range * 7919) % 100000) / 100 END AS amount,
    TIMESTAMP '2020-01-01' + to_days((range % 28)::INT) + to_hours((range % 24)::INT) AS ts,
    'note ' || (range % 1000) || ', x' AS note, ((range * 31) % 1000) / 10 AS score FROM range(${rows})`;
  // The trial's query: 20 distinct values per id, a grouped DISTINCT aggregate over 20 × the rows.
  const TRIAL_QUERY = 'SELECT a.id, count(DISTINCT a.note || r.range::VARCHAR) AS c FROM df a, range(20) r GROUP BY a.id';

  /** The most bytes seen in spill folders under `tmp` (every 20 ms) until stop(). */
  function watchSpill(tmp: string): { stop(): Promise<number> } {
    let most = 0;
    const look = async () => {
      let bytes = 0;
      for (const job of await fs.readdir(tmp).catch(() => [])) {
        for (const dir of await fs.readdir(path.join(tmp, job)).catch(() => [])) {
          if (!dir.startsWith('spill-')) continue;
          for (const f of await fs.readdir(path.join(tmp, job, dir)).catch(() => [])) bytes += await fs.stat(path.join(tmp, job, dir, f)).then((st) => st.blocks * 512, () => 0);
        }
      }
      most = Math.max(most, bytes);
    };
    let looking = look();
    const timer = setInterval(() => (looking = looking.then(look)), 20);
    return {
      async stop() {
        clearInterval(timer);
        await looking;
        return most;
      },
    };
  }

  test("the trial's query over more than COMMAND_MEMORY_LIMIT spills and finishes; its spill folder is gone afterwards", async () => {
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '64MB' });
    try {
      const rows = 200_000;
      const id = await h.loadSql(trial(rows));
      const tmp = h.rt.store.tmpDir(id);
      const spill = watchSpill(tmp);
      const res = await command(h, id, TRIAL_QUERY);
      const spilled = await spill.stop();
      assert.equal(res.success, true, JSON.stringify(res));
      assert.ok(spilled > 1e6, `spilled ${spilled} bytes`);
      const memory = lastCommandMemory()!;
      assert.ok(memory.peak < memory.limit, JSON.stringify(memory));
      assert.deepEqual(await h.table(id).then((t) => t.columns), ['id', 'c']);
      const check = await h.rt.duck.withConnection(async (db) => {
        const { manifest } = await h.rt.store.current(id);
        const ds = new Dataset(manifest, h.rt.store.filesDir(id));
        return db.rowsJson(`SELECT count(*)::INT AS n, count(DISTINCT __c0)::INT AS ids, min(__c1)::INT AS lo, max(__c1)::INT AS hi FROM (${ds.select()})`);
      });
      assert.deepEqual(check, [{ n: rows, ids: rows, lo: 20, hi: 20 }]);
      assert.deepEqual(await fs.readdir(tmp), []);
    } finally {
      await h.close();
    }
  });

  test('a query needing more disk than COMMAND_SPILL_LIMIT fails naming that limit; the spill folder is gone', async () => {
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '64MB', COMMAND_SPILL_LIMIT: '20MB' });
    try {
      const id = await h.load(CSV);
      const before = await snapshot(h, id);
      const tmp = h.rt.store.tmpDir(id);
      const spill = watchSpill(tmp);
      // About 500 MB of sort data spilled.
      const res = await command(h, id, 'SELECT range AS r FROM range(20000000) ORDER BY random()');
      const spilled = await spill.stop();
      assert.equal(res.error, 'command out of memory', JSON.stringify(res));
      assert.match(res.errorDescription, /more memory than its limit of 64MB and more disk to spill to than its limit of 20000000 bytes \(COMMAND_SPILL_LIMIT=20MB\)/);
      assert.ok(spilled > 0 && spilled <= 21e6, `spilled ${spilled} bytes`);
      assertNoHost(res.errorDescription, [h.rt.config.dataDir]);
      assert.deepEqual(await fs.readdir(tmp), []);
      assert.deepEqual(await snapshot(h, id), before);
    } finally {
      await h.close();
    }
  });

  test('the spill bound is never more than the disk quota left (MAX_SESSION_BYTES)', async () => {
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '64MB', MAX_SESSION_BYTES: 10_000_000 });
    try {
      const id = await h.load(CSV);
      const res = await command(h, id, 'SELECT range AS r FROM range(20000000) ORDER BY random()');
      assert.equal(res.error, 'command out of memory', JSON.stringify(res));
      assert.match(res.errorDescription, /more disk to spill to than its limit of \d+ bytes \(what is left of the session's MAX_SESSION_BYTES\)/);
      const bytes = Number(/limit of (\d+) bytes/.exec(res.errorDescription)![1]);
      assert.ok(bytes > 9_000_000 && bytes < 10_000_000, String(bytes));
      assert.deepEqual(await fs.readdir(h.rt.store.tmpDir(id)), []);
    } finally {
      await h.close();
    }
  });

  test('a command stopped at COMMAND_TIMEOUT_MS while spilling leaves no spill folder', async () => {
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '64MB', COMMAND_TIMEOUT_MS: 1500 });
    try {
      const id = await h.load(CSV);
      const tmp = h.rt.store.tmpDir(id);
      const spill = watchSpill(tmp);
      const res = await command(h, id, 'SELECT range AS r FROM range(50000000) ORDER BY random()');
      assert.ok((await spill.stop()) > 0, 'it spilled');
      assert.equal(res.error, 'command timed out', JSON.stringify(res));
      assert.deepEqual(await fs.readdir(tmp), []);
    } finally {
      await h.close();
    }
  });
});


// MAX_CELL_BYTES bounds the cells a command makes, not only the values a request brings:
// a value built by the statement past it fails the command as its result is written, and
// the session keeps its version, data and files.
describe('executeCommand: cells over MAX_CELL_BYTES', () => {
  const LIMIT = 1000;
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({ MAX_CELL_BYTES: LIMIT });
  });
  after(async () => {
    await h.close();
  });

  /** The session's version, data and files (nothing staged and left behind). */
  async function everything(id: string) {
    return { ...(await snapshot(h, id)), files: (await fs.readdir(h.rt.store.filesDir(id))).sort(), tmp: await fs.readdir(h.rt.store.tmpDir(id)).catch(() => []) };
  }

  async function refused(id: string, sql: string, column: string, bytes: number) {
    const before = await everything(id);
    const res = await command(h, id, sql);
    assert.equal(res.success, false, sql);
    assert.equal(res.error, 'value too large', res.errorDescription);
    assert.equal(res.errorDescription, `column ${JSON.stringify(column)} would hold a value of ${bytes} bytes; cell values are limited to ${LIMIT} bytes (MAX_CELL_BYTES); the dataset is unchanged`);
    assert.equal(res.dataChanged, false);
    assert.deepEqual(await everything(id), before, 'the session is as it was');
  }

  test('a SELECT building a value over the limit is refused; one at the limit is accepted', async () => {
    const id = await h.load(CSV);
    await refused(id, `SELECT *, repeat('x', ${LIMIT + 1}) AS big FROM df`, 'big', LIMIT + 1);
    // Bytes of UTF-8, not characters: 501 × 'é' is 1002 bytes.
    await refused(id, `SELECT a, x || repeat('é', ${LIMIT / 2 + 1}) AS x FROM df`, 'x', 2 * (LIMIT / 2 + 1) + 1);
    // The result of a row-by-row projection (written beside the kept columns) is checked too.
    await refused(id, `SELECT a, repeat(x, ${LIMIT + 1}) AS x, f FROM df`, 'x', LIMIT + 1);
    await h.ok(id, 'executeCommand', { command: `SELECT *, repeat('x', ${LIMIT}) AS big, encode(repeat('é', ${LIMIT / 2})) AS bytes FROM df` });
    const t = await h.table(id);
    assert.deepEqual(t.columns, ['a', 'x', 'f', 'big', 'bytes']);
    assert.ok(t.rows.every((r) => r[3] === 'x'.repeat(LIMIT)));
  });

  test('an UPDATE making a value over the limit is refused; the data stays as it was', async () => {
    const id = await h.load(CSV);
    await h.ok(id, 'executeCommand', { command: 'SELECT a, x, encode(x) AS b FROM df' });
    const data = await h.table(id);
    await refused(id, `UPDATE df SET x = repeat(x, ${LIMIT + 1})`, 'x', LIMIT + 1);
    await refused(id, `UPDATE df SET x = repeat(x, ${LIMIT + 1}) WHERE a = 3`, 'x', LIMIT + 1);
    // BLOB: its bytes.
    await refused(id, `UPDATE df SET b = encode(repeat('é', ${LIMIT / 2 + 1}))`, 'b', LIMIT + 2);
    assert.deepEqual(await h.table(id), data);
    await h.ok(id, 'executeCommand', { command: `UPDATE df SET x = repeat(x, ${LIMIT}) WHERE a = 3` });
    assert.deepEqual(await h.column(id, 'x'), ['p', 'q', 'r'.repeat(LIMIT)]);
  });

  test('a wide result (several files) is checked in each file it writes', async () => {
    // 1,100 columns: the result's files are of 1,000 columns (WIDE_GROUP), the new one in the second.
    const id = await h.loadSql(`SELECT ${Array.from({ length: 1100 }, (_, k) => `'v' || range AS c${k}`).join(', ')} FROM range(2)`);
    await refused(id, `SELECT *, repeat(c5, ${LIMIT}) AS big FROM df`, 'big', 2 * LIMIT);
    await refused(id, `SELECT * REPLACE (repeat(c1050, ${LIMIT}) AS c1050) FROM df ORDER BY c0 DESC`, 'c1050', 2 * LIMIT);
    await h.ok(id, 'executeCommand', { command: `SELECT *, repeat(c5, ${LIMIT / 2}) AS big FROM df ORDER BY c0 DESC` });
    assert.deepEqual(await h.column(id, 'big'), ['v1'.repeat(LIMIT / 2), 'v0'.repeat(LIMIT / 2)]);
  });

  test('lists, structs and maps are measured by their text form', async () => {
    const id = await h.load(CSV);
    const textBytes = async (expr: string) => Number(await h.rt.duck.withConnection((db) => db.scalar(`SELECT strlen(CAST(${expr} AS VARCHAR))`)));
    const half = LIMIT / 2;
    for (const [expr, name] of [
      [`[repeat('x', ${half}), repeat('y', ${half})]`, 'l'],
      [`{'k': repeat('x', ${LIMIT})}`, 's'],
      [`MAP {'k': repeat('x', ${LIMIT})}`, 'm'],
      [`range(${LIMIT})`, 'r'],
    ]) {
      await refused(id, `SELECT ${expr} AS ${name} FROM df`, name, await textBytes(expr));
    }
    await h.ok(id, 'executeCommand', { command: `SELECT [repeat('x', ${LIMIT - 2})] AS l FROM df` });
    assert.equal(await textBytes(`[repeat('x', ${LIMIT - 2})]`), LIMIT);
  });

  test('the default limit (1,000,000 bytes) refuses a value of 100 MB', async () => {
    const big = await engineHarness();
    try {
      const id = await big.load(CSV);
      const state = await big.rt.store.state(id);
      const res = await big.run(id, 'executeCommand', { command: `SELECT repeat('x', 100000000) AS big` });
      assert.equal(res.error, 'value too large', res.errorDescription);
      assert.match(res.errorDescription, /^column "big" would hold a value of 100000000 bytes; cell values are limited to 1000000 bytes \(MAX_CELL_BYTES\)/);
      assert.deepEqual(await big.rt.store.state(id), state);
    } finally {
      await big.close();
    }
  });
});

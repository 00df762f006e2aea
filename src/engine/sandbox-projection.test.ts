import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { engineHarness, type EngineHarness } from '../../test/helpers/engine.ts';
import { isRowProjection, projectedColumns } from './sandbox-projection.ts';

// A query mapping df row by row writes only its computed columns; every column it repeats
// keeps its file. Each result is checked against the same query run the general way (wrapped
// in a subquery, which the shortcut never takes), on a session loaded from the same file.

const CSV = 'a,x,f,Name\n1,p,1.5,u\n-2,q,2.5,v\n3,r,,w\n4,s,0.5,x\n';

describe('executeCommand: projections keep the files of the columns they repeat', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
  });
  after(async () => {
    await h.close();
  });

  const files = async (id: string) => new Map((await h.rt.store.current(id)).manifest.columns.map((c) => [c.name, JSON.stringify({ file: c.file, field: c.field, deleted: c.deleted?.file })]));

  /**
   * Runs `sql` on a fresh session of `csv` and, wrapped, on another (after `setup` on each);
   * both tables must be equal. Returns the first session.
   */
  async function sameOn(csv: string, sql: string, setup: (id: string) => Promise<void> = async () => {}) {
    const id = await h.load(csv);
    const reference = await h.load(csv);
    await setup(id);
    await setup(reference);
    const res = await h.run(id, 'executeCommand', { command: sql });
    const ref = await h.run(reference, 'executeCommand', { command: `SELECT * FROM (${sql}) AS wrapped` });
    assert.equal(res.success, ref.success, `${sql}: ${res.errorDescription ?? ''} / ${ref.errorDescription ?? ''}`);
    assert.equal(res.error, ref.error, sql);
    assert.deepEqual(await h.table(id), await h.table(reference), sql);
    return id;
  }
  const same = (sql: string, setup?: (id: string) => Promise<void>) => sameOn(CSV, sql, setup);

  test('repeated columns keep their files; computed ones are written', async () => {
    for (const [sql, kept, written] of [
      ['SELECT *, f * 2 AS g FROM df', ['a', 'x', 'f', 'Name'], ['g']],
      ['SELECT x, a FROM df', ['x', 'a'], []],
      ['SELECT * EXCLUDE (a) REPLACE (f * 2 AS f) RENAME (x AS y) FROM df', ['Name'], ['f']],
      ['SELECT t.a AS first, t.*, upper(x) AS u FROM df AS t', ['a', 'x', 'f', 'Name'], ['u']],
      ['SELECT NAME, df.F, a + 1 AS a1 FROM df', ['NAME', 'F'], ['a1']],
      ['FROM df SELECT *, random() < 2 AS r', ['a', 'x', 'f', 'Name'], ['r']],
    ] as const) {
      const id = await h.load(CSV);
      const start = await files(id);
      const reference = await h.load(CSV);
      await h.ok(id, 'executeCommand', { command: sql });
      await h.ok(reference, 'executeCommand', { command: `SELECT * FROM (${sql}) AS wrapped` });
      assert.deepEqual(await h.table(id), await h.table(reference), sql);
      const now = await files(id);
      for (const name of kept) {
        const original = [...start.entries()].find(([n]) => n.toLowerCase() === name.toLowerCase())![1];
        const mine = [...now.entries()].find(([n]) => n.toLowerCase() === name.toLowerCase())![1];
        assert.equal(mine, original, `${sql}: ${name} keeps its file`);
      }
      for (const name of written) assert.ok(![...start.values()].includes(now.get(name)!), `${sql}: ${name} is written`);
      await h.ok(id, 'undo');
      assert.deepEqual(await files(id), start, `${sql}: undo`);
    }
  });

  test('the dataset as it is: no change', async () => {
    const id = await h.load(CSV);
    for (const sql of ['SELECT * FROM df', 'SELECT a, x, f, Name FROM df', 'SELECT df.* FROM df']) {
      const res = await h.ok(id, 'executeCommand', { command: sql });
      assert.equal(res.changed, false, sql);
    }
  });

  test('with deleted rows the repeated columns stay aligned with the computed ones', async () => {
    const deleted = async (id: string) => {
      await h.ok(id, 'deleteRows', { rowIndices: [1] });
    };
    const id = await same('SELECT *, a * 10 AS b FROM df', deleted);
    assert.deepEqual(await h.column(id, 'b'), [10, 30, 40]);
    assert.deepEqual(await h.column(id, 'a'), [1, 3, 4]);
  });

  test('queries that are not row-by-row projections give what they say', async () => {
    for (const sql of [
      'SELECT *, row_number() OVER (ORDER BY f DESC) AS r FROM df',
      'SELECT *, a + 1 AS b FROM df WHERE a > 0',
      'SELECT *, a + 1 AS b FROM df ORDER BY f',
      'SELECT *, a + 1 AS b FROM df LIMIT 2 OFFSET 1',
      'SELECT DISTINCT x, a FROM df',
      'SELECT *, unnest([1, 2]) AS u FROM df',
      'SELECT *, (SELECT max(a) FROM df) AS m FROM df',
      'SELECT *, a > (SELECT avg(a) FROM df) AS big FROM df',
      'WITH q AS (SELECT 1 AS one) SELECT *, a + 1 AS b FROM df',
      'SELECT * FROM df QUALIFY row_number() OVER (ORDER BY a) <= 2',
      'SELECT x, a FROM df, (SELECT 1 AS one) AS o',
      'SELECT x, sum(a) AS s FROM df GROUP BY ALL',
      'SELECT *, a + 1 AS b FROM df UNION ALL SELECT *, a FROM df',
      'SELECT x, a FROM df NATURAL JOIN df AS d',
      'SELECT COLUMNS(\'[ax]\'), f * 2 AS g FROM df',
      'SELECT price FROM df',
    ]) {
      await same(sql);
    }
  });

  test('SELECT * FROM df WHERE … records the rows it drops as deleted; every column keeps its file', async () => {
    for (const [sql, setup] of [
      ['SELECT * FROM df WHERE a > 0', undefined],
      ['SELECT * FROM df AS t WHERE t.f IS NOT NULL AND x <> \'q\'', undefined],
      ['FROM df WHERE a % 2 = 0', undefined],
      ['SELECT df.* FROM df WHERE a > 0', async (id: string) => void (await h.ok(id, 'deleteRows', { rowIndices: [0] }))],
      ['SELECT * FROM df WHERE a > 100', undefined],
    ] as const) {
      const id = await same(sql, setup);
      const start = await files(id);
      const deleted = (await h.rt.store.current(id)).manifest.columns.every((c) => c.deleted);
      assert.ok(deleted, `${sql}: rows recorded as deleted`);
      for (const [name, entry] of start) assert.equal(JSON.parse(entry).file, JSON.parse((await files(id)).get(name)!).file, `${sql}: ${name} keeps its file`);
    }
    const id = await h.load(CSV);
    assert.equal((await h.ok(id, 'executeCommand', { command: 'SELECT * FROM df WHERE true' })).changed, false, 'no row dropped: no change');
  });

  test('a condition that reaches every column, or more than a condition, gives what it says', async () => {
    for (const sql of [
      'SELECT * FROM df WHERE COLUMNS(*) IS NOT NULL',
      'SELECT * FROM df WHERE NOT (COLUMNS(*) IS NULL)',
      "SELECT * FROM df WHERE struct_pack(*) IS NOT NULL AND x <> 'p'",
      "SELECT * FROM df WHERE df IS NOT NULL AND x <> 'p'",
      'SELECT * FROM df WHERE len(struct_pack(*)) = 4',
      "SELECT * FROM df WHERE len(json_keys(to_json(df))) = 4 AND x <> 'p'",
      'SELECT * FROM df WHERE list_count([COLUMNS(*)::VARCHAR]) = 4',
      'SELECT * FROM df WHERE a > (SELECT min(a) FROM df)',
      'SELECT * FROM df WHERE a IN (SELECT a FROM df WHERE f > 1)',
      'SELECT * EXCLUDE (x) FROM df WHERE a > 0',
      'SELECT *, a + 1 AS b FROM df WHERE a > 0',
      'SELECT x, a FROM df WHERE a > 0',
      'SELECT * FROM df WHERE a > 0 ORDER BY f',
      'SELECT * FROM df WHERE a > 0 LIMIT 1',
    ]) {
      await same(sql);
    }
  });

  // DuckDB folds the case of ASCII letters only: `äpfel` is not the column `Äpfel`, and the
  // Kelvin sign is not `k`; there they name the lateral alias.
  test('a lateral alias equal to a column only by non-ASCII case folding is computed, as DuckDB binds it', async () => {
    await sameOn('a,Äpfel\n1,100\n2,200\n', 'SELECT a * 7 AS äpfel, äpfel AS z FROM df');
    await sameOn('a,k\n1,10\n2,20\n', 'SELECT a * 2 AS "\u212A", "\u212A" AS z FROM df');
  });

  test('a condition that reaches the row through a schema- or catalog-qualified table name gives what it says', async () => {
    await same('SELECT * FROM df WHERE len(json_keys(to_json(main.df))) = 4');
    await same("SELECT * FROM df WHERE to_json(memory.main.df)::VARCHAR NOT LIKE '%position%'");
  });

  test('a struct field or a lateral alias is computed, not mistaken for a column', async () => {
    const struct = async (id: string) => {
      await h.ok(id, 'executeCommand', { command: "SELECT *, {'a': f, 'x': 7} AS s FROM df" });
    };
    await same('SELECT s.a AS sa, s.x AS sx, *, f AS ff FROM df', struct);
    await same('SELECT a * 2 AS twice, twice + 1 AS more, x FROM df');
  });
});

describe('projectedColumns and isRowProjection on DuckDB trees and plans', () => {
  test('read the tree and the plan DuckDB gives', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await conn.run('CREATE TABLE df (a BIGINT, "B c" VARCHAR, s STRUCT(x INT))');
      await conn.run('PRAGMA disable_optimizer');
      const tree = async (sql: string) => String((await conn.runAndReadAll(`SELECT json_serialize_sql('${sql.replaceAll("'", "''")}')`)).getRows()[0][0]);
      const plan = async (sql: string) => String((await conn.runAndReadAll(`EXPLAIN (FORMAT json) ${sql}`)).getRows()[0][1]);
      const shown = ['a', 'B c', 's'];
      assert.deepEqual(projectedColumns(await tree('SELECT *, a + 1 AS b FROM df'), shown, 4), [0, 1, 2, -1]);
      assert.deepEqual(projectedColumns(await tree('SELECT "b C", s.x, t.a FROM df AS t'), shown, 3), [1, -1, 0]);
      assert.deepEqual(projectedColumns(await tree('SELECT "b C", s.x, t.a FROM df t'), shown, 3), [1, -1, 0]);
      assert.deepEqual(projectedColumns(await tree('SELECT t."b C", t.a FROM df AS t'), shown, 2), [1, 0]);
      assert.equal(projectedColumns(await tree('SELECT * FROM df'), shown, 2), null, 'a width that does not match');
      assert.equal(projectedColumns(await tree('SELECT * FROM df WHERE a > 1'), shown, 3), null);
      assert.equal(projectedColumns(await tree('SELECT * FROM df ORDER BY a'), shown, 3), null);
      assert.equal(projectedColumns(await tree('SELECT * FROM other'), shown, 3), null);
      assert.equal(projectedColumns(await tree('SELECT * FROM main.df'), shown, 3), null);
      assert.equal(projectedColumns(await tree('SELECT * FROM df AS s'), shown, 3), null, 'an alias that is also a column');
      assert.equal(projectedColumns('not json', shown, 3), null);
      assert.equal(isRowProjection(await plan('SELECT *, a + 1 AS b FROM df')), true);
      assert.equal(isRowProjection(await plan('SELECT *, row_number() OVER () AS r FROM df')), false);
      assert.equal(isRowProjection(await plan('SELECT *, unnest([1, 2]) AS u FROM df')), false);
      assert.equal(isRowProjection(await plan('SELECT * FROM df WHERE a > 1')), false);
      assert.equal(isRowProjection(await plan('SELECT * FROM df LIMIT 1')), false);
      assert.equal(isRowProjection(await plan('SELECT *, (SELECT 1) AS one FROM df')), false);
      assert.equal(isRowProjection('[]'), false);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { Duck } from './duck.ts';

// Counts the temporary views without naming them (a statement naming them would create them).
const VIEWS = `SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal`;

test('deferred views are created only by a statement that names df or df_pos', async () => {
  const duck = await Duck.open({ threads: 1, memoryLimit: '256MB', tempDirectory: os.tmpdir() });
  try {
    const db = await duck.connect();
    db.deferViews(['CREATE OR REPLACE TEMP VIEW df_pos AS SELECT 1 AS __pos', 'CREATE OR REPLACE TEMP VIEW df AS SELECT 42 AS x']);
    assert.equal(Number(await db.scalar(VIEWS)), 0);
    // A subquery given the name df (scanOf) reads nothing of the views.
    assert.equal(Number(await db.scalar('SELECT y FROM (SELECT 5 AS y) AS df')), 5);
    assert.equal(Number(await db.scalar('SELECT y FROM (SELECT 6 AS y) as  DF_POS')), 6);
    assert.equal(Number(await db.scalar(VIEWS)), 0);
    assert.equal(Number(await db.scalar('SELECT x FROM DF')), 42); // identifiers match without regard to case
    assert.equal(Number(await db.scalar(VIEWS)), 2);
    // A new version's views replace the old ones at the next use.
    db.deferViews(['CREATE OR REPLACE TEMP VIEW df_pos AS SELECT 1 AS __pos', 'CREATE OR REPLACE TEMP VIEW df AS SELECT 7 AS x']);
    const [a, b] = await Promise.all([db.scalar('SELECT x FROM df'), db.scalar('SELECT x + 1 FROM df')]);
    assert.deepEqual([Number(a), Number(b)], [7, 8]);
    db.close();
  } finally {
    duck.close();
  }
});

test('scalarUnoptimized turns the optimizers off for its statement only, also when it fails', async () => {
  const duck = await Duck.open({ threads: 1, memoryLimit: '256MB', tempDirectory: os.tmpdir() });
  try {
    const db = await duck.connect();
    const setting = `SELECT value FROM duckdb_settings() WHERE name = 'disabled_optimizers'`;
    const before = await db.scalar(setting);
    assert.equal(Number(await db.scalarUnoptimized(`SELECT count(*) FROM range(10) a JOIN range(10) b ON a.range = b.range`, ['join_order', 'statistics_propagation'])), 10);
    assert.equal(await db.scalar(setting), before);
    await assert.rejects(db.scalarUnoptimized('SELECT * FROM no_such_table', ['join_order']), /no_such_table/);
    assert.equal(await db.scalar(setting), before);
    // The setting held during the statement: it can read it back.
    assert.match(String(await db.scalarUnoptimized(setting, ['join_order'])), /join_order/);
    db.close();
  } finally {
    duck.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from './helpers/engine.ts';

// executeCommand on a wide dataset with deleted rows. Over the files, df's deleted rows are
// filtered out of chunks of every column at once, and DuckDB holds vectors of 2,048 values of
// each column in each operator of the plan: 10,000 columns × 1,000 rows needed 1.7–3.3 GB for
// `SELECT * FROM df [LIMIT …]`. Loaded a column group at a time into tables, the same
// queries fit in the command's limit. Here 3,000 columns × 60 rows under a limit of 360 MB,
// with one sandbox thread: over the files these queries needed more than 450 MB (they failed
// as `command out of memory`), loaded by groups they need less than 300 MB.

const COLUMNS = 3000;
const ROWS = 60;
// Two engine threads: commands get one (DuckDB's vectors are per thread).
const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '360MB', DUCKDB_THREADS: 2 });

test('a query over a wide dataset with deleted rows runs within the command memory limit, with the right rows', async () => {
  const columns = Array.from({ length: COLUMNS }, (_, k) => (k % 3 === 0 ? `(range * ${k + 1})::BIGINT AS c${k}` : k % 3 === 1 ? `'v' || (range + ${k}) AS c${k}` : `CASE WHEN range % 4 = 0 THEN NULL ELSE range / 8 END AS c${k}`));
  const id = await h.loadSql(`SELECT ${columns.join(', ')} FROM range(${ROWS})`);
  const { rows: before } = await h.table(id);
  await h.ok(id, 'deleteRows', { rowIndices: [0, 5, 6, 59] });
  const kept = before.filter((_, i) => ![0, 5, 6, 59].includes(i));

  await h.ok(id, 'executeCommand', { command: 'SELECT * FROM df LIMIT 50' });
  let now = await h.table(id);
  assert.equal(now.columns.length, COLUMNS);
  assert.deepEqual(now.rows, kept.slice(0, 50));
  await h.ok(id, 'undo');

  await h.ok(id, 'executeCommand', { command: 'SELECT * FROM df WHERE c0 % 2 = 0' });
  now = await h.table(id);
  assert.deepEqual(now.rows, kept.filter((r) => (r[0] as number) % 2 === 0));
  await h.ok(id, 'undo');

  // The whole dataset back: nothing changed, no new version.
  const same = await h.run(id, 'executeCommand', { command: 'SELECT * FROM df' });
  assert.equal(same.success, true, JSON.stringify(same));
  assert.deepEqual((await h.table(id)).rows, kept);
});

test.after(() => h.close());

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { collectAfterWide, RELEASE_COLUMNS } from './native-release.ts';

test('after wide work the DuckDB results nothing refers to any more are finalized (their native memory freed)', async () => {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  let finalized = 0;
  const registry = new FinalizationRegistry(() => finalized++);
  // Results of a statement over more than RELEASE_COLUMNS columns, dropped as a job drops them.
  const select = `SELECT ${Array.from({ length: RELEASE_COLUMNS + 1 }, (_, i) => `${i} AS c${i}`).join(', ')}`;
  for (let k = 0; k < 3; k++) registry.register(await conn.run(select), k);
  await nextTurn();
  collectAfterWide(RELEASE_COLUMNS + 1);
  // The collection runs at the next turn; finalizers are called in tasks after it.
  for (let k = 0; k < 20 && finalized < 3; k++) await nextTurn();
  assert.equal(finalized, 3);
  conn.closeSync();
  instance.closeSync();
});

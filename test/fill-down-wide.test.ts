import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadOk, serverWithClient } from './helpers/server.ts';

// fillDown over thousands of columns. Its check of which columns have a gap to fill was one
// statement of two FILTER aggregates a column: each FILTER held memory of its own outside
// DuckDB's limit (300 columns of 300 rows: 700 MB), and over 1,000 columns of a 10,000 ×
// 1,000 dataset the server grew until the kernel killed it. Now CASE aggregates, a statement
// per 1,000 columns: 3,000 columns here (three statements; in one, 5,000 columns of 300 rows
// ran out of the small instance's 256 MB). Every value is checked against pandas' rule.

const COLUMNS = 3000;
const ROWS = 200;
const { server, client } = await serverWithClient();

const value = (i: number, j: number) => i * 10_000 + j;
// Gaps everywhere, a leading gap in every 50th column, and a column with nothing to fill.
const missing = (i: number, j: number) => j !== 2999 && ((i + j) % 7 === 0 || (j % 50 === 3 && i < 5));
const header = Array.from({ length: COLUMNS }, (_, j) => `c${j}`).join(',');
const lines = Array.from({ length: ROWS }, (_, i) => Array.from({ length: COLUMNS }, (_, j) => (missing(i, j) ? '' : String(value(i, j)))).join(','));
const id = await uploadOk(server.url, 'wide.csv', `${header}\n${lines.join('\n')}\n`);

/** The nearest valid value at or above (ffill) or at or below (bfill) row i of column j. */
function nearest(i: number, j: number, forward: boolean): number | null {
  for (let k = i; forward ? k >= 0 : k < ROWS; k += forward ? -1 : 1) if (!missing(k, j)) return value(k, j);
  return null;
}

test('fillDown over 3,000 columns fills every column as pandas does, ffill then bfill', async () => {
  for (const method of ['ffill', 'bfill'] as const) {
    const res = await client.request('fillDown', id, { columnFrom: 0, columnTo: COLUMNS - 1, method });
    assert.equal(res.success, true, JSON.stringify(res));
    assert.equal(res.changed, true);
    for (const row of [0, 1, 4, 5, 6, 7, 100, ROWS - 1]) {
      const slice = await client.request('data', id, { rowIndexFrom: row, rowIndexTo: row, columnIndexFrom: 0, columnIndexTo: COLUMNS - 1 });
      const got: unknown[] = JSON.parse(slice.data).data[0];
      for (let j = 0; j < COLUMNS; j++) {
        // After ffill, bfill fills only the leading gaps ffill left.
        const want = method === 'ffill' ? nearest(row, j, true) : (nearest(row, j, true) ?? nearest(row, j, false));
        assert.equal(got[j], want, `${method}: row ${row}, column c${j}`);
      }
    }
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from './helpers/engine.ts';
import { SLICE_COLUMN_CHUNK } from '../src/operations/read/data.ts';

// A slice wider than SLICE_COLUMN_CHUNK is built chunk by chunk (each chunk's JSON glued
// into one array per row) by a statement run with some of DuckDB's optimizers off: its
// values must be those of the dataset itself, in every view (plain, sorted, filtered,
// after deleted rows), for every type.

const h = await engineHarness();
const COLUMNS = 2 * SLICE_COLUMN_CHUNK + 37;
const ROWS = 30;

/** Column k: by k mod 4 an integer, a float with NaN and missing values, text, a date with gaps. */
function column(k: number): string {
  switch (k % 4) {
    case 0:
      return `(range * 7 + ${k})::BIGINT AS c${k}`;
    case 1:
      return `CASE WHEN range % 7 = 0 THEN 'NaN'::DOUBLE WHEN range % 5 = 0 THEN NULL ELSE (range * 13 + ${k}) / 4 END AS c${k}`;
    case 2:
      return `CASE WHEN range % 4 = 0 THEN 'say "hi", ' || range ELSE 't' || ((range + ${k}) % 9) END AS c${k}`;
    default:
      return `CASE WHEN range % 3 = 0 THEN NULL ELSE DATE '2020-01-01' + (range * ${k % 50})::INTEGER END AS c${k}`;
  }
}

const all = Array.from({ length: COLUMNS }, (_, k) => k);

for (const deleted of [[], [0, 3, 4, 17]]) {
  test(`wide slices hold the dataset's own values: plain, sorted, filtered (deleted rows: ${deleted.length ? deleted.join(', ') : 'none'})`, async () => {
    await slicesMatch(deleted);
  });
}

test('a wide slice whose columns come from several files, some of them rewritten', async () => {
  const id = await h.loadSql(`SELECT ${all.map(column).join(', ')} FROM range(${ROWS})`);
  // A column of the first chunk rewritten (a file of its own: that chunk mixes two files), one renamed.
  await h.ok(id, 'fillWithCustomValue', { columnIndex: 1, newValue: '0.5' });
  await h.ok(id, 'renameColumn', { column: SLICE_COLUMN_CHUNK + 2, newName: 'renamed' });
  const { columns, rows } = await h.table(id);
  const slice = JSON.parse((await h.ok(id, 'data', { rowIndexFrom: 0, rowIndexTo: ROWS, columnIndexFrom: 0, columnIndexTo: COLUMNS - 1, sortColumnIndex: 0, sortAscending: false })).data);
  assert.deepEqual(slice.columns, columns);
  assert.deepEqual(slice.data, [...rows].reverse());
  assert.ok(rows.some((r) => r[1] === 0.5) && rows.every((r) => r[1] !== null), 'column 1 was filled');
  const { manifest } = await h.rt.store.current(id);
  assert.notEqual(manifest.columns[1].file, manifest.columns[0].file, 'column 1 has a file of its own');
});

async function slicesMatch(deleted: number[]): Promise<void> {
  const id = await h.loadSql(`SELECT ${all.map(column).join(', ')} FROM range(${ROWS})`);
  if (deleted.length) await h.ok(id, 'deleteRows', { rowIndices: deleted });
  const { rows } = await h.table(id);
  const ROWS_NOW = rows.length;
  const slice = async (params: Record<string, unknown>) => JSON.parse((await h.ok(id, 'data', { columnIndexFrom: 0, columnIndexTo: COLUMNS - 1, ...params })).data);

  const plain = await slice({ rowIndexFrom: 2, rowIndexTo: 9 });
  assert.deepEqual(plain.index, [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(plain.data, rows.slice(2, 10));
  assert.equal(plain.columns.length, COLUMNS);

  // Sorted by the text column 2, descending (ties by position).
  const sorted = await slice({ rowIndexFrom: 0, rowIndexTo: ROWS, sortColumnIndex: 2, sortAscending: false });
  const order = rows.map((r, i) => ({ r, i })).sort((a, b) => (a.r[2] === b.r[2] ? a.i - b.i : String(b.r[2]) < String(a.r[2]) ? -1 : 1));
  assert.deepEqual(sorted.index, order.map((o) => o.i));
  assert.deepEqual(sorted.data, order.map((o) => o.r));

  // Rows whose float column 1 is missing (null or NaN, both sent as null).
  const invalid = await slice({ rowIndexFrom: 0, rowIndexTo: ROWS, filterType: 'invalid', filterColumnIndices: [1] });
  const missing = rows.flatMap((r, i) => (r[1] === null ? [i] : []));
  assert.ok(missing.length > 2);
  assert.deepEqual(invalid.index, missing);
  assert.deepEqual(invalid.data, missing.map((i) => rows[i]));

  // The optimizers are back on for the connection's next statements.
  const again = await slice({ rowIndexFrom: ROWS_NOW - 1, rowIndexTo: ROWS_NOW - 1 });
  assert.deepEqual(again.data, [rows[ROWS_NOW - 1]]);
}

test.after(() => h.close());

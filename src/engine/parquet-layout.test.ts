import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../test/helpers/engine.ts';
import { literal } from './sql.ts';
import { DEFAULT_ROW_GROUP_ROWS, SMALL_ROW_GROUP_ROWS, SMALL_DATASET_ROWS, SMALL_UPLOAD_BYTES, parquetOptions, rowGroupRows, uploadRowGroupRows } from './parquet-layout.ts';

/** Row counts of the row groups of the file holding each column of the session's current version, by column name. */
async function rowGroups(h: EngineHarness, sessionId: string): Promise<Record<string, number[]>> {
  const { manifest } = await h.rt.store.current(sessionId);
  const out: Record<string, number[]> = {};
  await h.rt.duck.withConnection(async (db) => {
    for (const c of manifest.columns) {
      const rows = await db.rows(`SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${literal(h.rt.store.filePath(sessionId, c.file))}) ORDER BY row_group_id`);
      out[c.name] = rows.map((r) => Number(r.row_group_num_rows));
    }
  });
  return out;
}

function groupsOf(rows: number, size: number): number[] {
  return Array.from({ length: Math.ceil(rows / size) }, (_, k) => Math.min(size, rows - k * size));
}

test('row group sizes: small datasets and uploads get small row groups, large ones DuckDB’s default', () => {
  assert.equal(rowGroupRows(100_000), SMALL_ROW_GROUP_ROWS);
  assert.equal(rowGroupRows(SMALL_DATASET_ROWS), SMALL_ROW_GROUP_ROWS);
  assert.equal(rowGroupRows(SMALL_DATASET_ROWS + 1), DEFAULT_ROW_GROUP_ROWS);
  assert.equal(uploadRowGroupRows(6_000_000), SMALL_ROW_GROUP_ROWS);
  assert.equal(uploadRowGroupRows(SMALL_UPLOAD_BYTES + 1), DEFAULT_ROW_GROUP_ROWS);
  assert.equal(uploadRowGroupRows(null), DEFAULT_ROW_GROUP_ROWS);
  assert.equal(parquetOptions(16_384), '(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 16384)');
  assert.throws(() => parquetOptions(0), /positive integer/);
});

test('a small upload and the columns its changes write are in small row groups; slices across their boundaries read the right rows', async () => {
  const h = await engineHarness();
  try {
    const rows = 40_000;
    const csv = 'n,t\n' + Array.from({ length: rows }, (_, i) => `${i},w${i % 7}`).join('\n') + '\n';
    const id = await h.load(csv);
    assert.deepEqual(await rowGroups(h, id), { n: groupsOf(rows, SMALL_ROW_GROUP_ROWS), t: groupsOf(rows, SMALL_ROW_GROUP_ROWS) });
    await h.ok(id, 'newCellValue', { columnIndex: 0, rowIndex: SMALL_ROW_GROUP_ROWS, newValue: '-1' });
    assert.deepEqual((await rowGroups(h, id)).n, groupsOf(rows, SMALL_ROW_GROUP_ROWS));
    const slice = await h.ok(id, 'data', { rowIndexFrom: SMALL_ROW_GROUP_ROWS - 2, rowIndexTo: SMALL_ROW_GROUP_ROWS + 1, columnIndexFrom: 0, columnIndexTo: 1 });
    const at = (k: number) => SMALL_ROW_GROUP_ROWS - 2 + k;
    assert.deepEqual(JSON.parse(slice.data), {
      columns: ['n', 't'],
      index: [0, 1, 2, 3].map(at),
      data: [0, 1, 2, 3].map((k) => [at(k) === SMALL_ROW_GROUP_ROWS ? -1 : at(k), `w${at(k) % 7}`]),
    });
  } finally {
    await h.close();
  }
});

test('a change of a dataset of more than a million rows writes row groups of DuckDB’s default size', async () => {
  const h = await engineHarness();
  try {
    const rows = SMALL_DATASET_ROWS + 1;
    const id = await h.loadSql(`SELECT range AS n FROM range(${rows})`);
    await h.ok(id, 'newCellValue', { columnIndex: 0, rowIndex: 5, newValue: '-1' });
    assert.deepEqual((await rowGroups(h, id)).n, groupsOf(rows, DEFAULT_ROW_GROUP_ROWS));
  } finally {
    await h.close();
  }
});

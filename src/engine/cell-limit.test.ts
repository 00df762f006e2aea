import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { engineHarness, type EngineHarness } from '../../test/helpers/engine.ts';
import { cellBytesSql } from './cell-limit.ts';

test('cellBytesSql: text and BLOB by their bytes, nested and other types by their text form, bounded types not at all', () => {
  assert.equal(cellBytesSql('c0', 'VARCHAR'), 'strlen(c0)');
  assert.equal(cellBytesSql('c0', 'JSON'), 'strlen(c0)');
  assert.equal(cellBytesSql('c0', 'BLOB'), 'octet_length(c0)');
  for (const t of ['INTEGER[]', 'VARCHAR[3]', 'STRUCT(a VARCHAR)', 'MAP(VARCHAR, INTEGER)', 'UNION(k VARCHAR)', 'BIT', 'BIGNUM']) {
    assert.equal(cellBytesSql('c0', t), 'strlen(CAST(c0 AS VARCHAR))', t);
  }
  for (const t of ['BOOLEAN', 'BIGINT', 'UHUGEINT', 'DOUBLE', 'DECIMAL(18,3)', 'DECIMAL(38, 0)', 'DATE', 'TIME', 'TIME WITH TIME ZONE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_NS', 'INTERVAL', 'UUID', '"NULL"', "ENUM('a', 'b')"]) {
    assert.equal(cellBytesSql('c0', t), null, t);
  }
});

// Operations that build values from the data (not only from their parameters, which
// assertStringsWithin bounds) are refused when a value they write would pass MAX_CELL_BYTES:
// the check is the one every computed column gets when it is materialized.
describe('operations building values over MAX_CELL_BYTES', () => {
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
    return { state: await h.rt.store.state(id), table: await h.table(id), files: (await fs.readdir(h.rt.store.filesDir(id))).sort() };
  }

  async function refused(id: string, operation: string, params: Record<string, unknown>, description: string) {
    const before = await everything(id);
    const res = await h.run(id, operation, params);
    assert.equal(res.success, false, JSON.stringify(params));
    assert.equal(res.error, 'value too large', res.errorDescription);
    assert.equal(res.errorDescription, description);
    assert.equal(res.dataChanged, false);
    assert.deepEqual(await everything(id), before, 'the session is as it was');
  }
  const tooLarge = (column: string, bytes: number) => `column ${JSON.stringify(column)} would hold a value of ${bytes} bytes; cell values are limited to ${LIMIT} bytes (MAX_CELL_BYTES); the dataset is unchanged`;

  test('combineColumns of two large cells is refused; a result right at the limit is accepted', async () => {
    const id = await h.load(`a,b,c\n${'x'.repeat(600)},${'y'.repeat(600)},${'z'.repeat(399)}\nshort,,\n`);
    await refused(id, 'combineColumns', { columnsToCombine: ['a', 'b'], seperator: '-', newName: 'ab', insertIndex: 3 }, tooLarge('ab', 1201));
    await h.ok(id, 'combineColumns', { columnsToCombine: ['a', 'c'], seperator: '-', newName: 'ac', insertIndex: 3 });
    assert.deepEqual(await h.column(id, 'ac'), [`${'x'.repeat(600)}-${'z'.repeat(399)}`, 'short']);
  });

  test('findReplace whose replacement multiplies a value is refused', async () => {
    const id = await h.load(`k,t\n1,${'ab'.repeat(300)}\n2,ab\n`);
    await refused(id, 'findReplace', { columnIndex: 1, toReplace: ['a'], replaceWith: ['aaa'], matchRegex: true }, tooLarge('t', 1200));
    // 250 × 'ab' → 250 × 'aab': 750 bytes, within the limit.
    await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: 0, newValue: 'ab'.repeat(250) });
    await h.ok(id, 'findReplace', { columnIndex: 1, toReplace: ['a'], replaceWith: ['aa'], matchRegex: true });
    assert.deepEqual(await h.column(id, 't'), ['aab'.repeat(250), 'aab']);
  });

  test('in a recipe, a step over the limit fails the recipe: none of its steps applies, none of their files stays', async () => {
    const id = await h.load(`a,b\n${'x'.repeat(600)},${'y'.repeat(600)}\n`);
    const operations = [
      { operation: 'insertDuplicateColumn', parameters: { columnIndex: 0 } },
      { operation: 'combineColumns', parameters: { columnsToCombine: ['a', 'b'], seperator: '', newName: 'ab', insertIndex: 0 } },
    ];
    const before = await everything(id);
    const res = await h.run(id, 'applyOperations', { operations });
    assert.equal(res.success, false);
    assert.equal(res.error, 'operation failed', res.errorDescription);
    assert.match(res.errorDescription, /^operation 2 of 2 \(combineColumns\) failed, so none was applied: value too large: column "ab" would hold a value of 1200 bytes; cell values are limited to 1000 bytes \(MAX_CELL_BYTES\)/);
    assert.deepEqual(await everything(id), before);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from '../../../test/helpers/engine.ts';

test('cell values are capped at MAX_CELL_BYTES; history comes in bounded pages that replay', async () => {
  const h = await engineHarness({ MAX_CELL_BYTES: 3_000_000 });
  try {
    const id = await h.load('a,b\n1,x\n2,y\n');
    const before = await h.rt.store.state(id);
    const huge = await h.run(id, 'newCellValue', { columnIndex: 1, rowIndex: 0, newValue: 'é'.repeat(2_000_000) });
    assert.equal(huge.success, false);
    assert.equal(huge.error, 'value too large');
    assert.match(huge.errorDescription, /newValue: 4000000 bytes; values are limited to 3000000 bytes \(MAX_CELL_BYTES\)/);
    const nested = await h.run(id, 'applyOperations', { operations: [{ operation: 'findReplace', parameters: { columnIndex: 1, toReplace: ['x'], replaceWith: ['z'.repeat(3_000_001)], matchRegex: false } }] });
    assert.equal(nested.success, false);
    assert.match(nested.errorDescription, /replaceWith\[0\]: 3000001 bytes; values are limited to 3000000 bytes/);
    assert.deepEqual(await h.rt.store.state(id), before);

    // Five 2.5 MB edits: a page holds about 8 MB, so history comes in two.
    const values = [0, 1, 2, 3, 4].map((k) => String(k).repeat(2_500_000));
    for (const [k, v] of values.entries()) await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: k % 2, newValue: v });
    const first = await h.ok(id, 'history');
    assert.equal(first.total, 5);
    assert.equal(first.operations.length, 3);
    assert.equal(first.nextOffset, 3);
    const second = await h.ok(id, 'history', { offset: first.nextOffset });
    assert.equal(second.operations.length, 2);
    assert.equal(second.nextOffset, null);
    const small = await h.ok(id, 'history', { offset: 1, limit: 1 });
    assert.deepEqual([small.operations.length, small.nextOffset], [1, 2]);
    assert.equal(small.operations[0].parameters.newValue, values[1]);
    // The pages together are the whole log, and replay it.
    const other = await h.load('a,b\n1,x\n2,y\n');
    await h.ok(other, 'applyOperations', { operations: [...first.operations, ...second.operations] });
    assert.deepEqual(await h.column(other, 'b'), [values[4], values[3]]);
    const bad = await h.run(id, 'history', { limit: 0 });
    assert.equal(bad.error, 'invalid parameters');
  } finally {
    await h.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from './helpers/engine.ts';

test('harness: load, read, undo without history is an error', async () => {
  const h = await engineHarness();
  try {
    const id = await h.load('a,b\n1,x\n2,\n');
    assert.deepEqual(await h.table(id), { columns: ['a', 'b'], types: ['int', 'string'], rows: [[1, 'x'], [2, null]] });
    const res = await h.run(id, 'undo');
    assert.equal(res.success, false);
    assert.equal(res.error, 'nothing to undo');
  } finally {
    await h.close();
  }
});

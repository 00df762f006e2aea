import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from '../../test/helpers/engine.ts';
import { executeJob } from '../worker/executor.ts';
import { assertPlainData, assertStringsWithin, MAX_BODY_DEPTH, MAX_OBJECT_KEYS } from './plain-data.ts';

describe('request bodies are plain data', () => {
  test('__proto__, constructor and prototype keys are refused at any depth, naming where', () => {
    for (const [json, where] of [
      ['{"__proto__": {"columnIndex": 0}}', /the key "__proto__"/],
      ['{"operations": [{"operation": "x", "parameters": {"constructor": {"prototype": 1}}}]}', /operations\[0\]\.parameters: the key "constructor"/],
      ['{"a": {"b": [{"prototype": 2}]}}', /a\.b\[0\]: the key "prototype"/],
    ] as const) {
      assert.throws(() => assertPlainData(JSON.parse(json)), (err: Error & { code?: string }) => err.code === 'invalid parameters' && where.test(err.message), json);
    }
  });

  test('deep nesting, non-finite numbers and binary values are refused; plain data passes', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.throws(() => assertPlainData({ x: deep }), new RegExp(`nested more than ${MAX_BODY_DEPTH} levels`));
    assert.throws(() => assertPlainData({ x: Number.NaN }), /NaN is not a finite number/);
    assert.throws(() => assertPlainData({ x: Buffer.from('a') }), /binary/);
    const wide = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    assert.throws(() => assertPlainData(wide(MAX_OBJECT_KEYS + 1)), new RegExp(`the request has ${MAX_OBJECT_KEYS + 1} keys; an object of a request may have at most ${MAX_OBJECT_KEYS}$`));
    assert.throws(() => assertPlainData({ operations: [{ parameters: wide(5000) }] }), /operations\[0\]\.parameters has 5000 keys/);
    assertPlainData(wide(MAX_OBJECT_KEYS));
    assertPlainData({ a: [1, 'x', null, true, { b: { c: [] } }], proto: 1, 'constructor ': 2 });
  });

  test('strings over the cell limit are refused naming where, at any depth, but under exempt keys', () => {
    for (const [params, where] of [
      [{ newValue: 'xxxxx' }, /^newValue: 5 bytes; values are limited to 4 bytes/],
      [{ toReplace: ['a', 'é'.repeat(3)] }, /^toReplace\[1\]: 6 bytes/],
      [{ operations: [{ parameters: { seperator: 'xxxxx' } }] }, /^operations\[0\]\.parameters\.seperator: 5 bytes/],
      [{ a: [[1, ['xxxxxx']]] }, /^a\[0\]\[1\]\[0\]: 6 bytes/],
    ] as const) {
      assert.throws(() => assertStringsWithin(params, 4), (err: Error & { code?: string }) => err.code === 'value too large' && where.test(err.message), JSON.stringify(params));
    }
    assertStringsWithin({ command: 'x'.repeat(100), a: [{ command: 'y'.repeat(100) }], b: ['abcd', 1, null] }, 4, new Set(['command']));
  });

  test('text holding NUL, as a value or a key, at any depth, is refused as an invalid value naming where', () => {
    for (const [body, where] of [
      [{ newValue: 'a\u0000b' }, /^newValue: the text "a\\u0000b" holds a NUL character \(U\+0000\) at position 1/],
      [{ toReplace: ['x', '\u0000'] }, /^toReplace\[1\]: .* at position 0/],
      [{ operations: [{ parameters: { seperator: 'x\u0000' } }] }, /^operations\[0\]\.parameters\.seperator: /],
      [{ 'a\u0000': 1 }, /^the key "a\\u0000" holds a NUL character/],
    ] as const) {
      assert.throws(() => assertPlainData(body), (err: Error & { code?: string }) => err.code === 'invalid value' && where.test(err.message), JSON.stringify(body));
    }
    assertPlainData({ newValue: 'a\\u0000b \\x00 \u0001' });
  });

  test('newCellValue with its parameters under "__proto__" is refused and changes nothing', async () => {
    const h = await engineHarness();
    try {
      const id = await h.load('a,b\n1,x\n2,y\n');
      const before = { table: await h.table(id), state: await h.rt.store.state(id) };
      const body = JSON.parse(`{"operation": "newCellValue", "sessionID": "${id}", "requestID": "r1", "__proto__": {"columnIndex": 1, "rowIndex": 0, "newValue": "hacked"}}`);
      const { message, dataChanged: changed } = await executeJob(h.rt, { operation: 'newCellValue', sessionID: id, requestID: 'r1', body });
      assert.equal(message.success, false);
      assert.equal(message.error, 'invalid parameters');
      assert.match(String(message.errorDescription), /"__proto__" is not allowed/);
      assert.equal(changed, false);
      assert.deepEqual({ table: await h.table(id), state: await h.rt.store.state(id) }, before);
      // The same parameters sent plainly are applied and recorded exactly as applied.
      await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: 0, newValue: 'fine' });
      const { operations } = await h.ok(id, 'history');
      assert.deepEqual(
        operations.map((o: { operation: string; parameters: unknown }) => [o.operation, o.parameters]),
        [['newCellValue', { columnIndex: 1, rowIndex: 0, newValue: 'fine' }]],
      );
      // …and replay from the record.
      const other = await h.load('a,b\n1,x\n2,y\n');
      await h.ok(other, 'applyOperations', { operations });
      assert.deepEqual(await h.column(other, 'b'), ['fine', 'y']);
    } finally {
      await h.close();
    }
  });
});

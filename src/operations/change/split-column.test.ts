import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { literal } from '../../engine/sql.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

test('splitColumn: pieces into <col>_0… after the column, as many as the longest; empty and absent pieces are missing', async () => {
  const id = await h.load('name,n\n"Smith, John",1\n"Doe,,Jane,X",2\n,3\nsolo,4\n"→,é",5\n');
  const res = await h.ok(id, 'splitColumn', { columnIndex: 0, delimiter: ',', regex: false });
  assert.equal(res.changed, true);
  assert.deepEqual(await h.table(id), {
    columns: ['name', 'name_0', 'name_1', 'name_2', 'name_3', 'n'],
    types: ['string', 'string', 'string', 'string', 'string', 'int'],
    rows: [
      ['Smith, John', 'Smith', ' John', null, null, 1],
      ['Doe,,Jane,X', 'Doe', null, 'Jane', 'X', 2],
      [null, null, null, null, null, 3],
      ['solo', 'solo', null, null, null, 4],
      ['→,é', '→', 'é', null, null, 5],
    ],
  });
});

test('splitColumn: the delimiter is literal unless regex is set', async () => {
  const literalDot = await h.load('v\na.b.c\nabc\n');
  await h.ok(literalDot, 'splitColumn', { columnIndex: 0, delimiter: '.' });
  assert.deepEqual((await h.table(literalDot)).rows, [['a.b.c', 'a', 'b', 'c'], ['abc', 'abc', null, null]]);
  const re = await h.load('v\n"a1b22c"\n"x, y ,z"\n');
  await h.ok(re, 'splitColumn', { columnIndex: 0, delimiter: '\\d+|\\s*,\\s*', regex: 'true' });
  assert.deepEqual((await h.table(re)).rows, [['a1b22c', 'a', 'b', 'c'], ['x, y ,z', 'x', 'y', 'z']]);
  // a multi-character delimiter
  const multi = await h.load('v\nk::v\n');
  await h.ok(multi, 'splitColumn', { columnIndex: 0, delimiter: '::' });
  assert.deepEqual(await h.table(multi), { columns: ['v', 'v_0', 'v_1'], types: ['string', 'string', 'string'], rows: [['k::v', 'k', 'v']] });
});

test('splitColumn: errors, empty dataset', async () => {
  const id = await h.load('s,n\na b,1\n');
  const expectError = async (params: Record<string, unknown>, error: string, description: RegExp) => {
    const res = await h.run(id, 'splitColumn', params);
    assert.equal(res.success, false, JSON.stringify(params));
    assert.equal(res.error, error);
    assert.match(res.errorDescription, description);
  };
  await expectError({ columnIndex: 1, delimiter: ',' }, 'invalid column type', /"n" is int; only text columns can be split/);
  await expectError({ columnIndex: 0, delimiter: '' }, 'invalid parameters', /delimiter: an empty delimiter/);
  await expectError({ columnIndex: 0, delimiter: '(', regex: true }, 'invalid regex', /delimiter "\(" is not a valid regular expression/);
  await expectError({ columnIndex: 0 }, 'invalid parameters', /delimiter/);
  await expectError({ columnIndex: 3, delimiter: ' ' }, 'index out of range', /columnIndex 3/);
  // a name the split would repeat
  const clash = await h.load('s,s_0\na b,x\n');
  const res = await h.run(clash, 'splitColumn', { columnIndex: 0, delimiter: ' ' });
  assert.equal(res.error, 'duplicate column name');
  const empty = await h.load('s\na b\n');
  await h.ok(empty, 'deleteRows', { rowIndices: [0] });
  assert.equal((await h.ok(empty, 'splitColumn', { columnIndex: 0, delimiter: ' ' })).changed, false);
});

test('splitColumn: undo restores exactly the previous table, redo the split', async () => {
  const id = await h.load('a,b\n1-2,x\n3,y\n');
  const before = await h.table(id);
  await h.ok(id, 'splitColumn', { columnIndex: 0, delimiter: '-' });
  const after1 = await h.table(id);
  assert.deepEqual(after1.columns, ['a', 'a_0', 'a_1', 'b']);
  assert.deepEqual(after1.rows, [['1-2', '1', '2', 'x'], ['3', '3', null, 'y']]);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after1);
});

test('splitColumn: a literal delimiter\'s count from lengths is string_split\'s list length', async () => {
  const delimiters = fc.constantFrom(',', 'x', 'xx', 'xyx', ', ', '€', 'é€', '😀', '.', '\\', "'", '\n', 'aa');
  const value = fc.array(fc.constantFrom('x', 'y', 'a', ',', ' ', '€', 'é', '😀', '.', '\\', "'", '\n'), { maxLength: 40 }).map((cs) => cs.join(''));
  await h.rt.duck.withConnection(async (db) => {
    await fc.assert(
      fc.asyncProperty(delimiters, fc.array(value, { minLength: 1, maxLength: 20 }), async (delimiter, values) => {
        const d = literal(delimiter);
        const rows = await db.rows(`SELECT t, (strlen(t) - strlen(replace(t, ${d}, ''))) // ${Buffer.byteLength(delimiter)} + 1 AS n, len(string_split(t, ${d})) AS truth FROM (SELECT unnest([${values.map(literal).join(', ')}]::VARCHAR[]) AS t)`);
        for (const r of rows) assert.equal(r.n, r.truth, JSON.stringify({ delimiter, t: r.t }));
      }),
      { numRuns: 200 },
    );
  });
});

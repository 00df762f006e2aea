import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';

// A recipe taken from one dataset (history) and applied to another (applyOperations) must
// change the same columns there, whatever their order: history records the names the
// positional parameters referred to, and a replay finds those names again.

type Entry = { operation: string; parameters: Record<string, unknown>; columns?: Record<string, unknown>; undone?: boolean };

describe('recipes replay positional steps by the names they referred to', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness();
  });
  after(async () => {
    await h.close();
  });

  /** The history of a session made from `csv` by `steps` (each applied alone), without times. */
  async function recipeOf(csv: string, steps: [string, Record<string, unknown>][]): Promise<Entry[]> {
    const id = await h.load(csv);
    for (const [operation, parameters] of steps) await h.ok(id, operation, parameters);
    return (await h.ok(id, 'history')).operations.map(({ appliedAt: _t, ...entry }: Entry & { appliedAt: string }) => entry);
  }

  const A = 'name,price,qty\napple,1,10\npear,3,20\n';
  // A's columns in another order, with other values.
  const B = 'qty,name,price\n5,fig,2\n7,kiwi,6\n';

  test('history records the names beside the parameters as applied; a name parameter needs none', async () => {
    const recipe = await recipeOf(A, [
      ['normalize', { columnIndex: '1' }],
      ['fillDown', { columnFrom: 1, columnTo: 2, method: 'ffill' }],
      ['renameColumn', { column: 'qty', newName: 'count' }],
      ['renameColumn', { column: 0, newName: 'item' }],
      ['combineColumns', { columnsToCombine: [0, 'count'], seperator: '-' }],
      ['deleteColumns', { columnIndices: [0, 3] }],
    ]);
    assert.deepEqual(recipe, [
      { operation: 'normalize', parameters: { columnIndex: '1' }, columns: { columnIndex: 'price' }, undone: false },
      // No gap to fill: nothing changed, nothing recorded.
      { operation: 'renameColumn', parameters: { column: 'qty', newName: 'count' }, undone: false },
      { operation: 'renameColumn', parameters: { column: 0, newName: 'item' }, columns: { column: 'name' }, undone: false },
      { operation: 'combineColumns', parameters: { columnsToCombine: [0, 'count'], seperator: '-' }, columns: { columnsToCombine: ['item', 'count'] }, undone: false },
      { operation: 'deleteColumns', parameters: { columnIndices: [0, 3] }, columns: { columnIndices: ['item', 'merged_column'] }, undone: false },
    ]);
  });

  test('a recipe from a dataset whose columns are in another order changes the same columns', async () => {
    const recipe = await recipeOf(A, [['normalize', { columnIndex: 1 }]]);
    const target = await h.load(B);
    const res = await h.ok(target, 'applyOperations', { operations: recipe });
    assert.equal(res.applied, 1);
    assert.deepEqual(await h.table(target), {
      columns: ['qty', 'name', 'price'],
      types: ['int', 'string', 'float'],
      rows: [
        [5, 'fig', 0],
        [7, 'kiwi', 1],
      ],
    });
    // The replay records where the column is in this dataset, and its name again.
    assert.deepEqual(
      (await h.ok(target, 'history')).operations.map((o: Entry) => [o.parameters, o.columns]),
      [[{ columnIndex: 2 }, { columnIndex: 'price' }]],
    );
  });

  test('a rename earlier in the recipe: a later step finds its column by the new name', async () => {
    const recipe = await recipeOf(A, [
      ['renameColumn', { column: 'price', newName: 'cost' }],
      ['normalize', { columnIndex: 1 }],
    ]);
    assert.deepEqual(recipe[1].columns, { columnIndex: 'cost' });
    const target = await h.load(B);
    await h.ok(target, 'applyOperations', { operations: recipe });
    const table = await h.table(target);
    assert.deepEqual(table.columns, ['qty', 'name', 'cost']);
    assert.deepEqual(table.rows, [
      [5, 'fig', 0],
      [7, 'kiwi', 1],
    ]);
  });

  test('columns deleted earlier in the recipe: a later step finds its column where it now is', async () => {
    const recipe = await recipeOf('name,price,qty,note\napple,1,10,a\npear,3,20,b\n', [
      ['deleteColumns', { columnIndices: [0] }],
      ['normalize', { columnIndex: 0 }],
    ]);
    assert.deepEqual(
      recipe.map((e) => e.columns),
      [{ columnIndices: ['name'] }, { columnIndex: 'price' }],
    );
    const target = await h.load('note,qty,name,price\nx,5,fig,2\ny,7,kiwi,6\n');
    await h.ok(target, 'applyOperations', { operations: recipe });
    assert.deepEqual(await h.table(target), {
      columns: ['note', 'qty', 'price'],
      types: ['string', 'int', 'float'],
      rows: [
        ['x', 5, 0],
        ['y', 7, 1],
      ],
    });
  });

  test('a recorded name the dataset does not have refuses the whole recipe, naming the step, parameter and name', async () => {
    const recipe = await recipeOf(A, [
      ['renameColumn', { column: 0, newName: 'item' }],
      ['normalize', { columnIndex: 1 }],
    ]);
    const target = await h.load('qty,name,cost\n5,fig,2\n7,kiwi,6\n');
    await h.ok(target, 'standardize', { columnIndex: 0 });
    const state = await h.rt.store.state(target);
    const table = await h.table(target);
    const history = (await h.ok(target, 'history')).operations;
    const res = await h.run(target, 'applyOperations', { operations: recipe });
    assert.equal(res.success, false);
    assert.equal(res.error, 'operation failed');
    assert.match(res.errorDescription, /^operation 2 of 2 \(normalize\) failed, so none was applied: unknown column: columnIndex refers to column "price", /);
    assert.equal(res.changed, false);
    assert.deepEqual(await h.rt.store.state(target), state);
    assert.deepEqual(await h.table(target), table);
    assert.deepEqual((await h.ok(target, 'history')).operations, history);
  });

  test('a range (fillDown columnFrom…columnTo) records every column in it, and fills the same ones or refuses', async () => {
    const source = 'a,b,c,d\n1,2,3,4\n,,,\n';
    const recipe = await recipeOf(source, [['fillDown', { columnFrom: 1, columnTo: 2, method: 'ffill' }]]);
    assert.deepEqual(recipe[0].columns, { columnFrom: 'b', columnTo: ['b', 'c'] });
    // The same columns elsewhere, in the same order: filled there, the others left.
    const moved = await h.load('d,b,c,a\n4,2,3,1\n,,,\n');
    await h.ok(moved, 'applyOperations', { operations: recipe });
    assert.deepEqual((await h.table(moved)).rows, [
      [4, 2, 3, 1],
      [null, 2, 3, null],
    ]);
    assert.deepEqual((await h.ok(moved, 'history')).operations[0].parameters, { columnFrom: 1, columnTo: 2, method: 'ffill' });
    // Another column between the ends, or the ends the other way round: refused, nothing filled.
    for (const csv of ['b,x,c\n1,2,3\n,,\n', 'c,b\n1,2\n,\n']) {
      const target = await h.load(csv);
      const before = await h.table(target);
      const res = await h.run(target, 'applyOperations', { operations: recipe });
      assert.equal(res.success, false, csv);
      assert.match(res.errorDescription, /columnFrom…columnTo: the recipe's step covered the columns "b", "c", but from "b" to "c" this dataset has /, csv);
      assert.deepEqual(await h.table(target), before);
    }
  });

  test("a recipe's reply carries its steps' own answers: what conversions made missing is told, as for one conversion", async () => {
    const target = await h.load('answer,n\nyes,1\nmaybe,2\nno,x\n');
    const res = await h.ok(target, 'applyOperations', {
      operations: [
        { operation: 'changeColumnDataType', parameters: { column: 'answer', newDataType: 'bool' } },
        { operation: 'renameColumn', parameters: { column: 'n', newName: 'count' } },
        { operation: 'changeColumnDataType', parameters: { column: 'count', newDataType: 'int' } },
      ],
    });
    assert.deepEqual([res.applied, res.valuesMadeMissing, res.madeMissingExamples], [3, 2, ['maybe', 'x']]);
    assert.deepEqual(
      res.steps.map((s: Record<string, unknown>) => [s.step, s.operation, s.valuesMadeMissing]),
      [
        [1, 'changeColumnDataType', 1],
        [3, 'changeColumnDataType', 1],
      ],
    );
  });

  test('names are matched exactly: a column whose name differs only in letter case is another column', async () => {
    const recipe = await recipeOf(A, [['normalize', { columnIndex: 1 }]]);
    const both = await h.load('Price,qty,price\n100,5,2\n300,7,6\n');
    await h.ok(both, 'applyOperations', { operations: recipe });
    assert.deepEqual((await h.table(both)).rows, [
      [100, 5, 0],
      [300, 7, 1],
    ]);
    const other = await h.load('qty,Price\n5,2\n7,6\n');
    const res = await h.run(other, 'applyOperations', { operations: recipe });
    assert.equal(res.error, 'operation failed');
    assert.match(res.errorDescription, /columnIndex refers to column "price", .*letter case/);
    assert.deepEqual((await h.ok(other, 'history')).operations, []);
  });

  test('an entry without names (recorded before names were, or written by hand) replays by position', async () => {
    const target = await h.load(B);
    await h.ok(target, 'applyOperations', { operations: [{ operation: 'normalize', parameters: { columnIndex: 0 } }] });
    assert.deepEqual(await h.column(target, 'qty'), [0, 1]);
    // What it did is recorded with the name, so that this session's history replays by name.
    assert.deepEqual(
      (await h.ok(target, 'history')).operations.map((o: Entry) => o.columns),
      [{ columnIndex: 'qty' }],
    );
  });

  test('combineColumns insertIndex: the new column goes next to the same column on a dataset in another order', async () => {
    const source = 'first,last,age,city\nAda,L,36,X\nAlan,T,41,Y\n';
    // In the middle (right after "age"), first, and last: recorded as the column it went next to.
    const recipe = await recipeOf(source, [
      ['combineColumns', { columnsToCombine: ['first', 'last'], seperator: ' ', newName: 'full', insertIndex: 3 }],
      ['combineColumns', { columnsToCombine: ['city', 'age'], seperator: '/', newName: 'where', insertIndex: '0' }],
      ['combineColumns', { columnsToCombine: ['last', 'first'], seperator: ',', newName: 'sort', insertIndex: 6 }],
    ]);
    assert.deepEqual(
      recipe.map((e) => [e.parameters.insertIndex, e.columns]),
      [
        [3, { insertIndex: { after: 'age' } }],
        ['0', { insertIndex: { before: 'first' } }],
        [6, { insertIndex: { after: 'city' } }],
      ],
    );
    // The same columns in another order: each new column lands next to the same neighbour.
    const target = await h.load('city,age,last,first\nZ,50,H,Grace\n');
    await h.ok(target, 'applyOperations', { operations: recipe });
    const table = await h.table(target);
    // "where" went first, before "first": here it goes before "first" too.
    assert.deepEqual(table.columns, ['city', 'sort', 'age', 'full', 'last', 'where', 'first']);
    assert.deepEqual(table.rows, [['Z', 'H,Grace', 50, 'Grace H', 'H', 'Z/50', 'Grace']]);
    // Replayed at the positions found, with the recipe's places (not the neighbour on the
    // other side), so that this session's history replays the same way again.
    const replayed = (await h.ok(target, 'history')).operations;
    assert.deepEqual(
      replayed.map((o: Entry) => [o.parameters.insertIndex, o.columns?.insertIndex]),
      [
        [2, { after: 'age' }],
        [4, { before: 'first' }],
        [1, { after: 'city' }],
      ],
    );
    const again = await h.load('first,age,city,last\nKen,60,W,T\n');
    await h.ok(again, 'applyOperations', { operations: replayed });
    assert.deepEqual((await h.table(again)).columns, ['where', 'first', 'age', 'full', 'city', 'sort', 'last']);
  });

  test('combineColumns insertIndex: an old entry without a place replays at the number; without insertIndex nothing is recorded; a missing neighbour refuses', async () => {
    const target = await h.load('c,b,a\n1,2,3\n');
    const old = { operation: 'combineColumns', parameters: { columnsToCombine: ['a', 'b'], seperator: '-', newName: 'ab', insertIndex: 1 } };
    await h.ok(target, 'applyOperations', { operations: [old] });
    assert.deepEqual((await h.table(target)).columns, ['c', 'ab', 'b', 'a']);

    const recipe = await recipeOf('a,b,c\n1,2,3\n', [['combineColumns', { columnsToCombine: ['a', 'b'], seperator: '-', newName: 'ab' }]]);
    assert.deepEqual(recipe[0].columns, undefined);

    const placed = await recipeOf('a,b,c\n1,2,3\n', [['combineColumns', { columnsToCombine: ['a', 'b'], seperator: '-', newName: 'ab', insertIndex: 3 }]]);
    const other = await h.load('a,b,d\n1,2,3\n');
    const res = await h.run(other, 'applyOperations', { operations: placed });
    assert.equal(res.error, 'operation failed');
    assert.match(res.errorDescription, /unknown column: insertIndex refers to column "c" \(the new column goes right after it\)/);
    assert.deepEqual((await h.table(other)).columns, ['a', 'b', 'd']);
  });

  test('splitColumn, insertDuplicateColumn and generateDummies put their columns right after the named column on a dataset in another order', async () => {
    const recipe = await recipeOf('s,k,t\na-b,1,x\nc-d,2,y\n', [
      ['splitColumn', { columnIndex: 0, delimiter: '-' }],
      ['insertDuplicateColumn', { columnIndex: 4 }],
      ['generateDummies', { columnIndex: 3 }],
    ]);
    assert.deepEqual(
      recipe.map((e) => e.columns),
      [{ columnIndex: 's' }, { columnIndex: 't' }, { columnIndex: 'k' }],
    );
    const target = await h.load('t,k,s\nz,3,e-f\n');
    await h.ok(target, 'applyOperations', { operations: recipe });
    assert.deepEqual((await h.table(target)).columns, ['t', 't_copy', 'k', 'k_3', 's', 's_0', 's_1']);
  });

  test('names that do not fit the parameters are refused', async () => {
    const target = await h.load(B);
    const cases: [Entry, RegExp][] = [
      [{ operation: 'normalize', parameters: { columnIndex: 1 }, columns: { columnIndex: ['price'] } }, /invalid parameters: columns\.columnIndex: /],
      [{ operation: 'deleteColumns', parameters: { columnIndices: [0, 1] }, columns: { columnIndices: ['price'] } }, /invalid parameters: columns\.columnIndices: /],
      [{ operation: 'normalize', parameters: { columnIndex: 1 }, columns: { rangeTo: 'price' } }, /invalid parameters: columns\.rangeTo: /],
      [{ operation: 'normalize', parameters: { columnIndex: 1 }, columns: { columnIndex: 2 } }, /invalid parameters: operations\.0\.columns/],
      [{ operation: 'normalize', parameters: { columnIndex: 1 }, columns: { columnIndex: { after: 'price' } } }, /invalid parameters: columns\.columnIndex: a place/],
      [{ operation: 'combineColumns', parameters: { columnsToCombine: ['name', 'qty'], insertIndex: 1 }, columns: { insertIndex: 'price' } }, /invalid parameters: columns\.insertIndex: \{"after": name\}/],
      [{ operation: 'combineColumns', parameters: { columnsToCombine: ['name', 'qty'] }, columns: { insertIndex: { after: 'price' } } }, /invalid parameters: columns\.insertIndex: parameters\.insertIndex gives no position/],
      [{ operation: 'combineColumns', parameters: { columnsToCombine: ['name', 'qty'], insertIndex: 1 }, columns: { insertIndex: { after: 'price', before: 'qty' } } }, /invalid parameters: operations\.0\.columns/],
    ];
    for (const [entry, description] of cases) {
      const res = await h.run(target, 'applyOperations', { operations: [entry] });
      assert.equal(res.success, false, JSON.stringify(entry));
      assert.match(`${res.error}: ${res.errorDescription}`, description);
    }
    assert.deepEqual((await h.ok(target, 'history')).operations, []);
  });
});

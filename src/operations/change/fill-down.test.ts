import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, expectFailure, sameSequence, type EngineHarness } from '../../../test/helpers/engine.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

const fails = (id: string, params: Record<string, unknown>, error: string) => expectFailure(h, id, 'fillDown', params, error);

/** pandas ffill of a list of values (null missing). */
function ffill(values: unknown[]): unknown[] {
  let last: unknown = null;
  return values.map((v) => (v === null ? last : (last = v)));
}

const CSV = 'i,f,s,d,b\n,1.5,,2020-01-01,\n1,,x,,true\n,NAN,,,\n3,,y,2020-01-04,false\n,4.5,,,\n';

test('fillDown pad/ffill takes the last valid value above, across a range of columns; leading gaps stay', async () => {
  for (const method of ['pad', 'ffill']) {
    const id = await h.loadWithNaN(CSV);
    await h.ok(id, 'fillDown', { columnFrom: 0, columnTo: 3, method });
    assert.deepEqual(await h.table(id), {
      columns: ['i', 'f', 's', 'd', 'b'],
      types: ['int', 'float', 'string', 'datetime', 'bool'],
      rows: [
        [null, 1.5, null, '2020-01-01T00:00:00.000', null],
        [1, 1.5, 'x', '2020-01-01T00:00:00.000', true],
        [1, 1.5, 'x', '2020-01-01T00:00:00.000', null],
        [3, 1.5, 'y', '2020-01-04T00:00:00.000', false],
        [3, 4.5, 'y', '2020-01-04T00:00:00.000', null],
      ],
    });
  }
});

test('fillDown bfill takes the next valid value below; trailing gaps stay', async () => {
  const id = await h.loadWithNaN(CSV);
  await h.ok(id, 'fillDown', { columnFrom: '1', columnTo: '4', method: 'bfill' });
  assert.deepEqual(await h.table(id), {
    columns: ['i', 'f', 's', 'd', 'b'],
    types: ['int', 'float', 'string', 'datetime', 'bool'],
    rows: [
      [null, 1.5, 'x', '2020-01-01T00:00:00.000', true],
      [1, 4.5, 'x', '2020-01-04T00:00:00.000', true],
      [null, 4.5, 'y', '2020-01-04T00:00:00.000', false],
      [3, 4.5, 'y', '2020-01-04T00:00:00.000', false],
      [null, 4.5, null, null, null],
    ],
  });
});

test('fillDown on one column, a unicode one, keeps the others as they are', async () => {
  const id = await h.load('名,x\nü,\n,\né,1\n');
  await h.ok(id, 'fillDown', { columnFrom: 0, columnTo: 0, method: 'ffill' });
  assert.deepEqual(await h.table(id), { columns: ['名', 'x'], types: ['string', 'int'], rows: [['ü', null], ['ü', null], ['é', 1]] });
});

test('fillDown changes nothing without gaps, on a header-only dataset, or when nothing comes before', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n');
  assert.equal((await h.ok(id, 'fillDown', { columnFrom: 0, columnTo: 1, method: 'pad' })).changed, false);
  const empty = await h.load('a,b\n');
  assert.equal((await h.ok(empty, 'fillDown', { columnFrom: 0, columnTo: 1, method: 'bfill' })).changed, false);
  const single = await h.load('a,b\n,1\n');
  assert.equal((await h.ok(single, 'fillDown', { columnFrom: 0, columnTo: 1, method: 'pad' })).changed, false);
  assert.deepEqual((await h.table(single)).rows, [[null, 1]]);
  // Only edge gaps (a leading one for ffill, a trailing one for bfill), or a column all
  // missing: nothing can be filled, so no version.
  const edges = await h.load('a,b,c\n,1.5,\n,2.5,\nx,,\n');
  for (const [method, columnFrom, columnTo] of [['ffill', 0, 0], ['bfill', 1, 1], ['pad', 2, 2], ['backfill', 2, 2]] as const) {
    assert.equal((await h.ok(edges, 'fillDown', { columnFrom, columnTo, method })).changed, false, `${method} ${columnFrom}…${columnTo}`);
  }
  assert.equal((await h.ok(edges, 'fillDown', { columnFrom: 0, columnTo: 0, method: 'bfill' })).changed, true);
  assert.deepEqual((await h.table(edges)).rows.map((r) => r[0]), ['x', 'x', 'x']);
});

test('fillDown refuses bad parameters', async () => {
  const id = await h.load('a,b\n1,\n');
  await fails(id, { columnFrom: 0, columnTo: 2, method: 'pad' }, 'index out of range');
  await fails(id, { columnFrom: 5, columnTo: 1, method: 'pad' }, 'index out of range');
  await fails(id, { columnFrom: 1, columnTo: 0, method: 'pad' }, 'invalid parameters');
  await fails(id, { columnFrom: 0, columnTo: 1, method: 'sideways' }, 'invalid parameters');
  await fails(id, { columnFrom: 0, columnTo: 1 }, 'invalid parameters');
  await fails(id, { columnFrom: 0, method: 'pad' }, 'invalid parameters');
});

test('fillDown undo and redo', async () => {
  const id = await h.load('a,b\n1,x\n,\n3,\n');
  const before = await h.table(id);
  await h.ok(id, 'fillDown', { columnFrom: 0, columnTo: 1, method: 'pad' });
  const after = await h.table(id);
  assert.deepEqual(after.rows, [[1, 'x'], [1, 'x'], [3, 'x']]);
  await h.ok(id, 'undo');
  assert.deepEqual(await h.table(id), before);
  await h.ok(id, 'redo');
  assert.deepEqual(await h.table(id), after);
});

test('fillDown ffill keeps row order over many row groups, deleted rows and a version of several files', async () => {
  // 400,000 rows are four Parquet row groups, scanned by several threads where a scan may be
  // parallel: the fill must still follow row order.
  const n = 400_000;
  const id = await h.loadSql(`SELECT CASE WHEN i % 7 = 3 OR i % 1000 < 40 OR i BETWEEN 122000 AND 123500 THEN NULL ELSE i END AS a, i * 2 AS b FROM range(${n}) t(i)`);
  // Deletions at the start, across a row-group boundary, and scattered.
  await h.ok(id, 'deleteRows', { rowIndices: [0, 1, 122879, 122880, 122881, 250_000, 399_999] });
  // Column b rewritten: the version now reads two files, positionally joined.
  await h.ok(id, 'fillWithCustomValue', { columnIndex: 1, newValue: '0' });
  await h.ok(id, 'newCellValue', { columnIndex: 1, rowIndex: 5, newValue: '7' });
  const before = await h.column(id, 'a');
  await h.ok(id, 'fillDown', { columnFrom: 0, columnTo: 1, method: 'ffill' });
  sameSequence(await h.column(id, 'a'), ffill(before));
  assert.equal((await h.column(id, 'b'))[5], 7);
});

test('fillDown ffill of several columns with gaps over many row groups', async () => {
  const n = 300_000;
  const id = await h.loadSql(`SELECT CASE WHEN i % 7 = 3 OR i % 1000 < 40 THEN NULL ELSE i END AS a, CASE WHEN i % 5 = 1 THEN NULL ELSE i * 2 END AS b FROM range(${n}) t(i)`);
  const [a, b] = [await h.column(id, 'a'), await h.column(id, 'b')];
  await h.ok(id, 'fillDown', { columnFrom: 0, columnTo: 1, method: 'ffill' });
  sameSequence(await h.column(id, 'a'), ffill(a));
  sameSequence(await h.column(id, 'b'), ffill(b));
});

test('fillDown finds a lone fillable gap anywhere, and none where only edge gaps are, over many row groups and deleted rows', async () => {
  // The check for a gap first looks at any valid row and a missing one beyond it, then scans
  // the column: one missing value deep inside, or next to the first row, or only at the
  // edges, with deletions moving the rows around row-group boundaries.
  const n = 300_000;
  const id = await h.loadSql(`SELECT
      CASE WHEN i = 250000 THEN NULL ELSE i END AS deep,
      CASE WHEN i = 1 THEN NULL ELSE i END AS second,
      CASE WHEN i < 3 OR i = 130000 THEN NULL ELSE i END AS lead_and_deleted,
      CASE WHEN i > ${n - 4} THEN NULL ELSE i END AS trailing,
      NULL::BIGINT AS none
    FROM range(${n}) t(i)`);
  await h.ok(id, 'deleteRows', { rowIndices: [5, 122879, 122880, 130000] });
  const columns = ['deep', 'second', 'lead_and_deleted', 'trailing', 'none'];
  const before = await Promise.all(columns.map((c) => h.column(id, c)));
  // ffill: deep and second fill (lead_and_deleted lost its inner gap, trailing fills its end).
  for (const [c, changed] of [[0, true], [1, true], [2, false], [4, false]] as const) {
    const res = await h.run(id, 'fillDown', { columnFrom: c, columnTo: c, method: 'ffill' });
    assert.equal(res.changed, changed, `ffill ${columns[c]}`);
    if (changed) {
      sameSequence(await h.column(id, columns[c]), ffill(before[c]));
      await h.ok(id, 'undo');
    }
  }
  // bfill: trailing gaps stay, leading ones fill.
  for (const [c, changed] of [[2, true], [3, false], [4, false]] as const) {
    const res = await h.run(id, 'fillDown', { columnFrom: c, columnTo: c, method: 'bfill' });
    assert.equal(res.changed, changed, `bfill ${columns[c]}`);
    if (changed) {
      sameSequence(await h.column(id, columns[c]), ffill([...before[c]].reverse()).reverse());
      await h.ok(id, 'undo');
    }
  }
});

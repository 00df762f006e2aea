import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { SORTED_PREFIX_ROWS, sortedPrefixDerivation } from './view.ts';
import { mulberry32 } from '../../../bench/prng.ts';

// A sorted view's first rows after cell edits of its column are made from the view of the
// version before (derivedPrefix) rather than by sorting the whole column again. They must be
// the rows the sort gives: the same requests run on a second engine that always sorts anew
// (derivation off), compared as text — ties, NULL and NaN (missing, last both ways, in row
// order), -0.0 and 0.0, infinities, edits moving rows into, within and out of the first rows,
// chains of edits, undo and redo, deleted rows, a dataset smaller than the prefix.

const derived = await engineHarness({ READ_CACHE_BYTES: 0 });
const plain = await engineHarness({ READ_CACHE_BYTES: 0 });
after(async () => {
  await derived.close();
  await plain.close();
});

const derivedCount = (h: EngineHarness) => h.rt.selections.derived + (h.rt.small?.selections.derived ?? 0);

async function both(ids: [string, string], operation: string, params: Record<string, unknown>): Promise<Record<string, any>> {
  sortedPrefixDerivation.enabled = true;
  const a = await derived.run(ids[0], operation, params);
  sortedPrefixDerivation.enabled = false;
  try {
    const b = await plain.run(ids[1], operation, params);
    assert.equal(a.success, b.success, `${operation} ${JSON.stringify(params)}: ${a.errorDescription ?? b.errorDescription}`);
    assert.equal(a.data, b.data, `${operation} ${JSON.stringify(params)}`);
    return a;
  } finally {
    sortedPrefixDerivation.enabled = true;
  }
}

// Columns: 0 d DOUBLE (ties, NULL, NaN, ±0, ±inf), 1 n BIGINT (ties, NULL), 2 b BOOLEAN,
// 3 ts TIMESTAMP, 4 dec DECIMAL(6,1), 5 s VARCHAR (not kept with its keys), 6 k INTEGER.
const select = (rows: number) => `SELECT
  CASE i % 29 WHEN 0 THEN NULL WHEN 1 THEN 'NaN'::DOUBLE WHEN 2 THEN -0.0 WHEN 3 THEN 0.0 WHEN 4 THEN 'Infinity'::DOUBLE WHEN 5 THEN '-Infinity'::DOUBLE
    ELSE ((i * 7919) % 211) / 4.0 END AS d,
  CASE WHEN i % 13 = 0 THEN NULL ELSE (i * 104729) % 97 END::BIGINT AS n,
  CASE WHEN i % 7 = 0 THEN NULL ELSE i % 3 = 0 END AS b,
  CASE WHEN i % 11 = 0 THEN NULL ELSE TIMESTAMP '2020-01-01' + to_seconds((i * 31) % 500) END AS ts,
  CASE WHEN i % 17 = 0 THEN NULL ELSE ((i * 13) % 301 - 150) / 10 END::DECIMAL(6, 1) AS dec,
  'w' || (i % 37) AS s,
  i::INTEGER AS k
FROM range(${rows}) t(i)`;

// Values an edit writes, by column: ties with existing values, missing, extremes (into the
// first rows one way, out of them the other), and the middle.
const values: Record<number, unknown[]> = {
  0: ['0', '-0.0', '0.25', '52.5', null, 'nan', 'inf', '-inf', '-1e300', '1e300', '26.25', '13'],
  1: ['0', '96', '48', null, '-5', '1000', '7'],
  2: ['true', 'false', null],
  3: ['2020-01-01 00:00:00', '2020-01-01 00:08:19', '2019-12-31 23:59:59', '2020-01-01 00:04:00', null, '2030-01-01 00:00:00'],
  4: ['0', '-15', '15', '-100', '100', null, '0.5'],
};

async function scenario(rows: number, steps: number, seed: number): Promise<void> {
  const ids: [string, string] = [await derived.loadSql(select(rows)), await plain.loadSql(select(rows))];
  const r = mulberry32(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(r() * list.length)];
  const pages = (column: number, ascending: boolean) => {
    const out: [number, number][] = [[0, 49]];
    if (rows > 100) out.push([Math.max(0, Math.min(rows, SORTED_PREFIX_ROWS) - 60), Math.min(rows, SORTED_PREFIX_ROWS) - 1]);
    return out.map(([from, to]) => ({ rowIndexFrom: from, rowIndexTo: to, columnIndexFrom: 0, columnIndexTo: 6, sortColumnIndex: column, sortAscending: ascending }));
  };
  const readAll = async (columns: number[]) => {
    for (const c of columns) for (const ascending of [true, false]) for (const p of pages(c, ascending)) await both(ids, 'data', p);
  };
  await readAll([0, 1, 2, 3, 4, 5]);
  let current = rows;
  for (let step = 0; step < steps; step++) {
    const x = r();
    const column = pick([0, 0, 0, 1, 1, 2, 3, 4]);
    if (x < 0.75) {
      // Rows near the top of either order, or anywhere.
      const row = r() < 0.5 ? Math.floor(r() * current) : Math.floor(r() * Math.min(current, 60));
      await both(ids, 'newCellValue', { columnIndex: column, rowIndex: row, newValue: pick(values[column]) });
    } else if (x < 0.85) await both(ids, 'undo', {});
    else if (x < 0.92) await both(ids, 'redo', {});
    else if (x < 0.96) {
      const res = await both(ids, 'deleteRows', { rowIndices: [Math.floor(r() * current), Math.floor(r() * current)] });
      if (res.success) current = Number((await derived.ok(ids[0], 'metadata', {})).dataSize.rows);
    } else {
      // Several edits before a read: a chain followed back to the last view read.
      for (let k = 0; k < 3; k++) await both(ids, 'newCellValue', { columnIndex: column, rowIndex: Math.floor(r() * current), newValue: pick(values[column]) });
    }
    current = Number((await derived.ok(ids[0], 'metadata', {})).dataSize.rows);
    // Read the edited column's views most of the time (the ones derived), others now and then.
    await readAll(r() < 0.8 ? [column] : [column, pick([0, 1, 2, 3, 4, 5])]);
  }
}

test('sorted first rows made from the version before equal a sort anew, after edits, undo, redo and deleted rows', async () => {
  const before = derivedCount(derived);
  await scenario(3 * SORTED_PREFIX_ROWS + 123, 60, 11);
  assert.ok(derivedCount(derived) - before >= 40, `prefixes derived: ${derivedCount(derived) - before}`);
  assert.equal(derivedCount(plain), 0);
});

test('a dataset smaller than the prefix: the whole order is kept and every edited row is placed', async () => {
  const before = derivedCount(derived);
  await scenario(300, 40, 5);
  assert.ok(derivedCount(derived) - before >= 20, `prefixes derived: ${derivedCount(derived) - before}`);
});

test('an edit that moves a row of the first rows out of them is sorted anew', async () => {
  const rows = SORTED_PREFIX_ROWS * 2;
  const sql = `SELECT i::DOUBLE AS x FROM range(${rows}) t(i)`;
  const ids: [string, string] = [await derived.loadSql(sql), await plain.loadSql(sql)];
  const page = { rowIndexFrom: SORTED_PREFIX_ROWS - 50, rowIndexTo: SORTED_PREFIX_ROWS - 1, columnIndexFrom: 0, columnIndexTo: 0, sortColumnIndex: 0, sortAscending: true };
  await both(ids, 'data', page);
  const before = derivedCount(derived);
  // Row 3 (among the first rows) goes to the end: the prefix without it is one row short.
  await both(ids, 'newCellValue', { columnIndex: 0, rowIndex: 3, newValue: String(10 * rows) });
  await both(ids, 'data', page);
  assert.equal(derivedCount(derived), before);
  // Row 4000 (beyond them) comes first: derived.
  await both(ids, 'newCellValue', { columnIndex: 0, rowIndex: 4000, newValue: '-1' });
  await both(ids, 'data', page);
  await both(ids, 'data', { ...page, rowIndexFrom: 0, rowIndexTo: 9 });
  assert.equal(derivedCount(derived), before + 1);
});

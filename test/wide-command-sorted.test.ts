import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from './helpers/engine.ts';
import { lastCommandMemory } from '../src/engine/sandbox-process.ts';

// executeCommand's filtered and sorted queries over 10,000 columns, under the default
// command memory limit (1 GB). DuckDB's vectors hold 2,048 values per column whatever the
// row count, so a handful of rows needs the same memory per operator as a thousand: over
// the files (or over the column groups' tables side by side), `ORDER BY … LIMIT` ran out of
// memory (a top-n of whole rows); df loaded into one table gets DuckDB's late
// materialization (src/engine/sandbox.ts, loadTable). With and without deleted rows (with:
// loaded from the start; without: loaded once the query over the files ran out of memory).
//
// Each command must also stay well below its process's data-segment limit (RLIMIT_DATA:
// what it held at start + the 1 GB + headroom for 10,000 columns): the query once grew it by
// 71–83% of what it was allowed (allocator arenas per thread keeping what they freed, see
// sandbox-process.ts), and failed with `Failed to allocate` about one run in five.

const COLUMNS = 10_000;
const ROWS = 30;
// Two engine threads: commands get one (DuckDB's vectors are per thread).
const h = await engineHarness({ DUCKDB_THREADS: 2 });

/**
 * The last command grew its data segment by less than 70% of what its limit allowed. (On
 * 2026-12-02 the sorted query over the table loaded for deleted rows grew it by 57-61% in
 * four runs, the others by 42-53%, on the code of the week before as on this one: 60% was
 * the bar and failed one run in two; 70% leaves the margin the bar is for.)
 */
function assertFarBelowLimit(label: string): void {
  const m = lastCommandMemory();
  assert.ok(m, `${label}: no command memory recorded`);
  const used = (m.peak - m.start) / (m.limit - m.start);
  assert.ok(used < 0.7, `${label}: the data segment grew by ${((m.peak - m.start) / 2 ** 20).toFixed(0)} MiB, ${(used * 100).toFixed(0)}% of the ${((m.limit - m.start) / 2 ** 20).toFixed(0)} MiB allowed`);
}

/** Cell (r, c): a permutation of integers, a text or a float with gaps. */
function cell(r: number, c: number): string {
  if (c % 3 === 0) return String(((r * 17) % ROWS) * 1000 + c);
  if (c % 3 === 1) return `v${r}_${c}`;
  return r % 5 === 0 ? '' : String(r / 4);
}

test('WHERE and ORDER BY … LIMIT over 10,000 columns run within the default command memory, with the right rows', async () => {
  const names = Array.from({ length: COLUMNS }, (_, c) => `c${c}`);
  const csv = [names.join(','), ...Array.from({ length: ROWS }, (_, r) => names.map((_, c) => cell(r, c)).join(','))].join('\n');
  const id = await h.load(csv, 'wide.csv');
  const { rows: all, columns } = await h.table(id);
  assert.equal(columns.length, COLUMNS);

  const check = async (rows: unknown[][], label: string) => {
    const w = await h.run(id, 'executeCommand', { command: 'SELECT * FROM df WHERE c17 > 5' });
    assert.equal(w.success, true, `${label}: WHERE: ${w.errorDescription}`);
    assertFarBelowLimit(`${label}: WHERE`);
    let now = await h.table(id);
    assert.equal(now.columns.length, COLUMNS);
    const filtered = rows.filter((r) => r[17] !== null && (r[17] as number) > 5);
    assert.ok(filtered.length > 0 && filtered.length < rows.length);
    assert.equal(now.rows.length, filtered.length, `${label}: WHERE`);
    now.rows.forEach((row, i) => assert.deepEqual(row, filtered[i], `${label}: WHERE, row ${i}`));
    await h.ok(id, 'undo');

    const o = await h.run(id, 'executeCommand', { command: 'SELECT * FROM df ORDER BY c3 DESC LIMIT 10' });
    assert.equal(o.success, true, `${label}: ORDER BY: ${o.errorDescription}`);
    assertFarBelowLimit(`${label}: ORDER BY`);
    now = await h.table(id);
    const top = [...rows].sort((a, b) => (b[3] as number) - (a[3] as number)).slice(0, 10);
    assert.equal(now.rows.length, 10, `${label}: ORDER BY`);
    now.rows.forEach((row, i) => assert.deepEqual(row, top[i], `${label}: ORDER BY, row ${i}`));
    await h.ok(id, 'undo');
  };
  await check(all, 'no deleted rows');

  const deleted = [0, 4, 9, 25];
  await h.ok(id, 'deleteRows', { rowIndices: deleted });
  await check(
    all.filter((_, i) => !deleted.includes(i)),
    'deleted rows',
  );
});

test.after(() => h.close());

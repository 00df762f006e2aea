import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from './helpers/engine.ts';
import { PANDAS_NA } from '../src/engine/import/na.ts';

// The fast import leaves only the empty field to DuckDB's parser as a missing value and
// maps pandas' other tokens in text columns itself; a typed column with a token past the
// head is read again with every token in the parser. Whichever way a file goes, every value
// must be what pandas reads, in file order (a long IN list once made DuckDB reorder rows).

const h = await engineHarness();
const TOKENS = PANDAS_NA.filter((t) => t !== '');
const ROWS = 300_000;
const stamp = (i: number) => `2021-03-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00`;

interface Spec {
  /** Row → token for the int, float, bool, timestamp columns (or undefined for a value). */
  typedToken(i: number): string | undefined;
}

/** A file and the values pandas reads from it (null: missing). */
function build(spec: Spec): { content: string; expected: unknown[][] } {
  const lines = ['n,x,label,flag,at,free'];
  const expected: unknown[][] = [];
  for (let i = 0; i < ROWS; i++) {
    const token = spec.typedToken(i);
    // Text: a token every 7 rows (cycling through all of them), near-tokens every 11 that stay text.
    const near = ['None', 'NAN', ' NA', 'na', 'Null', 'nA'][i % 6];
    const label = i % 7 === 0 ? TOKENS[i % TOKENS.length] : i % 11 === 0 ? near : `w${i % 1000}`;
    const labelValue = i % 7 === 0 ? null : label;
    const free = i % 5 === 0 ? '' : `t ${i}`;
    const cells = token !== undefined ? [token, token, label, token, token, free] : [String(i), (i / 4).toFixed(2), label, i % 3 === 0 ? 'True' : 'false', stamp(i), free];
    lines.push(cells.join(','));
    expected.push(token !== undefined ? [null, null, labelValue, null, null, free === '' ? null : free] : [i, i / 4, labelValue, i % 3 === 0, `${stamp(i)}.000`, free === '' ? null : free]);
  }
  return { content: lines.join('\n') + '\n', expected };
}

async function check(spec: Spec): Promise<void> {
  const { content, expected } = build(spec);
  const id = await h.load(content);
  const t = await h.table(id);
  assert.deepEqual(t.columns, ['n', 'x', 'label', 'flag', 'at', 'free']);
  assert.deepEqual(t.types, ['int', 'float', 'string', 'bool', 'datetime', 'string']);
  assert.equal(t.rows.length, ROWS);
  for (let i = 0; i < ROWS; i++) {
    // Row by row: deepEqual on the whole table would take minutes.
    if (JSON.stringify(t.rows[i]) !== JSON.stringify(expected[i])) assert.deepEqual(t.rows[i], expected[i], `row ${i}`);
  }
}

test('tokens in text columns only: missing there, near-tokens stay text, every row in order', async () => {
  await check({ typedToken: () => undefined });
});

test('tokens in typed columns within the head: every value as pandas reads it', async () => {
  await check({ typedToken: (i) => (i % 1000 === 500 ? TOKENS[(i / 1000) % TOKENS.length] : undefined) });
});

test('a token in typed columns only far past the head (read again with every token): every value as pandas reads it', async () => {
  await check({ typedToken: (i) => (i === 240_001 ? 'NA' : i === 299_998 ? 'nan' : undefined) });
});

test('NaN in a float column past the head is a missing value, not a number', async () => {
  const lines = ['x,y'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i === 250_000 ? 'NaN' : (i / 2).toFixed(1)},${i}`);
  const id = await h.load(lines.join('\n') + '\n');
  const x = await h.column(id, 'x');
  assert.equal(x.length, ROWS);
  for (let i = 0; i < ROWS; i++) if (x[i] !== (i === 250_000 ? null : i / 2)) assert.equal(x[i], i === 250_000 ? null : i / 2, `row ${i}`);
  await h.close();
});

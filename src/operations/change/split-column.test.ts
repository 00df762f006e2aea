import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { engineHarness, type EngineHarness } from '../../../test/helpers/engine.ts';
import { literal } from '../../engine/sql.ts';
import { piecesPerValue, regexShape } from './split-count.ts';

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

test('splitColumn: the shape of a regex: what it looks behind, and a bound on its matches\' length', () => {
  const cases: [string, boolean, number][] = [
    ['\\s+', false, Infinity],
    ['.', false, 1],
    ['[^,^]', false, 1],
    ['[]^]', false, 1],
    ['[[:alpha:]]x', false, 2],
    ['a{2,3}', false, 3],
    ['a{2,}', false, Infinity],
    ['(?:ab|c){2}', false, 6],
    ['x{0}y', false, 2],
    ['\\Q^*+\\E', false, 3],
    ['\\x{20AC}\\p{Greek}\\pL\\012', false, 4],
    ['(?P<n>a)(?i:b)(?<m>c)', false, 3],
    ['a$|\\z', false, 1],
    ['{', false, 1],
    ['^,', true, 1],
    ['\\b', true, 0],
    ['\\Bx', true, 1],
    ['\\Ax', true, 1],
    ['(?m)^x', true, 1],
    ['\\C', true, Infinity],
  ];
  for (const [pattern, looksBehind, maxChars] of cases) assert.deepEqual(regexShape(pattern), { looksBehind, maxChars }, pattern);
});

// Regexes built from RE2's pieces, anchors and empty matches among them, against values of
// the same characters (several bytes long too, and the '.' the count appends to each match).
const atom = fc.constantFrom('a', 'b', 'x', ',', ' ', '.', '\\.', '\\s', '\\w', '\\d', '\\W', '[ab]', '[^a]', '[,;]', 'é', '€', '😀', '\\n', '\\\\', '\\pL', '\\x{20AC}', '\\Qa.\\E', '[[:digit:]]', '(?:)', '(?i:A)');
const zeroWidth = fc.constantFrom('^', '$', '\\b', '\\B', '\\A', '\\z', '(?m:^)', '(?m:$)');
const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,2}', '{2,}', '*?', '+?', '??');
const { regex } = fc.letrec<{ regex: string; term: string }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small' },
    { arbitrary: fc.tuple(atom, quantifier).map(([a, q]) => a + q), weight: 6 },
    { arbitrary: zeroWidth, weight: 1 },
    { arbitrary: fc.tuple(tie('regex'), quantifier).map(([r, q]) => `(?:${r})${q}`), weight: 2 },
  ),
  regex: fc.oneof(
    { depthSize: 'small' },
    fc.array(tie('term'), { minLength: 1, maxLength: 3 }).map((ts) => ts.join('')),
    fc.tuple(tie('regex'), tie('regex')).map(([a, b]) => `${a}|${b}`),
  ),
}));
const letter = fc.constantFrom('a', 'b', 'x', ',', ';', ' ', '.', 'é', '€', '😀', '\n', '\\', '1', '_', 'A', '\u0000');
const text = fc.oneof(
  fc.array(letter, { maxLength: 12 }).map((cs) => cs.join('')),
  // long enough to be bounded from a prefix when room is small
  fc.tuple(fc.array(letter, { minLength: 1, maxLength: 4 }), fc.integer({ min: 10, max: 80 }), fc.array(letter, { maxLength: 6 })).map(([unit, k, tail]) => unit.join('').repeat(k) + tail.join('')),
);

test('splitColumn: a regex\'s piece count is regexp_split_to_array\'s list length, or a bound past the room that is never above it', async () => {
  await h.rt.duck.withConnection(async (db) => {
    await fc.assert(
      fc.asyncProperty(regex, fc.array(text, { minLength: 1, maxLength: 12 }), fc.constantFrom(0, 1, 3, 8, 40, 10_000), fc.constantFrom(0, Infinity), fc.nat(8), letter, async (pattern, values, room, short, cut, last) => {
        let matchesEmpty: boolean;
        try {
          matchesEmpty = (await db.scalar(`SELECT regexp_matches('', ${literal(pattern)})`)) === true;
        } catch {
          return; // not a regex RE2 accepts
        }
        // Values whose prefix, as the count bounds it from, ends just before or after a
        // character of their own, where the split of the prefix and of the whole may differ.
        const shape = regexShape(pattern);
        const window = 16 * (room + shape.maxChars + 2);
        if (window <= 4000) {
          for (const v of values.slice(0, 3)) {
            const chars = Array.from(v || 'a');
            const filler = Array.from({ length: window + 8 }, (_, i) => chars[i % chars.length]);
            values.push([...filler.slice(0, window - cut), last, ...filler.slice(0, 12)].join(''));
          }
        }
        // as base64: literal() writes each NUL as a concatenation, and many pass DuckDB's expression depth
        const from = `(SELECT decode(from_base64(unnest([${values.map((v) => `'${Buffer.from(v).toString('base64')}'`).join(', ')}]))) AS t)`;
        const rows = await db.rows(`SELECT t, n, len(regexp_split_to_array(t, ${literal(pattern)})) AS truth FROM (${piecesPerValue(from, pattern, shape, matchesEmpty, room, short)})`);
        for (const r of rows) {
          const n = Number(r.n);
          const truth = Number(r.truth);
          const where = JSON.stringify({ pattern, t: r.t, room, short, n, truth });
          if (n >= 0) assert.equal(n, truth, where);
          else assert.ok(truth >= -n && -n > room, where);
        }
      }),
      { numRuns: 800 },
    );
  });
});

test('splitColumn: a regex\'s count bounded from a prefix allows for the matches the prefix\'s end makes or cuts', async () => {
  // The prefix of 16 × (room + longest match + 2) characters ends just after the 'a', where
  // a$ matches in the prefix but not in the whole value, or inside abbbc, which the prefix
  // makes into two matches of b.
  const cases: [string, (window: number) => string][] = [
    ['a$|b', (w) => `${'c'.repeat(w - 1)}acc`],
    ['a$|\\Bq', (w) => `${'c'.repeat(w - 1)}acc`],
    ['ab{0,3}c|b', (w) => `${'c'.repeat(w - 3)}abbbc`],
  ];
  await h.rt.duck.withConnection(async (db) => {
    for (const [pattern, value] of cases) {
      const shape = regexShape(pattern);
      const matchesEmpty = (await db.scalar(`SELECT regexp_matches('', ${literal(pattern)})`)) === true;
      const t = value(16 * (0 + shape.maxChars + 2));
      const from = `(SELECT ${literal(t)} AS t)`;
      const [row] = await db.rows(`SELECT n, len(regexp_split_to_array(t, ${literal(pattern)})) AS truth FROM (${piecesPerValue(from, pattern, shape, matchesEmpty, 0, 0)})`);
      const n = Number(row.n);
      assert.ok(n >= 0 ? n === Number(row.truth) : Number(row.truth) >= -n, JSON.stringify({ pattern, n, truth: Number(row.truth) }));
    }
  });
});

test('splitColumn: a long value a regex splits into too many pieces is refused from a count, the others split', async () => {
  const refused = async (id: string, delimiter: string, description: RegExp) => {
    const res = await h.run(id, 'splitColumn', { columnIndex: 0, delimiter, regex: true });
    assert.equal(res.error, 'too many columns', delimiter);
    assert.match(res.errorDescription, description, delimiter);
  };
  const dense = await h.loadSql(`SELECT repeat('x', 2000000) AS v UNION ALL SELECT 'a b' AS v`);
  // Matches of at most a few characters: refused from the value's first pieces
  await refused(dense, '.', /splitColumn would make at least [\d,]+ columns; the limit is 16,384/);
  await refused(dense, '\\b|x', /at least/);
  // Unbounded matches: counted through the whole value
  const commas = await h.loadSql(`SELECT repeat('x,', 100000) AS v`);
  await refused(commas, ',+', /splitColumn would make 100,002 columns/);
  await refused(commas, ',?', /splitColumn would make at least/);
  const sparse = await h.loadSql(`SELECT repeat('x', 100000) || ',y,,z' AS v UNION ALL SELECT 'a' AS v`);
  await h.ok(sparse, 'splitColumn', { columnIndex: 0, delimiter: ',+', regex: true });
  const t = await h.table(sparse);
  assert.deepEqual(t.columns, ['v', 'v_0', 'v_1', 'v_2']);
  assert.deepEqual(t.rows.map((r) => r.slice(2)), [['y', 'z'], [null, null]]);
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { literal } from '../engine/sql.ts';
import { parseTemplate, pythonRegex, rewriteFor, TemplateError, UnsupportedRegex, type RegexGroups, type TemplatePart } from './python-regex.ts';

let duck: DuckDBInstance;
let db: DuckDBConnection;
before(async () => {
  duck = await DuckDBInstance.create(':memory:', { threads: '1' });
  db = await duck.connect();
});
after(() => {
  db.closeSync();
  duck.closeSync();
});

const scalar = async (sql: string): Promise<unknown> => (await db.runAndReadAll(sql)).getRows()[0][0];

// Python's re._parser.parse_template (3.12), ported statement by statement: a Tokenizer one
// token ahead (a token is a character or a backslash and the next), literals and groups.
class PyError extends Error {
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super(message);
    this.position = position;
  }
}
function referenceTemplate(source: string, groups: RegexGroups): TemplatePart[] {
  let index = 0;
  let next: string | undefined;
  const advance = () => {
    if (index >= source.length) {
      next = undefined;
      return;
    }
    let char = source[index];
    if (char === '\\') {
      index++;
      if (index >= source.length) throw new PyError('bad escape (end of pattern)', source.length - 1);
      char += source[index];
    }
    index++;
    next = char;
  };
  const tell = () => index - (next ?? '').length;
  const error = (msg: string, offset = 0) => new PyError(msg, tell() - offset);
  const get = () => {
    const t = next;
    advance();
    return t;
  };
  const match = (c: string) => {
    if (next !== c) return false;
    advance();
    return true;
  };
  const getuntil = (terminator: string, name: string) => {
    let result = '';
    for (;;) {
      const c = next;
      advance();
      if (c === undefined) {
        if (!result) throw error(`missing ${name}`);
        throw error(`missing ${terminator}, unterminated name`, result.length);
      }
      if (c === terminator) {
        if (!result) throw error(`missing ${name}`, 1);
        break;
      }
      result += c;
    }
    return result;
  };
  const OCT = '01234567';
  const DIG = '0123456789';
  const ESC: Record<string, number> = { '\\a': 7, '\\b': 8, '\\f': 12, '\\n': 10, '\\r': 13, '\\t': 9, '\\v': 11, '\\\\': 92 };
  const result: TemplatePart[] = [];
  let lit = '';
  const addgroup = (i: number, pos: number) => {
    if (i > groups.count) throw error(`invalid group reference ${i}`, pos);
    result.push(lit, i);
    lit = '';
  };
  advance();
  for (;;) {
    let t = get();
    if (t === undefined) break;
    if (t[0] !== '\\') {
      lit += t;
      continue;
    }
    const c = t[1];
    if (c === 'g') {
      if (!match('<')) throw error('missing <');
      const name = getuntil('>', 'group name');
      if (!/^[0-9]+$/.test(name)) {
        if (!/^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(name)) throw error(`bad character in group name ${JSON.stringify(name)}`, name.length + 1);
        const g = groups.names.get(name);
        if (g === undefined) throw new PyError(`unknown group name ${JSON.stringify(name)}`);
        addgroup(g, name.length + 1);
      } else addgroup(Number(name), name.length + 1);
    } else if (c === '0') {
      if (next !== undefined && OCT.includes(next) && next.length === 1) {
        t += get();
        if (next !== undefined && OCT.includes(next) && next.length === 1) t += get();
      }
      lit += String.fromCharCode(parseInt(t.slice(1), 8) & 0xff);
    } else if (DIG.includes(c)) {
      let octal = false;
      if (next !== undefined && next.length === 1 && DIG.includes(next)) {
        t += get();
        if (OCT.includes(c) && OCT.includes(t[2]) && next !== undefined && next.length === 1 && OCT.includes(next)) {
          t += get();
          octal = true;
          const code = parseInt(t.slice(1), 8);
          if (code > 0o377) throw error(`octal escape value ${t} outside of range 0-0o377`, t.length);
          lit += String.fromCharCode(code);
        }
      }
      if (!octal) addgroup(Number(t.slice(1)), t.length - 1);
    } else if (t in ESC) {
      lit += String.fromCharCode(ESC[t]);
    } else if (/[a-zA-Z]/.test(c)) {
      throw error(`bad escape ${t}`, t.length);
    } else lit += t;
  }
  result.push(lit);
  return result;
}

/** Adjacent literals joined and empty ones dropped, so that both parsers' answers compare. */
function normal(parts: TemplatePart[]): TemplatePart[] {
  const out: TemplatePart[] = [];
  for (const p of parts) {
    if (p === '') continue;
    if (typeof p === 'string' && typeof out.at(-1) === 'string') out[out.length - 1] += p;
    else out.push(p);
  }
  return out;
}

const outcome = (f: () => TemplatePart[]): unknown => {
  try {
    return normal(f());
  } catch (err) {
    if (err instanceof PyError || err instanceof TemplateError) return { error: err.message, position: err.position };
    throw err;
  }
};

// Eleven groups, the second optional (unmatched on the subject below), two named.
const PATTERN = '(?P<first>a)(b)?(c)(d)(e)(f)(g)(h)(i)(j)(?P<x_2>k)';
const GROUPS = pythonRegex(PATTERN);
const template = fc
  .array(fc.constantFrom('\\', '\\', 'g', '<', '>', '0', '1', '2', '3', '7', '8', '9', 'a', 'n', 't', 'q', '_', '$', ' ', 'é', 'first', 'x_2', '\n'), { maxLength: 14 })
  .map((a) => a.join(''));

test('parseTemplate reads templates as Python 3.12 parse_template does', () => {
  fc.assert(
    fc.property(template, fc.constantFrom(GROUPS, { count: 2, names: new Map() }), (t, groups) => {
      assert.deepEqual(outcome(() => parseTemplate(t, groups)), outcome(() => referenceTemplate(t, groups)), JSON.stringify(t));
    }),
    { numRuns: 5000 },
  );
  assert.deepEqual(parseTemplate('\\g<last>, \\g<first>', { count: 2, names: new Map([['first', 1], ['last', 2]]) }), [2, ', ', 1]);
  assert.deepEqual(parseTemplate('\\10\\1\\0\\101\\08\\$', GROUPS), [10, 1, '\0A\x008\\$']);
  assert.throws(() => parseTemplate('\\3', { count: 2, names: new Map() }), { message: 'invalid group reference 3', position: 1, group: 3 });
  assert.throws(() => parseTemplate('\\400', GROUPS), { message: 'octal escape value \\400 outside of range 0-0o377' });
});

test('rewriteFor: regexp_replace substitutes as Python expands the template', async () => {
  // The match JavaScript finds for the pattern (the same one: no construct where the two differ).
  const m = new RegExp(PATTERN.replaceAll('(?P<', '(?<')).exec('xacdefghijkx')!;
  const expand = (parts: TemplatePart[]) => 'x' + parts.map((p) => (typeof p === 'number' ? (m[p] ?? '') : p)).join('') + 'x';
  await fc.assert(
    fc.asyncProperty(template, async (t) => {
      let parts: TemplatePart[];
      try {
        parts = referenceTemplate(t, GROUPS);
      } catch {
        return;
      }
      const { pattern, rewrite } = rewriteFor(GROUPS, parseTemplate(t, GROUPS));
      assert.equal(await scalar(`SELECT regexp_replace('xacdefghijkx', ${literal(pattern)}, ${literal(rewrite)}, 'g')`), expand(parts), JSON.stringify(t));
    }),
    { numRuns: 400 },
  );
  // ten different groups past what RE2's \0…\9 can name
  assert.throws(() => rewriteFor(GROUPS, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { message: /uses 10 different groups; at most 9/ });
});

/** How many groups DuckDB's RE2 finds in a pattern: regexp_extract refuses more names than groups and says how many. */
async function duckGroups(pattern: string): Promise<number | null> {
  try {
    await db.run(`SELECT regexp_extract('', ${literal(pattern)}, [${Array.from({ length: 200 }, (_, i) => `'g${i}'`).join(', ')}])`);
  } catch (err) {
    const m = /Not enough capturing groups \((\d+)\)/.exec((err as Error).message);
    return m ? Number(m[1]) : null;
  }
  throw new Error(`200 groups or more in ${pattern}`);
}

test('pythonRegex counts the groups RE2 counts', async () => {
  const corpus = ['', 'a', '(a)(b)', '(?:a)(b)', '(?P<n>a)(?i)(?s:b)', '[(](a)', '[^)(](a)', '[]()](a)', '[[:alpha:](](a)', '\\((a)\\)', '\\Q(a)\\E(b)', '(a(b(c)))|(d)', '\\x{28}(a)', '(?i:(a))'];
  for (const p of corpus) assert.equal(pythonRegex(p).count, await duckGroups(pythonRegex(p).re2), p);
  const piece = fc.constantFrom('(', ')', '(?:', '(?P<n', '>', '(?i)', '[(]', '[^)]', '[]()]', '[[:digit:](]', '\\(', '\\)', '\\Q(\\E', 'a', '|', '*', '{2}', '{,3}', '\\d', '\\\\', '[\\]()]');
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 12 }), async (pieces) => {
      let named = 0;
      const source = pieces.map((p) => (p === '(?P<n' ? `(?P<n${named++}` : p)).join('');
      let regex;
      try {
        regex = pythonRegex(source);
      } catch (err) {
        if (err instanceof UnsupportedRegex) return;
        throw err;
      }
      const count = await duckGroups(regex.re2);
      if (count !== null) assert.equal(regex.count, count, source);
    }),
    { numRuns: 1000 },
  );
});

test('pythonRegex rewrites what Python and RE2 spell differently, and names what RE2 lacks', () => {
  assert.equal(pythonRegex('a{,2}b{,}c{}\\Z(?#note)d').re2, 'a{0,2}b{0,}c{}\\zd');
  assert.equal(pythonRegex('[\\Z{,2}]').re2, '[\\Z{,2}]');
  assert.deepEqual([...pythonRegex('(?P<first>a)(b)(?P<last>c)').names], [['first', 1], ['last', 3]]);
  // three octal digits are a character, not a backreference
  assert.equal(pythonRegex('\\101').count, 0);
  const refused: [string, RegExp][] = [
    ['a(?=b)', /a lookahead \(\?=…\)/],
    ['a(?!b)', /a negative lookahead \(\?!…\)/],
    ['(?<=a)b', /a lookbehind \(\?<=…\)/],
    ['(?<!a)b', /a negative lookbehind \(\?<!…\)/],
    ['(a)\\1', /a backreference \\1 /],
    ['(a)\\12', /a backreference \\12 /],
    ['(?P<w>a)(?P=w)', /a backreference \(\?P=w\)/],
    ['a++', /a possessive quantifier \+\+/],
    ['a{2,3}+', /a possessive quantifier \{2,3\}\+/],
    ['a*?+', /a possessive quantifier \*\?\+/],
    ['(?>a)', /an atomic group/],
    ['(?(1)a|b)', /a conditional group/],
    ['(?x)a', /the flag x \(verbose\)/],
    ['(?a)\\w', /the flag a \(ASCII\)/],
    ['\\C', /\\C/],
    ['(?<w>a)', /\(\?<w>…\), which is not Python syntax: write \(\?P<w>…\)/],
    ['(?P<w>a)(?P<w>b)', /redefinition of group name "w"/],
    ['(?P<1w>a)', /bad group name "1w"/],
  ];
  // read in one pass: a long pattern costs its length, not its square
  for (const piece of ['(?:a)', '(?P<', '{,', '[[:', '(?P=', '\\Q', '(?<']) assert.doesNotThrow(() => {
    try {
      pythonRegex(piece.repeat(200_000));
    } catch (err) {
      if (!(err instanceof UnsupportedRegex)) throw err;
    }
  });
  assert.equal(rewriteFor(pythonRegex('(a)'.repeat(100_000)), [100_000]).pattern.length, 5 * 100_000 - 2);
  for (const [p, message] of refused) assert.throws(() => pythonRegex(p), (err) => err instanceof UnsupportedRegex && message.test(err.message), p);
});

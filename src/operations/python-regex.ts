// Python's regular expressions (re.sub, as pandas' Series.replace(regex=True) runs them) on
// DuckDB's regexp_replace, which is RE2: the pattern's Python-only spellings rewritten or
// refused by name, and a re.sub replacement template turned into RE2's rewrite string.
// Shared by findReplace (a change) and the search / filter of views (a read), hence here.

/** A pattern's capturing groups: how many, and the index of each named one (Python's `pattern.groups`, `pattern.groupindex`). */
export interface RegexGroups {
  count: number;
  names: ReadonlyMap<string, number>;
}

/** A Python pattern as RE2 reads it: `re2` the text to run, `openers` where each capturing group opens in it (`(` or `(?P<name>`). */
export interface PythonRegex extends RegexGroups {
  re2: string;
  openers: readonly { at: number; length: number }[];
}

/** A pattern RE2 cannot run as Python would: `message` names the construct ("a lookahead (?=…), which is not supported"). */
export class UnsupportedRegex extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRegex';
  }
}

/**
 * A replacement template Python's re.sub would refuse (or RE2 cannot follow): `message` is
 * Python's own (from re._parser.parse_template, e.g. "invalid group reference 3"),
 * `position` where in the template when Python says, and for a reference to a group the
 * pattern lacks, `group` as written (3, "last").
 */
export class TemplateError extends Error {
  readonly position: number | undefined;
  readonly group: number | string | undefined;
  constructor(message: string, position?: number, group?: number | string) {
    super(message);
    this.name = 'TemplateError';
    this.position = position;
    this.group = group;
  }
}

const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
// Python's str.isidentifier(), near enough: group names are Unicode identifiers.
const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
// Python's repetition {m,n} with either bound left out (sre_parse), but not {}; RE2 reads {,n} as text.
// The pattern's expressions are sticky (read at lastIndex): a slice of the rest of the
// pattern at every ( or { would make a long pattern cost its length squared.
const REPEAT = /\{(?!\})(\d*)(?:,(\d*))?\}/y;
const NAMED = /P<([^>]{0,1000})>/y;
const NAME = /<([^>]{0,1000})>/y;
const FLAG_LETTERS = /[a-zA-Z-]*/y;
const readAt = (re: RegExp, text: string, index: number): RegExpExecArray | null => {
  re.lastIndex = index;
  return re.exec(text);
};
// What (?…) introduces in Python that RE2 lacks, longest first.
const LOOKS: readonly [string, string][] = [
  ['<=', 'a lookbehind (?<=…)'],
  ['<!', 'a negative lookbehind (?<!…)'],
  ['=', 'a lookahead (?=…)'],
  ['!', 'a negative lookahead (?!…)'],
  ['>', 'an atomic group (?>…)'],
  ['(', 'a conditional group (?(…)…|…)'],
];
// Python's inline flags RE2 does not know (it has i, m, s and its own U).
const FLAGS: Readonly<Record<string, string>> = { x: 'x (verbose)', a: 'a (ASCII)', u: 'u (Unicode)', L: 'L (locale)' };
const unsupported = (what: string) =>
  new UnsupportedRegex(`uses ${what}, which is not supported (regular expressions run on RE2, which lacks Python's lookaround, backreferences, atomic groups, possessive quantifiers, conditionals and the flags x, a, u and L)`);

// Python's \w \d \s on text are Unicode's (str.isalnum() and _, Nd digits, str.isspace()),
// RE2's ASCII only: `\w+` would stop at the É of "École". Outside a class each is its
// Unicode class; inside one the positive ones give their members (a negated \W \D \S in a
// class keeps RE2's meaning: a class cannot hold a class's complement). \b stays ASCII.
const SPACE = '\\s\\p{Z}\\x{1c}-\\x{1f}\\x{85}';
const IN_CLASS: Readonly<Record<string, string>> = { w: '\\p{L}\\p{N}_', d: '\\p{Nd}', s: SPACE };
const UNICODE_CLASSES: Readonly<Record<string, string>> = {
  w: `[${IN_CLASS.w}]`,
  W: `[^${IN_CLASS.w}]`,
  d: '\\p{Nd}',
  D: '\\P{Nd}',
  s: `[${SPACE}]`,
  S: `[^${SPACE}]`,
};

/**
 * Read a Python pattern (Python's re syntax, https://docs.python.org/3/library/re.html) for
 * RE2: its capturing groups counted and named, Python's `\Z` written `\z`, `{,n}` `{0,n}`,
 * `\w \d \s` (and their complements) their Unicode classes as Python's are,
 * and `(?#comments)` dropped, as Python reads them; what RE2 cannot run (lookaround,
 * backreferences, atomic groups, possessive quantifiers, conditionals, the flags x a u L,
 * RE2's `(?<name>…)`, `\C`) is an UnsupportedRegex naming it. Syntax errors are left for RE2
 * to report: the groups counted are right for a pattern RE2 accepts.
 */
export function pythonRegex(pattern: string): PythonRegex {
  const openers: { at: number; length: number }[] = [];
  const names = new Map<string, number>();
  let re2 = '';
  let i = 0;
  const copy = (to: number) => {
    re2 += pattern.slice(i, to);
    i = to;
  };
  const opener = (length: number) => {
    openers.push({ at: re2.length, length });
    copy(i + length);
  };
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === 'Q') {
        // RE2's quoted text, up to \E: nothing in it is syntax
        const end = pattern.indexOf('\\E', i + 2);
        copy(end < 0 ? pattern.length : end + 2);
      } else if (e >= '1' && e <= '9' && !(isOctal(e) && isOctal(pattern[i + 2]) && isOctal(pattern[i + 3]))) {
        // Python: a group's number (one or two digits) unless three octal digits
        throw unsupported(`a backreference ${pattern.slice(i, isDigit(pattern[i + 2]) ? i + 3 : i + 2)} (the text a group matched)`);
      } else if (e === 'Z') {
        re2 += '\\z';
        i += 2;
      } else if (e in UNICODE_CLASSES) {
        re2 += UNICODE_CLASSES[e];
        i += 2;
      } else if (e === 'C') {
        throw new UnsupportedRegex('uses \\C (a single byte, which splits characters), which Python does not know either');
      } else {
        copy(Math.min(i + 2, pattern.length));
      }
    } else if (c === '[') {
      // A class: ] first (after ^) is a member, and RE2's [:alpha:] holds a ].
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      // Copied as it is, but for \w \d \s, which are given their Unicode members.
      let text = pattern.slice(i, j);
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') {
          const member = IN_CLASS[pattern[j + 1]];
          text += member ?? pattern.slice(j, j + 2);
          j += 2;
          continue;
        }
        const from = j;
        if (pattern[j] === '[' && pattern[j + 1] === ':') {
          // RE2's class names are short; a longer [:…:] is an error RE2 reports.
          const end = pattern.slice(j + 2, j + 16).indexOf(':]');
          j = end < 0 ? j + 1 : j + 2 + end + 2;
        } else j++;
        text += pattern.slice(from, j);
      }
      const end = Math.min(j + 1, pattern.length);
      re2 += text + pattern.slice(j, end);
      i = end;
    } else if (c === '(' && pattern[i + 1] === '?') {
      const look = LOOKS.find(([start]) => pattern.startsWith(start, i + 2));
      const named = readAt(NAMED, pattern, i + 2);
      if (!named && pattern.startsWith('P<', i + 2)) throw new UnsupportedRegex('has a group name without its > or longer than 1,000 characters');
      if (named) {
        const name = named[1];
        if (!IDENTIFIER.test(name)) throw new UnsupportedRegex(`has a bad group name ${JSON.stringify(name)}: a group name is an identifier`);
        if (names.has(name)) throw new UnsupportedRegex(`has a redefinition of group name ${JSON.stringify(name)}`);
        names.set(name, openers.length + 1);
        opener(2 + named[0].length);
      } else if (pattern.startsWith('P=', i + 2)) {
        const end = pattern.indexOf(')', i);
        throw unsupported(`a backreference (?P=${pattern.slice(i + 4, end < 0 ? pattern.length : end)}) (the text a group matched)`);
      } else if (look) {
        throw unsupported(look[1]);
      } else if (pattern.startsWith('<', i + 2)) {
        const name = readAt(NAME, pattern, i + 2)?.[1] ?? 'name';
        throw new UnsupportedRegex(`uses (?<${name}>…), which is not Python syntax: write (?P<${name}>…)`);
      } else if (pattern.startsWith('#', i + 2)) {
        // A comment, to the first ) as Python reads it
        const end = pattern.indexOf(')', i);
        i = end < 0 ? pattern.length : end + 1;
      } else {
        const flags = readAt(FLAG_LETTERS, pattern, i + 2)![0];
        const bad = [...flags].find((f) => f in FLAGS);
        if (bad) throw unsupported(`the flag ${FLAGS[bad]}`);
        copy(i + 2);
      }
    } else if (c === '(') {
      opener(1);
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && readAt(REPEAT, pattern, i))) {
      let j = i + 1;
      let quantifier = c;
      if (c === '{') {
        const m = readAt(REPEAT, pattern, i)!;
        j = i + m[0].length;
        // Python: a left-out lower bound is 0; RE2 would read the braces as text.
        quantifier = m[1] === '' ? `{0${m[0].slice(1)}` : m[0];
      }
      if (pattern[j] === '?') {
        quantifier += '?';
        j++;
      }
      if (pattern[j] === '+') throw unsupported(`a possessive quantifier ${pattern.slice(i, j + 1)}`);
      re2 += quantifier;
      i = j;
    } else {
      copy(i + 1);
    }
  }
  return { re2, openers, count: openers.length, names };
}

/** A parsed template: literal text, and group numbers (0: the whole match). */
export type TemplatePart = string | number;

// Python's template escapes (re._parser.ESCAPES); other letters are errors, other characters stay escaped.
const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/**
 * A re.sub replacement template read as Python reads it (re._parser.parse_template, Python
 * 3.12): `\1`…`\99` (two digits at most), `\g<n>`, `\g<name>` and `\g<0>` are groups;
 * `\0`, `\0oo` and three octal digits `\ooo` are characters; `\a \b \f \n \r \t \v \\` the
 * escapes; a backslash before any other non-letter stays as written. Throws a TemplateError
 * with Python's message for a group `groups` lacks, a bad escape (`\q`, a lone `\` at the end),
 * or a malformed `\g<…>`.
 */
export function parseTemplate(template: string, groups: RegexGroups): TemplatePart[] {
  // Python reads the template a token (a character, or \ and the next) ahead of what it
  // parses, so a lone \ at the end is refused as soon as the token before it is read, before
  // any error found later; reach(j) says tokens were read up to j.
  const lone = /(?:^|[^\\])(?:\\\\)*\\$/.test(template) ? template.length - 1 : -1;
  const reach = (j: number) => {
    if (j === lone) throw new TemplateError('bad escape (end of pattern)', lone);
  };
  reach(0);
  const parts: TemplatePart[] = [];
  let text = '';
  const group = (index: number, position: number, written: number | string = index) => {
    if (index > groups.count) throw new TemplateError(`invalid group reference ${index}`, position, written);
    if (text !== '') parts.push(text);
    text = '';
    parts.push(index);
  };
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c !== '\\') {
      text += c;
      reach(++i);
      continue;
    }
    const e = template[i + 1];
    reach(i + 2);
    if (e === 'g') {
      if (template[i + 2] !== '<') throw new TemplateError('missing <', i + 2);
      const start = i + 3;
      reach(start);
      // The name runs to a > that no backslash escapes (Python's tokens are escapes or characters).
      let end = start;
      while (end < template.length && template[end] !== '>') {
        end += template[end] === '\\' ? 2 : 1;
        reach(end);
      }
      reach(end + 1);
      if (end >= template.length) throw new TemplateError(start === template.length ? 'missing group name' : 'missing >, unterminated name', start);
      const name = template.slice(start, end);
      if (name === '') throw new TemplateError('missing group name', start);
      if (/^[0-9]+$/.test(name)) {
        group(Number(name), start);
      } else {
        if (!IDENTIFIER.test(name)) throw new TemplateError(`bad character in group name ${JSON.stringify(name)}`, start);
        const index = groups.names.get(name);
        if (index === undefined) throw new TemplateError(`unknown group name ${JSON.stringify(name)}`, undefined, name);
        group(index, start, name);
      }
      i = end + 1;
    } else if (e === '0') {
      let j = i + 2;
      while (j < i + 4 && isOctal(template[j])) reach(++j);
      text += String.fromCharCode(parseInt(template.slice(i + 1, j), 8));
      i = j;
    } else if (isDigit(e)) {
      if (isDigit(template[i + 2])) reach(i + 3);
      if (isDigit(template[i + 2]) && isOctal(e) && isOctal(template[i + 2]) && isOctal(template[i + 3])) {
        reach(i + 4);
        const code = parseInt(template.slice(i + 1, i + 4), 8);
        if (code > 0o377) throw new TemplateError(`octal escape value ${template.slice(i, i + 4)} outside of range 0-0o377`, i);
        text += String.fromCharCode(code);
        i += 4;
      } else {
        const end = isDigit(template[i + 2]) ? i + 3 : i + 2;
        group(Number(template.slice(i + 1, end)), i + 1);
        i = end;
      }
    } else if (e in ESCAPES) {
      text += ESCAPES[e];
      i += 2;
    } else if (/[a-zA-Z]/.test(e)) {
      throw new TemplateError(`bad escape \\${e}`, i);
    } else {
      text += c + e;
      i += 2;
    }
  }
  if (text !== '') parts.push(text);
  return parts;
}

/** RE2 rewrites name at most 9 groups (\0…\9); groups past those are renumbered (rewriteFor). */
export const RE2_REWRITE_GROUPS = 9;

/**
 * The pattern and rewrite string for DuckDB's regexp_replace that substitute as `parts` (a
 * parseTemplate of `regex`'s Python pattern) does. RE2's rewrite reads `\` and one digit as
 * a group and `\\` as a backslash (RE2::Rewrite), so literal backslashes are doubled. A group
 * past 9 is reached by making the groups the template does not use non-capturing, which
 * changes no match (RE2 has no backreferences); more than 9 different groups is an error.
 */
export function rewriteFor(regex: PythonRegex, parts: readonly TemplatePart[]): { pattern: string; rewrite: string } {
  const used = [...new Set(parts.filter((p): p is number => typeof p === 'number' && p > 0))].sort((a, b) => a - b);
  let pattern = regex.re2;
  const number = new Map<number, number>(used.map((g) => [g, g]));
  if (used.some((g) => g > RE2_REWRITE_GROUPS)) {
    if (used.length > RE2_REWRITE_GROUPS) {
      throw new TemplateError(`uses ${used.length} different groups; at most ${RE2_REWRITE_GROUPS} can be used in one replacement`);
    }
    used.forEach((g, k) => number.set(g, k + 1));
    const pieces: string[] = [];
    let from = 0;
    regex.openers.forEach(({ at, length }, k) => {
      if (number.has(k + 1)) return;
      pieces.push(pattern.slice(from, at), '(?:');
      from = at + length;
    });
    pattern = pieces.join('') + pattern.slice(from);
  }
  const rewrite = parts.map((p) => (typeof p === 'number' ? `\\${p === 0 ? 0 : number.get(p)}` : p.replaceAll('\\', '\\\\'))).join('');
  return { pattern, rewrite };
}

import { z } from 'zod';
import { defineOperation } from '../types.ts';
import { OperationError, invalidParameter, patternReason } from '../errors.ts';
import { bool, checkColumnIndex, columnPosition, pattern } from '../params.ts';
import { ident, literal } from '../../engine/sql.ts';
import { isMissing } from '../../engine/json-values.ts';
import type { Db } from '../../engine/duck.ts';
import { columnAs, convertValue, kindOf, replaceColumn, textOf } from './convert.ts';
import { scanOf } from './scan.ts';
import { doubleLiteral, pyFloat, pyFloatRepr, pyStr, type JsonScalar } from './transforms/python.ts';
import { fitsInt64, integerOfNumber, integerOfText } from '../exact-number.ts';
import { parseTemplate, pythonRegex, rewriteFor, TemplateError, UnsupportedRegex, type PythonRegex } from '../python-regex.ts';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/**
 * Most pairs one findReplace may list. Each pair is a CASE branch or a nested
 * regexp_replace, and a value's chain through the pairs is followed pair by pair: 20,000
 * pairs held the event loop 1.5 s, and 5,000 nested regexes exhausted DuckDB's parser.
 */
export const MAX_REPLACE_PAIRS = 1_000;
// A lone value is a list of one (older clients send the field as typed in a text box).
const scalarList = z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(scalar).max(MAX_REPLACE_PAIRS, `at most ${MAX_REPLACE_PAIRS.toLocaleString('en-US')} values may be replaced in one request`));

// The original, pair by pair in list order: df[col].replace(str(a), str(b), regex=matchRegex),
// then, when float(a) works, df[col].replace(float(a), b, regex=matchRegex). So without regex
// a value equal to str(a) — or, in a numeric column, to the number a — becomes b (later pairs
// see the result of earlier ones); with regex every match in a text value is substituted
// (re.sub), the pattern and the replacement template read as Python reads them (python-regex.ts).
export const findReplace = defineOperation({
  name: 'findReplace',
  kind: 'change',
  summary: 'replace whole values (or regex matches in text) of a column, pair by pair',
  params: z.object({
    columnIndex: columnPosition,
    toReplace: pattern(scalarList, 'matchRegex'),
    replaceWith: scalarList,
    matchRegex: bool.optional().default(false),
  }),
  async run(ctx, params) {
    const ds = ctx.dataset;
    const index = checkColumnIndex(ds, params.columnIndex);
    const { name, type } = ds.column(index);
    const { toReplace, replaceWith } = params;
    if (toReplace.length !== replaceWith.length) {
      throw invalidParameter(`toReplace has ${toReplace.length} value${toReplace.length === 1 ? '' : 's'} and replaceWith ${replaceWith.length}; they are pairs and must be as many`);
    }
    if (toReplace.length === 0) return { kind: 'none' };
    const kind = kindOf(type);
    let expr: string | null;
    if (params.matchRegex) {
      // pandas' regex replacement only touches strings: as there, nothing changes, but the
      // answer says why, since a regex that matches the numbers' text looks as if it should.
      if (kind !== 'string') {
        const unchangedReason = `a regex replaces within text values, and column ${JSON.stringify(name)} holds ${kind === 'other' ? type.toLowerCase() : kind} values: convert it to string first (changeColumnDataType), or replace whole values without matchRegex`;
        return { kind: 'none', answer: { unchangedReason } };
      }
      expr = await regexExpr(ctx.db, ds.ref(index), toReplace.map(pyStr), replaceWith.map(pyStr));
    } else if (kind === 'int' || kind === 'float') {
      expr = await numericExpr(ctx.db, scanOf(ds, [index]), ds.sqlName(index), type, toReplace, replaceWith);
    } else {
      expr = await textExpr(ctx.db, scanOf(ds, [index]), ds.sqlName(index), type, toReplace, replaceWith);
    }
    if (expr === null) return { kind: 'none' };
    if (kind === 'string') {
      // Text results compare with the text they replace: no difference, no new version.
      // EXISTS stops at the first changed value instead of computing the whole column once
      // more before it is written (on 10M rows: 15 ms instead of 1.3 s for a regex).
      const changed = await ctx.db.scalar(`SELECT EXISTS (SELECT 1 FROM ${scanOf(ds, [index])} WHERE (${expr}) IS DISTINCT FROM ${ds.ref(index)})`);
      if (changed !== true) return { kind: 'none' };
    }
    return { kind: 'columns', columns: replaceColumn(ds.names, index, expr) };
  },
});

// The regex runs on every row: about 1.3-1.5 s of the 2.3 s of CPU of the bench's swap of two
// words over 10M comments. Tried on that column (33,824 distinct values; DuckDB 1.5.6, 2
// threads, loaded machine) to run it once per distinct value instead, none kept:
// - a table of the distinct values and their replacements (0.3-0.5 s) joined back: a JOIN
//   does not keep row order, and with ORDER BY __pos the write cost 2.7-2.9 s of CPU against
//   2.3-2.6 s for the regex on every row (the join's probe alone was 0.6 s);
// - the values cast to an ENUM of them for a code per row: the cast alone (a string-map
//   lookup per row) cost 0.8-1.2 s, and a code needs a list of replacements, which DuckDB
//   copies into every vector as a constant (list_extract over a getvariable() list of 2^19
//   slots keyed by hash(): 60 s);
// - DuckDB's own evaluation of a function once per dictionary entry does not happen for
//   this column: regexp_replace cost the same on a copy written in 16,384-row groups (fewer
//   than 20,000 distinct values a group);
// - regexp_replace without 'g' for a pattern anchored with ^ (one match at most): 2.30-2.79
//   s of CPU for the COPY against 2.27-3.38 s with 'g' in alternating runs, within the noise.

/**
 * Nested regexp_replace, one per pair, each pattern and template read as Python's re.sub
 * reads them (pythonRegex, parseTemplate) and checked first, so that a bad one names its
 * pair: an 'invalid regex' error for a construct RE2 lacks, a pattern RE2 refuses, or a
 * template Python would refuse (a group the pattern lacks: re.sub's "invalid group reference").
 */
async function regexExpr(db: Db, column: string, patterns: string[], replacements: string[]): Promise<string> {
  let expr = column;
  for (let i = 0; i < patterns.length; i++) {
    const pair = (side: 'toReplace' | 'replaceWith') => `${side}[${i}] ${JSON.stringify(side === 'toReplace' ? patterns[i] : replacements[i])}`;
    let regex: PythonRegex;
    try {
      regex = pythonRegex(patterns[i]);
      await db.run(`SELECT regexp_matches('', ${literal(regex.re2)})`);
    } catch (err) {
      const reason = err instanceof UnsupportedRegex ? err.message : `is not a valid regular expression: ${patternReason(err)}`;
      throw new OperationError('invalid regex', `${pair('toReplace')} ${reason}`);
    }
    let re2: { pattern: string; rewrite: string };
    try {
      re2 = rewriteFor(regex, parseTemplate(replacements[i], regex));
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      throw new OperationError('invalid regex', `${pair('replaceWith')} ${templateReason(err, regex, pair('toReplace'))}`);
    }
    expr = `regexp_replace(${expr}, ${literal(re2.pattern)}, ${literal(re2.rewrite)}, 'g')`;
  }
  return expr;
}

/** Why a template is refused, for a person: a missing group with what the pattern has, else Python's message and where. */
function templateReason(err: TemplateError, regex: PythonRegex, pattern: string): string {
  if (typeof err.group === 'number') {
    return `refers to group ${err.group}, but ${pattern} has ${regex.count} group${regex.count === 1 ? '' : 's'} (Python: ${err.message} at position ${err.position})`;
  }
  if (typeof err.group === 'string') {
    const names = [...regex.names.keys()];
    return `refers to group ${JSON.stringify(err.group)}, but ${pattern} has no group of that name (${names.length ? `its named groups: ${names.join(', ')}` : 'it names no groups'})`;
  }
  return `is not a valid replacement: ${err.message}${err.position === undefined ? '' : ` at position ${err.position}`}`;
}

/** Text (and bool/datetime) columns: whole values equal to str(a) become str(b). */
async function textExpr(db: Db, source: string, name: string, type: string, toReplace: JsonScalar[], replaceWith: JsonScalar[]): Promise<string | null> {
  const from = toReplace.map(pyStr);
  const to = replaceWith.map((v) => (v === null ? null : pyStr(v)));
  // Where each distinct value ends up after all the pairs, applied in order.
  const finals = new Map<string, string | null>();
  for (const start of new Set(from)) {
    let v: string | null = start;
    for (let i = 0; i < from.length; i++) if (v === from[i]) v = to[i];
    if (v !== start) finals.set(start, v);
  }
  if (finals.size === 0) return null;
  const text = textOf(ident(name), type);
  if (kindOf(type) === 'string') {
    const cases = [...finals].map(([k, v]) => `WHEN ${literal(k)} THEN ${literal(v)}`).join(' ');
    return `CASE ${text} ${cases} ELSE ${text} END`;
  }
  // bool and datetime columns compare their text form; replacements keep the column's type
  // when they read as it, else the column becomes text.
  const present = await presentKeys(db, source, [...finals.keys()].map((k) => `${text} = ${literal(k)}`));
  const used = [...finals].filter((_, i) => present[i]);
  if (used.length === 0) return null;
  const converted = await Promise.all(used.map(([, v]) => convertValue(db, v, type)));
  const target = converted.some((c) => !c.missing && c.type === 'VARCHAR') ? 'VARCHAR' : type.toUpperCase();
  const cases = used.map(([k, v], i) => {
    const c = converted[i];
    const value = c.missing ? 'NULL' : target === 'VARCHAR' ? literal(v) : c.sql;
    return `WHEN ${text} = ${literal(k)} THEN ${value}`;
  });
  return `CAST(CASE ${cases.join(' ')} ELSE ${columnAs(ident(name), type, target)} END AS ${target})`;
}

/**
 * A value of numericExpr's chain: a number of an int column as the exact integer it is
 * (`int`), any other number as a double (`num`: NaN stands for missing), or text.
 */
type Cell = { int: bigint } | { num: number } | { text: string };

/**
 * float(a) of a request value as numericExpr compares it: in an int column an integer is
 * exact (`9007199254740993` is not 9007199254740992, whether sent as text or as a JSON
 * number the gateway let through, which is exact), anything else a double; null where
 * Python's float() raises. In a float column every number is the double the column holds.
 */
function numberOf(v: JsonScalar, isInt: boolean): bigint | number | null {
  const x = pyFloat(v);
  if (x === null || !isInt) return x;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return (typeof v === 'number' ? integerOfNumber(v) : integerOfText(v as string)) ?? x;
}

/** Whether two numbers of the chain are the same value (NaN matching NaN: missing matches missing); an integer is never a double that is no integer. */
function sameNumber(a: bigint | number, b: bigint | number): boolean {
  if (typeof a === 'bigint' || typeof b === 'bigint') return a === b;
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

const numberCell = (n: bigint | number): Cell => (typeof n === 'bigint' ? { int: n } : { num: n });

/**
 * int/float columns: numbers equal to float(a) (NaN matching missing) become b, read as a
 * number when it is one. In an int column both sides are exact integers over the whole
 * int64 range (numberOf): pandas would compare the column's values with the double of a,
 * so that 9007199254740993 matched 9007199254740992, and write b through a double. A b that
 * is an integer beyond int64 (as text: every digit) makes the column text, every digit kept,
 * as convertValue does for newCellValue and fillWithCustomValue.
 */
async function numericExpr(db: Db, source: string, name: string, type: string, toReplace: JsonScalar[], replaceWith: JsonScalar[]): Promise<string | null> {
  const isInt = kindOf(type) === 'int';
  const convert = (v: JsonScalar): Cell => {
    if (v === null || v === '') return { num: NaN };
    if (typeof v === 'boolean') return { text: pyStr(v) };
    const n = numberOf(v, isInt);
    if (n === null) return { text: pyStr(v) };
    if (typeof n === 'bigint' && !fitsInt64(n)) return typeof v === 'string' ? { text: v } : { num: Number(n) };
    return numberCell(n);
  };
  const keys: (bigint | number)[] = [];
  for (const a of toReplace) {
    const x = numberOf(a, isInt);
    if (x !== null && !keys.some((k) => sameNumber(k, x))) keys.push(x);
  }
  const finals: { key: bigint | number; value: Cell }[] = [];
  for (const key of keys) {
    let v: Cell = numberCell(key);
    for (let i = 0; i < toReplace.length; i++) {
      if ('text' in v && v.text === pyStr(toReplace[i])) v = convert(replaceWith[i]);
      const x = numberOf(toReplace[i], isInt);
      if (!('text' in v) && x !== null && sameNumber('int' in v ? v.int : v.num, x)) v = convert(replaceWith[i]);
    }
    if ('text' in v || !sameNumber('int' in v ? v.int : v.num, key)) finals.push({ key, value: v });
  }
  if (finals.length === 0) return null;
  const col = ident(name);
  const condition = (key: bigint | number): string => {
    if (typeof key === 'number' && Number.isNaN(key)) return isMissing(name, type);
    // An int column holds integers of int64 only: a fraction or an integer beyond matches nothing.
    if (isInt) return typeof key === 'bigint' && fitsInt64(key) ? `${col} = ${key}` : 'false';
    return `${col} = ${doubleLiteral(Number(key))}`;
  };
  const present = await presentKeys(db, source, finals.map((f) => condition(f.key)));
  const used = finals.filter((_, i) => present[i]);
  if (used.length === 0) return null;
  const values = used.map((f) => f.value);
  const target = values.some((v) => 'text' in v) ? 'VARCHAR' : isInt && values.every((v) => 'int' in v || ('num' in v && Number.isNaN(v.num))) ? 'BIGINT' : 'DOUBLE';
  const sqlOf = (v: Cell): string => {
    if ('text' in v) return literal(v.text);
    if ('num' in v && Number.isNaN(v.num)) return 'NULL';
    if ('int' in v && target === 'BIGINT') return `${v.int}`;
    if (target === 'DOUBLE') return doubleLiteral('int' in v ? Number(v.int) : v.num);
    // text: the number as the column would print it
    return literal('int' in v ? String(v.int) : pyFloatRepr(v.num));
  };
  const cases = used.map((f) => `WHEN ${condition(f.key)} THEN ${sqlOf(f.value)}`).join(' ');
  return `CAST(CASE ${cases} ELSE ${columnAs(col, type, target)} END AS ${target})`;
}

/** Which of the conditions some row meets, in one scan. */
async function presentKeys(db: Db, source: string, conditions: string[]): Promise<boolean[]> {
  const row = await db.one(`SELECT ${conditions.map((c, i) => `count(*) FILTER (WHERE ${c}) > 0 AS k${i}`).join(', ')} FROM ${source}`);
  return conditions.map((_, i) => row[`k${i}`] === true);
}

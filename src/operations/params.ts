import { z } from 'zod';
import { OperationError } from './errors.ts';
import type { Dataset } from '../engine/dataset.ts';

// Parameter building blocks shared by the operations' schemas. Legacy clients sometimes
// send numbers as numeric strings ("3"); those are accepted, anything else is an error.
export const int = z.union([z.number().int(), z.string().trim().regex(/^-?\d+$/, 'expected an integer').transform(Number)]);
export const nonNegativeInt = int.pipe(z.number().int().min(0, 'must be ≥ 0'));
export const number = z.union([z.number(), z.string().trim().regex(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'expected a number').transform(Number)]);
export const bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False', '1', '0']).transform((v) => v === 'true' || v === 'True' || v === '1'), z.literal(0).transform(() => false), z.literal(1).transform(() => true)]);
export const indexList = z.array(nonNegativeInt);

/**
 * What a parameter refers to, published as the `x-role` keyword of its JSON Schema by the
 * `operations` discovery request (zod `.meta`, carried over by `z.toJSONSchema`), so a client
 * can build the right control without knowing the operation: a column picker, a row, a
 * regex field, a choice list, a SQL editor.
 * - `columnIndex` / `columnIndices`: position(s) in the current column order
 * - `columnName`: a column's name; `column`: a name or, leniently, a position; `columns`: a list of those
 * - `columnInsertIndex`: a position between columns where a new column goes, 0…columns (the
 *   new column is put before the column at that position; at the end for columns)
 * - `rowIndex` / `rowIndices`: row position(s) in the current version
 * - `regex`: a regular expression; with `x-regexFlag`, only when that boolean parameter is true
 * - `choice`: one of `enum`; `sql`: a SQL statement over the table `df`
 */
export type ParamRole = 'columnIndex' | 'columnIndices' | 'columnName' | 'column' | 'columns' | 'columnInsertIndex' | 'rowIndex' | 'rowIndices' | 'regex' | 'choice' | 'sql';
const role = (r: ParamRole, extra: Record<string, unknown> = {}) => ({ 'x-role': r, ...extra });

/** Mark a schema with its role (for schemas that are not one of the building blocks below). */
export function annotate<S extends z.ZodType>(schema: S, r: ParamRole, extra: Record<string, unknown> = {}): S {
  return schema.meta(role(r, extra)) as S;
}

export const columnName = z.string().meta(role('columnName'));
export const columnPosition = nonNegativeInt.meta(role('columnIndex'));
/**
 * A position of a column that must hold numbers: published with `x-columnTypes` (the API
 * types, as metadata's dataType, the column may be of), so that a client can offer the
 * operation greyed out on other columns instead of letting it fail once sent. The operation
 * still checks the type itself.
 */
export const numericColumnPosition = nonNegativeInt.meta(role('columnIndex', { 'x-columnTypes': ['int', 'float'] }));
/**
 * Most entries of a list naming columns (16,384: MAX_COLUMNS' default). A longer list can
 * only repeat columns, and the SQL built from such a list grows with it: a filter of 1.5M
 * repeated positions kept DuckDB planning for over 30 minutes, past the request's deadline
 * (planning does not see interrupts).
 */
export const MAX_LIST_COLUMNS = 16_384;
const columnList = <S extends z.ZodType>(item: S) => z.array(item).max(MAX_LIST_COLUMNS, `at most ${MAX_LIST_COLUMNS.toLocaleString('en-US')} columns may be listed (a longer list can only repeat them)`);
export const columnPositions = columnList(nonNegativeInt).meta(role('columnIndices'));
/** A list of columns by name or, leniently, position (`resolveColumn`), at most MAX_LIST_COLUMNS. */
export const columnNamesOrPositions = columnList(z.union([z.string(), z.number().int()]));
/** Where a new column goes: a position 0…columns (role `columnInsertIndex`). */
export const columnInsertPosition = nonNegativeInt.meta(role('columnInsertIndex'));
export const rowPosition = nonNegativeInt.meta(role('rowIndex'));
export const rowPositions = z.array(nonNegativeInt).meta(role('rowIndices'));
/** A column by name or, leniently, by position (`resolveColumn`). */
export const columnNameOrPosition = z.union([z.string(), nonNegativeInt]).meta(role('column'));

/** Text that is a regular expression when the boolean parameter `flag` is true (or always, without one). */
export function pattern<S extends z.ZodType>(schema: S, flag?: string): S {
  return annotate(schema, 'regex', flag ? { 'x-regexFlag': flag } : {});
}

/** One of a fixed list of words. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values).meta(role('choice'));
}

/**
 * One of a fixed list, compared trimmed and without letter case (spellings legacy clients
 * send); the input schema is plain text, so the list is published as `enum` explicitly.
 */
export function lenientChoice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().trim().toLowerCase().pipe(z.enum(values)).meta(role('choice', { enum: [...values] }));
}

/** Check a column position against the current shape. */
export function checkColumnIndex(ds: Dataset, index: number, param = 'columnIndex'): number {
  if (index < 0 || index >= ds.columns.length) {
    throw new OperationError('index out of range', `${param} ${index} is out of range: the dataset has ${ds.columns.length} column${ds.columns.length === 1 ? '' : 's'} (0…${ds.columns.length - 1})`);
  }
  return index;
}

export function checkColumnIndices(ds: Dataset, indices: number[], param = 'columnIndices'): number[] {
  for (const i of indices) checkColumnIndex(ds, i, param);
  return indices;
}

/** Resolve a column name (or, leniently, a position) to its index. */
export function resolveColumn(ds: Dataset, column: string | number, param = 'column'): number {
  if (typeof column === 'number') return checkColumnIndex(ds, column, param);
  const index = ds.indexOf(column);
  if (index < 0) throw new OperationError('unknown column', `${param} ${JSON.stringify(column)} is not a column of the dataset (columns: ${ds.names.map((n) => JSON.stringify(n)).join(', ')})`);
  return index;
}

export function checkRowIndex(ds: Dataset, index: number, param = 'rowIndex'): number {
  if (index < 0 || index >= ds.rows) {
    throw new OperationError('index out of range', `${param} ${index} is out of range: the dataset has ${ds.rows} row${ds.rows === 1 ? '' : 's'}`);
  }
  return index;
}

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'body';
      return `${where}: ${issueText(issue)}`;
    })
    .join('; ');
}

const MISSING = /received undefined$/;
const TYPE_WORDS: Record<string, string> = { int: 'an integer', number: 'a number', string: 'text', boolean: 'a boolean', array: 'a list', object: 'an object', null: 'null' };

/**
 * One issue in words: a parameter that is absent is "required parameter is missing" (also
 * when its schema is a union, such as a number or a numeric string, whose every branch
 * would say so); a union's most specific reason (a branch's own message, e.g. a pattern's)
 * rather than zod's bare "Invalid input"; NaN as "not a number".
 */
function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && MISSING.test(issue.message)) return 'required parameter is missing';
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branches = issue.errors.map((branch) => branch[0]).filter((i) => i !== undefined);
    if (branches.length && branches.every((i) => i.code === 'invalid_type' && MISSING.test(i.message))) return 'required parameter is missing';
    const specific = branches.find((i) => i.code !== 'invalid_type' && i.path.length === 0);
    if (specific) return issueText(specific);
    const expected = [...new Set(branches.flatMap((i) => (i.code === 'invalid_type' ? [i.expected as string] : [])))];
    const received = /received (\w+)$/.exec(branches[0]?.message ?? '')?.[1];
    // A fraction where a whole number is wanted: the other branches (a numeric string) say nothing more.
    if (received === 'number' && expected.includes('int')) return 'expected an integer';
    if (expected.length) return `expected ${expected.map((e) => TYPE_WORDS[e] ?? e).join(' or ')}${received ? `, received ${TYPE_WORDS[received] ?? received}` : ''}`;
  }
  if (/received NaN$/.test(issue.message)) return 'not a number';
  return issue.message.replace(/^Invalid input: /, '');
}

/** Keys of a request body that address the request, not the operation (API.md's envelope). */
export const ENVELOPE: ReadonlySet<string> = new Set(['operation', 'sessionID', 'requestID']);

/** A request body without its envelope: the operation's parameters as sent. */
export function operationParameters(body: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own keys (an assignment to "__proto__" would set the prototype).
  return Object.fromEntries(Object.entries(body).filter(([k]) => !ENVELOPE.has(k)));
}

/** The parameters an operation's schema reads, by key: a z.object's shape, through pipes (.transform); null when the schema is not one. */
export function schemaShape(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | null {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return schemaShape(schema.in as z.ZodType);
  return null;
}

function schemaKeys(schema: z.ZodType): string[] | null {
  const shape = schemaShape(schema);
  return shape ? Object.keys(shape) : null;
}

/**
 * A parameter's role (its `x-role`, ParamRole), found through the wrappers that keep what
 * the parameter is (.optional(), .nullish(), .default(), a pipe's input); undefined without one.
 */
export function roleOf(schema: z.ZodType): ParamRole | undefined {
  return annotationOf(schema, 'x-role') as ParamRole | undefined;
}

/**
 * The parameter a column position ends a range of (its `x-rangeFrom`: `columnTo` of
 * fillDown ends `columnFrom`…`columnTo`), found as roleOf finds a role; undefined when it ends none.
 */
export function rangeStartOf(schema: z.ZodType): string | undefined {
  return annotationOf(schema, 'x-rangeFrom') as string | undefined;
}

function annotationOf(schema: z.ZodType, key: string): unknown {
  for (let s: z.ZodType = schema; ; ) {
    const r = s.meta()?.[key];
    if (r !== undefined) return r;
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodNonOptional || s instanceof z.ZodReadonly || s instanceof z.ZodCatch) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return undefined;
  }
}

/**
 * A request's parameters as history records them: the keys the operation's `schema` reads,
 * each value as sent (so that a recipe replays what was applied, exactly). The envelope
 * (ENVELOPE) and keys the operation does not know are dropped: zod's parse ignores them, and
 * kept they were data of no use that every manifest and `history` reply carried (15 keys of
 * 1 MB each on every rename made a 2-row session 1.2 GB).
 */
export function knownParameters(schema: z.ZodType, raw: Record<string, unknown>): Record<string, unknown> {
  const keys = schemaKeys(schema);
  // fromEntries defines own keys (an assignment to "__proto__" would set the prototype).
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !ENVELOPE.has(k) && (keys === null || keys.includes(k))));
}

import type { z } from 'zod';
import { OperationError, invalidParameter } from './errors.ts';
import { rangeStartOf, roleOf, schemaShape, type ParamRole } from './params.ts';
import type { ColumnNames, InsertionPlace } from '../protocol/messages.ts';

// A recipe (a session's history, replayed by applyOperations on another dataset) must change
// the same columns there, but a position means whatever column sits there. So history keeps,
// beside the parameters as applied, the names of the columns that positional parameters
// referred to (`columns`), and a replay finds each name where it is at that step. A position
// where a new column goes (combineColumns' insertIndex) is recorded likewise, as the column
// the new one went next to: right after the column before it, or before the first column
// when it went first. Which parameters give columns or insertion places by position is read
// from their roles (params.ts), the annotations discovery publishes: no operation is listed here.

/**
 * Roles whose values may give columns by position: `int`, a position written as a number or
 * a numeric string (the `int` building block); `number`, only as a number, since a string
 * there is a column's name (`column`, `columns`).
 */
const POSITIONAL: Partial<Record<ParamRole, 'int' | 'number'>> = { columnIndex: 'int', columnIndices: 'int', column: 'number', columns: 'number' };

/** A parameter's value as columns: each entry's position, null for an entry that is not one (a name); `list` when the value is a list. */
interface References {
  list: boolean;
  positions: (number | null)[];
  /** For the end of a range: the key of its start. */
  rangeFrom?: string;
}

/** A parameter that may give columns by position: its key, how (POSITIONAL) and, for the end of a range, the key of its start. */
interface PositionalKey {
  key: string;
  how: 'int' | 'number';
  rangeFrom?: string;
}

const rolesBySchema = new WeakMap<z.ZodType, PositionalKey[]>();

/** The parameters of `schema` that may give columns by position, with how. */
function positionalKeys(schema: z.ZodType): PositionalKey[] {
  let keys = rolesBySchema.get(schema);
  if (!keys) {
    keys = Object.entries(schemaShape(schema) ?? {}).flatMap(([key, s]): PositionalKey[] => {
      const role = roleOf(s);
      const how = role && POSITIONAL[role];
      const rangeFrom = rangeStartOf(s);
      return how ? [{ key, how, ...(rangeFrom && { rangeFrom }) }] : [];
    });
    rolesBySchema.set(schema, keys);
  }
  return keys;
}

const insertionBySchema = new WeakMap<z.ZodType, string[]>();

/** The parameters of `schema` that give where a new column goes (role `columnInsertIndex`). */
function insertionKeys(schema: z.ZodType): string[] {
  let keys = insertionBySchema.get(schema);
  if (!keys) {
    keys = Object.entries(schemaShape(schema) ?? {}).flatMap(([key, s]) => (roleOf(s) === 'columnInsertIndex' ? [key] : []));
    insertionBySchema.set(schema, keys);
  }
  return keys;
}

const isPlace = (given: ColumnNames[string]): given is InsertionPlace => typeof given === 'object' && !Array.isArray(given);

/** The position `place` stands for among `names`; null when its column is not there. */
function placeOf(place: InsertionPlace, names: readonly string[]): number | null {
  const at = names.indexOf('after' in place ? place.after : place.before);
  return at < 0 ? null : 'after' in place ? at + 1 : at;
}

function position(value: unknown, how: 'int' | 'number'): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  return how === 'int' && typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : null;
}

/** The parameters (as sent) that give at least one column by position, by key. */
function positionalParameters(schema: z.ZodType, parameters: Record<string, unknown>): Map<string, References> {
  const found = new Map<string, References>();
  for (const { key, how, rangeFrom } of positionalKeys(schema)) {
    const value = parameters[key];
    const list = Array.isArray(value);
    const positions = (list ? value : [value]).map((v: unknown) => position(v, how));
    if (positions.some((p) => p !== null)) found.set(key, { list, positions, ...(rangeFrom && { rangeFrom }) });
  }
  return found;
}

/**
 * What history records beside `parameters` (as applied to the operation of `schema`): the
 * name in `names` (the columns of the dataset it was applied to) of each column a parameter
 * gave by position, `{key: name}`, or for a list one name per entry (an entry given by name:
 * that name). The end of a range (`columnTo` of fillDown) records every column of the range,
 * start to end, as a list: on another dataset the columns between two names may be others.
 * A position where a new column goes (role `columnInsertIndex`) records the column it went
 * next to: `{after: name}` of the column before that position, `{before: name}` of the first
 * column for position 0; `replayed` (the `columns` of the recipe entry these parameters were
 * resolved from) keeps the place the recipe gave where it is that position, so that a
 * replay's history holds the recipe's own anchor, not the neighbour on the other side.
 * Undefined when no parameter gave a column or an insertion place by position.
 */
export function recordColumnNames(schema: z.ZodType, names: readonly string[], parameters: Record<string, unknown>, replayed?: ColumnNames): ColumnNames | undefined {
  const refs = positionalParameters(schema, parameters);
  const recorded: [string, ColumnNames[string]][] = [];
  for (const [key, r] of refs) {
    const start = r.rangeFrom === undefined ? undefined : refs.get(r.rangeFrom)?.positions[0];
    if (start != null && !r.list && r.positions[0] !== null && start <= r.positions[0] && r.positions[0] < names.length) {
      recorded.push([key, names.slice(start, r.positions[0] + 1)]);
      continue;
    }
    const entries: unknown[] = r.list ? (parameters[key] as unknown[]) : [parameters[key]];
    const named = r.positions.map((p, i) => (p === null ? entries[i] : names[p]));
    // Not a name or a position within the dataset: the operation refused it, nothing is recorded.
    if (!named.every((n) => typeof n === 'string')) continue;
    recorded.push([key, r.list ? named : named[0]]);
  }
  for (const key of insertionKeys(schema)) {
    const at = position(parameters[key], 'int');
    // Absent (the operation's own default place), or a place the operation refused.
    if (at === null || at > names.length || names.length === 0) continue;
    const given = replayed?.[key];
    if (given !== undefined && isPlace(given) && placeOf(given, names) === at) recorded.push([key, given]);
    else recorded.push([key, at > 0 ? { after: names[at - 1] } : { before: names[0] }]);
  }
  return recorded.length ? Object.fromEntries(recorded) : undefined;
}

/**
 * `parameters` with each position that `recorded` (a recipe entry's `columns`) names replaced
 * by where that name is in `names` (the columns of the dataset the step runs on), matched
 * exactly, letter case included: a dataset may hold both `Price` and `price`. Entries given
 * by name, and positional parameters `recorded` does not name, stay as they are. The end of a
 * range recorded as the range's names is placed at its last name, and the columns from the
 * range's start to there must be those names, in that order. A position where a new column
 * goes, recorded as a place (`{after: name}`, `{before: name}`), becomes the position right
 * after, or at, that name.
 *
 * @throws OperationError 'invalid parameters' when `recorded` does not fit `parameters` (a
 *   key that gives no column by position, one name for a list or a list of another length);
 *   'unknown column' naming the parameter and the name when the dataset has no such column;
 *   'invalid parameters' when a range here holds other columns than the recorded ones.
 */
export function resolveColumnNames(schema: z.ZodType, names: readonly string[], parameters: Record<string, unknown>, recorded: ColumnNames): Record<string, unknown> {
  const refs = positionalParameters(schema, parameters);
  const where = new Map(names.map((name, i) => [name, i]));
  const resolved = { ...parameters };
  const find = (key: string, name: string, role = ''): number => {
    const at = where.get(name);
    if (at === undefined) {
      throw new OperationError('unknown column', `${key} refers to column ${quoted(name)}${role}, which the dataset does not have at this step (names are matched exactly, letter case included)`);
    }
    return at;
  };
  const insertions = insertionKeys(schema);
  const ranges: [string, string, string[]][] = [];
  for (const [key, given] of Object.entries(recorded)) {
    if (insertions.includes(key)) {
      if (!isPlace(given)) throw invalidParameter(`columns.${key}: {"after": name} or {"before": name} expected, as parameters.${key} is where a new column goes`);
      if (position(parameters[key], 'int') === null) throw invalidParameter(`columns.${key}: parameters.${key} gives no position, so there is no place to find by this name`);
      resolved[key] = 'after' in given ? find(key, given.after, ' (the new column goes right after it)') + 1 : find(key, given.before, ' (the new column goes right before it)');
      continue;
    }
    if (isPlace(given)) throw invalidParameter(`columns.${key}: a place ({"after"/"before": name}) is only for a position where a new column goes, which parameters.${key} is not`);
    const r = refs.get(key);
    if (!r) throw invalidParameter(`columns.${key}: parameters.${key} gives no column by position, so there is nothing to find by this name`);
    if (r.rangeFrom !== undefined && !r.list && Array.isArray(given) && given.length > 0) {
      ranges.push([key, r.rangeFrom, given]);
      continue;
    }
    const givenNames = Array.isArray(given) ? given : [given];
    if (Array.isArray(given) !== r.list || givenNames.length !== r.positions.length) {
      throw invalidParameter(`columns.${key}: ${r.list ? `a list of ${r.positions.length} names` : 'one name'} expected, as parameters.${key} gives ${r.list ? `${r.positions.length} columns` : 'one'}`);
    }
    const entries: unknown[] = r.list ? [...(parameters[key] as unknown[])] : [parameters[key]];
    r.positions.forEach((p, i) => {
      if (p !== null) entries[i] = find(`${key}${r.list ? `[${i}]` : ''}`, givenNames[i]);
    });
    resolved[key] = r.list ? entries : entries[0];
  }
  for (const [key, startKey, range] of ranges) {
    const end = find(key, range[range.length - 1]);
    // The start as this step resolved it (by its recorded name), else the range's first name.
    const start = typeof resolved[startKey] === 'number' && startKey in recorded ? (resolved[startKey] as number) : find(startKey, range[0]);
    const here = start <= end ? names.slice(start, end + 1) : [];
    if (here.length !== range.length || here.some((n, i) => n !== range[i])) {
      throw invalidParameter(`${startKey}…${key}: the recipe's step covered the columns ${range.map(quoted).join(', ')}, but from ${quoted(range[0])} to ${quoted(range[range.length - 1])} this dataset has ${here.length ? here.map(quoted).join(', ') : 'them in the other order'}; a range must hold the same columns in the same order`);
    }
    resolved[startKey] = start;
    resolved[key] = end;
  }
  return resolved;
}

/** A name for an error message: a recipe is the client's, and its names may be of any length. */
function quoted(name: string): string {
  return JSON.stringify(name.length > 100 ? `${name.slice(0, 99)}…` : name);
}

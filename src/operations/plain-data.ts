import { OperationError } from './errors.ts';

/** Keys that name parts of JavaScript's object model, not data. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deepest nesting of arrays and objects a request body may have. */
export const MAX_BODY_DEPTH = 32;

/**
 * Most keys one object of a request body may have. An operation's parameters are a handful
 * (lists are arrays); a body of 1.2 million junk keys held the event loop 4.6-5.9 s, mostly
 * in copying it, and is refused now from its key count.
 */
export const MAX_OBJECT_KEYS = 1_000;

/**
 * The error for text of a request that holds U+0000, at `path` (a parameter, `toReplace[0]`,
 * `operations[2].parameters.newValue`, or a key: `what` says which).
 *
 * Why refused, for every operation alike: SQL text cannot carry NUL (DuckDB's parser ends the
 * statement there: "unterminated quoted string"), and a NUL put into a cell or a name is
 * almost always binary noise, which PostgreSQL refuses as well and most tools show as
 * nothing. Refused once here, before any operation reads its parameters, no operation can
 * pass one on to SQL, a version or the history. NUL already in the data (imported from JSON
 * as \u0000) stays, and can still be found with a regular expression (`\x00`).
 */
function nulError(path: string, text: string, what: 'text' | 'key'): OperationError {
  const where = path === 'body' ? '' : `${path}: `;
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  return new OperationError('invalid value', `${where}the ${what} ${shown} holds a NUL character (U+0000) at position ${text.indexOf('\u0000')}; no text of a request may hold NUL (a regular expression can match NUL in the data as \\x00)`);
}

/**
 * Check that a request body is plain JSON data: objects whose prototype is Object's (or
 * none), arrays, strings without NUL (U+0000, see nulError), finite numbers, booleans and
 * null, nested at most MAX_BODY_DEPTH deep, objects of at most MAX_OBJECT_KEYS keys, and no key `__proto__`, `constructor` or
 * `prototype` at any depth.
 *
 * Why: JSON.parse makes `"__proto__"` an own key, but copying it into another object (`o[k] =
 * v`, as zod and spreads do) sets that object's prototype instead: parameters under
 * `"__proto__"` were then read by validation and applied, while the history recorded `{}`.
 * Refusing such keys keeps what is applied exactly what is recorded. Runs in time linear in
 * the body's size (an explicit stack: no recursion to overflow).
 *
 * @throws OperationError 'invalid parameters' naming the path of the first offending value;
 *   'invalid value' for text holding NUL, naming the parameter.
 */
export function assertPlainData(body: unknown): void {
  // Containers still to look into; scalars are checked where they are met. A value's path is
  // spelled out only for an error: building one string per element cost more than the rest
  // of the walk (1.2 million keys: seconds on the event loop).
  const stack: Place[] = [];
  visit(stack, body, null, null, 0);
  while (stack.length > 0) {
    const place = stack.pop()!;
    const { value, depth } = place;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(stack, value[i], place, i, depth + 1);
      continue;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new OperationError('invalid parameters', `${pathOf(place)}: binary or other non-JSON values are not accepted`);
    const keys = Object.keys(value as object);
    if (keys.length > MAX_OBJECT_KEYS) {
      const path = pathOf(place);
      throw new OperationError('invalid parameters', `${path === 'body' ? 'the request' : path} has ${keys.length} keys; an object of a request may have at most ${MAX_OBJECT_KEYS}`);
    }
    for (const key of keys) {
      if (key.includes('\u0000')) throw nulError(pathOf(place), key, 'key');
      if (FORBIDDEN_KEYS.has(key)) {
        const path = pathOf(place);
        throw new OperationError('invalid parameters', `${path === 'body' ? '' : `${path}: `}the key ${JSON.stringify(key)} is not allowed in a request (it names JavaScript's object model, not data)`);
      }
      visit(stack, (value as Record<string, unknown>)[key], place, key, depth + 1);
    }
  }
}

/** assertPlainData's check of one value: a scalar here, a container pushed on `stack` for later. */
function visit(stack: Place[], value: unknown, parent: Place | null, key: string | number | null, depth: number): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw nulError(pathOf({ value, parent, key, depth }), value, 'text');
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new OperationError('invalid parameters', `${pathOf({ value, parent, key, depth })}: ${value} is not a finite number`);
    return;
  }
  if (typeof value !== 'object') throw new OperationError('invalid parameters', `${pathOf({ value, parent, key, depth })}: a ${typeof value} is not JSON data`);
  if (depth >= MAX_BODY_DEPTH) throw new OperationError('invalid parameters', `${pathOf({ value, parent, key, depth })}: the request is nested more than ${MAX_BODY_DEPTH} levels deep`);
  stack.push({ value, parent, key, depth });
}

/** Where a value sits in a request body: its container's place and its key or index there (null for the body itself). */
interface Place {
  value: unknown;
  parent: Place | null;
  key: string | number | null;
  depth: number;
}

/** A place as errors name it: `body`, `newValue`, `toReplace[0]`, `operations[2].parameters.newValue`. */
function pathOf(place: Place): string {
  const parts: (string | number)[] = [];
  for (let p: Place | null = place; p && p.key !== null; p = p.parent) parts.push(p.key);
  let path = 'body';
  for (const key of parts.reverse()) path = typeof key === 'number' ? `${path}[${key}]` : path === 'body' ? key : `${path}.${key}`;
  return path;
}

/**
 * Check that no string in a changing operation's parameters is longer than `maxBytes`
 * (MAX_CELL_BYTES) in UTF-8: cell values, replacements, separators and names all end up in
 * the dataset and in its history, which is sent back whole. `exempt` names parameters with
 * a limit of their own (executeCommand's `command`: MAX_COMMAND_BYTES). Values an operation
 * builds from the data are bounded where they are written (engine/cell-limit.ts).
 *
 * @throws OperationError 'value too large' naming the parameter and the limit.
 */
export function assertStringsWithin(params: Record<string, unknown>, maxBytes: number, exempt: ReadonlySet<string> = new Set()): void {
  const root: Place = { value: params, parent: null, key: null, depth: 0 };
  const stack: Place[] = [root];
  while (stack.length > 0) {
    const place = stack.pop()!;
    const check = (value: unknown, key: string | number) => {
      if (typeof value === 'string') {
        // Length first: a string of n UTF-16 units has at least n bytes.
        if (value.length > maxBytes || Buffer.byteLength(value) > maxBytes) {
          throw new OperationError('value too large', `${pathOf({ value, parent: place, key, depth: 0 })}: ${Buffer.byteLength(value)} bytes; values are limited to ${maxBytes} bytes (MAX_CELL_BYTES)`);
        }
      } else if (value !== null && typeof value === 'object') stack.push({ value, parent: place, key, depth: 0 });
    };
    if (Array.isArray(place.value)) place.value.forEach(check);
    else for (const [k, v] of Object.entries(place.value as object)) if (!exempt.has(k)) check(v, k);
  }
}

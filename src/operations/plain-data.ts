import { OperationError } from './errors.ts';

/** Keys that name parts of JavaScript's object model, not data. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deepest nesting of arrays and objects a request body may have. */
export const MAX_BODY_DEPTH = 32;

/**
 * Check that a request body is plain JSON data: objects whose prototype is Object's (or
 * none), arrays, strings, finite numbers, booleans and null, nested at most MAX_BODY_DEPTH
 * deep, and no key `__proto__`, `constructor` or `prototype` at any depth.
 *
 * Why: JSON.parse makes `"__proto__"` an own key, but copying it into another object (`o[k] =
 * v`, as zod and spreads do) sets that object's prototype instead: parameters under
 * `"__proto__"` were then read by validation and applied, while the history recorded `{}`.
 * Refusing such keys keeps what is applied exactly what is recorded. Runs in time linear in
 * the body's size (an explicit stack: no recursion to overflow).
 *
 * @throws OperationError 'invalid parameters' naming the path of the first offending value.
 */
export function assertPlainData(body: unknown): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: 'body', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new OperationError('invalid parameters', `${path}: ${value} is not a finite number`);
      continue;
    }
    if (typeof value !== 'object') throw new OperationError('invalid parameters', `${path}: a ${typeof value} is not JSON data`);
    if (depth >= MAX_BODY_DEPTH) throw new OperationError('invalid parameters', `${path}: the request is nested more than ${MAX_BODY_DEPTH} levels deep`);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new OperationError('invalid parameters', `${path}: binary or other non-JSON values are not accepted`);
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new OperationError('invalid parameters', `${path === 'body' ? '' : `${path}: `}the key ${JSON.stringify(key)} is not allowed in a request (it names JavaScript's object model, not data)`);
      stack.push({ value: (value as Record<string, unknown>)[key], path: path === 'body' ? key : `${path}.${key}`, depth: depth + 1 });
    }
  }
}

/**
 * Check that no string in a changing operation's parameters is longer than `maxBytes`
 * (MAX_CELL_BYTES) in UTF-8: cell values, replacements, separators and names all end up in
 * the dataset and in its history, which is sent back whole. `exempt` names parameters with
 * a limit of their own (executeCommand's `command`: MAX_COMMAND_BYTES).
 *
 * @throws OperationError 'value too large' naming the parameter and the limit.
 */
export function assertStringsWithin(params: Record<string, unknown>, maxBytes: number, exempt: ReadonlySet<string> = new Set()): void {
  const stack: { value: unknown; path: string }[] = Object.entries(params)
    .filter(([k]) => !exempt.has(k))
    .map(([k, v]) => ({ value: v, path: k }));
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      // Length first: a string of n UTF-16 units has at least n bytes.
      if (value.length > maxBytes || Buffer.byteLength(value) > maxBytes) {
        throw new OperationError('value too large', `${path}: ${Buffer.byteLength(value)} bytes; values are limited to ${maxBytes} bytes (MAX_CELL_BYTES)`);
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]` }));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (!exempt.has(k)) stack.push({ value: v, path: `${path}.${k}` });
    }
  }
}

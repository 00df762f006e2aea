import msgpack from 'notepack.io';
import type { RawJson } from '../exact-json.ts';

interface Codec {
  encode(value: unknown): Buffer;
  decode(buffer: Buffer): unknown;
}

// notepack.io: the Redis adapter's own MessagePack codec (its default parser), a dependency
// of ours too so that both sides of Redis encode alike.

/** Key of the map that stands for a raw JSON value on the way through Redis (no message of ours has a key with a NUL). */
const RAW = '\u0000rawJSON';

/**
 * The Socket.IO Redis adapter's parser: its MessagePack, with the raw JSON values of exact
 * integers (exact-json.ts) kept. MessagePack writes such a value as the map {rawJSON: "…"}, so
 * a notification broadcast through another gateway (/celeryTaskCompleted) reached its
 * clients as `{"rawJSON":"123456789012345678"}` instead of the number: here each becomes
 * {"\0rawJSON": text} and is made raw JSON again when read.
 */
export const adapterParser: Codec = {
  encode: (value) => msgpack.encode(tagRaw(value)),
  decode: (buffer) => untagRaw(msgpack.decode(buffer)),
};

/**
 * Key that stands for an own key `__proto__` (a column's name) on the way through Redis:
 * notepack builds the objects it decodes by assignment, which takes `__proto__` for the
 * prototype, and the key was lost.
 */
const PROTO = '\u0000__proto__';

// Only arrays and plain objects are walked (Buffers, dates and other values go as they are);
// a value with neither raw JSON nor a key `__proto__` in it is returned as it is, not copied.
function tagRaw(value: unknown): unknown {
  if (JSON.isRawJSON(value)) return { [RAW]: value.rawJSON };
  return mapChildren(value, tagRaw, (key) => (key === '__proto__' ? PROTO : key));
}

function untagRaw(value: unknown): unknown {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === RAW && typeof value[RAW] === 'string') return JSON.rawJSON(value[RAW]) as RawJson;
  }
  return mapChildren(value, untagRaw, (key) => (key === PROTO ? '__proto__' : key));
}

/** `value` with `fn` applied to each child and, in objects, `rename` to each key; copied only where something changed. */
function mapChildren(value: unknown, fn: (v: unknown) => unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = fn(value[i]);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const values = keys.map((key) => fn(value[key]));
    const names = keys.map(rename);
    if (keys.every((key, k) => names[k] === key && values[k] === value[key])) return value;
    // Own keys defined, never assigned: `out.__proto__ = v` would set the prototype.
    const out: Record<string, unknown> = {};
    keys.forEach((_, k) => Object.defineProperty(out, names[k], { value: values[k], enumerable: true, writable: true, configurable: true }));
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

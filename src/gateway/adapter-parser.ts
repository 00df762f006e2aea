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

// Only arrays and plain objects are walked (Buffers, dates and other values go as they are);
// a value without raw JSON in it is returned as it is, not copied.
function tagRaw(value: unknown): unknown {
  if (JSON.isRawJSON(value)) return { [RAW]: value.rawJSON };
  return mapChildren(value, tagRaw);
}

function untagRaw(value: unknown): unknown {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === RAW && typeof value[RAW] === 'string') return JSON.rawJSON(value[RAW]) as RawJson;
  }
  return mapChildren(value, untagRaw);
}

function mapChildren(value: unknown, fn: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = fn(value[i]);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | null = null;
    for (const key of Object.keys(value)) {
      const v = fn(value[key]);
      if (v !== value[key]) (out ??= { ...value })[key] = v;
    }
    return out ?? value;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

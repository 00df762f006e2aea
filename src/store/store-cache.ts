import type { BigIntStats } from 'node:fs';
import { columnFiles, type Manifest } from './manifest.ts';

// What SessionStore keeps in memory so that a request does not read and parse the same
// files again: the sessions' state.json (checked against the file at every use), parsed
// manifests and the files each version names. Each cache is bounded; what it forgot is
// read from disk again.

/** A map that forgets its least recently used entries past `max` (in `weigh` units). */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;
  private readonly max: number;
  private readonly weigh: (value: V) => number;

  constructor(max: number, weigh: (value: V) => number) {
    this.max = max;
    this.weigh = weigh;
  }

  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    // Most recently used last: re-inserting moves it there.
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    this.map.set(key, { value, weight });
    this.total += weight;
    if (this.total <= this.max) return;
    for (const [k, e] of this.map) {
      if (this.total <= this.max || k === key) break;
      this.map.delete(k);
      this.total -= e.weight;
    }
  }

  delete(key: K): void {
    const e = this.map.get(key);
    if (!e) return;
    this.map.delete(key);
    this.total -= e.weight;
  }

  /** Delete every entry whose key `doomed` accepts (O(entries)). */
  deleteWhere(doomed: (key: K) => boolean): void {
    for (const key of [...this.map.keys()]) if (doomed(key)) this.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * Freeze `value` and everything in it. Cached states and manifests are shared by every
 * caller: one that changed its copy would change everyone's, so a change throws instead.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The files a version names, each once: its columns' files and the files of their deleted rows (columnFiles). */
export type VersionFiles = readonly string[];

export function versionFiles(manifest: Manifest): VersionFiles {
  return Object.freeze([...new Set(manifest.columns.flatMap(columnFiles))]);
}

/**
 * state.json of a session as last read or written here. `key` identifies the file it was
 * read from (see stateKey); null when not known to be safe to trust: the text must then be
 * read again, and only its parse is spared when it is unchanged.
 */
export interface CachedState<S> {
  key: string | null;
  text: string;
  state: S;
}

/**
 * Window within which a file's change time is too close to now to tell it apart from the
 * next change (the "racily clean" case of git's index): timestamps are coarse (a kernel
 * tick, a few ms) and a shared filesystem's server clock may differ a little from ours.
 */
const RACY_NS = 100_000_000n;

/**
 * What identifies a version of state.json without reading it: it is only ever replaced by a
 * rename (writeFileAtomic), so a new text means a new inode, and its size and times. An
 * inode number freed by a replacement can be reused by a later one; that later file is told
 * apart by its times, except within one timestamp tick: so a file changed less than RACY_NS
 * before it was looked at gets no key (its text is read again at the next use).
 */
export function stateKey(st: BigIntStats, nowMs = Date.now()): string | null {
  const now = BigInt(nowMs) * 1_000_000n;
  if (now - st.ctimeNs < RACY_NS || now - st.mtimeNs < RACY_NS) return null;
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

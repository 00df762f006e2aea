import fs from 'node:fs/promises';
import path from 'node:path';
import { OperationError } from '../operations/errors.ts';
import type { SessionStore } from './session-store.ts';
import { columnFiles, type Manifest } from './manifest.ts';

export interface QuotaLimits {
  /** Bytes of Parquet files one session may keep (MAX_SESSION_BYTES), 0 for unlimited. */
  maxSessionBytes: number;
  /** Bytes all sessions together may keep (MAX_DATA_BYTES), 0 for unlimited. */
  maxDataBytes: number;
}

/** Bytes of the files under `dir`, recursively (0 when it does not exist). */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await directoryBytes(p);
    else total += await fs.stat(p).then((s) => s.size, () => 0);
  }
  return total;
}

// Walking every session for each commit would cost more than the commit: the total is
// measured at most every TOTAL_TTL_MS and what was added since is counted on top.
const TOTAL_TTL_MS = 30_000;
const totals = new Map<string, { bytes: number; at: number }>();

/** Bytes of every session under the store, from a measurement at most 30 s old. */
export async function totalBytes(store: SessionStore): Promise<number> {
  const cached = totals.get(store.root);
  if (cached && Date.now() - cached.at < TOTAL_TTL_MS) return cached.bytes;
  const bytes = await directoryBytes(store.root);
  totals.set(store.root, { bytes, at: Date.now() });
  return bytes;
}

/** Count bytes just written towards the cached total. */
export function addBytes(store: SessionStore, bytes: number): void {
  const cached = totals.get(store.root);
  if (cached) cached.bytes += bytes;
}

/** Bytes of a file, 0 when it is not there. */
async function fileSize(file: string): Promise<number> {
  return fs.stat(file).then((s) => s.size, () => 0);
}

/** Bytes of the files a session keeps (its versions up to the current one), with `staged` (file names) counted once. */
async function keptBytes(store: SessionStore, id: string, staged: string[] = []): Promise<number> {
  // Counted by the store as versions come and go (tally), not by walking every version.
  const state = await store.state(id);
  const { files, bytes } = await store.tally(id, state.versions.slice(0, state.current + 1));
  let total = bytes;
  for (const file of new Set(staged)) if (!files.has(file)) total += await fileSize(store.filePath(id, file));
  return total;
}

/**
 * The smaller of what MAX_SESSION_BYTES leaves of the files session `id` keeps and what
 * MAX_DATA_BYTES leaves of all sessions' bytes (never below 0), and the name of that limit;
 * null when neither is set. What a job may put on disk on its way (a command's spill files)
 * stays within it.
 */
export async function quotaLeft(store: SessionStore, id: string, limits: QuotaLimits): Promise<{ bytes: number; setBy: string } | null> {
  const left: { bytes: number; setBy: string }[] = [];
  if (limits.maxSessionBytes) left.push({ bytes: limits.maxSessionBytes - (await keptBytes(store, id)), setBy: "what is left of the session's MAX_SESSION_BYTES" });
  if (limits.maxDataBytes) left.push({ bytes: limits.maxDataBytes - (await totalBytes(store)), setBy: "what is left of the server's MAX_DATA_BYTES" });
  if (left.length === 0) return null;
  const least = left.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  return { ...least, bytes: Math.max(0, least.bytes) };
}

/**
 * Refuse a new version that would take a session past MAX_SESSION_BYTES, or the data
 * directory past MAX_DATA_BYTES. Counted: the files the session keeps after the commit (its
 * versions up to the current one, plus the staged version's files, deleted-rows files included;
 * a redo branch is discarded).
 *
 * A change that writes no data is never refused.
 *
 * @throws OperationError 'session quota exceeded' / 'storage full', naming the limit.
 */
export async function checkSessionQuota(store: SessionStore, id: string, staged: Pick<Manifest, 'columns' | 'bytesWritten'>, limits: QuotaLimits): Promise<void> {
  if (!limits.maxSessionBytes && !limits.maxDataBytes) return;
  // A change that writes no data (a rename, deleted columns) is never refused: a session at
  // its quota, or made larger than it by its upload, can still be tidied.
  if (staged.bytesWritten === 0) return;

  // Deleted-rows files (a deleteRows version's positions) are kept data too.
  const bytes = await keptBytes(store, id, staged.columns.flatMap(columnFiles));
  if (limits.maxSessionBytes && bytes > limits.maxSessionBytes) {
    throw new OperationError('session quota exceeded', `this change would make the session keep ${bytes} bytes of data and history; the limit is ${limits.maxSessionBytes} bytes per session (MAX_SESSION_BYTES); undo to free space (a new change discards the redo branch) or start a new session; the dataset is unchanged`);
  }
  if (limits.maxDataBytes) {
    const total = (await totalBytes(store)) + staged.bytesWritten;
    if (total > limits.maxDataBytes) {
      throw new OperationError('storage full', `the server's storage for datasets is full (limit ${limits.maxDataBytes} bytes, MAX_DATA_BYTES); the dataset is unchanged`);
    }
  }
  addBytes(store, staged.bytesWritten);
}

// Expiry counts in days: a session's folder needs its time set once a minute at most, not
// for every request (a syscall each, hundreds a second under load).
const TOUCH_EVERY_MS = 60_000;
const MAX_TOUCHED = 100_000;
const touched = new Map<string, number>();

/** Mark a session as used now: idle expiry (SESSION_TTL_DAYS) counts from its last use (to the minute). */
export async function touchSession(store: SessionStore, id: string): Promise<void> {
  const key = store.dir(id);
  const now = Date.now();
  if (now - (touched.get(key) ?? -Infinity) < TOUCH_EVERY_MS) return;
  if (touched.size >= MAX_TOUCHED) touched.clear();
  touched.set(key, now);
  await fs.utimes(key, new Date(now), new Date(now)).catch(() => {});
}

/**
 * Delete sessions not used for `ttlMs` (their folder's modification time: set on every
 * request and by every change) and not held (SessionStore.hold(): a job, download or read
 * in progress), through SessionStore.removeIfIdle. Returns the ids removed.
 */
export async function expireSessions(store: SessionStore, ttlMs: number): Promise<string[]> {
  const removed: string[] = [];
  const ids = await fs.readdir(store.root).catch(() => [] as string[]);
  const cutoff = Date.now() - ttlMs;
  for (const id of ids) {
    if (!/^[0-9a-f]{30}$/.test(id)) continue;
    if (await store.removeIfIdle(id, cutoff)) removed.push(id);
  }
  if (removed.length) totals.delete(store.root);
  return removed;
}

/** How many sessions the store holds. */
export async function sessionCount(store: SessionStore): Promise<number> {
  const ids = await fs.readdir(store.root).catch(() => [] as string[]);
  return ids.filter((id) => /^[0-9a-f]{30}$/.test(id)).length;
}

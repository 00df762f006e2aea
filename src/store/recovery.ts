import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isSessionId } from './session-id.ts';
import { readJson } from './atomic.ts';
import { columnFiles, type Manifest } from './manifest.ts';
import type { StoredState } from './session-store.ts';
import type { Logger } from '../log.ts';

export interface RecoveryReport {
  /** Uploads left in incoming/ by an import that never finished. */
  uploads: number;
  /** Session folders without state.json: imports that never committed their first version. */
  sessions: number;
  /** Files, manifests and scratch entries no committed version refers to. */
  files: number;
}

/**
 * Put DATA_DIR back in a consistent state after a crash (SIGKILL, power loss), before the
 * server takes any request. state.json is the commit point of a session (see
 * session-store.ts): what it names, and the files those versions name, are kept without
 * exception; everything else was left by work that never committed and is removed:
 * uploads in incoming/, session folders without state.json, unreferenced manifests and
 * column files, half-written replacements (*.tmp), jobs' scratch folders (tmp/), DuckDB's
 * spill files. Only for a server that owns DATA_DIR alone: another process's work in
 * progress would look the same.
 */
export async function recoverDataDir(dataDir: string, log: Logger): Promise<RecoveryReport> {
  const report: RecoveryReport = { uploads: 0, sessions: 0, files: 0 };
  report.uploads = await emptyDir(path.join(dataDir, 'incoming'));
  await emptyDir(path.join(dataDir, 'duckdb-tmp'));
  await emptyDir(path.join(dataDir, 'duckdb-tmp-small'));
  const root = path.join(dataDir, 'sessions');
  for (const id of await list(root)) {
    const dir = path.join(root, id);
    if (!isSessionId(id)) continue; // not ours: never touched
    let state: StoredState;
    try {
      state = await readJson<StoredState>(path.join(dir, 'state.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.error({ err, session: id }, 'state.json unreadable: session left as it is');
        continue;
      }
      await fs.rm(dir, { recursive: true, force: true });
      report.sessions++;
      continue;
    }
    let manifests: Manifest[];
    try {
      manifests = await Promise.all(state.versions.map((v) => readJson<Manifest>(path.join(dir, 'versions', `${v}.json`))));
    } catch (err) {
      // A committed version whose manifest cannot be read: nothing can be told unreferenced.
      log.error({ err, session: id }, 'a committed version is unreadable: session left as it is');
      continue;
    }
    const versions = new Set(state.versions.map((v) => `${v}.json`));
    // A column's file and, when it has deleted rows, the file of their row numbers.
    const files = new Set(manifests.flatMap((m) => m.columns.flatMap(columnFiles)));
    for (const name of await list(path.join(dir, 'versions'))) {
      if (!versions.has(name)) report.files += await remove(path.join(dir, 'versions', name));
    }
    for (const name of await list(path.join(dir, 'files'))) {
      if (!files.has(name)) report.files += await remove(path.join(dir, 'files', name));
    }
    for (const name of await list(dir)) {
      if (name.endsWith('.tmp')) report.files += await remove(path.join(dir, name));
    }
    report.files += await emptyDir(path.join(dir, 'tmp'));
  }
  if (report.uploads || report.sessions || report.files) log.warn({ ...report }, 'removed what interrupted work left behind');
  return report;
}

/**
 * What interrupted work (a process killed mid-import, mid-job, mid-upload) left in a DATA_DIR
 * that several processes share (distributed mode), where recoverDataDir's rule — whatever no
 * committed version names — would take the others' work in progress. Removed: uploads in
 * incoming/, session folders without state.json and entries of sessions' tmp/ folders that
 * nothing has written to for `olderThanMs` (work in progress writes as it goes: an upload
 * as its bytes arrive, an import or a job its files; none lasts that long without a write:
 * see LEFTOVER_AGE_MS), and spill folders of DuckDB (duckdb-tmp/<host>-<pid>, spillDirectory)
 * whose process is gone: on this host when no such pid runs, on others by the same age rule.
 * `self`: this host as spill folders name it (spillHost) and this process's folder name
 * (spillOwner), never removed. Files of committed sessions are
 * the session store's own to sweep (SessionStore.sweepAfter).
 */
export async function sweepSharedLeftovers(dataDir: string, olderThanMs: number, log: Logger, self: { host: string; owner: string }, now: number = Date.now()): Promise<RecoveryReport> {
  const report: RecoveryReport = { uploads: 0, sessions: 0, files: 0 };
  const stale = async (p: string) => now - (await newestWrite(p)) > olderThanMs;
  const incoming = path.join(dataDir, 'incoming');
  for (const name of await list(incoming)) {
    if (await stale(path.join(incoming, name))) report.uploads += await remove(path.join(incoming, name));
  }
  const spill = path.join(dataDir, 'duckdb-tmp');
  for (const name of await list(spill)) {
    const owner = /^(.+)-(\d+)(-small)?$/.exec(name);
    if (!owner || `${owner[1]}-${owner[2]}` === self.owner) continue;
    const gone = owner[1] === self.host ? !alive(Number(owner[2])) : await stale(path.join(spill, name));
    if (gone) report.files += await remove(path.join(spill, name));
  }
  const root = path.join(dataDir, 'sessions');
  for (const id of await list(root)) {
    if (!isSessionId(id)) continue;
    const dir = path.join(root, id);
    const committed = await exists(path.join(dir, 'state.json'));
    if (!committed) {
      if (await stale(dir)) report.sessions += await remove(dir);
      continue;
    }
    for (const name of await list(path.join(dir, 'tmp'))) {
      if (await stale(path.join(dir, 'tmp', name))) report.files += await remove(path.join(dir, 'tmp', name));
    }
  }
  if (report.uploads || report.sessions || report.files) log.warn({ ...report, olderThanMs }, 'removed what interrupted work left behind in the shared DATA_DIR');
  return report;
}

/** This host as spill folders name it (file-name safe). */
export function spillHost(host: string = os.hostname()): string {
  return host.replace(/[^A-Za-z0-9.-]/g, '_');
}

/**
 * A process's spill folder name, `<host>-<pid>` (spillDirectory in worker/runtime.ts): made
 * here, beside sweepSharedLeftovers, which reads it back.
 */
export function spillOwner(host: string = os.hostname(), pid: number = process.pid): string {
  return `${spillHost(host)}-${pid}`;
}

/** Whether a process of this pid runs on this host (signal 0 only checks; EPERM: it runs, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** The latest mtime (ms) of `p` and, for a folder, of everything in it (3 levels down); 0 when it is gone. */
async function newestWrite(p: string, depth = 0): Promise<number> {
  let st;
  try {
    st = await fs.lstat(p);
  } catch {
    return 0;
  }
  let newest = st.mtimeMs;
  if (st.isDirectory() && depth < 3) {
    for (const name of await list(p)) newest = Math.max(newest, await newestWrite(path.join(p, name), depth + 1));
  }
  return newest;
}

async function list(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function remove(p: string): Promise<number> {
  await fs.rm(p, { recursive: true, force: true });
  return 1;
}

async function emptyDir(dir: string): Promise<number> {
  let n = 0;
  for (const name of await list(dir)) n += await remove(path.join(dir, name));
  return n;
}

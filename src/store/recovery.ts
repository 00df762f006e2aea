import fs from 'node:fs/promises';
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

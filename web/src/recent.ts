// Sessions opened in this browser, newest first (localStorage), for the start page.
import type { ImportNotice } from './import-report.ts';

export interface RecentSession {
  id: string;
  name: string;
  rows?: number;
  columns?: number;
  openedAt: string;
  /** What the import changed (skipped or padded lines), until the person dismisses it. */
  importNotice?: ImportNotice;
}

const KEY = 'willow.recentSessions';
const MAX = 12;

export function recentSessions(): RecentSession[] {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? (list as RecentSession[]).filter((s) => typeof s?.id === 'string' && /^[0-9a-f]{30}$/.test(s.id)) : [];
  } catch {
    return [];
  }
}

/**
 * Note a session opened in this browser. `name`: the dataset's file name (the upload's, or
 * the server's metadata `filename`); without one the name known before stays, or a
 * placeholder until the server names it.
 */
export function rememberSession(entry: Omit<RecentSession, 'openedAt' | 'name'> & { name?: string }): void {
  const list = recentSessions();
  const old = list.find((s) => s.id === entry.id);
  const next: RecentSession = { ...old, ...entry, name: entry.name ?? old?.name ?? `Shared session ${entry.id.slice(0, 6)}`, openedAt: new Date().toISOString() };
  localStorage.setItem(KEY, JSON.stringify([next, ...list.filter((s) => s.id !== entry.id)].slice(0, MAX)));
}

export function forgetSession(id: string): void {
  localStorage.setItem(KEY, JSON.stringify(recentSessions().filter((s) => s.id !== id)));
}

export function sessionName(id: string): string | undefined {
  return recentSessions().find((s) => s.id === id)?.name;
}

/** The import notice of a session not yet dismissed in this browser. */
export function importNoticeOf(id: string): ImportNotice | undefined {
  return recentSessions().find((s) => s.id === id)?.importNotice;
}

export function dismissImportNotice(id: string): void {
  localStorage.setItem(KEY, JSON.stringify(recentSessions().map((s) => (s.id === id ? { ...s, importNotice: undefined } : s))));
}

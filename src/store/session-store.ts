import fs from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { writeFileAtomic } from './atomic.ts';
import { isSessionId } from './session-id.ts';
import type { AppliedOperation, JobStamp, Manifest, SessionState } from './manifest.ts';
import { Lru, deepFreeze, stateKey, versionFiles, type CachedState, type VersionFiles } from './store-cache.ts';

export class SessionNotFoundError extends Error {
  constructor(id: string, message = `no session ${JSON.stringify(id)}: upload a dataset first`) {
    super(message);
    this.name = 'SessionNotFoundError';
  }
}

/** A session asked for while the expiry sweeper deletes it (removeIfIdle): as good as not found. */
export class SessionExpiredError extends SessionNotFoundError {
  constructor(id: string) {
    super(id, `session ${JSON.stringify(id)} has expired: it was not used for longer than the idle limit (SESSION_TTL_DAYS) and is being deleted; upload the dataset again`);
    this.name = 'SessionExpiredError';
  }
}

/**
 * A job that read one version and now wants to change the session, refused because the
 * session has moved on since (another job committed in between): a late duplicate of a job
 * that was already retried elsewhere, never applied on top of someone else's change.
 */
export class StaleJobError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} was made from a version that is no longer current; it was not applied`);
    this.name = 'StaleJobError';
  }
}

/** Who is committing: the queue's job ID and the manifest id the job read (its base). */
export interface JobOrigin {
  jobId: string;
  base: string;
}

// Bounds of what a store keeps in memory (see store-cache.ts). Manifests: by the length of
// their text (a parsed one takes about 1.5 times that on the heap). Lists of files: by
// names listed. States: by the length of their text.
const MAX_MANIFEST_TEXT = 32_000_000;
const MAX_LISTED_FILES = 1_000_000;
const MAX_STATE_TEXT = 16_000_000;

export type ManifestDraft = Omit<Manifest, 'id' | 'createdAt'>;

/** A version a read runs on, with what it needs kept until release(). */
export interface Snapshot {
  state: StoredState;
  manifest: Manifest;
  /** End the read: what a commit dropped meanwhile and no other read uses is deleted now. */
  release(): Promise<void>;
}

/** A read in flight: the version it read, once it has (until then it may need any file). */
interface Lease {
  manifest?: Manifest;
}

/** A session's reads in flight and what commits dropped while they ran (names in versions/ and files/). */
interface Readers {
  leases: Set<Lease>;
  manifests: Set<string>;
  files: Set<string>;
}

/**
 * state.json as stored. `earlier`: the operations of versions dropped by the MAX_VERSIONS /
 * MAX_HISTORY_BYTES caps, oldest first. Undo can no longer reach them, but they are still
 * part of the log that produced the data (history, recipes for applyOperations).
 */
export interface StoredState extends SessionState {
  earlier?: AppliedOperation[];
  /**
   * The latest jobs that changed the session (commit, undo or redo) when jobs carry IDs,
   * oldest first, at most RECENT_JOBS: the version each was made from and the one it made
   * current. A job runs again when its worker died, or when a Redis that lost its data gets
   * it again from the gateway that is still waiting for its answer, possibly after later
   * jobs of the session; see commit().
   */
  recentJobs?: (JobStamp & { to: string })[];
  /**
   * The name of the file the session was imported from (the first version's
   * `source.filename`), kept here because that version may be dropped by MAX_VERSIONS /
   * MAX_HISTORY_BYTES. Absent in sessions made before it was kept here: see filename().
   */
  filename?: string;
}

export interface StoreLimits {
  /** Versions kept per session, 0 for unlimited. */
  maxVersions: number;
  /** Bytes of history files kept per session, 0 for unlimited. */
  maxHistoryBytes: number;
}

export interface StoreOptions {
  /**
   * This process is the only one that writes the data directory (the embedded queue: one
   * process takes every request). state.json is then trusted as this store last wrote or read
   * it, without opening the file at every request: that open, its fstat and close were three
   * thread-pool round trips and about 0.2 ms of CPU per request, most of it on the event loop
   * (a FileHandle each), paid by every read under load. False (the default) wherever another
   * process may write: the distributed queue's workers and gateways.
   */
  soleWriter?: boolean;
}

// Layout of a session folder:
//   state.json            which manifests form the history and which one is current
//   versions/<id>.json    one manifest per version
//   files/<id>.parquet    immutable column files, shared between versions
//   tmp/                  scratch space for jobs in flight
// state.json is the commit point: a version exists once state.json names it, and a crash
// before that leaves only orphans, which the next commit sweeps away.
/**
 * Commits of a session between two full sweeps (sweepAfter), which list its folders to find
 * what no version names: orphans a crashed or failed job left there.
 */
export const FULL_SWEEP_COMMITS = 64;

/** The files a list of versions names (SessionStore.tally()): how many versions name each, each one's bytes and their sum. */
interface FileTally {
  versions: readonly string[];
  counts: Map<string, number>;
  sizes: Map<string, number>;
  bytes: number;
}

/** Jobs remembered per session for idempotent commits (state.json grows by ~100 bytes each). */
export const RECENT_JOBS = 100;

export class SessionStore {
  readonly root: string;
  readonly limits: StoreLimits;
  /** Sessions with reads in flight (snapshot()). */
  private readonly readers = new Map<string, Readers>();
  /** Holders per session in use (hold()): jobs, downloads, snapshot reads. */
  private readonly holders = new Map<string, number>();
  /** Sessions removeIfIdle() is deleting: none of them may be held meanwhile. */
  private readonly removing = new Set<string>();
  /**
   * Manifests read or written, parsed, by path. Manifests never change once written (ids
   * are unique); a deleted one is forgotten here, and one deleted by another process is
   * never asked for (the state, checked against state.json at every use, no longer names it).
   */
  private readonly manifests = new Lru<string, { manifest: Manifest; length: number }>(MAX_MANIFEST_TEXT, (e) => e.length);
  /** The files each version names, by manifest path: what commits sweep and count without the manifests. */
  private readonly files = new Lru<string, VersionFiles>(MAX_LISTED_FILES, (f) => 1 + f.length);
  /** What each session's versions name, by session folder: see tally(). Weighed by files counted. */
  private readonly tallies = new Lru<string, FileTally>(MAX_LISTED_FILES, (t) => 1 + t.counts.size);
  /** Commits of each session (by folder) since its last full sweep in this process: see sweepAfter(). */
  private readonly sinceFullSweep = new Map<string, number>();
  /** state.json of each session, by session folder: see state(). */
  private readonly states = new Lru<string, CachedState<StoredState>>(MAX_STATE_TEXT, (e) => e.text.length);

  private readonly soleWriter: boolean;

  constructor(dataDir: string, limits: StoreLimits = { maxVersions: 0, maxHistoryBytes: 0 }, options: StoreOptions = {}) {
    this.root = path.join(dataDir, 'sessions');
    this.limits = limits;
    this.soleWriter = options.soleWriter ?? false;
  }

  dir(id: string): string {
    if (!isSessionId(id)) throw new SessionNotFoundError(id);
    return path.join(this.root, id);
  }
  filesDir(id: string): string {
    return path.join(this.dir(id), 'files');
  }
  filePath(id: string, file: string): string {
    return path.join(this.filesDir(id), file);
  }
  tmpDir(id: string): string {
    return path.join(this.dir(id), 'tmp');
  }

  /** A fresh file name for a new Parquet file of this session. */
  newFile(id: string): { file: string; path: string } {
    const file = `${Date.now().toString(36)}-${crypto.randomBytes(6).toString('hex')}.parquet`;
    return { file, path: this.filePath(id, file) };
  }

  async prepare(id: string): Promise<void> {
    await fs.mkdir(path.join(this.dir(id), 'versions'), { recursive: true });
    await fs.mkdir(this.filesDir(id), { recursive: true });
    await fs.mkdir(this.tmpDir(id), { recursive: true });
  }

  async exists(id: string): Promise<boolean> {
    if (!isSessionId(id)) return false;
    try {
      await fs.access(path.join(this.dir(id), 'state.json'));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The session's state.json, as stored now (frozen: shared by every caller). The file is
   * opened at every call: another process (a worker in distributed mode) may have replaced
   * it, and opening is what makes a shared filesystem (NFS) check with its server. A file
   * unchanged since it was last read here (same inode, size and times, see stateKey) is not
   * read again, and a text unchanged since is not parsed again. A sole writer (StoreOptions)
   * opens it only when it does not hold it in memory.
   */
  async state(id: string): Promise<StoredState> {
    const dir = this.dir(id);
    if (this.soleWriter) {
      const known = this.states.get(dir);
      if (known) return known.state;
    }
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path.join(dir, 'state.json'), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.states.delete(dir);
        throw new SessionNotFoundError(id);
      }
      throw err;
    }
    try {
      const st = await handle.stat({ bigint: true });
      const key = stateKey(st);
      const cached = this.states.get(dir);
      if (cached && key !== null && cached.key === key) return cached.state;
      // Read from the handle whose times made the key: the key always belongs to this text.
      // Its size is known (the file is never written in place): one read, no second stat.
      const text = await readAll(handle, Number(st.size));
      const state = cached?.text === text ? cached.state : deepFreeze(JSON.parse(text) as StoredState);
      this.states.set(dir, { key, text, state });
      return state;
    } finally {
      await handle.close();
    }
  }

  /** Write state.json (the commit point) and remember it; its key is learnt at the next read. */
  private async writeState(id: string, state: StoredState): Promise<void> {
    const dir = this.dir(id);
    const text = JSON.stringify(state);
    try {
      await writeFileAtomic(path.join(dir, 'state.json'), text);
    } catch (err) {
      this.states.delete(dir);
      throw err;
    }
    // Kept as it reads back (the caller's objects stay the caller's).
    this.states.set(dir, { key: null, text, state: deepFreeze(JSON.parse(text) as StoredState) });
  }

  /** A version's manifest (frozen: shared by every caller). */
  async manifest(id: string, manifestId: string): Promise<Manifest> {
    const file = this.manifestPath(id, manifestId);
    const cached = this.manifests.get(file);
    if (cached) return cached.manifest;
    const text = await fs.readFile(file, 'utf8');
    return this.remember(file, deepFreeze(JSON.parse(text) as Manifest), text.length);
  }

  /** The files a version names, from memory when known (a commit needs them for every version). */
  async versionFiles(id: string, manifestId: string): Promise<VersionFiles> {
    const file = this.manifestPath(id, manifestId);
    return this.files.get(file) ?? this.filesOf(file, await this.manifest(id, manifestId));
  }

  private filesOf(file: string, manifest: Manifest): VersionFiles {
    let files = this.files.get(file);
    if (!files) this.files.set(file, (files = versionFiles(manifest)));
    return files;
  }

  private manifestPath(id: string, manifestId: string): string {
    return path.join(this.dir(id), 'versions', `${manifestId}.json`);
  }

  private remember(file: string, manifest: Manifest, length: number): Manifest {
    this.manifests.set(file, { manifest, length });
    this.filesOf(file, manifest);
    return manifest;
  }

  /** A manifest deleted here is forgotten; asked for again, it is looked for on disk (and not found). */
  private forgetManifest(file: string): void {
    this.manifests.delete(file);
    this.files.delete(file);
  }

  /** A session folder deleted here: its state, manifests and file lists are forgotten at once rather than aged out. */
  private forgetSession(dir: string): void {
    const inside = (file: string) => file.startsWith(dir + path.sep);
    this.manifests.deleteWhere(inside);
    this.files.deleteWhere(inside);
    this.states.delete(dir);
    this.tallies.delete(dir);
    this.sinceFullSweep.delete(dir);
  }

  async current(id: string): Promise<{ state: StoredState; manifest: Manifest }> {
    const state = await this.state(id);
    return { state, manifest: await this.manifest(id, state.versions[state.current]) };
  }

  /**
   * Keep the session from being deleted by the expiry sweeper (removeIfIdle) until the
   * returned release is called; it counts its holders (jobs, downloads, snapshot reads), and
   * each release (idempotent) ends one. Holding does not check that the session exists: what
   * reads it next does. Holds are of this process only (a worker process of the distributed
   * queue holds in its own store).
   *
   * @throws SessionExpiredError (a SessionNotFoundError) while removeIfIdle deletes it
   */
  hold(id: string): () => void {
    if (this.removing.has(id)) throw new SessionExpiredError(id);
    this.holders.set(id, (this.holders.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.holders.get(id) ?? 1) - 1;
      if (n > 0) this.holders.set(id, n);
      else this.holders.delete(id);
    };
  }

  /**
   * Delete the session's folder if nothing holds it (hold()) and, with `usedBefore` (epoch
   * ms), its folder was last used (modified: touchSession, every change) before then — checked
   * again here, as a request may have come and gone since the sweeper looked. While the folder
   * is being deleted the session cannot be held (hold() throws SessionExpiredError), so a job
   * or download arriving meanwhile is refused rather than given a half-deleted folder.
   * Resolves true when it was deleted, false when it was held, used since, being removed
   * already or not there.
   */
  async removeIfIdle(id: string, usedBefore = Infinity): Promise<boolean> {
    if (!isSessionId(id)) return false;
    const dir = this.dir(id);
    const unused = async () => {
      const stat = await fs.stat(dir).catch(() => null);
      return stat !== null && stat.isDirectory() && stat.mtimeMs < usedBefore;
    };
    // A first look without the mark: a session in use is never refused for the time of a stat.
    if (!(await unused()) || this.holders.has(id) || this.removing.has(id)) return false;
    this.removing.add(id);
    try {
      if (!(await unused())) return false;
      await fs.rm(dir, { recursive: true, force: true });
      this.forgetSession(dir);
      return true;
    } finally {
      this.removing.delete(id);
    }
  }

  /** Whether anything holds the session now (tests). */
  isHeld(id: string): boolean {
    return this.holders.has(id);
  }

  /**
   * The current version, for a read that may run beside a change of the session (the
   * embedded queue's snapshot reads): until release(), no commit deletes this version's
   * manifest or column files (a new change after undo drops the redo branch, MAX_VERSIONS /
   * MAX_HISTORY_BYTES drop the oldest); their deletion waits for the last read using them.
   * `state` is only for the answer (undo/redo available), the other versions it names are
   * not held. The lease is taken before state.json is read, so a
   * commit in between cannot delete what the read is about to open. The session is held
   * (hold()) until release(): the expiry sweeper leaves it alone meanwhile.
   *
   * @throws SessionNotFoundError (nothing is held then), SessionExpiredError while it is being removed
   */
  async snapshot(id: string): Promise<Snapshot> {
    const unhold = this.hold(id);
    let readers = this.readers.get(id);
    if (!readers) this.readers.set(id, (readers = { leases: new Set(), manifests: new Set(), files: new Set() }));
    const lease: Lease = {};
    readers.leases.add(lease);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      readers.leases.delete(lease);
      if (readers.leases.size === 0) this.readers.delete(id);
      try {
        await this.deleteUnused(id, readers);
      } finally {
        unhold();
      }
    };
    try {
      const { state, manifest } = await this.current(id);
      lease.manifest = manifest;
      return { state, manifest, release };
    } catch (err) {
      await release();
      throw err;
    }
  }

  /**
   * Delete the manifests and files in `readers` (dropped by commits) that no read in flight
   * uses; the rest stay there for the release of the reads that use them. Names dropped by a
   * commit are never referred to again (new versions only share files with the current one).
   */
  private async deleteUnused(id: string, readers: Readers): Promise<void> {
    // Most releases find nothing dropped: they need not list what the reads use.
    if (readers.manifests.size === 0 && readers.files.size === 0) return;
    const leases = [...readers.leases];
    // A read that has not read state.json yet may open any version that was current.
    if (leases.some((l) => !l.manifest)) return;
    const usedManifests = new Set(leases.map((l) => l.manifest!.id));
    const usedFiles = new Set(leases.flatMap((l) => this.filesOf(this.manifestPath(id, l.manifest!.id), l.manifest!)));
    const versionDir = path.join(this.dir(id), 'versions');
    const doomed: string[] = [];
    for (const m of readers.manifests) {
      if (usedManifests.has(m)) continue;
      readers.manifests.delete(m);
      this.forgetManifest(path.join(versionDir, `${m}.json`));
      doomed.push(path.join(versionDir, `${m}.json`));
    }
    for (const f of readers.files) {
      if (usedFiles.has(f)) continue;
      readers.files.delete(f);
      doomed.push(this.filePath(id, f));
    }
    await Promise.all(doomed.map((p) => fs.rm(p, { force: true })));
  }

  /** First version of a new session (the imported dataset). */
  async create(id: string, draft: ManifestDraft): Promise<Manifest> {
    await this.prepare(id);
    const manifest = await this.writeManifest(id, draft);
    const filename = draft.source?.filename;
    const state: StoredState = { versions: [manifest.id], current: 0, createdAt: manifest.createdAt, ...(filename === undefined ? {} : { filename }) };
    await this.writeState(id, state);
    return manifest;
  }

  /**
   * The name of the file session `id` was imported from, as state.json keeps it, else (a
   * session made before it was kept there) as its first version still held records it; undefined
   * when that version was dropped by a cap before the name was kept.
   */
  async filename(id: string, state: StoredState): Promise<string | undefined> {
    if (state.filename !== undefined) return state.filename;
    const first = state.versions[0];
    if (first === undefined) return undefined;
    // A name is no reason to fail a read: that manifest may be going (a commit's cap dropped it).
    return (await this.manifest(id, first).catch(() => undefined))?.source?.filename;
  }

  /**
   * Make a new version current, after the current one; any redo branch is discarded.
   *
   * With `origin` (jobs of the distributed queue, which may run twice: a worker killed after
   * its commit, its job re-run elsewhere) the commit is idempotent: when one of the session's
   * recent jobs is this one, nothing is written and the version it made is returned; when the
   * current version is not the one the job read, StaleJobError (a late duplicate). The new
   * version records the job and its base (`Manifest.job`).
   */
  async commit(id: string, draft: ManifestDraft, origin?: JobOrigin): Promise<Manifest> {
    const state = await this.state(id);
    if (origin) {
      const done = alreadyApplied(state, origin);
      if (done) return this.manifest(id, done);
    }
    const manifest = await this.writeManifest(id, origin ? { ...draft, job: { id: origin.jobId, from: origin.base } } : draft);
    const candidates = [...state.versions.slice(0, state.current + 1), manifest.id];
    const versions = await this.applyLimits(id, candidates);
    // Only the versions dropped by a cap are read, for their operations.
    const dropped = await Promise.all(candidates.slice(0, candidates.length - versions.length).map((v) => this.manifest(id, v)));
    const earlier = [...(state.earlier ?? []), ...dropped.flatMap((m) => m.operations)];
    // A session made before state.json kept its file's name: taken from the first version as it goes.
    const filename = state.filename ?? dropped.find((m) => m.source)?.source?.filename;
    const next: StoredState = {
      ...state,
      versions,
      current: versions.length - 1,
      ...(earlier.length ? { earlier } : {}),
      ...(filename === undefined ? {} : { filename }),
      ...(origin ? { recentJobs: remember(state, origin, manifest.id) } : {}),
    };
    await this.writeState(id, next);
    await this.sweepAfter(id, state.versions, versions);
    return manifest;
  }

  /**
   * Move the current pointer; returns the new current manifest, or null when at the end.
   * With `origin`, idempotent like commit(): a job that already moved it gets the version it
   * moved to, a stale one StaleJobError.
   */
  async move(id: string, step: -1 | 1, origin?: JobOrigin): Promise<Manifest | null> {
    const state = await this.state(id);
    if (origin) {
      const done = alreadyApplied(state, origin);
      if (done) return this.manifest(id, done);
    }
    const target = state.current + step;
    if (target < 0 || target >= state.versions.length) return null;
    const recentJobs = origin ? { recentJobs: remember(state, origin, state.versions[target]) } : {};
    await this.writeState(id, { ...state, current: target, ...recentJobs });
    return this.manifest(id, state.versions[target]);
  }

  /** The version a job already applied read from, or null when the job has not changed this session. */
  async appliedFrom(id: string, jobId: string): Promise<string | null> {
    const { recentJobs } = await this.state(id);
    return recentJobs?.find((j) => j.id === jobId)?.from ?? null;
  }

  async all(id: string): Promise<{ state: StoredState; manifests: Manifest[] }> {
    const state = await this.state(id);
    const manifests = await Promise.all(state.versions.map((v) => this.manifest(id, v)));
    return { state, manifests };
  }

  private async writeManifest(id: string, draft: ManifestDraft): Promise<Manifest> {
    const manifestId = `${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
    const text = JSON.stringify({ id: manifestId, createdAt: new Date().toISOString(), ...draft });
    const file = this.manifestPath(id, manifestId);
    await writeFileAtomic(file, text);
    // Kept as it reads back (the draft's objects stay the caller's).
    return this.remember(file, deepFreeze(JSON.parse(text) as Manifest), text.length);
  }

  // The oldest versions go first when a cap is set; the current (newest) one always stays.
  // MAX_HISTORY_BYTES counts what history costs on disk: the files that kept versions need
  // and the current one does not (a column file shared with the current version is free).
  private async applyLimits(id: string, versions: string[]): Promise<string[]> {
    const { maxVersions, maxHistoryBytes } = this.limits;
    let kept = versions;
    if (maxVersions > 0 && kept.length > maxVersions) kept = kept.slice(kept.length - maxVersions);
    if (maxHistoryBytes > 0 && kept.length > 1) {
      const lists = await Promise.all(kept.map((v) => this.versionFiles(id, v)));
      const current = new Set(lists[lists.length - 1]);
      const sizes = new Map<string, number>();
      for (const file of new Set(lists.flat())) {
        if (!current.has(file)) sizes.set(file, (await fs.stat(this.filePath(id, file))).size);
      }
      const historyBytes = (from: number) => {
        const files = new Set(lists.slice(from).flat());
        let total = 0;
        for (const f of files) total += sizes.get(f) ?? 0;
        return total;
      };
      let drop = 0;
      while (drop < kept.length - 1 && historyBytes(drop) > maxHistoryBytes) drop++;
      kept = kept.slice(drop);
    }
    return kept;
  }

  /**
   * Files or manifests no version names may be in session `id`'s folders (a job that wrote
   * and was given up without deleting them, see executor): its next commit sweeps fully.
   */
  expectOrphans(id: string): void {
    this.sinceFullSweep.delete(this.dir(id));
  }

  /**
   * Delete what a change wrote and did not commit (refused by the quota or MAX_COLUMNS, failed
   * part-way, a recipe's later step failing): the files and manifests no version of the
   * session names. Without it they stayed until the session's next successful commit, so a
   * session refused again and again by its quota grew without bound. Only for the job that
   * wrote them while it still has the session's changes to itself (changes of a session run
   * one at a time): another change's staged files are not named by any version either.
   */
  async discardUncommitted(id: string): Promise<void> {
    const state = await this.state(id);
    await this.sweep(id, state.versions);
  }

  /**
   * The files that `versions` of session `id` name together, how many of them name each, and
   * the bytes of those files. Kept per session and brought from the list it was last asked
   * for to this one by what differs after their common beginning (a commit adds a version;
   * undo, a discarded redo branch or a cap remove some), so that a commit costs what it
   * changes: with unlimited undo, listing and measuring every version's files at each commit
   * (keptBytes, sweep) made a session's thousandth edit many times dearer than its first.
   * `freed`: files the previous list named and this one does not; null when the previous
   * list is not known (a tally made afresh, or one whose versions another process deleted).
   * @throws as manifest() when a version of `versions` cannot be read.
   */
  async tally(id: string, versions: readonly string[]): Promise<{ files: ReadonlyMap<string, number>; bytes: number; freed: string[] | null }> {
    const dir = this.dir(id);
    for (;;) {
      const known = this.tallies.get(dir);
      const t = known ?? { versions: [], counts: new Map<string, number>(), sizes: new Map<string, number>(), bytes: 0 };
      const old = t.versions;
      let common = 0;
      while (common < old.length && common < versions.length && old[common] === versions[common]) common++;
      let removed: VersionFiles[];
      try {
        removed = await Promise.all(old.slice(common).map((v) => this.versionFiles(id, v)));
      } catch {
        // A version it counted is gone (another process swept it): count afresh (a new
        // tally removes nothing, so this cannot repeat).
        this.tallies.delete(dir);
        continue;
      }
      const added = await Promise.all(versions.slice(common).map((v) => this.versionFiles(id, v)));
      const fresh = [...new Set(added.flat())].filter((f) => !t.counts.has(f));
      const sizes = await Promise.all(fresh.map((f) => fs.stat(this.filePath(id, f)).then((st) => st.size, () => 0)));
      // Another call moved it meanwhile: start again from where it is now.
      if (this.tallies.get(dir) !== known || t.versions !== old) continue;
      fresh.forEach((f, k) => t.sizes.set(f, sizes[k]));
      // Additions first: a file both removed and added never reaches 0.
      for (const list of added) {
        for (const f of list) {
          const n = t.counts.get(f) ?? 0;
          if (n === 0) t.bytes += t.sizes.get(f) ?? 0;
          t.counts.set(f, n + 1);
        }
      }
      const freed: string[] = [];
      for (const list of removed) {
        for (const f of list) {
          const n = (t.counts.get(f) ?? 1) - 1;
          if (n > 0) {
            t.counts.set(f, n);
            continue;
          }
          t.counts.delete(f);
          t.bytes -= t.sizes.get(f) ?? 0;
          t.sizes.delete(f);
          freed.push(f);
        }
      }
      t.versions = [...versions];
      this.tallies.set(dir, t); // weighed again
      return { files: t.counts, bytes: t.bytes, freed: known ? freed : null };
    }
  }

  /**
   * After a commit that replaced the version list `before` by `after`: delete the manifests
   * of the versions it dropped and the files no kept version names any more (tally()), not
   * listing the session's folders. A full sweep (folders listed: orphans of a crashed or
   * failed job too) is made at the session's first commit in this process, every
   * FULL_SWEEP_COMMITS commits after it, and whenever the tally cannot say what was freed.
   */
  private async sweepAfter(id: string, before: readonly string[], after: readonly string[]): Promise<void> {
    const dir = this.dir(id);
    const since = this.sinceFullSweep.get(dir);
    let freed: string[] | null = null;
    if (since !== undefined && since + 1 < FULL_SWEEP_COMMITS) {
      try {
        await this.tally(id, before);
        freed = (await this.tally(id, after)).freed;
      } catch {
        freed = null;
      }
    }
    if (freed === null) {
      this.sinceFullSweep.set(dir, 0);
      return this.sweep(id, after);
    }
    this.sinceFullSweep.set(dir, since! + 1);
    const kept = new Set(after);
    const readers = this.readers.get(id) ?? { leases: new Set(), manifests: new Set(), files: new Set() };
    for (const m of before) if (!kept.has(m)) readers.manifests.add(m);
    for (const f of freed) readers.files.add(f);
    await this.deleteUnused(id, readers);
  }

  /**
   * Delete manifests and files that no kept version refers to; those that reads in flight
   * may use are deleted when the last of them ends (snapshot()).
   */
  private async sweep(id: string, versions: readonly string[]): Promise<void> {
    const keep = new Set(versions);
    const files = new Set((await Promise.all(versions.map((v) => this.versionFiles(id, v)))).flat());
    const versionDir = path.join(this.dir(id), 'versions');
    const versionNames = await fs.readdir(versionDir);
    const droppedManifests = versionNames.filter((name) => name.endsWith('.json') && !keep.has(name.slice(0, -5))).map((name) => name.slice(0, -5));
    const droppedFiles = (await fs.readdir(this.filesDir(id))).filter((name) => !files.has(name));
    const readers = this.readers.get(id) ?? { leases: new Set(), manifests: new Set(), files: new Set() };
    for (const m of droppedManifests) readers.manifests.add(m);
    for (const f of droppedFiles) readers.files.add(f);
    await this.deleteUnused(id, readers);
    // Half-written replacements (writeFileAtomic's temp files) left by a crash. Changes of a
    // session run one at a time and reads write nothing here, so none of these belongs to
    // a write in progress.
    for (const [dir, names] of [[this.dir(id), await fs.readdir(this.dir(id))], [versionDir, versionNames]] as const) {
      for (const name of names) {
        if (name.endsWith('.tmp')) await fs.rm(path.join(dir, name), { force: true });
      }
    }
  }
}

/** Manifest id the job already made current, null when it may go ahead; throws when it is stale. */
function alreadyApplied(state: StoredState, origin: JobOrigin): string | null {
  const done = state.recentJobs?.find((j) => j.id === origin.jobId);
  if (done) return done.to;
  if (state.versions[state.current] !== origin.base) throw new StaleJobError(origin.jobId);
  return null;
}

/** The text of an open file of `size` bytes: state.json is replaced, never written in place, so its size is all there is. */
async function readAll(handle: fs.FileHandle, size: number): Promise<string> {
  const buffer = Buffer.allocUnsafe(size);
  const { bytesRead } = await handle.read(buffer, 0, size, 0);
  return buffer.toString('utf8', 0, bytesRead);
}

function remember(state: StoredState, origin: JobOrigin, to: string): (JobStamp & { to: string })[] {
  return [...(state.recentJobs ?? []), { id: origin.jobId, from: origin.base, to }].slice(-RECENT_JOBS);
}

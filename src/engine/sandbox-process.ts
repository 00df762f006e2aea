import { fork, execFile, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { literal } from './sql.ts';
import { OperationError, clientText } from '../operations/errors.ts';
import type { SandboxInput, SandboxLimits, SandboxOutcome } from './sandbox.ts';
import { parseMemorySize } from '../memory-size.ts';

// executeCommand's statement runs in a child process of its own, never in the server:
//
//  - DuckDB's memory_limit does not cover every allocation (a list built by one function
//    call, `len(range(100000000))`, is one 800 MB vector), and an interrupt is only seen
//    between vectors, not inside one long function call. Limits that hold must be the
//    operating system's: once the child has started (Node cannot even start under a
//    finite RLIMIT_AS/RLIMIT_DATA: V8 sizes its reservations from them), its data segment
//    is capped with setrlimit (prlimit --data: private writable memory, which is what
//    malloc hands DuckDB) at what it already uses plus COMMAND_MEMORY_LIMIT plus a margin,
//    and its CPU time at what the time limit allows (RLIMIT_CPU: SIGXCPU, then SIGKILL);
//  - the server kills it at a hard deadline whatever it is doing, and answers;
//  - processes are reused for a while (starting Node and DuckDB costs more than most
//    commands on a busy machine), but each command runs in a DuckDB instance of its own and
//    the limits are set afresh before it: the CPU-time soft limit is what the process has
//    used so far plus what this command may use, the data-segment one what it holds now
//    plus COMMAND_MEMORY_LIMIT plus a margin. A process that was killed, used many
//    commands, or kept much memory is replaced. Start-up is not counted in a command's time.

/** Memory the child may use beyond COMMAND_MEMORY_LIMIT: V8's heap, DuckDB's threads' stacks. */
const HEADROOM_BYTES = 256 * 1024 * 1024;

/**
 * Address space DuckDB takes per column of df beyond what its memory_limit counts (scan,
 * join and writer state of each column, reserved per thread): with a 1 GB memory_limit,
 * `SELECT * FROM df LIMIT 5` on 2,234 columns with deleted rows needed 1.5–2 GB of data
 * segment, and with dummy columns added too, more than 2.35 GB (512 KB a column) but no more
 * than 3.5 GB (1 MB a column); narrow datasets need none of it. Capped so that the widest
 * dataset (MAX_COLUMNS) still has a bound.
 */
const HEADROOM_PER_COLUMN_BYTES = 1024 * 1024;
const MAX_COLUMN_HEADROOM_BYTES = 4 * 1024 * 1024 * 1024;

/** The data-segment allowance of one command beyond COMMAND_MEMORY_LIMIT, for a df of `columns` columns (bytes). */
export function commandHeadroom(columns: number): number {
  return HEADROOM_BYTES + Math.min(MAX_COLUMN_HEADROOM_BYTES, columns * HEADROOM_PER_COLUMN_BYTES);
}

/** What the parent waits for, beyond the command's own time limit, before killing it. */
export function hardDeadlineMs(timeoutMs: number): number {
  // The command's limit, plus a margin for the sandbox's own work around it (loading df into
  // a table for a modification, writing the result), which the child's own timer does not count.
  return timeoutMs + Math.max(1000, Math.round(timeoutMs / 2));
}


interface Spare {
  child: ChildProcess;
  ready: Promise<number>; // resolves with the child's VmData at start
  isReady: boolean;
  /** VmData when it was ready: what it grew by since tells whether to keep it. */
  baseline: number;
  commands: number;
}

/** Idle processes kept ready: two, so that commands in a row (or of two sessions) do not wait. */
const SPARES = 2;
/** A process is replaced after this many commands, or once it holds this much more than at start. */
const MAX_COMMANDS_PER_PROCESS = 50;
const MAX_GROWTH_BYTES = 256 * 1024 * 1024;
/** How long a process may take to start (Node and DuckDB loading) on a busy machine. */
const START_TIMEOUT_MS = 30_000;

type ChildMessage =
  | { ready: true; vmData: number }
  /** peakData: the largest data segment the process has had (bytes), see sandbox-child.ts. */
  | { outcome: SandboxOutcome; peakData: number }
  | { failure: { operation: boolean; code: string; message: string; cause?: string }; peakData: number };

/** A command's data segment: at its start, at its peak, and the RLIMIT_DATA it ran under (bytes). */
export interface CommandMemory {
  start: number;
  peak: number;
  limit: number;
}

let lastMemory: CommandMemory | null = null;

/** The data segment of the last command that answered (tests: how far below its limit it stayed). */
export function lastCommandMemory(): CommandMemory | null {
  return lastMemory;
}

/**
 * DuckDB's allocator (its own jemalloc) in the command's process: one arena, and address
 * space given back to the system once freed (not retained).
 *
 * Why: RLIMIT_DATA bounds address space, not the pages touched, and a statement over
 * thousands of columns allocates vectors of 2,048 values for every column in every operator
 * (about 0.8–1.2 GB for 10,000 columns, whatever the rows, with hardly a page of it
 * touched). By default jemalloc keeps one arena per CPU, assigned to threads in turn, and
 * keeps (retains) the address space of what is freed. @duckdb/node-api runs each statement
 * on one of libuv's pool threads, so the statements of one command landed in different
 * arenas, and what one freed was kept but not reused by the next: at its exit a wide query
 * (ORDER BY … LIMIT over 10,000 columns × 30 rows) left 3.5 GiB retained over two arenas
 * while holding a few MB, and its data segment had grown by 3.7–4.3 GiB of the 5.2 GiB
 * allowed (a `Failed to allocate` about one run in five, depending on which threads the
 * statements ran on). With one arena what a statement frees is reused by the next, and
 * without retention the data segment follows what is held: the same query grows it by
 * 2.2–2.3 GiB (one arena alone: 3.0–3.1 GiB), for about 5% more CPU.
 */
const ALLOCATOR = 'narenas:1,retain:false';

const CHILD = fileURLToPath(new URL('./sandbox-child.ts', import.meta.url));

let spares: Spare[] = [];
const running = new Set<ChildProcess>();

function start(): Spare {
  const child = fork(CHILD, [], {
    execPath: process.execPath,
    execArgv: [],
    // Nothing of the server's environment (its secrets) reaches the process running user SQL.
    env: { DUCKDB_JE_MALLOC_CONF: ALLOCATOR },
    cwd: os.tmpdir(),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on('error', () => {}); // reported through 'exit' / the ready promise
  const ready = new Promise<number>((resolve, reject) => {
    const onMessage = (msg: ChildMessage) => {
      if ('ready' in msg) {
        child.off('exit', onExit);
        resolve(msg.vmData);
      }
    };
    const onExit = (code: number | null, signal: string | null) => reject(new Error(`the command process did not start (exit ${code ?? signal}): ${stderr.trim().split('\n').at(-1) ?? ''}`));
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
  const spare: Spare = { child, ready, isReady: false, baseline: 0, commands: 0 };
  ready
    .then((vmData) => {
      spare.isReady = true;
      spare.baseline = vmData;
    })
    .catch(() => {});
  idle(child);
  return spare;
}

// An idle spare must not keep the server (or a test) alive.
function idle(child: ChildProcess): void {
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
}
function busy(child: ChildProcess): void {
  child.ref();
  (child.channel as { ref?: () => void } | undefined)?.ref?.();
}

function alive(sp: Spare): boolean {
  return sp.child.exitCode === null && sp.child.signalCode === null;
}

function takeSpare(): Spare {
  spares = spares.filter(alive);
  const i = spares.findIndex((sp) => sp.isReady);
  const taken = i >= 0 ? spares.splice(i, 1)[0] : (spares.shift() ?? start());
  // One more is started only when none is left: a process given back serves the next command.
  if (spares.length === 0) spares.push(start());
  return taken;
}

/** After a command: back among the spares, unless it is worn (or there are enough). */
async function giveBack(sp: Spare): Promise<void> {
  const usage = await processUsage(sp.child.pid!).catch(() => null);
  if (!alive(sp) || !usage || sp.commands >= MAX_COMMANDS_PER_PROCESS || usage.vmData - sp.baseline > MAX_GROWTH_BYTES || spares.length >= SPARES) {
    sp.child.kill('SIGKILL');
    return;
  }
  idle(sp.child);
  spares = spares.filter(alive);
  spares.unshift(sp);
}

/** What a process holds (VmData, bytes) and has used (CPU seconds), from /proc. */
async function processUsage(pid: number): Promise<{ vmData: number; cpuSeconds: number }> {
  const [status, stat] = await Promise.all([fs.readFile(`/proc/${pid}/status`, 'utf8'), fs.readFile(`/proc/${pid}/stat`, 'utf8')]);
  const vmData = Number(/VmData:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0) * 1024;
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks (100 per second on Linux).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
  return { vmData, cpuSeconds };
}

/**
 * Set a running process's soft limits: prlimit(1) is setrlimit(2) for another pid. The hard
 * limits stay unlimited so that the next command's soft limits can be set again.
 */
function limitProcess(pid: number, dataBytes: number, cpuSeconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('prlimit', ['--pid', String(pid), `--data=${dataBytes}:unlimited`, `--cpu=${cpuSeconds}:unlimited`], { timeout: 5000 }, (err, _stdout, stderr) => (err ? reject(Object.assign(err, { stderr })) : resolve()));
  });
}

type PrlimitError = Error & { code?: string | number; killed?: boolean; stderr?: string };

/**
 * Why prlimit failed, for the client: its own complaint (stderr's first line, without paths),
 * never its command line (execFile's message: the pid and the limits, the server's settings).
 */
function prlimitFailure(err: PrlimitError): string {
  if (err.code === 'ENOENT') return 'prlimit was not found';
  if (err.killed) return 'prlimit did not finish within 5 s';
  const complaint = err.stderr?.split('\n').find((l) => l.trim() !== '');
  if (complaint) return clientText(complaint.startsWith('prlimit') ? complaint : `prlimit: ${complaint}`);
  return typeof err.code === 'number' ? `prlimit failed with exit code ${err.code}` : 'prlimit could not be run';
}

const timedOut = (limits: SandboxLimits) => new OperationError('command timed out', `the command ran longer than its limit of ${limits.timeoutMs} ms and was stopped; the dataset is unchanged`);

/** How long a command may wait for a process, and how many run at once. */
export interface CommandSlots {
  /** Commands running at once (COMMAND_PROCESSES). */
  processes: number;
  /** Longest wait for a free process, in ms (COMMAND_WAIT_MS); 0: only a process free at once. */
  waitMs: number;
  /** The job's deadline (epoch ms, JOB_TIMEOUT_MS): no command waits past it. */
  deadline?: number;
}

/**
 * Run one command in a fresh child process under OS limits (see above) and resolve with its
 * outcome; same contract as runSandboxed (src/engine/sandbox.ts), which runs in the child.
 * `cwd`: the folder relative paths of `input` are resolved in. At most `slots.processes`
 * commands run at once (COMMAND_PROCESSES); the others wait in arrival order, each at most
 * `slots.waitMs` and never past `slots.deadline`.
 *
 * @throws OperationError 'busy' when no process became free in time (the command did not
 *   run and leaves the queue), 'operation timed out' when the deadline had passed before it
 *   asked (its job was answered already: no process is taken for it); OperationError for
 *   the command's own failures (timed out, out of memory, refused …).
 */
export async function runSandboxedProcess(input: SandboxInput, limits: SandboxLimits, cwd: string, slots: CommandSlots = { processes: Infinity, waitMs: Infinity }): Promise<SandboxOutcome> {
  const release = await acquireSlot(slots);
  try {
    return await runInProcess(input, limits, cwd);
  } finally {
    release();
  }
}

// Commands running at once in this server (COMMAND_PROCESSES, set by each caller): each
// process may grow to COMMAND_MEMORY_LIMIT plus headroom, so the queue's concurrency must
// not decide how many of them live at once. A command waits here (first come, first served)
// before its own time limit starts, at most COMMAND_WAIT_MS and never past its job's deadline:
// a waiter whose time is up leaves the line at once, so no process is ever taken for a
// request that was already answered.

/** A command waiting for a process: `grant` hands it the slot another command gave back. */
interface Waiter {
  grant(): void;
}

/** The longest delay setTimeout keeps (ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

let maxSlots = 1;
let activeSlots = 0;
const waiters: Waiter[] = [];

/** Hand free slots to the commands waiting longest. */
function grantFreeSlots(): void {
  while (activeSlots < maxSlots && waiters.length) waiters.shift()!.grant();
}

/** A process slot for one command; resolves with its release (idempotent), or rejects with 'busy' (see runSandboxedProcess). */
function acquireSlot(slots: CommandSlots): Promise<() => void> {
  maxSlots = slots.processes;
  grantFreeSlots(); // a raised COMMAND_PROCESSES serves those already waiting
  const untilDeadline = slots.deadline === undefined ? Infinity : slots.deadline - Date.now();
  if (untilDeadline <= 0) return Promise.reject(new OperationError('operation timed out', 'the operation reached its deadline (JOB_TIMEOUT_MS) before its command could start; the command did not run and the dataset is unchanged'));
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    activeSlots--;
    grantFreeSlots();
  };
  if (activeSlots < maxSlots && waiters.length === 0) {
    activeSlots++;
    return Promise.resolve(release);
  }
  const waitMs = Math.max(0, Math.min(slots.waitMs, untilDeadline));
  const busy = () => new OperationError('busy', untilDeadline < slots.waitMs
    ? `all ${slots.processes} command processes (COMMAND_PROCESSES) stayed in use until this operation's deadline (JOB_TIMEOUT_MS), ${waitMs} ms after the command asked for one (a command waits at most ${slots.waitMs} ms, COMMAND_WAIT_MS); the command did not run and the dataset is unchanged; send it again later`
    : `all ${slots.processes} command processes (COMMAND_PROCESSES) stayed in use for ${waitMs} ms, the longest a command waits for one (COMMAND_WAIT_MS); the command did not run and the dataset is unchanged; send it again later`);
  if (waitMs === 0) return Promise.reject(busy());
  return new Promise((resolve, reject) => {
    const waiter: Waiter = {
      grant() {
        clearTimeout(timer);
        activeSlots++;
        resolve(release);
      },
    };
    // Both run on the event loop: once the timer has fired the waiter is out of the line
    // (never granted), and once granted its timer is cleared. (No timer for a wait without
    // bound: setTimeout takes anything past 2^31-1 ms for 1 ms.)
    const timer = waitMs <= MAX_TIMER_MS
      ? setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(busy());
        }, waitMs)
      : undefined;
    waiters.push(waiter);
  });
}

/** Commands waiting for a process slot (tests). */
export function waitingSandboxCommands(): number {
  return waiters.length;
}

async function runInProcess(input: SandboxInput, limits: SandboxLimits, cwd: string): Promise<SandboxOutcome> {
  input = await hidePaths(input, cwd);
  // DuckDB's temp directory, in the job's folder under a name as unguessable as the links'
  // (see openSandbox): DuckDB removes its files when the command ends in the process, this
  // function the folder however it ends (a process killed at its deadline or by its limits
  // leaves its files), and start-up recovery what a crashed server left (the job's folder is
  // in the session's tmp/).
  if (limits.spill?.bytes) input = { ...input, spillDir: `spill-${crypto.randomBytes(16).toString('hex')}` };
  try {
    return await runInSpare(input, limits, cwd);
  } finally {
    if (input.spillDir) await fs.rm(path.join(cwd, input.spillDir), { recursive: true, force: true });
  }
}

async function runInSpare(input: SandboxInput, limits: SandboxLimits, cwd: string): Promise<SandboxOutcome> {
  const spare = takeSpare();
  const { child } = spare;
  busy(child);
  running.add(child);
  const deadline = hardDeadlineMs(limits.timeoutMs);
  // Whether the process answered: then it is whole and may serve again.
  let answered = false;
  try {
    await withDeadline(spare.ready, START_TIMEOUT_MS, () => new OperationError('command unavailable', `the process that runs commands did not start within ${START_TIMEOUT_MS} ms; the dataset is unchanged`));
    const usage = await processUsage(child.pid!);
    const cpuSeconds = Math.ceil(usage.cpuSeconds + (deadline / 1000) * Math.max(1, limits.threads)) + 1;
    const dataLimit = usage.vmData + parseMemorySize(limits.memoryLimit) + commandHeadroom(input.names.length);
    await limitProcess(child.pid!, dataLimit, cpuSeconds).catch((err: PrlimitError) => {
      // Without its limits the command must not run at all.
      throw new OperationError('command unavailable', `the server could not limit the process that runs commands (${prlimitFailure(err)}); commands need util-linux's prlimit; the dataset is unchanged`, { cause: err });
    });
    spare.commands++;
    // The command's time starts once its process is ready and limited.
    const outcome = await new Promise<SandboxOutcome>((resolve, reject) => {
      let killedAtDeadline = false;
      const timer = setTimeout(() => {
        killedAtDeadline = true;
        child.kill('SIGKILL');
      }, deadline);
      const onMessage = (msg: ChildMessage) => {
        if (!('outcome' in msg) && !('failure' in msg)) return;
        answered = true;
        lastMemory = { start: usage.vmData, peak: msg.peakData, limit: dataLimit };
        clearTimeout(timer);
        child.off('exit', onExit);
        if ('outcome' in msg) resolve(msg.outcome);
        else reject(msg.failure.operation ? new OperationError(msg.failure.code, msg.failure.message, msg.failure.cause === undefined ? undefined : { cause: new Error(msg.failure.cause) }) : new Error(msg.failure.message));
      };
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        // The process died without an answer.
        if (killedAtDeadline || signal === 'SIGXCPU') return reject(timedOut(limits));
        reject(new OperationError('command out of memory', `the command was stopped: the process running it ended (${signal ?? `exit code ${code}`}) — most likely it needed more memory than its limit of ${limits.memoryLimit}; the dataset is unchanged`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ input, limits, cwd });
    });
    return outcome;
  } finally {
    running.delete(child);
    if (answered && alive(spare)) await giveBack(spare);
    else if (alive(spare)) child.kill('SIGKILL');
  }
}

/**
 * The command's input with no path of the server in it: each file df reads is reached through
 * a link `v<i>-<random>.parquet` in `cwd` (the job's own folder, the child's working directory), in
 * `source` and in the column groups' SELECTs alike, and the result is `result.parquet` there. Settings (allowed_paths), catalog views
 * (duckdb_views(): df's definition) and error messages then name only those.
 */
export async function hidePaths(input: SandboxInput, cwd: string): Promise<SandboxInput> {
  const files: string[] = [];
  const links: [string, string][] = [];
  // Names no statement can guess (defence in depth): external access allows exactly these
  // links (df reads them), and they hold more than df shows (deleted rows, overwritten
  // values, the deleted-rows file). The checker refuses every function that reads a file;
  // should it miss one, the statement still has to learn a name that only the settings,
  // the catalog and df's definition hold, which are refused too.
  const secret = crypto.randomBytes(16).toString('hex');
  for (const [i, file] of input.files.entries()) {
    const name = `v${i}-${secret}.parquet`;
    await fs.symlink(file, path.join(cwd, name));
    links.push([literal(file), literal(name)]);
    files.push(name);
  }
  const hide = (sql: string) => links.reduce((s, [file, name]) => s.split(file).join(name), sql);
  const groups = input.groups && { ...input.groups, selects: input.groups.selects.map(hide) };
  return { ...input, source: hide(input.source), ...(input.positioned ? { positioned: hide(input.positioned) } : {}), files, resultPath: path.relative(cwd, input.resultPath), ...(groups ? { groups } : {}) };
}

function withDeadline<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)))]).finally(() => clearTimeout(timer));
}

/** Command processes running now (for tests: none is left behind). */
export function runningSandboxProcesses(): number {
  return running.size;
}

/** Kill the spares and any command still running (server shutdown). */
export function closeSandboxProcesses(): void {
  for (const sp of spares) sp.child.kill('SIGKILL');
  spares = [];
  for (const child of running) child.kill('SIGKILL');
}

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Peak and last resident set size of a process, sampled from /proc every 100 ms. */
export class RssSampler {
  readonly pid: number;
  private timer: NodeJS.Timeout | null = null;
  /** Highest VmRSS seen by sampling, and the kernel's own high-water mark (VmHWM). */
  peakSampled = 0;
  hwm = 0;
  current = 0;
  /** Highest VmRSS since the last `mark()`, for per-section peaks. */
  private sectionPeak = 0;

  constructor(pid: number) {
    this.pid = pid;
  }

  start(intervalMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Read /proc/<pid>/status now. Returns false once the process is gone. */
  sample(): boolean {
    let status: string;
    try {
      status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return false;
    }
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    this.current = kb('VmRSS');
    this.hwm = Math.max(this.hwm, kb('VmHWM'));
    this.peakSampled = Math.max(this.peakSampled, this.current);
    this.sectionPeak = Math.max(this.sectionPeak, this.current);
    return true;
  }

  /** The peak since the previous call (sampled), and start a new section. */
  mark(): number {
    this.sample();
    const peak = this.sectionPeak;
    this.sectionPeak = this.current;
    return peak;
  }

  get peak(): number {
    return Math.max(this.hwm, this.peakSampled);
  }
}

const ticksPerSecond = 100; // USER_HZ on Linux
/** CPU time a process has used so far, all its threads, in ms (utime + stime of /proc/<pid>/stat). */
export function cpuMs(pid: number): number {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    throw new Error(`process ${pid} is gone (the server exited during the run: see its output above)`);
  }
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/**
 * CPU time of each thread of a process so far, in ms, keyed `name:tid` (the main thread is
 * named `main`; DuckDB's threads inherit libuv's `libuv-worker`, V8's GC runs in `V8Worker`).
 */
export function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name}:${tid}`, ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** The CPU seconds used between two threadCpuMs readings, summed by thread name, as text. */
export function threadCpuDelta(before: Map<string, number>, after: Map<string, number>): string {
  const sums = new Map<string, number>();
  for (const [key, ms] of after) {
    const name = key.slice(0, key.lastIndexOf(':'));
    sums.set(name, (sums.get(name) ?? 0) + ms - (before.get(key) ?? 0));
  }
  return [...sums].filter(([, ms]) => ms > 0).map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)} s`).join(', ');
}

export interface BenchServer {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  rss: RssSampler;
  /** Stop the server (SIGTERM, then SIGKILL) and remove its DATA_DIR. Safe to call twice. */
  stop(): Promise<void>;
  /** Synchronous last resort for process exit handlers. */
  killNow(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Extra Node options for the server, e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (NODE_OPTIONS refuses --cpu-prof). */
function serverNodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/**
 * `node src/main.ts` as a child process of its own, so that its memory can be read from
 * /proc while the bench drives it over HTTP and Socket.IO like a browser would.
 */
export async function startServer(repoRoot: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const port = await freePort();
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'willow-bench-'));
  const child: ChildProcess = spawn(process.execPath, [...serverNodeArgs(), 'src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the server process');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const rss = new RssSampler(pid);
  rss.start();

  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    rss.sample();
    rss.stop();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(killNow, 5000);
      await exited;
      clearTimeout(timer);
    }
    await fsp.rm(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the server exited with code ${child.exitCode} before listening`);
    }
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the server did not answer /health within 60 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, pid, dataDir, rss, stop, killNow };
}

import fs from 'node:fs';

/**
 * What the threads of a process are doing, sampled from /proc every few ms: for a download,
 * how much of the time DuckDB's threads (named `libuv-worker`, as they inherit libuv's name)
 * spent blocked writing into the export's pipe, waiting for the server to read it, rather
 * than running or waiting for a core. That share is the wall time a download loses to the
 * relay whatever the machine's load, which wall-clock ratios on a shared machine hide.
 */
export class ThreadStates {
  private readonly pid: number;
  private readonly timer: NodeJS.Timeout;
  /** Samples of DuckDB's threads: running or runnable (R), blocked writing into a pipe. */
  private running = 0;
  private pipeBlocked = 0;

  constructor(pid: number, intervalMs = 10) {
    this.pid = pid;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    let tids: string[];
    try {
      tids = fs.readdirSync(`/proc/${this.pid}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        const stat = fs.readFileSync(`/proc/${this.pid}/task/${tid}/stat`, 'utf8');
        if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'libuv-worker') continue;
        const state = stat[stat.lastIndexOf(')') + 2];
        if (state === 'R') this.running++;
        // The kernel's wait channel of a writer on a full pipe: pipe_write (anon_pipe_write since 6.x).
        else if (state === 'S' && /pipe_write/.test(fs.readFileSync(`/proc/${this.pid}/task/${tid}/wchan`, 'utf8'))) this.pipeBlocked++;
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }

  /** Stop sampling; the share (0…1) of DuckDB's busy samples in which it was blocked on the pipe. */
  stop(): number {
    clearInterval(this.timer);
    const busy = this.running + this.pipeBlocked;
    return busy === 0 ? 0 : this.pipeBlocked / busy;
  }
}

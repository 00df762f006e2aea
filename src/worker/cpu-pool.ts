import { Worker } from 'node:worker_threads';

/** Error code of a task stopped at its deadline. */
export const CPU_TIMEOUT = 'ERR_CPU_TASK_TIMEOUT';
/** Error code (Node's) of a task whose thread ran out of its heap limit. */
export const CPU_OUT_OF_MEMORY = 'ERR_WORKER_OUT_OF_MEMORY';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** Error raised inside a CPU task, carried back with its name and code. */
export class CpuTaskError extends Error {
  readonly code?: string;
  constructor(message: string, name: string, code?: string) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

export interface CpuPoolOptions {
  /** Threads for anyone's tasks (CPU_WORKERS). */
  size: number;
  /** Deadline of one task in ms (CPU_TASK_TIMEOUT_MS): its thread is terminated and replaced. */
  timeoutMs: number;
  /** V8 heap of one thread in MB (CPU_TASK_MEMORY_MB): a task past it ends its thread, not the server. */
  memoryMb: number;
}

export interface CpuRunOptions {
  /** Whose task this is (a session): tasks of different owners are served in turn. */
  owner?: string;
  /** This task's deadline, when shorter or longer than the pool's. */
  timeoutMs?: number;
}

interface Task {
  task: string;
  args: unknown;
  owner: string;
  timeoutMs: number;
  pending: Pending;
}

interface Running {
  task: Task;
  timer: NodeJS.Timeout;
}

// A small pool of worker threads for the CPU-bound JavaScript steps (Excel parsing,
// transcoding, chart rendering). One user must not be able to hold it:
//  - every task has a deadline; past it its thread is terminated (the only way to stop
//    synchronous JavaScript) and a fresh one takes its place;
//  - each thread has a V8 heap limit, so a task that inflates its input dies alone;
//  - waiting tasks are queued per owner and served in turn, an owner runs at most
//    ceil(size / 2) tasks at once, and one thread beyond `size` is kept for owners that have
//    nothing running: a long import cannot make everyone else's charts wait behind it.
export class CpuPool {
  private readonly idle: Worker[] = [];
  private readonly queues = new Map<string, Task[]>(); // owner → tasks, in arrival order; owners in turn order
  private readonly inFlight = new Map<Worker, Running>();
  private readonly runningByOwner = new Map<string, number>();
  private readonly all = new Set<Worker>();
  private readonly opts: CpuPoolOptions;
  private nextId = 0;
  private anonymous = 0;

  constructor(opts: CpuPoolOptions | number) {
    this.opts = typeof opts === 'number' ? { size: opts, timeoutMs: 120_000, memoryMb: 2048 } : opts;
  }

  run<T>(task: string, args: unknown, opts: CpuRunOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const owner = opts.owner ?? `anonymous-${++this.anonymous}`;
      const queue = this.queues.get(owner) ?? [];
      queue.push({ task, args, owner, timeoutMs: opts.timeoutMs ?? this.opts.timeoutMs, pending: { resolve: resolve as (v: unknown) => void, reject } });
      this.queues.set(owner, queue);
      this.pump();
    });
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./cpu-thread.ts', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: this.opts.memoryMb } });
    worker.on('message', (msg: { result?: unknown; error?: { message: string; name: string; code?: string } }) => {
      const running = this.finish(worker);
      worker.unref();
      this.idle.push(worker);
      if (running) {
        if (msg.error) running.task.pending.reject(new CpuTaskError(msg.error.message, msg.error.name, msg.error.code));
        else running.task.pending.resolve(msg.result);
      }
      this.pump();
    });
    worker.on('error', (err) => {
      const running = this.finish(worker);
      this.discard(worker);
      running?.task.pending.reject(err);
      this.pump();
    });
    worker.on('exit', () => {
      // Terminated (deadline) or crashed: whatever it was doing is answered, and it is replaced on demand.
      const running = this.finish(worker);
      this.discard(worker);
      running?.task.pending.reject(new CpuTaskError('the CPU thread running this task stopped', 'CpuTaskError'));
      this.pump();
    });
    worker.unref();
    this.all.add(worker);
    return worker;
  }

  private finish(worker: Worker): Running | undefined {
    const running = this.inFlight.get(worker);
    if (!running) return undefined;
    clearTimeout(running.timer);
    this.inFlight.delete(worker);
    const n = (this.runningByOwner.get(running.task.owner) ?? 1) - 1;
    if (n > 0) this.runningByOwner.set(running.task.owner, n);
    else this.runningByOwner.delete(running.task.owner);
    return running;
  }

  private discard(worker: Worker): void {
    this.all.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /** The next task to start, or null: owners in turn, each under its share of threads. */
  private next(): Task | null {
    const perOwner = Math.max(1, Math.ceil(this.opts.size / 2));
    const busy = this.inFlight.size;
    for (const [owner, queue] of this.queues) {
      const running = this.runningByOwner.get(owner) ?? 0;
      if (running >= perOwner) continue;
      // The thread beyond `size` is only for an owner with nothing running.
      if (busy >= this.opts.size && running > 0) continue;
      const task = queue.shift()!;
      this.queues.delete(owner);
      if (queue.length > 0) this.queues.set(owner, queue); // to the back of the turn order
      return task;
    }
    return null;
  }

  private pump(): void {
    while (this.inFlight.size < this.opts.size + 1) {
      const task = this.next();
      if (!task) return;
      const worker = this.idle.pop() ?? this.spawn();
      const timer = setTimeout(() => {
        const running = this.finish(worker);
        this.discard(worker);
        void worker.terminate();
        running?.task.pending.reject(new CpuTaskError(`the ${task.task} task ran longer than ${task.timeoutMs} ms and was stopped`, 'CpuTaskError', CPU_TIMEOUT));
        this.pump();
      }, task.timeoutMs);
      this.inFlight.set(worker, { task, timer });
      this.runningByOwner.set(task.owner, (this.runningByOwner.get(task.owner) ?? 0) + 1);
      // A busy thread keeps the process alive (someone awaits its answer); an idle one does not.
      worker.ref();
      worker.postMessage({ id: ++this.nextId, task: task.task, args: task.args });
    }
  }

  async close(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

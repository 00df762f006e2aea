import { Worker } from 'node:worker_threads';

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

// A small fixed pool of worker threads for the CPU-bound JavaScript steps (Excel parsing,
// transcoding, chart rendering). Tasks queue when every thread is busy.
export class CpuPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: { task: string; args: unknown; pending: Pending }[] = [];
  private readonly inFlight = new Map<Worker, Pending>();
  private readonly all: Worker[] = [];
  private readonly size: number;
  private nextId = 0;

  constructor(size: number) {
    this.size = size;
  }

  run<T>(task: string, args: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ task, args, pending: { resolve: resolve as (v: unknown) => void, reject } });
      this.pump();
    });
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./cpu-thread.ts', import.meta.url));
    worker.on('message', (msg: { result?: unknown; error?: { message: string; name: string; code?: string } }) => {
      const pending = this.inFlight.get(worker);
      this.inFlight.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (pending) {
        if (msg.error) pending.reject(new CpuTaskError(msg.error.message, msg.error.name, msg.error.code));
        else pending.resolve(msg.result);
      }
      this.pump();
    });
    worker.on('error', (err) => {
      const pending = this.inFlight.get(worker);
      this.inFlight.delete(worker);
      this.all.splice(this.all.indexOf(worker), 1);
      pending?.reject(err);
      this.pump();
    });
    worker.unref();
    this.all.push(worker);
    return worker;
  }

  private pump(): void {
    while (this.waiting.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.all.length < this.size) worker = this.spawn();
      if (!worker) return;
      const job = this.waiting.shift()!;
      this.inFlight.set(worker, job.pending);
      // A busy thread keeps the process alive (someone awaits its answer); an idle one does not.
      worker.ref();
      worker.postMessage({ id: ++this.nextId, task: job.task, args: job.args });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
    this.all.length = 0;
    this.idle.length = 0;
  }
}

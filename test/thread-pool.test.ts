import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess } from './helpers/cluster.ts';

// libuv's pool runs every DuckDB statement and every file operation; its size is set by
// src/thread-pool.ts before anything uses it (QUEUE_CONCURRENCY + MAX_DOWNLOADS + 4).

/** Threads of `pid` named libuv-worker: the pool's, and DuckDB's own (none with one DuckDB thread). */
function poolThreads(pid: number): number {
  let n = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      if (fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === 'libuv-worker') n++;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return n;
}

async function serverThreads(env: Record<string, string>): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'willow-pool-'));
  // (An empty UV_THREADPOOL_SIZE counts as unset, whatever the test runner's environment holds.)
  const proc = await startProcess('src/main.ts', { UV_THREADPOOL_SIZE: '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DUCKDB_THREADS: '1', DUCKDB_SMALL_THREADS: '1', LOG_LEVEL: 'info', ...env }, 'willow listening');
  try {
    // The pool starts all its threads at its first work, which start-up has done.
    return poolThreads(proc.pid);
  } finally {
    proc.child.kill('SIGKILL');
    await proc.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

test('the server sizes libuv’s pool for its jobs, downloads and file I/O', async () => {
  assert.equal(await serverThreads({ QUEUE_CONCURRENCY: '7', WORKER_CONCURRENCY: '3', MAX_DOWNLOADS: '2' }), 7 + 2 + 4);
});

test('an operator’s UV_THREADPOOL_SIZE wins', async () => {
  assert.equal(await serverThreads({ QUEUE_CONCURRENCY: '7', UV_THREADPOOL_SIZE: '5' }), 5);
});

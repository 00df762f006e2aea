import fs from 'node:fs/promises';
import { after } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createGateway, type Gateway } from '../../src/gateway/server.ts';
import { connect, type WillowClient } from './client.ts';

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  gateway: Gateway;
  close(): Promise<void>;
}

/**
 * A real server on a free port with its own empty DATA_DIR. Reads wait as long as it takes
 * (READ_WAIT_MS 0) unless a test sets it: on a loaded CI machine an edit can outlast the
 * default 5 s, and a test's read would then be answered `busy`. Every test client comes from
 * 127.0.0.1, so downloads per client are not limited (MAX_DOWNLOADS_PER_CLIENT 1000) unless a
 * test sets it: tests download in parallel.
 */
export async function startServer(overrides: Partial<Config> = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'willow-test-')));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', DUCKDB_MEMORY_LIMIT: '1GB', READ_WAIT_MS: '0', MAX_DOWNLOADS_PER_CLIENT: '1000' }, overrides);
  const gateway = await createGateway(config, createLogger(config.LOG_LEVEL));
  const port = await gateway.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir: dir,
    gateway,
    async close() {
      await gateway.close();
      if (!dataDir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

export interface UploadResult {
  status: number;
  body: Record<string, any>;
}

/** A real multipart upload, as a browser sends it. */
export async function upload(url: string, filename: string, content: string | Buffer | Uint8Array, fields: Record<string, string> = {}): Promise<UploadResult> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), filename);
  const res = await fetch(`${url}/upload`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Upload and return the sessionID, failing loudly when the upload fails. */
export async function uploadOk(url: string, filename: string, content: string | Buffer | Uint8Array, fields: Record<string, string> = {}): Promise<string> {
  const res = await upload(url, filename, content, fields);
  if (res.status !== 200 || !res.body.success) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.sessionID as string;
}

/**
 * A server and one v4 client for a whole test file, closed when the file's tests end.
 * Call at the top level of a test file: `const { server, client } = await serverWithClient();`
 */
export async function serverWithClient(overrides: Partial<Config> = {}): Promise<{ server: TestServer; client: WillowClient }> {
  const server = await startServer(overrides);
  const client = await connect(server.url);
  after(async () => {
    client.close();
    await server.close();
  });
  return { server, client };
}

/**
 * The names of the CPU-thread tasks (cpu-pool) the server runs while `fn` runs, in order;
 * `fn` gets the same list as it grows. Each call goes on to the pool unchanged.
 */
export async function cpuTasks(server: TestServer, fn: (tasks: string[]) => Promise<void>): Promise<string[]> {
  const cpu = server.gateway.runtime.cpu;
  const original = cpu.run;
  const tasks: string[] = [];
  cpu.run = ((...args: Parameters<typeof cpu.run>) => {
    tasks.push(args[0]);
    return original.apply(cpu, args);
  }) as typeof cpu.run;
  try {
    await fn(tasks);
  } finally {
    cpu.run = original;
  }
  return tasks;
}

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { upload, uploadOk } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';

// The real thing: a server process killed with SIGKILL in the middle of an import, an
// operation, an executeCommand and a download, restarted on the same DATA_DIR each time.

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-crash-'));
after(() => fs.rm(dataDir, { recursive: true, force: true }));

interface Child {
  proc: ChildProcess;
  url: string;
}

async function startChild(): Promise<Child> {
  const proc = spawn(process.execPath, ['src/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', CPU_WORKERS: '1', DUCKDB_THREADS: '2' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: proc.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'willow listening') resolve(entry.port);
      } catch {
        // not a log line
      }
    });
  });
  return { proc, url: `http://127.0.0.1:${port}` };
}

function kill(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
    child.proc.kill('SIGKILL');
  });
}

const sessionsDir = path.join(dataDir, 'sessions');
const ls = async (dir: string) => fs.readdir(dir).catch(() => [] as string[]);

/** Poll (every few ms) until `check` holds; false when it did not within `ms`. */
async function until(check: () => Promise<boolean>, ms = 60_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(2);
  }
  return false;
}

async function bigCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('a,b,s\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${i},${i % 7},text-${i % 1000}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once('finish', () => r()));
}

async function referenced(id: string): Promise<{ versions: Set<string>; files: Set<string>; current: string }> {
  const state = JSON.parse(await fs.readFile(path.join(sessionsDir, id, 'state.json'), 'utf8'));
  const manifests = await Promise.all(state.versions.map(async (v: string) => JSON.parse(await fs.readFile(path.join(sessionsDir, id, 'versions', `${v}.json`), 'utf8'))));
  return { versions: new Set(state.versions.map((v: string) => `${v}.json`)), files: new Set(manifests.flatMap((m) => m.columns.map((c: { file: string }) => c.file))), current: state.versions[state.current] };
}

async function orphans(id: string): Promise<string[]> {
  const ref = await referenced(id);
  const dir = path.join(sessionsDir, id);
  return [
    ...(await ls(path.join(dir, 'files'))).filter((f) => !ref.files.has(f)).map((f) => `files/${f}`),
    ...(await ls(path.join(dir, 'versions'))).filter((f) => !ref.versions.has(f)).map((f) => `versions/${f}`),
    ...(await ls(path.join(dir, 'tmp'))).map((f) => `tmp/${f}`),
    ...(await ls(dir)).filter((f) => f.endsWith('.tmp')),
  ];
}

test('SIGKILL during an import, an operation, an executeCommand and a download: a restart recovers every session', { timeout: 240_000 }, async () => {
  const csv = path.join(dataDir, '..', `${path.basename(dataDir)}-big.csv`);
  after(() => fs.rm(csv, { force: true }));
  await bigCsv(csv, 3_000_000);
  const content = await fs.readFile(csv);

  // A committed session with history, and a big one.
  let server = await startChild();
  let client: WillowClient = await connect(server.url);
  const small = await uploadOk(server.url, 'small.csv', 'a,b\n1,x\n2,y\n');
  assert.equal((await client.request('newCellValue', small, { columnIndex: 1, rowIndex: 0, newValue: 'edited' })).success, true);
  const big = await uploadOk(server.url, 'big.csv', content);
  const bigBefore = await referenced(big);

  // 1. Killed while importing: the upload is in incoming/, the new session has no state.json.
  const known = new Set(await ls(sessionsDir));
  const pending = upload(server.url, 'again.csv', content).catch(() => null);
  const caughtImport = await until(async () => {
    for (const id of await ls(sessionsDir)) if (!known.has(id) && !(await ls(path.join(sessionsDir, id))).includes('state.json')) return true;
    return false;
  });
  client.close();
  await kill(server);
  await pending;
  assert.ok(caughtImport, 'the import was not caught in flight');
  assert.ok((await ls(path.join(dataDir, 'incoming'))).length > 0, 'the upload was left in incoming/');

  // 2. Killed while an operation writes its files.
  server = await startChild();
  client = await connect(server.url);
  assert.equal((await ls(path.join(dataDir, 'incoming'))).length, 0);
  client.send('normalize', { operation: 'normalize', sessionID: big, requestID: 'n1', columnIndex: 0 });
  const caughtOperation = await until(async () => (await orphans(big)).length > 0);
  client.close();
  await kill(server);
  assert.ok(caughtOperation, 'the operation was not caught in flight');

  // 3. Killed while a command runs (its scratch folder exists).
  server = await startChild();
  client = await connect(server.url);
  assert.deepEqual(await orphans(big), [], 'the restart removed what the operation left');
  client.send('executeCommand', { operation: 'executeCommand', sessionID: big, requestID: 'c1', command: 'SELECT *, a * 2 AS d FROM df ORDER BY a DESC' });
  const caughtCommand = await until(async () => (await ls(path.join(sessionsDir, big, 'tmp'))).some((f) => f.startsWith('command-')));
  client.close();
  await kill(server);
  assert.ok(caughtCommand, 'the command was not caught in flight');

  // 4. Killed while a download streams (its export writes into a pipe made in the session's tmp/).
  server = await startChild();
  assert.deepEqual(await orphans(big), [], 'the restart removed what the command left');
  const download = await fetch(`${server.url}/downloadCSV/${big}`);
  assert.equal(download.status, 200);
  const reader = download.body!.getReader();
  const first = await reader.read();
  assert.ok(!first.done && first.value.length > 0, 'the download had begun');
  await kill(server);
  await reader.cancel().catch(() => {});

  // 5. The last restart: everything consistent, nothing left over.
  server = await startChild();
  client = await connect(server.url);
  try {
    assert.deepEqual(await ls(path.join(dataDir, 'incoming')), []);
    for (const id of await ls(sessionsDir)) {
      assert.ok((await ls(path.join(sessionsDir, id))).includes('state.json'), `${id} has no state.json`);
      assert.deepEqual(await orphans(id), [], `${id} has leftovers`);
    }
    assert.deepEqual((await ls(sessionsDir)).sort(), [small, big].sort());
    // The big session: whichever version it is at is complete and readable (the killed jobs never committed).
    const after = await referenced(big);
    assert.equal(after.current, bigBefore.current);
    const meta = await client.request('metadata', big);
    assert.deepEqual(meta.dataSize, { rows: 3_000_000, columns: 3 });
    const slice = JSON.parse((await client.request('data', big, { rowIndexFrom: 2_999_999, rowIndexTo: 2_999_999, columnIndexFrom: 0, columnIndexTo: 2 })).data);
    assert.deepEqual(slice.data, [[2_999_999, 2_999_999 % 7, `text-${2_999_999 % 1000}`]]);
    // The small one: history and undo intact.
    const history = await client.request('history', small);
    assert.deepEqual(history.operations.map((o: { operation: string; parameters: unknown }) => [o.operation, o.parameters]), [['newCellValue', { columnIndex: 1, rowIndex: 0, newValue: 'edited' }]]);
    assert.equal((await client.request('undo', small)).success, true);
    const data = JSON.parse((await client.request('data', small, { rowIndexFrom: 0, rowIndexTo: 1, columnIndexFrom: 0, columnIndexTo: 1 })).data);
    assert.deepEqual(data.data, [[1, 'x'], [2, 'y']]);
    // And the server works: a command now runs to its end.
    assert.equal((await client.request('executeCommand', big, { command: 'SELECT a FROM df WHERE a < 3' })).success, true);
    assert.deepEqual(await orphans(big), []);
  } finally {
    client.close();
    await kill(server);
  }
});

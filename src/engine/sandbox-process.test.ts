import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { engineHarness } from '../../test/helpers/engine.ts';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeSandboxProcesses, hidePaths, runSandboxedProcess, runningSandboxProcesses, waitingSandboxCommands } from './sandbox-process.ts';
import { parseMemorySize } from '../memory-size.ts';

const CSV = 'a,x\n1,p\n2,q\n';

/** Resolve once `ok()` holds, checking every 5 ms; fail after `ms`. */
async function until(ok: () => boolean, ms = 20_000): Promise<void> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The most command processes running at once from now until stop(). */
function watchProcesses(): { stop(): number } {
  let most = runningSandboxProcesses();
  const timer = setInterval(() => (most = Math.max(most, runningSandboxProcesses())), 2);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(most, runningSandboxProcesses());
    },
  };
}

/** The pid of this process's command process working in `dir` (its job folder). */
async function commandProcess(dir: string): Promise<number> {
  for (const entry of await fs.readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // The parent pid is the second field after the command name (which may hold spaces).
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
    if ((await fs.readlink(`/proc/${pid}/cwd`).catch(() => '')) === dir) return pid;
  }
  throw new Error(`no command process works in ${dir}`);
}

describe('executeCommand runs in a child process under OS limits', () => {
  test('an allocation DuckDB does not count (one huge list) fails in the child; the server does not grow', async () => {
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '64MB', COMMAND_TIMEOUT_MS: 2000 });
    try {
      const id = await h.load(CSV);
      const before = { table: await h.table(id), state: await h.rt.store.state(id) };
      const rss = process.memoryUsage().rss;
      for (const sql of ['SELECT len(range(100000000)) AS n', "SELECT len(repeat('ab', 400000000)) AS n", 'SELECT len(list_sort(range(50000000))) AS n']) {
        const res = await h.run(id, 'executeCommand', { command: sql });
        assert.equal(res.success, false, sql);
        assert.match(res.error, /^command (out of memory|timed out)$/, `${sql}: ${res.errorDescription}`);
        assert.match(res.errorDescription, /limit of (64MB|2000 ms)/, sql);
      }
      // The server's own memory stays where it was (the 800 MB list lived, if at all, in the child).
      assert.ok(process.memoryUsage().rss - rss < 200e6, `server grew by ${Math.round((process.memoryUsage().rss - rss) / 1e6)} MB`);
      assert.equal(runningSandboxProcesses(), 0);
      assert.deepEqual({ table: await h.table(id), state: await h.rt.store.state(id) }, before);
      await h.ok(id, 'executeCommand', { command: 'SELECT a * 10 AS a FROM df' });
      assert.deepEqual(await h.column(id, 'a'), [10, 20]);
    } finally {
      await h.close();
    }
  });

  test('one long function call (no interrupt point) is killed at the deadline', async () => {
    const h = await engineHarness({ COMMAND_MEMORY_LIMIT: '2GB', COMMAND_TIMEOUT_MS: 500 });
    try {
      const id = await h.load(CSV);
      const res = await h.run(id, 'executeCommand', { command: 'SELECT len(list_sort(list_reverse(range(60000000)))) AS n' });
      assert.equal(res.success, false);
      assert.equal(res.error, 'command timed out', res.errorDescription);
      assert.equal(runningSandboxProcesses(), 0);
    } finally {
      await h.close();
    }
  });

  test('other sessions are served while a command runs', async () => {
    const h = await engineHarness({ COMMAND_TIMEOUT_MS: 3000 });
    try {
      const a = await h.load(CSV);
      const b = await h.load(CSV);
      const order: string[] = [];
      const slow = h.run(a, 'executeCommand', { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' }).then((r) => {
        order.push('command');
        return r;
      });
      const read = h.run(b, 'metadata').then((r) => {
        order.push('metadata');
        return r;
      });
      const [cmd, meta] = await Promise.all([slow, read]);
      assert.equal(meta.success, true);
      assert.equal(cmd.error, 'command timed out');
      assert.deepEqual(order, ['metadata', 'command']);
    } finally {
      await h.close();
    }
  });

  test('at most COMMAND_PROCESSES commands run at once, whatever the queue runs; the others wait their turn', async () => {
    const h = await engineHarness({ COMMAND_PROCESSES: 1, COMMAND_TIMEOUT_MS: 500 });
    try {
      const ids = await Promise.all([1, 2, 3].map(() => h.load(CSV)));
      let most = 0;
      let waited = 0;
      const watch = setInterval(() => {
        most = Math.max(most, runningSandboxProcesses());
        waited = Math.max(waited, waitingSandboxCommands());
      }, 2);
      const results = await Promise.all(ids.map((id) => h.run(id, 'executeCommand', { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' })));
      clearInterval(watch);
      // Each ran its full time limit, one after the other.
      for (const res of results) assert.equal(res.error, 'command timed out', res.errorDescription);
      assert.equal(most, 1);
      assert.ok(waited >= 1, 'the other commands waited for the slot');
      assert.equal(runningSandboxProcesses(), 0);
    } finally {
      await h.close();
    }
  });

  test('a command that gets no process within COMMAND_WAIT_MS is answered busy and leaves the line; the next one runs once the process is free', async () => {
    const h = await engineHarness({ COMMAND_PROCESSES: 1, COMMAND_WAIT_MS: 300, COMMAND_TIMEOUT_MS: 2000 });
    try {
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => h.load(CSV)));
      const before = await h.table(b);
      const long = h.run(a, 'executeCommand', { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' });
      await until(() => runningSandboxProcesses() === 1);
      const started = performance.now();
      const refused = await h.run(b, 'executeCommand', { command: 'SELECT a * 10 AS a FROM df' });
      const waited = performance.now() - started;
      assert.equal(refused.success, false);
      assert.equal(refused.error, 'busy', refused.errorDescription);
      assert.match(refused.errorDescription, /all 1 command processes \(COMMAND_PROCESSES\) stayed in use for 300 ms, the longest a command waits for one \(COMMAND_WAIT_MS\)/);
      assert.ok(waited >= 290, `answered after ${Math.round(waited)} ms`);
      // Inside a recipe the refusal keeps its code: clients retry on 'busy'.
      const recipe = await h.run(b, 'applyOperations', { operations: [{ operation: 'executeCommand', parameters: { command: 'SELECT a * 10 AS a FROM df' } }] });
      assert.equal(recipe.error, 'busy', recipe.errorDescription);
      assert.match(recipe.errorDescription, /^operation 1 of 1 \(executeCommand\) failed, so none was applied: busy: all 1 command processes/);
      // Answered and gone: nobody waits, the long command still holds the only process.
      assert.equal(waitingSandboxCommands(), 0);
      assert.equal(runningSandboxProcesses(), 1);
      assert.equal((await long).error, 'command timed out');
      // The refused command never takes the process that is now free.
      const watch = watchProcesses();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(watch.stop(), 0, 'no process was started for the refused command');
      assert.deepEqual(await h.table(b), before);
      // The process is free: the next command runs.
      await h.ok(c, 'executeCommand', { command: 'SELECT a * 10 AS a FROM df' });
      assert.deepEqual(await h.column(c, 'a'), [10, 20]);
      assert.equal(runningSandboxProcesses(), 0);
    } finally {
      await h.close();
    }
  });

  test("a command waits for a process no longer than its job's deadline (JOB_TIMEOUT_MS), even when COMMAND_WAIT_MS is longer", async () => {
    const h = await engineHarness({ COMMAND_PROCESSES: 1, COMMAND_WAIT_MS: 30_000, COMMAND_TIMEOUT_MS: 3000, JOB_TIMEOUT_MS: 2000 });
    try {
      const [a, b] = await Promise.all([1, 2].map(() => h.load(CSV)));
      const before = await h.table(b);
      const long = h.run(a, 'executeCommand', { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' });
      await until(() => runningSandboxProcesses() === 1);
      const waiting = h.run(b, 'executeCommand', { command: 'SELECT a * 10 AS a FROM df' });
      await until(() => waitingSandboxCommands() === 1);
      const res = await waiting;
      assert.equal(res.error, 'operation timed out', res.errorDescription);
      // Out of the line by its deadline, while the long command still holds the process
      // (its own limit, 3 s, is later than its job's answer at 2 s).
      await until(() => waitingSandboxCommands() === 0, 200);
      assert.equal(runningSandboxProcesses(), 1);
      await long;
      await until(() => runningSandboxProcesses() === 0);
      const watch = watchProcesses();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(watch.stop(), 0, 'no process was started for the answered command');
      assert.deepEqual(await h.table(b), before);
    } finally {
      await h.close();
    }
  });

  test('a command over MAX_COMMAND_BYTES is refused before it is parsed; errors quote at most a short piece of it', async () => {
    const h = await engineHarness();
    try {
      const id = await h.load(CSV);
      const huge = await h.run(id, 'executeCommand', { command: `/* ${'x'.repeat(600_000)} */ SELECT * FROM df` });
      assert.equal(huge.success, false);
      assert.equal(huge.error, 'command too large');
      assert.match(huge.errorDescription, /600\d{3} bytes; the limit is 100000 bytes \(MAX_COMMAND_BYTES\)/);
      // Just under the limit: parsed (in the command's process) and answered, quoting little of it.
      const unterminated = await h.run(id, 'executeCommand', { command: `/* ${'x '.repeat(49_000)}` });
      assert.equal(unterminated.error, 'invalid command');
      assert.ok(unterminated.errorDescription.length < 400, `${unterminated.errorDescription.length} characters`);
      const nested = await h.run(id, 'executeCommand', { command: `SELECT ${'('.repeat(40_000)}1${')'.repeat(40_000)} AS a` });
      assert.equal(nested.success, false);
      assert.ok(nested.errorDescription.length < 400);
      await h.ok(id, 'executeCommand', { command: `SELECT a FROM df -- ${' '.repeat(90_000)}x` });
      assert.deepEqual((await h.table(id)).columns, ['a']);
    } finally {
      await h.close();
    }
  });

  test('the spill folder is removed however the command ends: answered, or its process killed', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'spill-'));
    try {
      // About 500 MB of sort data: spilled under 64MB.
      const input = { command: 'SELECT range AS r FROM range(20000000) ORDER BY random()', source: 'SELECT 1 AS a', names: ['a'], files: [], resultPath: path.join(dir, 'result.parquet'), parquet: '(FORMAT parquet)', maxCellBytes: 1_000_000 };
      const limits = { timeoutMs: 20_000, memoryLimit: '64MB', threads: 1, spill: { bytes: 2e9, setBy: 'test' } };
      /** A spill folder of `dir` holding files, once there is one. */
      const spilling = async () => {
        const end = performance.now() + 20_000;
        for (;;) {
          for (const name of await fs.readdir(dir)) {
            if (name.startsWith('spill-') && (await fs.readdir(path.join(dir, name)).catch(() => [])).length) return name;
          }
          if (performance.now() > end) throw new Error('the command did not spill within 20 s');
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const answered = runSandboxedProcess(input, limits, dir);
      assert.match(await spilling(), /^spill-[0-9a-f]{32}$/);
      assert.equal((await answered).kind, 'result');
      assert.deepEqual(await fs.readdir(dir), ['result.parquet']);
      await fs.rm(path.join(dir, 'result.parquet'));
      const killed = runSandboxedProcess(input, limits, dir);
      await spilling();
      process.kill(await commandProcess(dir), 'SIGKILL');
      await assert.rejects(killed, /the process running it ended \(SIGKILL\)/);
      // (What else it left, a result file begun, goes with the job folder: execute-command.ts.)
      assert.deepEqual((await fs.readdir(dir)).filter((name) => name.startsWith('spill-')), []);
      assert.equal(runningSandboxProcesses(), 0);
    } finally {
      closeSandboxProcesses(); // (the spares, which no harness closes here)
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('memory sizes are read with DuckDB units', () => {
    assert.equal(parseMemorySize('64MB'), 64e6);
    assert.equal(parseMemorySize('1GB'), 1e9);
    assert.equal(parseMemorySize('1GiB'), 2 ** 30);
    assert.equal(parseMemorySize('512 KiB'), 512 * 1024);
    assert.equal(parseMemorySize('1000'), 1000);
    assert.throws(() => parseMemorySize('lots'), /not a memory size/);
  });

  test("the child's input names no server path: df's source and the column groups' SELECTs read links in the job's folder", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hide-'));
    try {
      const files = ['/srv/data/sessions/s1/files/a.parquet', '/srv/data/sessions/s1/files/b.parquet'];
      const scan = (f: string) => `read_parquet('${f}')`;
      const input = await hidePaths(
        {
          command: 'SELECT * FROM df',
          source: `SELECT * FROM ${scan(files[0])} POSITIONAL JOIN ${scan(files[1])}`,
          names: ['a', 'b'],
          files,
          resultPath: path.join(dir, 'result.parquet'),
          parquet: '(FORMAT parquet)',
          maxCellBytes: 1_000_000,
          groups: { selects: [`SELECT * FROM ${scan(files[0])}`, `SELECT * FROM ${scan(files[1])} WHERE x NOT IN (SELECT d FROM ${scan(files[0])})`], preload: true },
        },
        dir,
      );
      assert.ok(!JSON.stringify(input).includes('/srv/'), JSON.stringify(input));
      // v<i>-<32 random hex digits>.parquet: names a statement cannot guess, new for each command.
      assert.equal(input.files.length, 2);
      const [v0, v1] = input.files;
      assert.match(v0, /^v0-[0-9a-f]{32}\.parquet$/);
      assert.equal(v1, v0.replace(/^v0/, 'v1'));
      assert.deepEqual(input.groups?.selects, [`SELECT * FROM ${scan(v0)}`, `SELECT * FROM ${scan(v1)} WHERE x NOT IN (SELECT d FROM ${scan(v0)})`]);
      assert.equal(input.resultPath, 'result.parquet');
      assert.equal(await fs.readlink(path.join(dir, v1)), files[1]);
      const again = await hidePaths({ command: '', source: '', names: [], files: [files[0]], resultPath: path.join(dir, 'result.parquet'), parquet: '', maxCellBytes: 1_000_000 }, dir);
      assert.notEqual(again.files[0], v0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

import { test, describe, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { engineHarness } from '../../test/helpers/engine.ts';
import { pauseRemoval } from '../../test/helpers/pause-removal.ts';
import { runningSandboxProcesses } from '../engine/sandbox-process.ts';
import { expireSessions } from '../store/quota.ts';
import { stopJobs } from './runtime.ts';

describe('every request gets exactly one reply', () => {
  test('a job past JOB_TIMEOUT_MS is answered, and what it still does can no longer change the session', async () => {
    const h = await engineHarness({ JOB_TIMEOUT_MS: 300, COMMAND_TIMEOUT_MS: 20_000 });
    try {
      const id = await h.load('a\n1\n2\n');
      const before = { table: await h.table(id), state: await h.rt.store.state(id) };
      // A command that succeeds, but only after the job's deadline.
      const res = await h.run(id, 'executeCommand', { command: 'SELECT count(*) AS n FROM range(1000000) x, range(3000) y' });
      assert.equal(res.success, false);
      assert.equal(res.error, 'operation timed out');
      assert.match(res.errorDescription, /limit of 300 ms \(JOB_TIMEOUT_MS\)/);
      // Once the command's process is done, the session is still as it was.
      while (runningSandboxProcesses() > 0) await sleep(50);
      await sleep(200);
      assert.deepEqual({ table: await h.table(id), state: await h.rt.store.state(id) }, before);
      const meta = await h.run(id, 'metadata');
      assert.equal(meta.success, true);
    } finally {
      await h.close();
    }
  });

  // At shutdown a change of minutes (1,000 dummies of 2M rows) held the process's exit for
  // as long: its DuckDB work is interrupted instead, as at JOB_TIMEOUT_MS.
  test('stopJobs answers a running change at once and interrupts its DuckDB work; a later job is answered without running', async () => {
    const h = await engineHarness();
    try {
      const id = await h.loadSql(`SELECT 'v' || (i % 400) AS k FROM range(1000000) t(i)`);
      const before = { table: (await h.table(id)).rows.length, state: await h.rt.store.state(id) };
      const job = h.run(id, 'generateDummies', { columnIndex: 0 });
      while (!h.rt.store.isHeld(id)) await sleep(5);
      await sleep(300);
      const stopped = performance.now();
      stopJobs(h.rt);
      const res = await job;
      assert.equal(res.error, 'server shutting down');
      assert.ok(performance.now() - stopped < 200, 'answered at once');
      // The job lets go of the session once its statement has stopped (it would write for seconds).
      while (h.rt.store.isHeld(id)) await sleep(10);
      assert.ok(performance.now() - stopped < 1500, `work ended ${Math.round(performance.now() - stopped)} ms after the stop`);
      assert.equal((await h.run(id, 'metadata')).error, 'server shutting down');
      assert.deepEqual({ table: (await h.table(id)).rows.length, state: await h.rt.store.state(id) }, before);
    } finally {
      await h.close();
    }
  });

  test('DML with RETURNING takes effect, or reports that nothing changed', async () => {
    const h = await engineHarness();
    try {
      const id = await h.load('a,b\n1,x\n2,y\n3,z\n');
      const nothing = await h.run(id, 'executeCommand', { command: 'DELETE FROM df WHERE a > 100 RETURNING *' });
      assert.equal(nothing.success, true);
      assert.equal(nothing.changed, false);
      await h.ok(id, 'executeCommand', { command: 'UPDATE df SET a = a + 10 WHERE a = 2 RETURNING a' });
      assert.deepEqual(await h.column(id, 'a'), [1, 12, 3]);
      await h.ok(id, 'executeCommand', { command: "INSERT INTO df VALUES (9, 'k') RETURNING *" });
      assert.deepEqual(await h.column(id, 'a'), [1, 12, 3, 9]);
      const all = await h.run(id, 'executeCommand', { command: 'DELETE FROM df RETURNING *' });
      assert.equal(all.changed, true);
      assert.deepEqual((await h.table(id)).rows, []);
      await h.ok(id, 'undo');
      assert.deepEqual(await h.column(id, 'a'), [1, 12, 3, 9]);
    } finally {
      await h.close();
    }
  });

  test('the expiry sweeper leaves a session alone while a job works on it (past its deadline too); a job arriving while it is deleted is answered unknown session', async () => {
    const h = await engineHarness({ JOB_TIMEOUT_MS: 500, COMMAND_TIMEOUT_MS: 2000 });
    try {
      const [a, b] = [await h.load('a\n1\n2\n'), await h.load('a\n1\n2\n')];
      const store = h.rt.store;
      const job = h.run(a, 'executeCommand', { command: 'SELECT count(*) AS n FROM range(1000000) x, range(1000000) y' });
      while (runningSandboxProcesses() === 0) await sleep(5);
      // Idle for 0 ms is expired: only the hold keeps the job's session.
      assert.deepEqual(await expireSessions(store, 0), [b]);
      assert.equal((await job).error, 'operation timed out');
      // Answered, but its command still runs on the session's files: still held.
      assert.equal(runningSandboxProcesses(), 1);
      assert.deepEqual(await expireSessions(store, 0), []);
      while (store.isHeld(a)) await sleep(10);
      assert.equal(runningSandboxProcesses(), 0);
      assert.deepEqual(await expireSessions(store, 0), [a]);
      assert.equal((await h.run(a, 'metadata')).error, 'unknown session');

      // A job arriving while the sweeper deletes the folder: refused, not run on half of it.
      const c = await h.load('a\n1\n2\n');
      const { deleting, proceed } = pauseRemoval(store.dir(c));
      try {
        const sweep = expireSessions(store, 0);
        await deleting;
        for (const [operation, params] of [['metadata', {}], ['renameColumn', { column: 'a', newName: 'b' }]] as const) {
          const res = await h.run(c, operation, params);
          assert.equal(res.error, 'unknown session', operation);
          assert.match(res.errorDescription, /has expired/, operation);
        }
        proceed();
        assert.deepEqual(await sweep, [c]);
      } finally {
        proceed();
        mock.restoreAll();
      }
      assert.match((await h.run(c, 'metadata')).errorDescription, /upload a dataset first/);
    } finally {
      await h.close();
    }
  });
});

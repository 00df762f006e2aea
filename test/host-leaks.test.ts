// Replies show nothing of the host: DuckDB's, the file system's and child processes' messages
// reach clients only as text naming the problem, without the server's paths, file names or
// internal column names (`clientText`, src/operations/errors.ts). Each case provokes the
// failure for real.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { engineHarness, type EngineHarness } from './helpers/engine.ts';
import { assertNoHost } from './helpers/host.ts';

let h: EngineHarness;
before(async () => {
  h = await engineHarness();
});
after(async () => {
  await h.close();
});

/** Overwrite every column file of the session's current version with bytes that are not Parquet. */
async function damage(sessionId: string): Promise<void> {
  const { manifest } = await h.rt.store.current(sessionId);
  for (const c of manifest.columns) await fs.writeFile(path.join(h.rt.store.filesDir(sessionId), c.file), 'not parquet at all, long enough to have a footer');
}

test('a DuckDB failure naming a session file: operation failed without the file path, in an operation and in a recipe step', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n');
  await damage(id);
  const alone = await h.run(id, 'changeColumnDataType', { column: 'a', newDataType: 'float' });
  assert.equal(alone.success, false);
  assert.equal(alone.error, 'operation failed', JSON.stringify(alone));
  assert.match(alone.errorDescription, /magic bytes|not a Parquet|<file>/i);
  assertNoHost(alone.errorDescription, [h.rt.config.dataDir]);
  const recipe = await h.run(id, 'applyOperations', { operations: [{ operation: 'changeColumnDataType', parameters: { column: 'a', newDataType: 'float' } }] });
  assert.equal(recipe.error, 'operation failed', JSON.stringify(recipe));
  assert.match(recipe.errorDescription, /operation 1 of 1 \(changeColumnDataType\) failed/);
  assertNoHost(recipe.errorDescription, [h.rt.config.dataDir]);
});

test('a DuckDB conversion failure names the user\'s column, not its internal name, alone and in a recipe', async () => {
  const id = await h.loadSql('SELECT 18446744073709551615::UBIGINT AS "big one", 1 AS k');
  const alone = await h.run(id, 'changeColumnDataType', { column: 'big one', newDataType: 'int' });
  assert.equal(alone.error, 'operation failed', JSON.stringify(alone));
  assert.match(alone.errorDescription, /18446744073709551615 can't be cast because the value is out of range for the destination type INT64/);
  assert.match(alone.errorDescription, /"big one"/);
  assertNoHost(alone.errorDescription, [h.rt.config.dataDir]);
  // In a recipe the step runs on the version the earlier steps made: its column positions.
  const recipe = await h.run(id, 'applyOperations', {
    operations: [
      { operation: 'insertDuplicateColumn', parameters: { columnIndex: 1 } },
      { operation: 'changeColumnDataType', parameters: { column: 'big one', newDataType: 'int' } },
    ],
  });
  assert.equal(recipe.error, 'operation failed', JSON.stringify(recipe));
  assert.match(recipe.errorDescription, /operation 2 of 2 \(changeColumnDataType\) failed.*out of range.*"big one"/);
  assertNoHost(recipe.errorDescription, [h.rt.config.dataDir]);
});

test('command unavailable: prlimit\'s failure is named without its command line or paths', async () => {
  const id = await h.load('a\n1\n');
  const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-fake-prlimit-'));
  await fs.writeFile(path.join(bin, 'prlimit'), '#!/bin/sh\necho "prlimit: failed to set the DATA resource limit: /srv/willow/limits.conf: Operation not permitted" >&2\nexit 1\n', { mode: 0o755 });
  const saved = process.env.PATH;
  process.env.PATH = bin;
  try {
    const res = await h.run(id, 'executeCommand', { command: 'SELECT a + 1 AS b FROM df' });
    assert.equal(res.error, 'command unavailable', JSON.stringify(res));
    assert.match(res.errorDescription, /prlimit/);
    assert.match(res.errorDescription, /Operation not permitted/);
    assert.doesNotMatch(res.errorDescription, /--pid|--data|--cpu|Command failed/);
    assertNoHost(res.errorDescription, [h.rt.config.dataDir, bin]);
    // No prlimit at all.
    process.env.PATH = path.join(bin, 'nothing-here');
    const missing = await h.run(id, 'executeCommand', { command: 'SELECT a + 1 AS b FROM df' });
    assert.equal(missing.error, 'command unavailable', JSON.stringify(missing));
    assert.match(missing.errorDescription, /prlimit/);
    assertNoHost(missing.errorDescription, [h.rt.config.dataDir, bin]);
  } finally {
    process.env.PATH = saved;
    await fs.rm(bin, { recursive: true, force: true });
  }
  // With prlimit back, commands run.
  await h.ok(id, 'executeCommand', { command: 'SELECT a + 1 AS b FROM df' });
});

test('executeCommand: a damaged file of df is named without its path or file name', async () => {
  const id = await h.load('a,b\n1,x\n2,y\n');
  await damage(id);
  const res = await h.run(id, 'executeCommand', { command: 'SELECT a * 2 AS c FROM df' });
  assert.equal(res.success, false);
  assert.notEqual(res.error, 'internal error', JSON.stringify(res));
  assertNoHost(res.errorDescription, [h.rt.config.dataDir]);
});

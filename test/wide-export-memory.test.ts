import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { engineHarness, sessionFromSelect } from './helpers/engine.ts';
import { Dataset } from '../src/engine/dataset.ts';
import { exportToFile } from '../src/engine/export.ts';

// A file of its own: the process's peak RSS (maxRSS) must not have been raised by other tests.
//
// The chunked (wide) export glues each line from its chunks' texts. Glued as a chain of
// `||`, DuckDB keeps every prefix of the line until the vector is done: n chunks hold about
// n²/2 chunk texts a row, which made a 10,000-column download of 1,000 rows take 1.4 GB
// beyond the data (memory DuckDB's memory_limit does not count). Here 150 columns of ~45
// characters in chunks of 2 (75 chunks) over 2,048 rows (one vector): the chain grew the
// peak by about 1 GB, one concat() by about 130 MB.

const h = await engineHarness();

test('a line glued from many column chunks costs memory linear in its length, not quadratic', async () => {
  const columns = 150;
  const id = await sessionFromSelect(h.rt, `SELECT ${Array.from({ length: columns }, (_, k) => `repeat('x', 40) || range AS c${k}`).join(', ')} FROM range(2048)`);
  const { manifest } = await h.rt.store.current(id);
  const ds = new Dataset(manifest, h.rt.store.filesDir(id));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-wide-export-memory-'));
  try {
    const before = process.resourceUsage().maxRSS; // KB
    for (const format of ['CSV', 'JSON'] as const) await exportToFile(h.rt.duck, ds, format, path.join(dir, format), 2);
    const grewMb = (process.resourceUsage().maxRSS - before) / 1024;
    assert.ok(grewMb < 450, `the exports raised the peak RSS by ${grewMb.toFixed(0)} MB`);
    const csv = (await fs.readFile(path.join(dir, 'CSV'), 'utf8')).split('\n');
    assert.equal(csv.length, 2048 + 2); // header, rows, the final newline
    assert.equal(csv[2048], Array.from({ length: columns }, () => `${'x'.repeat(40)}2047`).join(','));
    const json = JSON.parse(await fs.readFile(path.join(dir, 'JSON'), 'utf8')) as Record<string, string>[];
    assert.equal(json.length, 2048);
    assert.equal(json[5].c149, `${'x'.repeat(40)}5`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test.after(() => h.close());

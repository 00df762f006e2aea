import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertWritable } from './shared-dir.ts';

test('assertWritable: a usable DATA_DIR passes and keeps nothing; an unusable one names itself', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-shared-'));
  try {
    await assertWritable(path.join(dir, 'data'));
    assert.deepEqual(await fs.readdir(path.join(dir, 'data')), []);
    const file = path.join(dir, 'a-file');
    await fs.writeFile(file, 'x');
    await assert.rejects(assertWritable(path.join(file, 'data')), (err: Error) => err.message.startsWith(`DATA_DIR ${path.join(file, 'data')} is not usable: `) && /ENOTDIR/.test(err.message));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

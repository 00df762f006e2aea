import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { engineHarness, type EngineHarness } from './helpers/engine.ts';
import { xlsx, numericRows } from './helpers/zip.ts';
import { CpuPool, CPU_TIMEOUT } from '../src/worker/cpu-pool.ts';

const header = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>';

describe('Excel decompression bombs are refused before parsing', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({ MAX_EXCEL_INFLATED_BYTES: 5_000_000, MAX_EXCEL_CELLS: 10_000 });
  });
  after(() => h.close());

  const refused = async (file: Buffer, pattern: RegExp) => {
    await assert.rejects(h.load(file, 'bomb.xlsx'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'workbook too large', err.message);
      assert.match(err.message, pattern);
      return true;
    });
  };

  test('a well-formed workbook under the limits imports', async () => {
    const id = await h.load(xlsx(header + numericRows(3, 2, 2)), 'ok.xlsx');
    assert.deepEqual(await h.table(id), { columns: ['a', 'b'], types: ['int', 'int'], rows: [[4, 5], [6, 7], [8, 9]] });
  });

  test('declared inflated size over MAX_EXCEL_INFLATED_BYTES', async () => {
    await refused(xlsx(header, { declaredSize: 50_000_000 }), /declares \d+ bytes .* limit is 5000000 bytes \(MAX_EXCEL_INFLATED_BYTES\)/);
  });

  test('a package that lies about its size: the real inflated size is counted', async () => {
    // 20 MB of padding that deflates to a few kB, declared as 100 bytes.
    const padding = Buffer.alloc(20_000_000, 0x20);
    const file = xlsx(Buffer.concat([Buffer.from(header), padding]), { declaredSize: 100 });
    assert.ok(file.length < 100_000, `${file.length} bytes`);
    await refused(file, /unpacks to more than 5000000 bytes \(MAX_EXCEL_INFLATED_BYTES\)/);
  });

  test('more cells than MAX_EXCEL_CELLS', async () => {
    await refused(xlsx(header + numericRows(6000, 2, 2)), /more than 10000 cells \(MAX_EXCEL_CELLS\)/);
  });

  test('cells spread over far more positions than MAX_EXCEL_CELLS', async () => {
    const corner = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>';
    await refused(xlsx(header + corner), /spans 1048576 rows × 16384 columns, more than 10000 cells/);
  });

  test('the declared sheet range (<dimension>) is not trusted: every cell is read, none past it dropped', async () => {
    const rows = header + numericRows(3, 2, 2);
    const all = { columns: ['a', 'b'], types: ['int', 'int'], rows: [[4, 5], [6, 7], [8, 9]] };
    // Too large (a tiny file claiming the whole sheet), too small by a row, by a column and
    // by both, a single cell, and one that starts below the data.
    for (const dimension of ['A1:XFD1048576', 'A1:B3', 'A1:A4', 'A1:A1', 'A1', 'B3:B4']) {
      const id = await h.load(xlsx(rows, { dimension }), 'dim.xlsx');
      assert.deepEqual(await h.table(id), all, dimension);
    }
    // With title rows above the header (initialSkip), as the trial's workbook had them.
    const titled = '<row r="1"><c r="A1" t="inlineStr"><is><t>Report</t></is></c></row>' + header.replaceAll('1"', '2"') + numericRows(3, 2, 3);
    const id = await h.load(xlsx(titled, { dimension: 'A1:D4' }), 'titled.xlsx', { initialSkip: '1' });
    assert.deepEqual(await h.table(id), { ...all, rows: [[6, 7], [8, 9], [10, 11]] });
  });
});

describe('CPU threads: deadlines, and one owner cannot starve the others', () => {
  let dir: string;
  let big: string;
  let small: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-cpu-'));
    big = path.join(dir, 'big.txt');
    small = path.join(dir, 'small.txt');
    await fs.writeFile(big, Buffer.alloc(40_000_000, 0xe9));
    await fs.writeFile(small, Buffer.from('a\n\xe9\n', 'latin1'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  test('a task past its deadline is stopped, its thread replaced, the pool keeps serving', async () => {
    const pool = new CpuPool({ size: 1, timeoutMs: 60_000, memoryMb: 256 });
    try {
      await assert.rejects(pool.run('transcode', { input: big, output: path.join(dir, 'o1'), encoding: 'latin1' }, { timeoutMs: 5 }), (err: Error & { code?: string }) => err.code === CPU_TIMEOUT);
      await pool.run('transcode', { input: small, output: path.join(dir, 'o2'), encoding: 'latin1' });
      assert.equal(await fs.readFile(path.join(dir, 'o2'), 'utf8'), 'a\né\n');
    } finally {
      await pool.close();
    }
  });

  test("another owner's task runs while one owner's long tasks hold every thread", async () => {
    const pool = new CpuPool({ size: 1, timeoutMs: 60_000, memoryMb: 256 });
    try {
      const order: string[] = [];
      const long = [1, 2, 3].map((k) => pool.run('transcode', { input: big, output: path.join(dir, `l${k}`), encoding: 'latin1' }, { owner: 'A' }).then(() => order.push(`A${k}`)));
      const quick = pool.run('transcode', { input: small, output: path.join(dir, 'q'), encoding: 'latin1' }, { owner: 'B' }).then(() => order.push('B'));
      await Promise.all([...long, quick]);
      assert.equal(order[0], 'B', order.join(' '));
    } finally {
      await pool.close();
    }
  });
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Duck } from '../duck.ts';
import { readCsv, NotUtf8Error, type CsvSource, type NewLine } from './csv.ts';
import { GrowingFile, readablePipe } from './growing.ts';
import { RecordCutter } from './record-cut.ts';

// A streamed upload is read in two parts: what the pipe took while it arrived, and the rest,
// cut at a record boundary and copied to a file of its own (GrowingFile.feed's split). These
// tests place the cut where it is hard and compare with the read of the whole file. The pipe's
// part is always far more than a pipe holds (64 KB), as in an import (at least
// STREAM_TAIL_AHEAD_BYTES): its reader has opened it before its end is written.

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-split-'));
const duck = await Duck.open({ threads: 2, memoryLimit: '512MB', tempDirectory: dir });
after(async () => {
  duck.close();
  await fs.rm(dir, { recursive: true, force: true });
});

let files = 0;

interface Split {
  source: CsvSource | null;
  /** Where the tail started (the file's length: no tail). */
  tailFrom: number;
  size: number;
}

/**
 * Read `content` the streamed way: from a pipe, the rest past `aheadBytes` (then the next
 * record boundary) from a tail file. `late`: the upload completes only once the read has
 * started, so that the tail is cut and written while DuckDB reads the pipe. `headBytes`:
 * the sniffers see only these first bytes (cut after a record).
 */
async function splitRead(content: Buffer, aheadBytes: number, newLine: NewLine, late = false, headBytes = content.length): Promise<Split> {
  const file = path.join(dir, `upload-${++files}.csv`);
  // What the sniffers see, as the head of a streamed upload (the whole file by default).
  const head = path.join(dir, `head-${files}.csv`);
  await fs.writeFile(head, content.subarray(0, headBytes));
  const tail = path.join(dir, `tail-${files}.csv`);
  await fs.writeFile(file, content);
  await fs.writeFile(tail, '');
  const growing = new GrowingFile(file);
  const first = late ? Math.floor(content.length / 3) : content.length;
  growing.grew(first);
  if (!late) growing.complete();
  const pipe = await readablePipe(dir);
  let known: (c: RecordCutter | null) => void = () => {};
  const cutter = new Promise<RecordCutter | null>((resolve) => (known = resolve));
  let stop = false;
  const feeding = growing.feed(pipe.socket, () => stop, { path: tail, cutter, aheadBytes, minTailBytes: 1 });
  const arriving = late
    ? cutter.then(async () => {
        await new Promise((r) => setTimeout(r, 200));
        growing.grew(content.length - first);
        growing.complete();
      })
    : Promise.resolve();
  const db = await duck.connect();
  try {
    const source = await readCsv(db, head, {
      header: true,
      skip: 0,
      tmpDir: dir,
      newLine,
      streamFrom: pipe.path,
      streamTail: tail,
      onDialect: (d) => known(RecordCutter.create(d, newLine)),
    });
    await arriving;
    const fed = await feeding;
    assert.equal(fed.piped, fed.tailFrom, 'every byte went to the pipe or the tail');
    return { source, tailFrom: fed.tailFrom, size: content.length };
  } finally {
    stop = true;
    known(null);
    pipe.socket.destroy();
    db.close();
  }
}

async function table(source: CsvSource): Promise<{ types: string[]; rows: unknown[] }> {
  const db = await duck.connect();
  try {
    const types = (await db.describe(`(${source.sql})`)).map((d) => d.type);
    return { types, rows: await db.rowsJson(source.sql) };
  } finally {
    db.close();
  }
}

/** The split read gives the same names, types, rows and counts as reading the whole file. */
async function assertSame(split: Split, content: Buffer, newLine: NewLine): Promise<void> {
  assert.ok(split.source, 'the streamed read was kept');
  const file = path.join(dir, `whole-${++files}.csv`);
  await fs.writeFile(file, content);
  const db = await duck.connect();
  let whole: CsvSource;
  try {
    whole = await readCsv(db, file, { header: true, skip: 0, tmpDir: dir, newLine });
  } finally {
    db.close();
  }
  assert.deepEqual(split.source.names, whole.names);
  assert.deepEqual([split.source.skippedLines, split.source.paddedLines], [whole.skippedLines, whole.paddedLines]);
  const [a, b] = [await table(split.source), await table(whole)];
  assert.deepEqual([a.types, a.rows.length], [b.types, b.rows.length]);
  assert.deepEqual(a, b);
}

/** `n` lines of id, a quoted text with a line break and a doubled quote, an amount. */
function quotedLines(n: number, newLine: string, from = 0): string[] {
  return Array.from({ length: n }, (_, k) => `${from + k},"line ${from + k}${newLine}says ""hi"", ok",${((from + k) * 0.5).toFixed(1)}`);
}

test('a cut asked for inside a quoted field holding a line break lands after its record', async () => {
  const lines = ['id,text,amount', ...quotedLines(20_000, '\n')];
  const content = Buffer.from(lines.join('\n') + '\n');
  // Just after the line break inside the 1000th record's quoted field: a naive cut.
  const inside = content.indexOf('line 10000\n') + 'line 10000\n'.length;
  const split = await splitRead(content, inside, '\n');
  assert.equal(split.tailFrom, content.indexOf('\n10001,') + 1);
  await assertSame(split, content, '\n');
});

test('a cut asked for exactly at a quote, in a CRLF file', async () => {
  const lines = ['id,text,amount', ...quotedLines(20_000, '\r\n')];
  const content = Buffer.from(lines.join('\r\n') + '\r\n');
  for (const at of [content.indexOf('"line 7000'), content.indexOf('""hi', content.indexOf('line 9000')), content.indexOf('"', content.indexOf('ok', content.indexOf('line 12000')))]) {
    const split = await splitRead(content, at, '\r\n');
    assert.ok(split.tailFrom > at && split.tailFrom < content.length, `cut at ${split.tailFrom} for ${at}`);
    assert.equal(content.subarray(split.tailFrom - 2, split.tailFrom).toString(), '\r\n');
    assert.match(content.subarray(split.tailFrom, split.tailFrom + 14).toString(), /^\d+,"line \d/);
    await assertSame(split, content, '\r\n');
  }
});

test('the tail is cut and written while the pipe is read: DuckDB reads it whole, after the pipe', async () => {
  const lines = ['id,text,amount', ...quotedLines(60_000, '\n')];
  const content = Buffer.from(lines.join('\n') + '\n');
  const split = await splitRead(content, 1024, '\n', true);
  assert.ok(split.tailFrom < content.length * 0.9, `a tail of ${content.length - split.tailFrom} bytes`);
  await assertSame(split, content, '\n');
});

test('long lines in the tail are skipped and counted as in the whole file; a short one, a text in a number column or a bad UTF-8 byte there leave the file to the whole read', async () => {
  const head = ['id,text,amount', ...quotedLines(15_000, '\n')];
  const more = quotedLines(5000, '\n', 15_000);
  const at = Buffer.from(head.join('\n') + '\n').length;

  // Line 51 of the pipe's part and line 51 of the tail: each file numbers its own lines.
  const longHead = [...head.slice(0, 50), '1,2,3,4,5', ...head.slice(50)];
  const longAt = Buffer.from(longHead.join('\n') + '\n').length;
  const long = Buffer.from([...longHead, ...more.slice(0, 50), '6,7,8,9', ...more.slice(50), '10,11,12,13'].join('\n') + '\n');
  const longSplit = await splitRead(long, longAt, '\n', false, longAt);
  assert.equal(longSplit.tailFrom, longAt);
  assert.equal(longSplit.source?.skippedLines, 3);
  await assertSame(longSplit, long, '\n');

  const short = Buffer.from([...head, ...more.slice(0, 100), '1,2', ...more.slice(100)].join('\n') + '\n');
  assert.equal((await splitRead(short, at, '\n', false, at)).source, null, 'padding: read whole');

  const text = Buffer.from([...head, ...more.slice(0, 100), 'x,"y",1.5', ...more.slice(100)].join('\n') + '\n');
  assert.equal((await splitRead(text, at, '\n', false, at)).source, null, 'a type the head did not show: read whole');

  const latin1 = Buffer.concat([Buffer.from([...head, ...more].join('\n') + '\n'), Buffer.from('7,caf\xe9,1.0\n', 'latin1')]);
  await assert.rejects(splitRead(latin1, at, '\n', false, at), NotUtf8Error);
});

test('a rest smaller than the least worth splitting stays in the pipe; a tail left empty is read as nothing', async () => {
  const content = Buffer.from(['id,text,amount', ...quotedLines(20_000, '\n')].join('\n') + '\n');
  // Asked for past the last record: no place to cut, the whole file goes through the pipe.
  const split = await splitRead(content, content.length - 2, '\n');
  assert.equal(split.tailFrom, content.length);
  await assertSame(split, content, '\n');
});

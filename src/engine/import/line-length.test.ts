import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LineLengthScan, lineNumberAt, lineNumbersAt } from './line-length.ts';

/** Offset of the first line longer than `max` bytes, counted the slow way (the breaks not counted, a leading BOM neither). */
function expected(bytes: Buffer, max: number): number | null {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let i = start; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a || bytes[i] === 0x0d) {
      if (i - start > max) return start;
      start = i + 1;
    }
  }
  return null;
}

/** The scan of `bytes` fed in pieces cut at `cuts`. */
function scanned(bytes: Buffer, max: number, cuts: number[]): number | null {
  const s = new LineLengthScan(max);
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    s.update(bytes.subarray(from, c));
    from = c;
  }
  s.end();
  return s.tooLong;
}

test('LineLengthScan: the first line over the limit, whatever the line endings and chunk boundaries', () => {
  const cases: [string, number, number | null][] = [
    ['ab\ncd\n', 2, null],
    ['ab\ncde\n', 2, 3],
    ['abc\nd\n', 2, 0],
    ['ab\r\ncd\r\n', 2, null],
    ['ab\rcd\rxyz', 2, 6], // the last line, without a line break after it
    ['ab\rcd\rxy', 2, null],
    ['\uFEFFab\ncd', 2, null], // the BOM is no part of the first line
    ['\uFEFFabc\ncd', 2, 3],
    ['', 2, null],
    ['\n\n\n', 0, null],
    ['a', 0, 0],
  ];
  for (const [text, max, want] of cases) {
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) assert.equal(scanned(bytes, max, [cut]), want, `${JSON.stringify(text)} max ${max} cut at ${cut}`);
  }
  // Random files against the slow count, in random pieces.
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let k = 0; k < 2000; k++) {
    const bytes = Buffer.from(Array.from({ length: random(200) }, () => [0x0a, 0x0d, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61][random(8)]));
    const max = random(30);
    const cuts = Array.from({ length: random(5) }, () => random(bytes.length + 1)).sort((a, b) => a - b);
    assert.equal(scanned(bytes, max, cuts), expected(bytes, max), `${JSON.stringify(bytes.toString('latin1'))} max ${max} cuts ${cuts}`);
  }
});

test('lineNumberAt: lines as an editor numbers them, \\r\\n one break', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-lines-'));
  try {
    const file = path.join(dir, 'f.csv');
    await fs.writeFile(file, 'a\r\nb\nc\rd\n\ne');
    // Every byte but the \n of a \r\n (which no line starts at).
    const at = [0, 1, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.deepEqual(await Promise.all(at.map((o) => lineNumberAt(file, o))), [1, 1, 2, 2, 3, 3, 4, 4, 5, 6]);
    // Several in one read, in any order, repeated, and past the end (the last line).
    assert.deepEqual(await lineNumbersAt(file, [9, 0, 4, 4, 10, 99]), [5, 1, 2, 2, 6, 6]);
    assert.deepEqual(await lineNumbersAt(file, []), []);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

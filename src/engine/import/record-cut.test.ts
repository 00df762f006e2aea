import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordCutter, type CutDialect } from './record-cut.ts';

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Byte offsets just after every line ending that ends a record and is followed by a
 * non-blank line, found the slow way: every byte through the CSV grammar in one go.
 */
function reference(bytes: Buffer, d: CutDialect, newLine: '\n' | '\r\n' | '\r'): number[] {
  const [q, e, delim] = [d.quote.charCodeAt(0), d.escape.charCodeAt(0), d.delim.charCodeAt(0)];
  const nl = newLine === '\r' ? 0x0d : 0x0a;
  const cuts: number[] = [];
  let inQuotes = false;
  let fieldStart = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inQuotes) {
      if (e !== q && b === e) i++;
      else if (b === q) {
        if (e === q && bytes[i + 1] === q) i++;
        else inQuotes = false;
      }
      continue;
    }
    if (b === delim || b === 0x0a || b === 0x0d) {
      fieldStart = true;
      if (b === nl && i + 1 < bytes.length && bytes[i + 1] !== 0x0a && bytes[i + 1] !== 0x0d) cuts.push(i + 1);
    } else {
      if (fieldStart && b === q) inQuotes = true;
      fieldStart = false;
    }
  }
  return cuts;
}

/** The first cut at or after `from`, asked of a RecordCutter fed in chunks of the given sizes. */
function firstCut(bytes: Buffer, d: CutDialect, newLine: '\n' | '\r\n' | '\r', from: number, sizes: () => number): number {
  const cutter = RecordCutter.create(d, newLine)!;
  let at = 0;
  while (at < from) {
    const n = Math.min(sizes(), from - at);
    cutter.pass(bytes.subarray(at, at + n));
    at += n;
  }
  while (at < bytes.length) {
    const n = Math.min(sizes(), bytes.length - at);
    const cut = cutter.cut(bytes.subarray(at, at + n));
    if (cut >= 0) return at + cut;
    at += n;
  }
  return -1;
}

function randomCsv(random: () => number, d: CutDialect, newLine: string): Buffer {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const lines: string[] = [];
  for (let r = 0; r < 40; r++) {
    const fields: string[] = [];
    for (let f = 0; f < 3; f++) {
      const kind = random();
      if (kind < 0.4) fields.push(pick(['1', 'abc', '', 'x y', `5${d.quote} pipe`]));
      else {
        // A quoted field with the dialect's escapes, line breaks of every kind, delimiters.
        const inner = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
          pick(['a', d.delim, '\n', '\r\n', '\r', `${d.escape}${d.quote}`, ...(d.escape !== d.quote ? [`${d.escape}${d.escape}`] : []), 'é']),
        ).join('');
        fields.push(`${d.quote}${inner}${d.quote}`);
      }
    }
    lines.push(fields.join(d.delim));
    if (random() < 0.1) lines.push(''); // a blank line: no cut just before it
  }
  return Buffer.from(lines.join(newLine) + newLine);
}

test('a cut is always just after a record-ending line break, the first one from where it is asked, however the bytes come in chunks', () => {
  const random = mulberry32(7);
  const dialects: CutDialect[] = [
    { delim: ',', quote: '"', escape: '"' },
    { delim: ';', quote: '"', escape: '\\' },
    { delim: '\t', quote: "'", escape: "'" },
  ];
  for (const d of dialects) {
    for (const newLine of ['\n', '\r\n', '\r'] as const) {
      for (let round = 0; round < 15; round++) {
        const bytes = randomCsv(random, d, newLine);
        const expected = reference(bytes, d, newLine);
        for (const from of [0, 1, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 3]) {
          const want = expected.find((c) => c >= from) ?? -1;
          // A quote exactly where the search starts, one-byte chunks, random chunks, one chunk.
          for (const sizes of [() => 1, () => 1 + Math.floor(random() * 17), () => bytes.length]) {
            assert.equal(firstCut(bytes, d, newLine, from, sizes), want, `${JSON.stringify(d)} ${JSON.stringify(newLine)} from ${from}: ${JSON.stringify(bytes.toString())}`);
          }
        }
      }
    }
  }
});

test('a file of quoted fields holding line breaks is only cut between records, also when the search starts on a quote', () => {
  const bytes = Buffer.from('a,b\n"x\ny",1\n"p\n""q""\n",2\n3,"4\n5"\n6,7\n');
  const d = { delim: ',', quote: '"', escape: '"' };
  const whole = (from: number) => firstCut(bytes, d, '\n', from, () => 3);
  assert.equal(whole(0), 4);
  assert.equal(whole(5), bytes.indexOf('"p'));
  assert.equal(whole(bytes.indexOf('"p')), bytes.indexOf('"p'), 'a cut may be just where the search starts');
  assert.equal(whole(bytes.indexOf('"p') + 1), bytes.indexOf('3,'));
  assert.equal(whole(bytes.indexOf('""q')), bytes.indexOf('3,'));
  assert.equal(whole(bytes.indexOf('3,') + 1), bytes.indexOf('6,'));
  assert.equal(whole(bytes.indexOf('6,') + 1), -1, 'the last line ending is followed by nothing');
});

test('CRLF files are cut after the \\n; dialects the cutter cannot follow are refused', () => {
  const bytes = Buffer.from('a,b\r\n"1\r\n2",3\r\n4,5\r\n');
  assert.equal(firstCut(bytes, { delim: ',', quote: '"', escape: '"' }, '\r\n', 6, () => 4), bytes.indexOf('4,'));
  assert.equal(RecordCutter.create({ delim: ',', quote: '"', escape: '"' }, undefined), null);
  assert.equal(RecordCutter.create({ delim: '§', quote: '"', escape: '"' }, '\n'), null);
});

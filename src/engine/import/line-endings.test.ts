import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { LineEndingScan, LineEndingNormalizer } from './line-endings.ts';

/** The scan of `text` fed in pieces cut at `cuts`. */
function scan(text: string, cuts: number[]): { crlf: boolean; lf: boolean; cr: boolean } {
  const s = new LineEndingScan();
  const bytes = Buffer.from(text, 'latin1');
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    s.update(bytes.subarray(from, c));
    from = c;
  }
  s.end();
  return s.kinds;
}

async function normalize(text: string, cuts: number[], delimiter?: string): Promise<string> {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(from, c));
    from = c;
  }
  return (await buffer(Readable.from(pieces).pipe(new LineEndingNormalizer(delimiter)))).toString('utf8');
}

test('LineEndingScan: the kinds of line endings, whatever the chunk boundaries', () => {
  const cases: [string, { crlf: boolean; lf: boolean; cr: boolean }][] = [
    ['a\nb\n', { crlf: false, lf: true, cr: false }],
    ['a\r\nb\r\n', { crlf: true, lf: false, cr: false }],
    ['a\rb\r', { crlf: false, lf: false, cr: true }],
    ['a\r\nb\nc', { crlf: true, lf: true, cr: false }],
    ['a\r\nb\rc\r\n', { crlf: true, lf: false, cr: true }],
    ['a\nb\r', { crlf: false, lf: true, cr: true }],
    ['abc', { crlf: false, lf: false, cr: false }],
  ];
  for (const [text, kinds] of cases) {
    for (let cut = 0; cut <= text.length; cut++) {
      const got = scan(text, [cut]);
      // Once two kinds are seen the scan stops: a third may go unnoticed.
      const mixed = Number(kinds.crlf) + Number(kinds.lf) + Number(kinds.cr) > 1;
      if (mixed) assert.ok(Number(got.crlf) + Number(got.lf) + Number(got.cr) > 1, `${JSON.stringify(text)} cut at ${cut}`);
      else assert.deepEqual(got, kinds, `${JSON.stringify(text)} cut at ${cut}`);
    }
  }
});

test('LineEndingNormalizer: \\n outside quotes, breaks inside quotes kept, at every chunk boundary', async () => {
  const cases: [string, string, string?][] = [
    ['a,b\r\n1,x\n2,y\r3,z\r\n', 'a,b\n1,x\n2,y\n3,z\n'],
    ['a,b\r1,"x\r\ny"\n2,"p\rq"\r\n', 'a,b\n1,"x\r\ny"\n2,"p\rq"\n'],
    ['a\r\r\n\rb', 'a\n\n\nb'],
    ['"say ""hi""\r",x\r\n', '"say ""hi""\r",x\n'],
    ['""\r"",x\r', '""\n"",x\n'],
    // A quote inside an unquoted field is text: the line still ends at the \r.
    ['5" pipe,x\r6,y\r\n', '5" pipe,x\n6,y\n'],
    ['é,"ü\r\n€"\r£\n', 'é,"ü\r\n€"\n£\n'],
    ['a\t"b,\r"\rc', 'a\t"b,\r"\nc', '\t'],
  ];
  for (const [input, expected, delimiter] of cases) {
    const bytes = Buffer.byteLength(input);
    for (let cut = 0; cut <= bytes; cut++) {
      assert.equal(await normalize(input, [cut], delimiter), expected, `${JSON.stringify(input)} cut at ${cut}`);
    }
  }
});

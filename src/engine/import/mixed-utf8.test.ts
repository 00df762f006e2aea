import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { MixedUtf8Decoder, mostlyUtf8, utf8SequenceAt } from './mixed-utf8.ts';
import { guessLegacyEncoding } from './encoding.ts';

/** `chunks` through the decoder, as text. */
async function decode(chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const piece of Readable.from(chunks).pipe(new MixedUtf8Decoder())) out.push(piece as Buffer);
  return Buffer.concat(out).toString('utf8');
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const cp1252 = (s: string) => iconv.encode(s, 'windows-1252');

test('UTF-8 with a stray Windows-1252 byte: the UTF-8 stays, the byte is its Windows-1252 character', async () => {
  const bytes = Buffer.concat([utf8('José,Zürich,😀\n'), cp1252('café €5'), utf8(',Kraków\n')]);
  assert.equal(await decode([bytes]), 'José,Zürich,😀\ncafé €5,Kraków\n');
});

test('every cut of the input into two chunks gives the same text', async () => {
  const bytes = Buffer.concat([utf8('aé😀'), cp1252('é'), utf8('ü'), cp1252('ÿ')]);
  const whole = await decode([bytes]);
  assert.equal(whole, 'aé😀éüÿ');
  for (let cut = 0; cut <= bytes.length; cut++) assert.equal(await decode([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at ${cut}`);
});

test('Windows-1252 text alone reads as Windows-1252; a sequence cut by the end of the file too', async () => {
  assert.equal(await decode([cp1252('Grüße, £5, “quoted” – ½')]), 'Grüße, £5, “quoted” – ½');
  assert.equal(await decode([Buffer.from([0x61, 0xe2, 0x82])]), `a${iconv.decode(Buffer.from([0xe2, 0x82]), 'windows-1252')}`);
});

test('UTF-8 sequences are told by RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF', () => {
  assert.equal(utf8SequenceAt(Buffer.from([0xc3, 0xa9]), 0), 2);
  assert.equal(utf8SequenceAt(Buffer.from([0xc0, 0xaf]), 0), 0); // overlong '/'
  assert.equal(utf8SequenceAt(Buffer.from([0xe0, 0x80, 0xaf]), 0), 0); // overlong
  assert.equal(utf8SequenceAt(Buffer.from([0xed, 0xa0, 0x80]), 0), 0); // surrogate
  assert.equal(utf8SequenceAt(Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0), 0); // past U+10FFFF
  assert.equal(utf8SequenceAt(Buffer.from([0xf0, 0x9f, 0x98]), 0), -1); // cut
});

test('a sample with UTF-8 characters besides other bytes is guessed UTF-8 with stray bytes; Western text alone stays Windows-1252', () => {
  assert.equal(mostlyUtf8(cp1252('café crème')), false);
  assert.equal(mostlyUtf8(Buffer.from('Grüße,ß½\n', 'latin1')), false); // ß½ is also U+07FD
  assert.equal(mostlyUtf8(Buffer.concat([utf8('José Müller '), cp1252('é')])), true);
  assert.equal(guessLegacyEncoding(cp1252('name,city\nRené,Zürich\nMüller,Besançon\n')), 'windows-1252');
  assert.equal(guessLegacyEncoding(Buffer.concat([utf8('name\nJosé\nMüller\n'), cp1252('é\n')])), 'utf-8+windows-1252');
});

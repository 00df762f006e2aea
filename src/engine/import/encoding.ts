import fs from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { LineEndingNormalizer } from './line-endings.ts';
import { MixedUtf8Decoder, UTF8_WITH_WINDOWS_1252, mostlyUtf8 } from './mixed-utf8.ts';

const SAMPLE_BYTES = 64 * 1024;
const SAMPLES = 8;

/**
 * Where detection looks: the head, the tail and evenly spaced chunks between, so that a
 * Latin-1 file whose first 64 KB happen to be ASCII is still caught. What these samples
 * miss, DuckDB's own UTF-8 validation catches while reading (see NotUtf8Error).
 */
export function sampleOffsets(size: number): number[] {
  if (size <= SAMPLE_BYTES * SAMPLES) return [0];
  const last = size - SAMPLE_BYTES;
  return Array.from({ length: SAMPLES }, (_, k) => Math.round((last * k) / (SAMPLES - 1)));
}

/** Guess a text file's encoding; 'utf-8' when it is (or could be) UTF-8, which is then read in place. */
export async function detectEncoding(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(Math.min(length, Math.max(0, size - position)));
      const { bytesRead } = await handle.read(buf, 0, buf.length, position);
      return buf.subarray(0, bytesRead);
    };
    const head = await read(0, SAMPLE_BYTES * (size <= SAMPLE_BYTES * SAMPLES ? SAMPLES : 1));
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8'; // DuckDB skips the BOM
    if (head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) return 'utf-32le';
    if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
    if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
    const utf16 = utf16WithoutBom(head);
    if (utf16) return utf16;
    for (const offset of sampleOffsets(size)) {
      const sample = offset === 0 ? head : await read(offset, SAMPLE_BYTES);
      if (!isValidUtf8(sample, offset === 0, offset + sample.length >= size)) return guessLegacyEncoding(sample);
    }
    return 'utf-8';
  } finally {
    await handle.close();
  }
}

/**
 * The encoding of a file found not to be UTF-8, from the bytes around its first bad line.
 * A file that starts with the UTF-8 byte order mark says it is UTF-8: it is read as UTF-8
 * with the bad bytes replaced (U+FFFD) rather than garbling all its other characters.
 */
export async function legacyEncodingAround(file: string, position: number | null): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const bom = Buffer.alloc(3);
    await handle.read(bom, 0, 3, 0);
    if (bom[0] === 0xef && bom[1] === 0xbb && bom[2] === 0xbf) return 'utf-8';
    const start = Math.max(0, (position ?? 0) - 1024);
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    return guessLegacyEncoding(buf.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Single-byte guesses are unreliable on the short texts spreadsheets hold (chardet calls
 * French text Romanian or Turkish), and reading Western text as windows-1252 is right far
 * more often than not: only confident multi-byte guesses (Japanese, Chinese, Korean…) or
 * near-certain single-byte ones override it. Text mostly of UTF-8 characters besides its
 * other bytes is UTF-8 with stray bytes: UTF8_WITH_WINDOWS_1252 (mostlyUtf8).
 */
export function guessLegacyEncoding(sample: Buffer): string {
  const top = chardet.analyse(sample)[0];
  if (top) {
    const name = top.name.toLowerCase();
    const multiByte = /^(shift_jis|euc-jp|iso-2022-[a-z]+|gb18030|big5|euc-kr|utf-16le|utf-16be|utf-32le|utf-32be)$/.test(name);
    const western = /^(utf-8|ascii|iso-8859-1|iso-8859-15|windows-1252)$/.test(name);
    if (iconv.encodingExists(name) && ((multiByte && top.confidence >= 50) || (!multiByte && !western && top.confidence >= 90))) return name;
  }
  return mostlyUtf8(sample) ? UTF8_WITH_WINDOWS_1252 : 'windows-1252';
}

/** UTF-16 without a byte order mark: text that is mostly ASCII has a zero in every other byte. */
function utf16WithoutBom(head: Buffer): string | null {
  const pairs = Math.floor(Math.min(head.length, 4096) / 2);
  if (pairs < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenZero++;
    if (head[2 * i + 1] === 0) oddZero++;
  }
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return null;
}

/** Valid UTF-8, allowing a character cut by the sample's edges (unless the edge is the file's). */
export function isValidUtf8(buf: Buffer, atFileStart: boolean, atFileEnd: boolean): boolean {
  let start = 0;
  if (!atFileStart) while (start < 3 && start < buf.length && (buf[start] & 0xc0) === 0x80) start++;
  let end = buf.length;
  if (!atFileEnd) {
    // Look back over at most 3 continuation bytes for the start of the last character.
    for (let i = buf.length - 1; i >= Math.max(start, buf.length - 4); i--) {
      const b = buf[i];
      if ((b & 0xc0) === 0x80) continue;
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (buf.length - i < need) end = i;
      break;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(start, end));
    return true;
  } catch {
    return false;
  }
}

/**
 * Rewrite a text file as UTF-8 with `\n` line endings outside quoted fields, in one
 * streaming pass, from the file's own `encoding`. `encoding` null: the bytes are valid UTF-8 already and
 * are copied as they are but for line endings ('utf-8' decodes them, replacing invalid bytes
 * with U+FFFD). `delimiter`, when known, helps find quoted fields.
 */
export async function transcodeToUtf8(input: string, output: string, encoding: string | null, delimiter?: string): Promise<void> {
  const source = createReadStream(input, { highWaterMark: 1024 * 1024 });
  const sink = createWriteStream(output);
  if (encoding === null) await pipeline(source, new LineEndingNormalizer(delimiter), sink);
  else if (encoding === UTF8_WITH_WINDOWS_1252) await pipeline(source, new MixedUtf8Decoder(), new LineEndingNormalizer(delimiter), sink);
  else await pipeline(source, iconv.decodeStream(encoding, { stripBOM: true }), iconv.encodeStream('utf-8'), new LineEndingNormalizer(delimiter), sink);
}

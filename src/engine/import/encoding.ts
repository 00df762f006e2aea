import fs from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import chardet from 'chardet';
import iconv from 'iconv-lite';

/** Guess a text file's encoding from its first bytes; 'utf-8' when it is (or could be) UTF-8. */
export async function detectEncoding(file: string): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
    if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
    if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
    if (isValidUtf8(head)) return 'utf-8';
    const guess = (chardet.detect(head) ?? 'windows-1252').toLowerCase();
    if (guess === 'utf-8' || guess === 'ascii') return 'windows-1252'; // invalid UTF-8 after all
    return iconv.encodingExists(guess) ? guess : 'windows-1252';
  } finally {
    await handle.close();
  }
}

function isValidUtf8(buf: Buffer): boolean {
  // A multi-byte character may be cut at the end of the sample: ignore up to 3 bytes there.
  for (let cut = 0; cut <= 3 && cut <= buf.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, buf.length - cut));
      return true;
    } catch {
      // try a shorter prefix
    }
  }
  return false;
}

export async function transcodeToUtf8(input: string, output: string, encoding: string): Promise<void> {
  await pipeline(createReadStream(input), iconv.decodeStream(encoding, { stripBOM: true }), iconv.encodeStream('utf-8'), createWriteStream(output));
}

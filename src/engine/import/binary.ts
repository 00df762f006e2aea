import fs from 'node:fs/promises';
import { ImportError } from './types.ts';

const SAMPLE_BYTES = 64 * 1024;
/** Share of control bytes above which a sample is not text in any 8-bit or UTF-8 encoding. */
const MAX_CONTROL_SHARE = 0.01;

/**
 * Refuse a file that is not text before the CSV or JSON reader sees it: random or binary
 * bytes are the client's mistake (400), not something for the readers to fail on deep inside.
 * Text in UTF-8 or an 8-bit encoding has no NUL and almost no other C0 control bytes besides
 * tab, line feed, form feed and carriage return (and escape); UTF-16/32 text, which has NULs,
 * is recognized by the encoding detection and not checked here.
 *
 * @throws ImportError 'not a text file' naming the file.
 */
export async function assertText(file: string, filename: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  let sample: Buffer;
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    sample = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) {
      control = sample.length;
      break;
    }
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) || byte === 0x7f) control++;
  }
  // (A stray bell or two in a short text is not enough to refuse it.)
  if (control >= 8 && control / sample.length > MAX_CONTROL_SHARE) {
    throw new ImportError('not a text file', `${JSON.stringify(filename)} is not text (it holds binary bytes): a .csv, .tsv, .txt or .json upload must be a text file`);
  }
}

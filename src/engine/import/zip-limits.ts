import zlib from 'node:zlib';
import { ImportError } from './types.ts';
import { clientText } from '../../operations/errors.ts';

/** Caps on what an .xlsx package may inflate to, checked before any XML is parsed. */
export interface InflateLimits {
  /** Total bytes all entries may inflate to (MAX_EXCEL_INFLATED_BYTES). */
  maxInflatedBytes: number;
  /** Cells (`<c …>` elements) all worksheets together may hold (MAX_EXCEL_CELLS). */
  maxCells: number;
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  declaredSize: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const tooLarge = (what: string) => new ImportError('workbook too large', what);
const broken = (what: string) => new ImportError('unreadable Excel file', `the .xlsx package is damaged: ${what}`);

/**
 * Check an .xlsx (ZIP) package against `limits` without trusting it: first the sizes its
 * central directory declares, then the sizes its entries really inflate to (streamed and
 * counted, never held: a 1 MB file can claim little and inflate to gigabytes), counting the
 * worksheets' cells on the way. SheetJS inflates and parses everything at once, so this is
 * what keeps a decompression bomb from taking a worker thread's memory and time.
 *
 * @throws ImportError 'workbook too large' naming the limit passed, or 'unreadable Excel file'.
 */
export async function checkXlsxPackage(bytes: Buffer, limits: InflateLimits): Promise<void> {
  const entries = centralDirectory(bytes);
  const declared = entries.reduce((sum, e) => sum + e.declaredSize, 0);
  if (declared > limits.maxInflatedBytes) {
    throw tooLarge(`the workbook declares ${declared} bytes of content once unpacked; the limit is ${limits.maxInflatedBytes} bytes (MAX_EXCEL_INFLATED_BYTES)`);
  }
  let inflated = 0;
  let cells = 0;
  for (const entry of entries) {
    const data = entryData(bytes, entry);
    const isSheet = /^xl\/worksheets\/[^/]+\.xml$/i.test(entry.name);
    const counter = isSheet ? cellCounter() : null;
    const onChunk = (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > limits.maxInflatedBytes) throw tooLarge(`the workbook unpacks to more than ${limits.maxInflatedBytes} bytes (MAX_EXCEL_INFLATED_BYTES)`);
      if (counter) {
        cells += counter(chunk);
        if (cells > limits.maxCells) throw tooLarge(`the workbook has more than ${limits.maxCells} cells (MAX_EXCEL_CELLS)`);
      }
    };
    if (entry.method === 0) onChunk(data);
    else if (entry.method === 8) await inflateCounting(data, onChunk);
    else throw broken(`entry ${JSON.stringify(entry.name)} uses compression method ${entry.method}`);
  }
}

function centralDirectory(bytes: Buffer): Entry[] {
  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (bytes.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw broken('no central directory');
  const count = bytes.readUInt16LE(eocd + 10);
  let at = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) throw tooLarge('ZIP64 packages (over 4 GB or 65535 entries) are not accepted');
  const entries: Entry[] = [];
  for (let k = 0; k < count; k++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL) throw broken('bad central directory entry');
    const method = bytes.readUInt16LE(at + 10);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const declaredSize = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localOffset = bytes.readUInt32LE(at + 42);
    if (compressedSize === 0xffffffff || declaredSize === 0xffffffff || localOffset === 0xffffffff) throw tooLarge('ZIP64 entries (over 4 GB) are not accepted');
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({ name, method, compressedSize, declaredSize, localOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function entryData(bytes: Buffer, entry: Entry): Buffer {
  const at = entry.localOffset;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== LOCAL) throw broken(`bad local header of ${JSON.stringify(entry.name)}`);
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  if (start + entry.compressedSize > bytes.length) throw broken(`entry ${JSON.stringify(entry.name)} runs past the end of the file`);
  return bytes.subarray(start, start + entry.compressedSize);
}

/** Inflate raw DEFLATE data chunk by chunk; `onChunk` may throw to stop it. */
function inflateCounting(data: Buffer, onChunk: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const inflater = zlib.createInflateRaw({ chunkSize: 256 * 1024 });
    inflater.on('data', (chunk: Buffer) => {
      try {
        onChunk(chunk);
      } catch (err) {
        inflater.destroy();
        reject(err);
      }
    });
    inflater.on('error', (err) => reject(broken(clientText(err.message))));
    inflater.on('end', () => resolve());
    inflater.end(data);
  });
}

/** Counts `<c ` / `<c>` cell elements across chunk boundaries (the tail of one chunk is kept). */
function cellCounter(): (chunk: Buffer) => number {
  let carry = '';
  return (chunk) => {
    const text = carry + chunk.toString('latin1');
    let n = 0;
    let i = text.indexOf('<c');
    while (i >= 0 && i + 2 < text.length) {
      const next = text.charCodeAt(i + 2);
      if (next === 0x20 || next === 0x3e || next === 0x09 || next === 0x0a || next === 0x0d || next === 0x2f) n++;
      i = text.indexOf('<c', i + 2);
    }
    // "<c" at the very end is decided with the next chunk.
    carry = text.endsWith('<c') ? '<c' : text.endsWith('<') ? '<' : '';
    return n;
  };
}

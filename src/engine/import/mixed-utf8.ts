import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';

/**
 * The pseudo-encoding of text that is UTF-8 but for some bytes (a stray Windows-1252 `é`
 * pasted into a UTF-8 export, two exports concatenated): its valid UTF-8 sequences are
 * UTF-8, every other byte is Windows-1252 (guessLegacyEncoding's Western default). Read
 * wholly as Windows-1252, every UTF-8 character of such a file was garbled (`José` became
 * `JosÃ©`); read wholly as UTF-8, its stray bytes were lost. On a file of Windows-1252
 * alone it gives what Windows-1252 gives, but for pairs of bytes that happen to form a
 * UTF-8 character (`Ã©`), which Western text all but never holds.
 */
export const UTF8_WITH_WINDOWS_1252 = 'utf-8+windows-1252';

/** UTF-8 bytes of each Windows-1252 byte value (bytes it leaves undefined map as Latin-1 does). */
const WINDOWS_1252: Buffer[] = Array.from({ length: 256 }, (_, b) => Buffer.from(iconv.decode(Buffer.from([b]), 'windows-1252'), 'utf8'));

/**
 * Length of the valid UTF-8 sequence starting at `buf[i]` (RFC 3629: no overlong forms, no
 * surrogates, at most U+10FFFF); 0 when the bytes there are not one; -1 when `buf` ends
 * before the sequence could be told apart (more bytes needed).
 */
export function utf8SequenceAt(buf: Buffer, i: number): number {
  const b = buf[i];
  if (b < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    if (b === 0xe0) lo = 0xa0;
    else if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    if (b === 0xf0) lo = 0x90;
    else if (b === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k <= need; k++) {
    if (i + k >= buf.length) return -1;
    const c = buf[i + k];
    if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return 0;
  }
  return need + 1;
}

/**
 * Whether `sample` is UTF-8 with stray bytes rather than a single-byte encoding: it holds
 * more UTF-8 characters beyond ASCII than bytes that are not UTF-8. Western single-byte text
 * has pairs that happen to be one (Latin-1 `ß½` is U+07FD), but few next to its other
 * non-ASCII bytes; UTF-8 with a stray byte has one or a few of those among many characters.
 */
export function mostlyUtf8(sample: Buffer): boolean {
  let characters = 0;
  let stray = 0;
  for (let i = 0; i < sample.length; ) {
    if (sample[i] < 0x80) {
      i++;
      continue;
    }
    const n = utf8SequenceAt(sample, i);
    if (n > 1) {
      characters++;
      i += n;
    } else {
      if (n === 0) stray++;
      i++;
    }
  }
  return characters > stray;
}

/**
 * Decode UTF8_WITH_WINDOWS_1252 into UTF-8, streaming. A chunk that is valid UTF-8 (most of
 * them) passes as it is, checked natively; only chunks with other bytes are gone through
 * byte by byte. A sequence cut by a chunk's end waits for the next chunk.
 */
export class MixedUtf8Decoder extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private readonly strict = new TextDecoder('utf-8', { fatal: true });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    // Hold back a last character that may be cut (up to 3 bytes of a 4-byte sequence).
    let end = buf.length;
    for (let i = buf.length - 1; i >= Math.max(0, buf.length - 3); i--) {
      if (buf[i] >= 0xc2 && buf[i] <= 0xf4 && utf8SequenceAt(buf, i) === -1) {
        end = i;
        break;
      }
    }
    this.carry = Buffer.from(buf.subarray(end));
    done(null, this.decode(buf.subarray(0, end)));
  }

  override _flush(done: TransformCallback): void {
    // A sequence cut by the end of the file: its bytes are Windows-1252.
    done(null, this.carry.length > 0 ? this.decode(this.carry, true) : undefined);
  }

  private decode(buf: Buffer, atEnd = false): Buffer {
    if (!atEnd) {
      try {
        this.strict.decode(buf);
        return buf;
      } catch {
        // some bytes are not UTF-8: below
      }
    }
    const out: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < buf.length; ) {
      const n = buf[i] < 0x80 ? 1 : utf8SequenceAt(buf, i);
      if (n > 0) {
        i += n;
        continue;
      }
      if (i > from) out.push(buf.subarray(from, i));
      out.push(WINDOWS_1252[buf[i]]);
      i++;
      from = i;
    }
    if (from < buf.length) out.push(buf.subarray(from));
    return Buffer.concat(out);
  }
}

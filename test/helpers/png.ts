import zlib from 'node:zlib';

// A minimal PNG decoder for tests: 8-bit greyscale/RGB/RGBA, not interlaced (what resvg
// writes). Enough to check a chart's size and count the pixels of each series' colour.

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** RGBA, 4 bytes a pixel, rows top to bottom. */
  rgba: Uint8Array;
}

export function hasPngSignature(buf: Buffer): boolean {
  return buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE);
}

/** Width and height from the IHDR chunk, without decoding. */
export function pngSize(buf: Buffer): { width: number; height: number } {
  if (!hasPngSignature(buf)) throw new Error('not a PNG: bad signature');
  if (buf.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: IHDR is not the first chunk');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

export function decodePng(buf: Buffer): Png {
  const { width, height } = pngSize(buf);
  const bitDepth = buf[24];
  const colorType = buf[25];
  const interlace = buf[28];
  if (bitDepth !== 8) throw new Error(`unsupported bit depth ${bitDepth}`);
  if (interlace !== 0) throw new Error('interlaced PNGs are not supported');
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new Error(`unsupported colour type ${colorType}`);

  const idat: Buffer[] = [];
  let at = 8;
  while (at < buf.length) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`IDAT holds ${raw.length} bytes, expected ${height * (stride + 1)}`);

  // Undo the per-row filters (PNG spec §9), in place, row by row.
  const data = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? data[row + x - channels] : 0;
      const b = y > 0 ? data[prev + x] : 0;
      const c = x >= channels && y > 0 ? data[prev + x - channels] : 0;
      let v = raw[src + x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) v += paeth(a, b, c);
      else if (filter !== 0) throw new Error(`bad filter ${filter} on row ${y}`);
      data[row + x] = v & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    const d = i * 4;
    if (channels >= 3) {
      rgba[d] = data[s];
      rgba[d + 1] = data[s + 1];
      rgba[d + 2] = data[s + 2];
      rgba[d + 3] = channels === 4 ? data[s + 3] : 255;
    } else {
      rgba[d] = rgba[d + 1] = rgba[d + 2] = data[s];
      rgba[d + 3] = channels === 2 ? data[s + 1] : 255;
    }
  }
  return { width, height, bitDepth, colorType, rgba };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export type Rgb = [number, number, number];

export const hexRgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;

/** A colour drawn with the given opacity over white. */
export const overWhite = (rgb: Rgb, opacity: number): Rgb => rgb.map((v) => Math.round(v * opacity + 255 * (1 - opacity))) as Rgb;

/** Opaque pixels within `tolerance` (per channel) of the colour. */
export function countColour(png: Png, rgb: Rgb, tolerance = 0): number {
  let n = 0;
  const p = png.rgba;
  for (let i = 0; i < p.length; i += 4) {
    if (p[i + 3] === 255 && Math.abs(p[i] - rgb[0]) <= tolerance && Math.abs(p[i + 1] - rgb[1]) <= tolerance && Math.abs(p[i + 2] - rgb[2]) <= tolerance) n++;
  }
  return n;
}

/** Pixels that are not (near) white: how much was drawn at all. */
export function inkedPixels(png: Png): number {
  let n = 0;
  const p = png.rgba;
  for (let i = 0; i < p.length; i += 4) if (p[i + 3] > 0 && (p[i] < 240 || p[i + 1] < 240 || p[i + 2] < 240)) n++;
  return n;
}

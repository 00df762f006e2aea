// Text widths from the font file itself. Headless Vega has no canvas to measure text and
// falls back to 0.8 em a character, far wider than DejaVu Sans: legends and labels would be
// cut short ("p = …") with room to spare. Reading each glyph's advance width from the TTF
// (tables cmap, hmtx, hhea, head) gives the widths resvg will actually draw.
import fs from 'node:fs';

export interface FontMetrics {
  /** Width of the text at the given size, in pixels (advances only, no kerning). */
  width(text: string, fontSize: number): number;
}

export function loadFontMetrics(file: string): FontMetrics {
  const buf = fs.readFileSync(file);
  const tables = new Map<string, number>();
  const numTables = buf.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    tables.set(buf.toString('latin1', rec, rec + 4), buf.readUInt32BE(rec + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`font ${file} has no ${tag} table`);
    return offset;
  };
  const unitsPerEm = buf.readUInt16BE(table('head') + 18);
  const numberOfHMetrics = buf.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  // Glyphs past numberOfHMetrics share the last advance.
  const advance = (glyph: number): number => buf.readUInt16BE(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));
  const glyphOf = cmap(buf, table('cmap'));
  const cache = new Map<number, number>();
  const advanceOf = (codePoint: number): number => {
    let a = cache.get(codePoint);
    if (a === undefined) {
      a = advance(glyphOf(codePoint)) / unitsPerEm;
      cache.set(codePoint, a);
    }
    return a;
  };
  return {
    width(text, fontSize) {
      let em = 0;
      for (const ch of text) em += advanceOf(ch.codePointAt(0)!);
      return em * fontSize;
    },
  };
}

/** Code point → glyph index, from the Unicode subtable (format 12 preferred, else 4). */
function cmap(buf: Buffer, at: number): (cp: number) => number {
  const count = buf.readUInt16BE(at + 2);
  let format4 = -1;
  let format12 = -1;
  for (let i = 0; i < count; i++) {
    const platform = buf.readUInt16BE(at + 4 + 8 * i);
    const encoding = buf.readUInt16BE(at + 6 + 8 * i);
    const sub = at + buf.readUInt32BE(at + 8 + 8 * i);
    const format = buf.readUInt16BE(sub);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12 && format12 < 0) format12 = sub;
    if (format === 4 && format4 < 0) format4 = sub;
  }
  if (format12 >= 0) {
    const groups = buf.readUInt32BE(format12 + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = format12 + 16 + 12 * mid;
        const start = buf.readUInt32BE(g);
        const end = buf.readUInt32BE(g + 4);
        if (cp < start) hi = mid - 1;
        else if (cp > end) lo = mid + 1;
        else return buf.readUInt32BE(g + 8) + (cp - start);
      }
      return 0;
    };
  }
  if (format4 < 0) return () => 0;
  const segX2 = buf.readUInt16BE(format4 + 6);
  const ends = format4 + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segX2; s += 2) {
      if (cp > buf.readUInt16BE(ends + s)) continue;
      const start = buf.readUInt16BE(starts + s);
      if (cp < start) return 0;
      const delta = buf.readUInt16BE(deltas + s);
      const ro = buf.readUInt16BE(rangeOffsets + s);
      if (ro === 0) return (cp + delta) & 0xffff;
      const glyph = buf.readUInt16BE(rangeOffsets + s + ro + 2 * (cp - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

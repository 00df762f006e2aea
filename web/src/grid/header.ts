import type { ColumnProfile } from '../../../src/protocol/messages.ts';
import { BADGE_FONT, CARET_ROOM, COUNT_FONT, HEADER_PAD, missingText, NAME_FONT, typeStyle, type ColumnMeta } from './header-layout.ts';

export { FONT, TYPE_STYLE, typeStyle, headerWidth, type ColumnMeta } from './header-layout.ts';

export const COLORS = {
  valid: '#3aa17e',
  bar: '#5b9f8c',
  barAlt: '#8cc3b3',
  missing: '#e5484d',
  other: '#c9d1db',
  text: '#1f2933',
  muted: '#6b7785',
};

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

function fitText(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + '…').width <= max) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

/**
 * A data column's header, drawn on the grid's canvas: the name and menu caret, a type badge
 * and the missing count, then a distribution bar (histogram for numbers and dates, top
 * values for the rest) over a quality strip: valid in green, missing in red.
 */
export function drawColumnHeader(
  ctx: CanvasRenderingContext2D,
  rect: { x: number; y: number; width: number; height: number },
  menu: { x: number; y: number; width: number; height: number },
  col: ColumnMeta,
  profile: ColumnProfile | undefined,
  selected: boolean,
  hovered: boolean,
  rows: number,
): void {
  const pad = HEADER_PAD;
  const { x, y, width, height } = rect;
  const inner = width - pad * 2;
  if (selected) {
    // A light selection colour instead of Glide's solid accent, so the header stays readable.
    ctx.fillStyle = '#dcefe8';
    ctx.fillRect(x, y, width, height);
    ctx.fillStyle = '#1f6f5c';
    ctx.fillRect(x, y + height - 2, width, 2);
  }
  ctx.textBaseline = 'middle';
  // Name, then the menu button where Glide looks for its clicks (the header's right middle).
  ctx.font = NAME_FONT;
  ctx.fillStyle = COLORS.text;
  ctx.fillText(fitText(ctx, col.name, inner), x + pad, y + 13);
  const mx = menu.x + menu.width / 2;
  const my = menu.y + menu.height / 2;
  if (hovered) {
    ctx.fillStyle = 'rgba(31, 41, 51, 0.08)';
    roundRect(ctx, mx - 9, my - 9, 18, 18, 4);
    ctx.fill();
  }
  ctx.fillStyle = hovered ? COLORS.text : COLORS.muted;
  ctx.beginPath();
  ctx.moveTo(mx - 4, my - 2);
  ctx.lineTo(mx + 4, my - 2);
  ctx.lineTo(mx, my + 3);
  ctx.closePath();
  ctx.fill();
  // Type badge and missing count.
  const ts = typeStyle(col.type);
  ctx.font = BADGE_FONT;
  const bw = ctx.measureText(ts.label).width + 10;
  ctx.fillStyle = ts.bg;
  roundRect(ctx, x + pad, y + 24, bw, 15, 3);
  ctx.fill();
  ctx.fillStyle = ts.fg;
  ctx.fillText(ts.label, x + pad + 5, y + 32);
  ctx.font = COUNT_FONT;
  ctx.fillStyle = col.missing > 0 ? COLORS.missing : COLORS.muted;
  ctx.fillText(fitText(ctx, missingText(col.missing), inner - bw - CARET_ROOM), x + pad + bw + 6, y + 32);
  // Distribution.
  const barTop = y + 45;
  const barH = height - 45 - 9;
  if (profile && profile.rows > 0) {
    if (profile.histogram) {
      const counts = profile.histogram.counts;
      const max = Math.max(...counts, 1);
      const w = inner / counts.length;
      ctx.fillStyle = COLORS.bar;
      counts.forEach((c, i) => {
        if (c === 0) return;
        const h = Math.max(1.5, (c / max) * barH);
        ctx.fillRect(x + pad + i * w + 0.5, barTop + barH - h, Math.max(1, w - 1), h);
      });
    } else if (profile.top) {
      const present = profile.rows - profile.missing;
      let cx = x + pad;
      profile.top.forEach((t, i) => {
        const w = (t.count / Math.max(present, 1)) * inner;
        ctx.fillStyle = i % 2 ? COLORS.barAlt : COLORS.bar;
        ctx.fillRect(cx, barTop + 2, Math.max(1, w - 1), barH - 2);
        cx += w;
      });
      if (profile.other > 0) {
        ctx.fillStyle = COLORS.other;
        ctx.fillRect(cx, barTop + 2, Math.max(1, x + pad + inner - cx), barH - 2);
      }
    }
  } else if (!profile) {
    ctx.fillStyle = '#eef1f4';
    ctx.fillRect(x + pad, barTop + 2, inner, barH - 2);
  }
  // Quality strip: share of valid and missing values.
  const total = profile?.rows ?? rows;
  const missShare = total > 0 ? Math.min(1, col.missing / total) : 0;
  const stripY = y + height - 6;
  ctx.fillStyle = COLORS.valid;
  ctx.fillRect(x + pad, stripY, inner * (1 - missShare), 3);
  if (missShare > 0) {
    ctx.fillStyle = COLORS.missing;
    ctx.fillRect(x + pad + inner * (1 - missShare), stripY, Math.max(2, inner * missShare), 3);
  }
}

/** Text for a tooltip over a header's distribution. */
export function profileSummary(col: ColumnMeta, p: ColumnProfile | undefined): string {
  if (!p) return `${col.name} (${col.type})`;
  const parts = [`${col.name} (${col.type})`, `${(p.rows - p.missing).toLocaleString()} valid, ${p.missing.toLocaleString()} missing`];
  if (p.distinct !== null) parts.push(`${p.distinct.toLocaleString()} distinct`);
  if (p.top?.length) parts.push('top: ' + p.top.map((t) => `${t.value} (${t.count.toLocaleString()})`).join(', '));
  return parts.join(' · ');
}

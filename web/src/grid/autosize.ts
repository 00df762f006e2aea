// Column widths fitted to what a column shows, as spreadsheet tools size columns on open: a
// fixed width cut a 19-digit id, a long e-mail address or a datetime off until the person
// widened the column by hand. Pure (the text measure is given), so it is tested in Node.

/** Narrowest automatic width (px): a column of one-digit values still has room for a header. */
export const AUTO_MIN_WIDTH = 60;
/** Widest automatic width (px): one long text must not push every other column off screen. */
export const AUTO_MAX_WIDTH = 320;
/** Glide's cellHorizontalPadding (Grid.tsx theme), on each side of a cell's text. */
export const CELL_PADDING = 8;
/** A pixel or two more than the text: Glide clips text that touches its padding. */
const SLACK = 4;

/** Width in px of `text` in CSS font `font` (a canvas's measureText in the browser). */
export type Measure = (text: string, font: string) => number;

/** A cell's text as the grid draws it, and the font it draws it in. */
export interface ShownText {
  text: string;
  font: string;
}

/**
 * The width that shows `cells` (the first rows of a column) and a header needing `header` px
 * whole, within [AUTO_MIN_WIDTH, AUTO_MAX_WIDTH]. Each distinct text is measured once: a
 * column of codes or dates repeats a few texts.
 */
export function fitColumnWidth(header: number, cells: readonly ShownText[], measure: Measure): number {
  let widest = 0;
  const seen = new Set<string>();
  for (const { text, font } of cells) {
    const key = `${font}\u0000${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    widest = Math.max(widest, measure(text, font));
  }
  const cellsNeed = widest > 0 ? Math.ceil(widest) + 2 * CELL_PADDING + SLACK : 0;
  return Math.max(AUTO_MIN_WIDTH, Math.min(AUTO_MAX_WIDTH, Math.max(Math.ceil(header), cellsNeed)));
}

/** What canvasMeasure uses of a canvas's 2D context (structural: Node tests have no DOM types). */
interface TextContext {
  font: string;
  measureText(text: string): { width: number };
}

/** A Measure over one canvas 2D context; widths are remembered by font and text. */
export function canvasMeasure(ctx: TextContext): Measure {
  const known = new Map<string, number>();
  return (text, font) => {
    const key = `${font}\u0000${text}`;
    const had = known.get(key);
    if (had !== undefined) return had;
    ctx.font = font;
    const w = ctx.measureText(text).width;
    if (known.size > 20_000) known.clear();
    known.set(key, w);
    return w;
  };
}

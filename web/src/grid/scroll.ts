/**
 * Scrolling a grid taller than the browser lets an element be.
 *
 * Chromium caps an element's height near 33.5M px, so a grid of 2M rows × 26 px (52M px)
 * gets a scroller shorter than its content. Glide Data Grid (InfiniteScroller, 6.0.x) turns
 * the scroller's scrollTop (`dom`) into its own y (`top`) thus: a move of more than
 * JUMP px, or one that reaches either end, places `top` in proportion (dom × max / domMax);
 * smaller moves shift `top` one to one from where it was. Its own scrollTo (used for the
 * selected cell and by us before) sets scrollTop by the distance in grid pixels, which is
 * only right for the one-to-one case: a far jump landed in proportion, ×1.55 at 2M rows
 * (row 500,000 → 774,773), and a nearer one by a distance off by the current offset.
 * (glideapps/glide-data-grid#705, open.) Here the same rule is used the other way round.
 */

/** Glide's threshold between a proportional jump and a one-to-one move, in scroller pixels. */
export const JUMP = 2000;

export interface ScrollState {
  /** The scroller's scrollTop, and its largest (scrollHeight − clientHeight). */
  domTop: number;
  domMax: number;
  /** The grid's y (first row × row height + how far into it), and its largest (content height − client height). */
  top: number;
  max: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Whether the grid is taller than its scroller: Glide compresses it (with its own 5 px slack). */
export function compressed(s: ScrollState): boolean {
  return s.domMax > 0 && s.max > s.domMax + 5;
}

/** Whether Glide places `top` in proportion when the scroller moves to `dom`. */
function jumps(dom: number, s: ScrollState): boolean {
  return compressed(s) && (Math.abs(dom - s.domTop) > JUMP || dom <= 0 || dom >= s.domMax);
}

/** The grid's y once the scroller is at `dom` (Glide's rule). */
export function topAfter(dom: number, s: ScrollState): number {
  return jumps(dom, s) ? (dom * s.max) / s.domMax : dom + s.top - s.domTop;
}

/**
 * The scrollTop to set next to bring the grid's y to `goal`. One step gets there exactly
 * (a one-to-one move) or within max/domMax px (a proportional jump; the step after makes it
 * exact). When the proportional place is too near to count as a jump and a one-to-one move
 * cannot reach the goal, the step is a jump to beside it, from where it can.
 */
export function nextScrollTop(goal: number, s: ScrollState): number {
  const target = clamp(goal, 0, s.max);
  // Up, not to the nearest: the row lands at the top, not a fraction of a pixel below the one before.
  const near = clamp(Math.ceil(target - (s.top - s.domTop) - 1e-6), 0, s.domMax);
  if (!jumps(near, s)) return near;
  const far = clamp(Math.round((target * s.domMax) / s.max), 0, s.domMax);
  if (jumps(far, s)) return far;
  return far + JUMP + 1 <= s.domMax ? far + JUMP + 1 : far - JUMP - 1;
}

/** Whether the grid's y is `goal` (or as near as the scroller allows): at most a pixel past it, never before it. */
export function arrived(goal: number, s: ScrollState): boolean {
  const d = s.top - clamp(goal, 0, s.max);
  return d > -1e-6 && d < 1;
}

/** The grid's y that shows `row` at the top, or (`nearest`) just inside the edge it is beyond; undefined when it is in view. */
export function goalFor(row: number, rowHeight: number, top: number, viewHeight: number, align: 'top' | 'nearest'): number | undefined {
  const y = row * rowHeight;
  if (align === 'top') return y;
  if (y < top) return y;
  if (y + rowHeight > top + viewHeight) return y + rowHeight - viewHeight;
  return undefined;
}

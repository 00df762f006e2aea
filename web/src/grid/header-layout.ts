// The header's text layout (fonts, padding) and what it needs to be shown whole: apart from
// header.ts, which draws on a canvas, so that Node tests (no DOM types) can import it.

export interface ColumnMeta {
  name: string;
  type: string;
  missing: number;
  /** A datetime column whose every value is at midnight: shown as dates alone (metadata's columnInfo.dateOnly). */
  dateOnly?: boolean;
}

export const TYPE_STYLE: Record<string, { label: string; fg: string; bg: string }> = {
  int: { label: '123', fg: '#1d4ed8', bg: '#e0eaff' },
  float: { label: '1.2', fg: '#1d4ed8', bg: '#e0eaff' },
  string: { label: 'Abc', fg: '#047857', bg: '#dcf5ea' },
  datetime: { label: 'date', fg: '#7c3aed', bg: '#ede7fe' },
  bool: { label: 'T/F', fg: '#b45309', bg: '#fdf0d5' },
};
const OTHER_TYPE = { label: '?', fg: '#475569', bg: '#e8ecf1' };
export const typeStyle = (t: string) => TYPE_STYLE[t] ?? { ...OTHER_TYPE, label: t.slice(0, 6) };

export const FONT = 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif';

export const NAME_FONT = `600 12.5px ${FONT}`;
export const BADGE_FONT = `600 10px ${FONT}`;
export const COUNT_FONT = `11px ${FONT}`;
/** Padding on each side of a header's content (drawColumnHeader's `pad`). */
export const HEADER_PAD = 8;
/** Room the menu caret takes beside the second line (drawColumnHeader leaves it free). */
export const CARET_ROOM = 24;

/** The missing count as the header writes it. */
export const missingText = (missing: number) => (missing > 0 ? `${missing.toLocaleString()} missing` : '0 missing');

/**
 * Width (px) a column's header needs to show its name and its type badge and missing count
 * without cutting them (drawColumnHeader's layout, measured with its fonts).
 */
export function headerWidth(col: ColumnMeta, measure: (text: string, font: string) => number): number {
  const name = measure(col.name, NAME_FONT);
  const badge = measure(typeStyle(col.type).label, BADGE_FONT) + 10;
  const count = measure(missingText(col.missing), COUNT_FONT);
  return 2 * HEADER_PAD + Math.max(name, badge + CARET_ROOM + count);
}

import { flushSync } from 'react-dom';
import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import {
  DataEditor,
  GridCellKind,
  CompactSelection,
  type DataEditorRef,
  type GridCell,
  type GridColumn,
  type GridSelection,
  type Item,
  type Rectangle,
  type Theme,
  type EditableGridCell,
} from '@glideapps/glide-data-grid';
import '@glideapps/glide-data-grid/dist/index.css';
import type { ColumnProfile } from '../../../src/protocol/messages.ts';
import type { WillowClient } from '../api.ts';
import { SliceCache, type Prefetched } from './cache.ts';
import { drawColumnHeader, FONT, headerWidth, type ColumnMeta } from './header.ts';
import { canvasMeasure, fitColumnWidth, type Measure, type ShownText } from './autosize.ts';
import type { ViewParams } from '../view.ts';
import { editTargetOf, withEditTarget, type EditTarget } from '../edit.ts';
import { carryGridRange, carrySelection, selectedRows, type SelectedRows, type SelectionLayout } from '../selection.ts';
import { display } from './display.ts';
import { provideCellEditor } from './cell-editor.tsx';
import { arrived, compressed, goalFor, nextScrollTop, topAfter, type ScrollState } from './scroll.ts';

export interface GridHandle {
  /** Show `row` at the top; `select`: make its first cell the current one (as a spreadsheet's Go To). */
  scrollToRow(row: number, select?: boolean): void;
  /** Dataset positions of the selected rows of the view: all of them, or why not (see selectedRows). */
  selectedRowIndices(): SelectedRows;
  selectedColumns(): number[];
  clearSelection(): void;
  focus(): void;
  /** Slices are on their way: background reads (profiles) should wait their turn. */
  busy(): boolean;
}

export interface GridProps {
  client: WillowClient;
  columns: ColumnMeta[];
  profiles: Map<string, ColumnProfile>;
  rows: number;
  totalRows: number;
  view: ViewParams;
  /** Bumped when the data changed: everything is fetched again, the scroll position stays. */
  version: number;
  onHeaderMenu(column: number, bounds: Rectangle): void;
  /**
   * A right-click on a cell; `rows`: the dataset positions it is about (the selection's rows,
   * or the clicked row), read in row layout `rowEpoch`.
   */
  onCellMenu(column: number, row: number, rows: SelectedRows, rowEpoch: number, bounds: Rectangle): void;
  /** A cell edited: `target` is the cell as it was when its editor opened (columns and rows may have moved since). */
  onEdit(target: EditTarget, value: string): void;
  onSelectionChange(rows: number, columns: number[]): void;
  onFirstRows?(): void;
  /** The first block, requested before the dataset's shape was known (SliceCache.prefetchFirst). */
  firstBlock?: Prefetched;
}

const theme: Partial<Theme> = {
  accentColor: '#1f6f5c',
  accentLight: 'rgba(31, 111, 92, 0.10)',
  accentFg: '#ffffff',
  textDark: '#1f2933',
  textMedium: '#52606d',
  textLight: '#8a94a6',
  textHeader: '#1f2933',
  bgCell: '#ffffff',
  bgCellMedium: '#f7f8fa',
  bgHeader: '#f5f7f9',
  bgHeaderHasFocus: '#e8efec',
  bgHeaderHovered: '#eef2f4',
  borderColor: 'rgba(31, 41, 51, 0.09)',
  horizontalBorderColor: 'rgba(31, 41, 51, 0.06)',
  headerBottomBorderColor: 'rgba(31, 41, 51, 0.18)',
  fontFamily: FONT,
  baseFontStyle: '12.5px',
  headerFontStyle: '600 12.5px',
  editorFontSize: '12.5px',
  cellHorizontalPadding: 8,
  cellVerticalPadding: 3,
};

const ROW_HEIGHT = 26;
const HEADER_HEIGHT = 74;

/** Two frames: the scroll events of a scrollTop set now have been handled (they come before the frame's callbacks). */
const nextFrames = () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));

const indexTheme: Partial<Theme> = { textDark: '#8a94a6', bgCell: '#f7f8fa', baseFontStyle: '11.5px' };
const missingTheme: Partial<Theme> = { textDark: '#d4464b', baseFontStyle: 'italic 11.5px', bgCell: '#fff6f6' };
const emptyTheme: Partial<Theme> = { textDark: '#a7b0bc', baseFontStyle: '11.5px' };

/** The CSS font Glide draws a cell's text in: its theme's (or the cell's override's) style and family. */
const cellFont = (cell: GridCell) => `${cell.themeOverride?.baseFontStyle ?? theme.baseFontStyle} ${FONT}`;

/** One canvas for measuring text, made when first needed (the grid's own canvases are Glide's). */
let measureText: Measure | null = null;
function textMeasure(): Measure | null {
  if (!measureText) {
    const ctx = document.createElement('canvas').getContext('2d');
    if (ctx) measureText = canvasMeasure(ctx);
  }
  return measureText;
}

/** What a fitted width is kept by: the column, and the form its values are written in. */
const fitKey = (c: ColumnMeta) => `f\u0000${c.name}\u0000${c.type}\u0000${c.dateOnly === true}`;
/** The last width fitted to a column of this name, whatever its form: kept until its new form is measured. */
const lastFitKey = (name: string) => `n\u0000${name}`;

/** A column's width until its first rows have arrived and it is fitted to them (autosize.ts). */
function columnWidth(name: string, type: string): number {
  const base = type === 'string' ? 150 : type === 'datetime' ? 150 : 132;
  return Math.max(base, Math.min(280, name.length * 7.5 + 40));
}

const EMPTY_SELECTION: GridSelection = { rows: CompactSelection.empty(), columns: CompactSelection.empty() };

/**
 * `s` after the change `carry` describes: rows kept only while they name the same rows,
 * columns (grid column = data column + 1) moved to their new positions or dropped. The
 * same object when nothing changes.
 */
function carriedSelection(s: GridSelection, carry: ReturnType<typeof carrySelection>): GridSelection {
  const gridColumn = (c: number) => carryGridRange(c, 1, carry.column) ?? -1; // -1: gone
  const columns = s.columns.toArray();
  const moved = columns.map(gridColumn).filter((c) => c >= 0);
  const columnsSame = moved.length === columns.length && moved.every((c, i) => c === columns[i]);
  let current = s.current;
  if (current && !carry.rows) current = undefined;
  if (current) {
    const start = carryGridRange(current.range.x, current.range.width, carry.column);
    const [cx, cy] = current.cell;
    const cell = gridColumn(cx);
    if (start === undefined || cell < 0) current = undefined;
    else if (start !== current.range.x || cell !== cx) current = { ...current, cell: [cell, cy], range: { ...current.range, x: start }, rangeStack: [] };
  }
  const rowsSame = carry.rows || s.rows.length === 0;
  if (rowsSame && columnsSame && current === s.current) return s;
  return {
    rows: rowsSame ? s.rows : CompactSelection.empty(),
    columns: columnsSame ? s.columns : moved.reduce((acc, c) => acc.add(c), CompactSelection.empty()),
    current,
  };
}

/**
 * The spreadsheet: Glide Data Grid (canvas) over a SliceCache. Column 0 is the frozen row
 * position column (the server's `index`, so a filtered view shows original positions);
 * data column i is grid column i + 1.
 */
export const Grid = forwardRef<GridHandle, GridProps>(function Grid(props, ref) {
  const { client, columns, profiles, rows, view, version, totalRows } = props;
  const editor = useRef<DataEditorRef>(null);
  const host = useRef<HTMLDivElement>(null);
  /** Glide's own y (see scroll.ts) as its last visible region said, and the scrollTop it had read then. */
  const gridTop = useRef(0);
  const gridDomTop = useRef(0);
  /** The scroll under way (scrollRow); a newer one ends it. */
  const scrollJob = useRef(0);
  // Glide keeps the offset it made between its scroller and its own y while the grid was
  // taller than the browser allows (scroll.ts) after the rows change, and recomputes it only
  // while the grid is still that tall: a search down to 3,000 rows then stood at row 2M of
  // them, an empty grid Glide could not scroll out of (and the page hung painting it). A
  // new row count with an offset made is a new DataEditor, at the top.
  const scrollEpoch = useRef(0);
  const rowsSeen = useRef(rows);
  if (rowsSeen.current !== rows) {
    rowsSeen.current = rows;
    if (Math.abs(gridTop.current - gridDomTop.current) > 0.5) {
      scrollEpoch.current++;
      gridTop.current = 0;
      gridDomTop.current = 0;
    }
  }
  const region = useRef<Rectangle>({ x: 0, y: 0, width: 10, height: 40 });
  const firstRows = useRef(false);
  const onFirstRows = useRef(props.onFirstRows);
  onFirstRows.current = props.onFirstRows;
  // The latest props for callbacks handed to Glide: those stay the same function, so a
  // re-render (profiles arriving, another tab's change) never disturbs an open cell editor.
  const latest = useRef(props);
  latest.current = props;
  // Widths: those the person set by dragging, by column name (they win, and stay), and those
  // fitted to a column's header and first rows when its first block arrived (autosize.ts), by
  // fitKey: measured once per column and form of its values, so that a column does not change
  // width under the reader's eyes while scrolling, but one that now writes its values another
  // way (dates that got a time of day, numbers turned into text) is fitted to them again.
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [fitted, setFitted] = useState<Record<string, number>>({});
  const fittedKeys = useRef(new Set<string>());
  // Glide's accessibility tree (the cells' text for screen readers) is rebuilt only when the
  // grid re-renders, not on canvas repaints: a tick 200 ms after the last rows arrived gives
  // it the new text. Not during a scroll: the re-render repaints every cell, a frame's budget.
  const [dataTick, setDataTick] = useState(0);
  const tickTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleTick = useRef(() => {
    if (tickTimer.current) clearTimeout(tickTimer.current);
    tickTimer.current = setTimeout(() => {
      tickTimer.current = null;
      setDataTick((t) => t + 1);
    }, 200);
  });
  useEffect(() => () => void (tickTimer.current && clearTimeout(tickTimer.current)), []);
  const [selection, setSelection] = useState<GridSelection>(EMPTY_SELECTION);
  const selectionNow = useRef(selection);
  selectionNow.current = selection;
  // What the grid shows, and what it showed when the selection was made (see selection.ts).
  const shown = useRef<SelectionLayout>({ view: '', rowEpoch: client.rowEpoch, columns: [] });
  const selectionLayout = useRef<SelectionLayout>(shown.current);

  const cache = useMemo(
    () =>
      new SliceCache(client, (rowFrom, rowTo, colFrom, colTo) => {
        const r = region.current;
        const cells: { cell: Item }[] = [];
        const y0 = Math.max(rowFrom, r.y - 2);
        const y1 = Math.min(rowTo, r.y + r.height + 2);
        const x0 = Math.max(colFrom, r.x - 1);
        const x1 = Math.min(colTo, r.x + r.width + 1);
        for (let y = y0; y <= y1; y++) {
          cells.push({ cell: [0, y] });
          for (let x = x0; x <= x1; x++) cells.push({ cell: [x + 1, y] });
        }
        editor.current?.updateCells(cells);
        fitColumns.current(rowFrom, rowTo, colFrom, colTo);
        scheduleTick.current();
        if (!firstRows.current) {
          firstRows.current = true;
          // Painted on the next frame.
          requestAnimationFrame(() => onFirstRows.current?.());
        }
      }),
    [client],
  );
  const adopted = useRef(false);
  if (!adopted.current && props.firstBlock) {
    adopted.current = true;
    cache.adoptFirst(props.firstBlock);
  }

  const cellContent = useRef<(item: Item) => GridCell>(() => ({ kind: GridCellKind.Loading, allowOverlay: false }));

  /**
   * Fit the columns of a block that just arrived and have no width yet to their header and
   * the block's rows, as the grid writes them (cellContent: display forms, `null`, `""`).
   * Once per column and form (fitKey): a block of 100 × 40 cells costs a few ms, scrolling nothing.
   */
  const fitColumns = useRef((rowFrom: number, rowTo: number, colFrom: number, colTo: number) => {
    const measure = textMeasure();
    if (!measure) return;
    const found: Record<string, number> = {};
    for (let c = colFrom; c <= colTo; c++) {
      const name = cache.editTarget(rowFrom, c)?.column;
      const meta = latest.current.columns[c];
      // The block's column is the one the grid shows there now (not one a change has since moved).
      if (name === undefined || meta?.name !== name || fittedKeys.current.has(fitKey(meta))) continue;
      const shown: ShownText[] = [];
      for (let r = rowFrom; r <= rowTo; r++) {
        const cell = cellContent.current([c + 1, r]);
        if (cell.kind === GridCellKind.Text) shown.push({ text: cell.displayData, font: cellFont(cell) });
      }
      fittedKeys.current.add(fitKey(meta));
      found[fitKey(meta)] = found[lastFitKey(name)] = fitColumnWidth(headerWidth(meta, measure), shown, measure);
    }
    if (Object.keys(found).length > 0) setFitted((old) => ({ ...old, ...found }));
  });

  const viewKey = JSON.stringify(view);
  const lastViewKey = useRef<string | null>(null);
  useEffect(() => {
    // Same view, new data: keep showing the old cells until the new ones arrive.
    const sameView = lastViewKey.current === viewKey;
    lastViewKey.current = viewKey;
    cache.reset(view, rows, columns.length, sameView);
    editor.current?.updateCells([]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cache, viewKey, rows, columns.length, version]);

  // A new view, row layout or column list: the selection keeps only what still names the
  // same rows and columns (selection.ts), before anything can act on it.
  const columnNames = columns.map((c) => c.name).join('\u0000');
  useEffect(() => {
    shown.current = { view: viewKey, rowEpoch: client.rowEpoch, columns: columns.map((c) => c.name) };
    const carry = carrySelection(selectionLayout.current, shown.current);
    const s = selectionNow.current;
    const next = carriedSelection(s, carry);
    if (next !== s) onSelection(next);
    else selectionLayout.current = shown.current;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, viewKey, version, columnNames]);

  const gridColumns = useMemo<GridColumn[]>(() => {
    const digits = String(Math.max(totalRows - 1, 0)).length;
    const idx: GridColumn = { id: '__index', title: '#', width: Math.max(52, digits * 8 + 22), hasMenu: false };
    return [idx, ...columns.map((c) => ({ id: c.name, title: c.name, width: widths[c.name] ?? fitted[fitKey(c)] ?? fitted[lastFitKey(c.name)] ?? columnWidth(c.name, c.type), hasMenu: true }))];
  }, [columns, widths, fitted, totalRows]);

  // Glide repaints headers on its own only when the columns change: the profiles come later.
  useEffect(() => {
    editor.current?.updateCells(columns.map((_, i) => ({ cell: [i + 1, -1] as Item })));
  }, [profiles, columns]);

  const getCellContent = useCallback(
    ([col, row]: Item): GridCell => {
      if (col === 0) {
        const index = cache.indexOf(row);
        if (index === undefined) return { kind: GridCellKind.Loading, allowOverlay: false };
        return { kind: GridCellKind.Text, data: String(index), displayData: String(index), allowOverlay: false, readonly: true, contentAlign: 'right', themeOverride: indexTheme };
      }
      const meta = columns[col - 1];
      const { value, loaded } = cache.get(row, col - 1);
      if (!loaded || !meta) return { kind: GridCellKind.Loading, allowOverlay: false };
      let cell: GridCell;
      if (value === null || value === undefined) {
        cell = { kind: GridCellKind.Text, data: '', displayData: 'null', allowOverlay: true, readonly: false, themeOverride: missingTheme, copyData: '' };
      } else if (value === '') {
        cell = { kind: GridCellKind.Text, data: '', displayData: '""', allowOverlay: true, readonly: false, themeOverride: emptyTheme, copyData: '' };
      } else {
        const numeric = meta.type === 'int' || meta.type === 'float';
        cell = { kind: GridCellKind.Text, data: typeof value === 'string' ? value : String(value), displayData: display(value, meta.type, meta.dateOnly), allowOverlay: true, readonly: false, contentAlign: numeric ? 'right' : 'left' };
      }
      // An editor opens on the selected cell with this very object: it keeps what the cell
      // was then (column name, row position) for its commit, whatever moves meanwhile.
      const at = selectionNow.current.current?.cell;
      const target = at && at[0] === col && at[1] === row ? cache.editTarget(row, col - 1) : undefined;
      return target ? withEditTarget(cell, target) : cell;
    },
    // dataTick: a new function after rows arrive, so the accessibility tree is rebuilt.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [cache, columns, dataTick],
  );

  const scroller = useCallback(() => host.current?.querySelector<HTMLElement>('.dvn-scroller') ?? null, []);

  cellContent.current = getCellContent;

  const onVisibleRegionChanged = useCallback(
    (r: Rectangle, _tx: number, ty: number) => {
      // Glide's first row is floor(y / rowHeight) and ty how far up it is drawn: y, exactly.
      gridTop.current = r.y * ROW_HEIGHT - ty;
      gridDomTop.current = scroller()?.scrollTop ?? 0;
      region.current = { x: Math.max(0, r.x - 1), y: r.y, width: r.width, height: r.height };
      cache.setRegion(region.current);
    },
    [cache, scroller],
  );

  /**
   * Glide's scroller and where Glide last saw it (the scrollTop may have been set since, its
   * scroll event not yet handled); null before it is on the page.
   */
  const scrollState = useCallback((): { el: HTMLElement; s: ScrollState } | null => {
    const el = scroller();
    if (!el) return null;
    const client = el.clientHeight;
    const s = { domTop: gridDomTop.current, domMax: el.scrollHeight - client, top: gridTop.current, max: HEADER_HEIGHT + latest.current.rows * ROW_HEIGHT - client };
    return { el, s };
  }, []);

  /**
   * Scroll so that `row` is at the top, or (`nearest`) just in view. Glide's scrollTo is
   * wrong on a grid taller than the browser's tallest element (scroll.ts): this sets the
   * scroller itself, a step at a time, each after Glide has read the one before. Someone
   * else moving the scroller meanwhile (the scrollbar, the wheel) ends it. True when the
   * row is where it was asked to be.
   */
  const scrollRow = useCallback(
    async (row: number, align: 'top' | 'nearest'): Promise<boolean> => {
      const job = ++scrollJob.current;
      let set: number | undefined;
      for (let step = 0; step < 6; step++) {
        const at = scrollState();
        if (!at || job !== scrollJob.current || (set !== undefined && at.el.scrollTop !== set)) return false;
        const goal = goalFor(row, ROW_HEIGHT, at.s.top, at.el.clientHeight - HEADER_HEIGHT, align);
        if (goal === undefined || arrived(goal, at.s)) return true;
        const next = nextScrollTop(goal, at.s);
        if (next === at.s.domTop && next === at.el.scrollTop) return true; // as near as it gets
        at.el.scrollTop = next;
        set = at.el.scrollTop;
        await nextFrames();
      }
      return false;
    },
    [scrollState],
  );

  const onCellEdited = useCallback(
    ([col, row]: Item, value: EditableGridCell) => {
      if (col === 0 || value.kind !== GridCellKind.Text) return;
      // The cell its editor opened on; an edit made at once (paste, Delete) is about the cell there now.
      const target = editTargetOf(value) ?? cache.editTarget(row, col - 1);
      if (target === undefined) return;
      latest.current.onEdit(target, value.data);
    },
    [cache],
  );

  // Every change of the selection, Glide's or ours, goes through here: it is made on what the grid shows now.
  const onSelection = useCallback((s: GridSelection) => {
    setSelection(s);
    selectionNow.current = s;
    selectionLayout.current = shown.current;
    latest.current.onSelectionChange(s.rows.length, s.columns.toArray().filter((c) => c > 0).map((c) => c - 1));
  }, []);

  // Glide scrolls to the cell the keyboard moved to with its own scrollTo, which misses on a
  // very tall grid (scroll.ts). It has set the scroller when its key handler returns: where
  // that would take the grid is known then, and a miss is replaced before it is drawn. A
  // click is on a cell in view already.
  const onGridSelection = useCallback(
    (s: GridSelection) => {
      const before = selectionNow.current.current?.cell;
      onSelection(s);
      const cell = s.current?.cell;
      if (!cell || (before && before[1] === cell[1])) return;
      queueMicrotask(() => {
        const at = scrollState();
        if (!at || !compressed(at.s)) return;
        const top = topAfter(at.el.scrollTop, at.s);
        if (goalFor(cell[1], ROW_HEIGHT, top, at.el.clientHeight - HEADER_HEIGHT, 'nearest') !== undefined) void scrollRow(cell[1], 'nearest');
      });
    },
    [onSelection, scrollState, scrollRow],
  );

  /** Dataset positions of the rows of a selection: its selected rows, else its cell range's; all of them or none. */
  const rowsOf = useCallback(
    (s: GridSelection): SelectedRows => {
      const range = s.current?.range;
      const viewRows = s.rows.length > 0 ? s.rows : range ? Array.from({ length: range.height }, (_, k) => range.y + k) : [];
      return selectedRows(viewRows, (r) => cache.rowAt(r), client.rowEpoch);
    },
    [cache, client],
  );

  const drawHeader = useCallback<NonNullable<React.ComponentProps<typeof DataEditor>['drawHeader']>>(({ ctx, rect, columnIndex, isSelected, isHovered, menuBounds }, drawContent) => {
    if (columnIndex < 0) return drawContent(); // the row markers' select-all box
    if (columnIndex === 0) {
      ctx.fillStyle = '#8a94a6';
      ctx.font = `600 11px ${FONT}`;
      ctx.textBaseline = 'middle';
      ctx.fillText('#', rect.x + rect.width - 16, rect.y + 13);
      return;
    }
    const p = latest.current;
    const col = p.columns[columnIndex - 1];
    if (col) drawColumnHeader(ctx, rect, menuBounds, col, p.profiles.get(col.name), isSelected, isHovered, p.totalRows);
  }, []);

  const onHeaderMenuClick = useCallback((col: number, bounds: Rectangle) => col > 0 && latest.current.onHeaderMenu(col - 1, bounds), []);
  const onColumnResize = useCallback((c: GridColumn, w: number) => setWidths((old) => ({ ...old, [String(c.id)]: w })), []);
  const onHeaderContextMenu = useCallback((col: number, e: { bounds: Rectangle; preventDefault(): void }) => {
    if (col <= 0) return;
    e.preventDefault();
    latest.current.onHeaderMenu(col - 1, e.bounds);
  }, []);
  // As in a spreadsheet: a right-click inside the selection is about the selection; anywhere
  // else it selects the clicked cell first, and is about that cell's row.
  const onCellContextMenu = useCallback(
    ([col, row]: Item, e: { bounds: Rectangle; localEventX: number; localEventY: number; preventDefault(): void }) => {
      e.preventDefault();
      const s = selectionNow.current;
      const r = s.current?.range;
      const inside = s.rows.hasIndex(row) || (r !== undefined && col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height);
      let target = s;
      if (!inside) {
        target = { rows: CompactSelection.empty(), columns: CompactSelection.empty(), current: { cell: [col, row], range: { x: col, y: row, width: 1, height: 1 }, rangeStack: [] } };
        onSelection(target);
      }
      latest.current.onCellMenu(col - 1, row, rowsOf(target), client.rowEpoch, { ...e.bounds, x: e.bounds.x + e.localEventX, y: e.bounds.y + e.localEventY, width: 1, height: 1 });
    },
    [onSelection, rowsOf, client],
  );

  // Glide keeps focus on a hidden accessibility cell (a <td> inside its canvas) of the selected
  // cell, and moves it there one frame after a press; it remembers that cell only while it
  // owns the focus. Once the focus had left the grid (a side panel opened and closed), a
  // press on a cell sent the focus to the cell selected before, and when a re-render handed
  // it back there, Glide took that focus for a move and selected that old cell again: an
  // arrow key was lost, or text typed went to the old cell. Within a press, a focus going to
  // another cell than the one selected goes to the canvas instead (keys reach Glide there
  // just the same), before Glide hears of it; a focus moved by other means (a screen reader)
  // still selects its cell.
  useEffect(() => {
    let pressedAt = -Infinity;
    const press = (e: Event) => {
      if (host.current?.contains(e.target as Node)) pressedAt = performance.now();
    };
    const focus = (e: FocusEvent) => {
      const t = e.target as HTMLElement;
      const m = /^glide-cell-(\d+)-(\d+)$/.exec(t.id ?? '');
      if (!m || !host.current?.contains(t) || performance.now() - pressedAt > 1000) return;
      // An open cell editor takes such a focus back itself (cell-editor.tsx).
      if (document.querySelector('#portal textarea')) return;
      const cell = selectionNow.current.current?.cell;
      // Glide's ids count the row-marker column; its selection does not.
      if (cell && Number(m[1]) === cell[0] + 1 && Number(m[2]) === cell[1]) return;
      e.stopImmediatePropagation();
      host.current.querySelector<HTMLElement>('[data-testid="data-grid-canvas"]')?.focus({ preventScroll: true });
    };
    document.addEventListener('pointerdown', press, true);
    document.addEventListener('focusin', focus, true);
    return () => {
      document.removeEventListener('pointerdown', press, true);
      document.removeEventListener('focusin', focus, true);
    };
  }, []);

  // Where a cell or header (row -1) of data column `col` is on the page: for automation
  // (the browser tests and the bench drive the canvas with real mouse events).
  useEffect(() => {
    const w = window as unknown as { willowGrid?: unknown };
    w.willowGrid = {
      bounds: (col: number, row: number) => editor.current?.getBounds(col + 1, row),
      indexBounds: (row: number) => editor.current?.getBounds(0, row),
      showColumn: (col: number) => editor.current?.scrollTo(col + 1, 0, 'horizontal', 0, 0, { hAlign: 'center' }),
      loadedBlocks: () => cache.loadedCount,
      rowLoaded: (row: number) => cache.indexOf(row) !== undefined,
      // The selected cell as [data column, row], or null.
      currentCell: () => {
        const cell = selectionNow.current.current?.cell;
        return cell ? [cell[0] - 1, cell[1]] : null;
      },
      lastError: () => cache.lastError,
      // What the canvas writes in a cell (the accessibility tree has the value itself).
      shownText: (col: number, row: number) => {
        const cell = cellContent.current([col + 1, row]);
        return cell.kind === GridCellKind.Text ? cell.displayData : null;
      },
    };
    return () => {
      delete w.willowGrid;
    };
  }, [cache]);

  useImperativeHandle(
    ref,
    () => ({
      scrollToRow(row: number, select = false) {
        if (rows === 0) return;
        const r = Math.max(0, Math.min(rows - 1, row));
        if (select && columns.length > 0) {
          // Glide scrolls to a new current cell with its own scrollTo, as it renders it: the
          // render is made now, and scrollRow replaces that scroll before it is drawn.
          flushSync(() => onSelection({ rows: CompactSelection.empty(), columns: CompactSelection.empty(), current: { cell: [1, r], range: { x: 1, y: r, width: 1, height: 1 }, rangeStack: [] } }));
          editor.current?.focus();
        }
        void scrollRow(r, 'top');
      },
      selectedRowIndices() {
        return rowsOf(selection);
      },
      selectedColumns() {
        const cols = selection.columns.toArray().filter((c) => c > 0).map((c) => c - 1);
        if (cols.length === 0 && selection.current) {
          const { x, width } = selection.current.range;
          for (let c = x; c < x + width; c++) if (c > 0) cols.push(c - 1);
        }
        return cols;
      },
      clearSelection() {
        onSelection(EMPTY_SELECTION);
      },
      focus() {
        editor.current?.focus();
      },
      busy() {
        return cache.busy();
      },
    }),
    [cache, rows, columns.length, selection, rowsOf, onSelection, scrollRow],
  );

  return (
    <div ref={host} className="grid-host">
      <DataEditor
        key={scrollEpoch.current}
        ref={editor}
        className="grid"
        width="100%"
        height="100%"
        theme={theme}
        columns={gridColumns}
        rows={rows}
        getCellContent={getCellContent}
        getCellsForSelection={true}
        freezeColumns={1}
        rowMarkers="checkbox"
        rowHeight={ROW_HEIGHT}
        headerHeight={HEADER_HEIGHT}
        smoothScrollX
        smoothScrollY
        overscrollX={0}
        gridSelection={selection}
        onGridSelectionChange={onGridSelection}
        rowSelectionMode="multi"
        onVisibleRegionChanged={onVisibleRegionChanged}
        onCellEdited={onCellEdited}
        provideEditor={provideCellEditor}
        onColumnResize={onColumnResize}
        onHeaderMenuClick={onHeaderMenuClick}
        onHeaderContextMenu={onHeaderContextMenu}
        onCellContextMenu={onCellContextMenu}
        drawHeader={drawHeader}
      />
    </div>
  );
});

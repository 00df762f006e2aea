import { dataResult, dataSlice } from '../../../src/protocol/messages.ts';
import type { WillowClient } from '../api.ts';
import type { ViewParams } from '../view.ts';
import type { EditTarget } from '../edit.ts';
import type { RowPlace } from '../selection.ts';
import { parseExact } from '../exact-json.ts';

/** Rows per `data` request: a screenful and a bit, small enough to come back in a few ms. */
export const ROW_BLOCK = 100;
/** Columns per `data` request, so a wide dataset only reads the columns on screen. */
export const COL_BLOCK = 40;
/** Blocks kept: about 25k rows of 40 columns. */
const MAX_BLOCKS = 250;
/** Requests in flight at once; the rest wait, and are dropped if they scroll out of view. */
const MAX_IN_FLIGHT = 3;

interface Block {
  index: number[];
  data: unknown[][];
  /** The names of the block's columns, as the slice had them. */
  columns: string[];
  /** The row layout its positions belong to (WillowClient.rowEpoch when it was asked for). */
  rowEpoch: number;
}

/** A slice's answer and the row layout it was asked for in. */
export type Prefetched = Promise<{ data: string; rowEpoch: number }>;

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The rows of the grid, fetched on demand by blocks of ROW_BLOCK × COL_BLOCK cells. Only the
 * visible region and one block around it is asked for; blocks still waiting when the view
 * moves on are never sent. A new version or view (`reset`) keeps the old blocks on screen
 * as stale ones until their fresh copies arrive, so a change elsewhere does not blank the grid.
 */
export class SliceCache {
  private blocks = new Map<string, Block>();
  private stale = new Map<string, Block>();
  private inFlight = new Set<string>();
  private queue: string[] = [];
  private generation = 0;
  private view: ViewParams = {};
  private rows = 0;
  private columns = 0;
  private region: Region = { x: 0, y: 0, width: 1, height: 1 };
  private client: WillowClient;
  private onLoaded: (rowFrom: number, rowTo: number, colFrom: number, colTo: number) => void;
  /** Called once a block arrives after reset (for "first rows painted" timing). */
  loadedCount = 0;
  lastError: string | null = null;

  constructor(client: WillowClient, onLoaded: (rowFrom: number, rowTo: number, colFrom: number, colTo: number) => void) {
    this.client = client;
    this.onLoaded = onLoaded;
  }

  /** A new shape or view: everything is fetched again; old blocks stay visible as stale. */
  reset(view: ViewParams, rows: number, columns: number, keepStale: boolean): void {
    this.generation++;
    this.stale = keepStale ? new Map([...this.stale, ...this.blocks].slice(-MAX_BLOCKS)) : new Map();
    this.blocks = new Map();
    this.queue = [];
    this.inFlight.clear();
    this.view = view;
    this.rows = rows;
    this.columns = columns;
    this.schedule();
  }

  setRegion(region: Region): void {
    this.region = region;
    this.schedule();
  }

  /** Slices asked for and not yet here: other reads should wait (one queue per session). */
  busy(): boolean {
    return this.inFlight.size > 0 || this.queue.length > 0;
  }

  private key(rb: number, cb: number): string {
    return `${rb}:${cb}`;
  }

  /** The block showing a cell (fresh, or stale until its fresh copy arrives), and the cell's row and column in it. */
  private locate(row: number, col: number): { block: Block; r: number; c: number } | undefined {
    const rb = Math.floor(row / ROW_BLOCK);
    const cb = Math.floor(col / COL_BLOCK);
    const k = this.key(rb, cb);
    const block = this.blocks.get(k) ?? this.stale.get(k);
    return block && { block, r: row - rb * ROW_BLOCK, c: col - cb * COL_BLOCK };
  }

  /** The cell's value (undefined while loading) and its row's position in the dataset. */
  get(row: number, col: number): { value: unknown; index: number | undefined; loaded: boolean } {
    const at = this.locate(row, col);
    if (!at || at.r >= at.block.data.length) return { value: undefined, index: undefined, loaded: false };
    return { value: at.block.data[at.r][at.c], index: at.block.index[at.r], loaded: true };
  }

  /**
   * The cell as the slice that shows it named it: its column's name, its row's position in
   * the dataset and the row layout of that position. A stale block (shown until its fresh copy
   * arrives) answers for what it shows, not for the columns and rows of now.
   */
  editTarget(row: number, col: number): EditTarget | undefined {
    const at = this.locate(row, col);
    const column = at?.block.columns[at.c];
    if (!at || at.r >= at.block.index.length || column === undefined) return undefined;
    return { column, row: at.block.index[at.r], rowEpoch: at.block.rowEpoch };
  }

  /** The dataset position of a row of the view and the row layout it was read in, when its block is here. */
  rowAt(row: number): RowPlace | undefined {
    const rb = Math.floor(row / ROW_BLOCK);
    const block = this.blocks.get(this.key(rb, 0)) ?? this.stale.get(this.key(rb, 0));
    const index = block?.index[row - rb * ROW_BLOCK];
    return block && index !== undefined ? { index, rowEpoch: block.rowEpoch } : undefined;
  }

  /** The dataset position of a row of the view, when its block is here. */
  indexOf(row: number): number | undefined {
    return this.rowAt(row)?.index;
  }

  private wanted(): string[] {
    if (this.rows === 0 || this.columns === 0) return [];
    const { x, y, width, height } = this.region;
    const rb0 = Math.max(0, Math.floor(y / ROW_BLOCK) - 1);
    const rb1 = Math.min(Math.floor((this.rows - 1) / ROW_BLOCK), Math.floor((y + height) / ROW_BLOCK) + 1);
    const cb0 = Math.max(0, Math.floor(x / COL_BLOCK));
    const cb1 = Math.min(Math.floor((this.columns - 1) / COL_BLOCK), Math.floor((x + width) / COL_BLOCK));
    const mid = Math.floor((y + height / 2) / ROW_BLOCK);
    const keys: { k: string; d: number }[] = [];
    for (let rb = rb0; rb <= rb1; rb++) for (let cb = cb0; cb <= cb1; cb++) keys.push({ k: this.key(rb, cb), d: Math.abs(rb - mid) });
    // The visible blocks first, nearest the middle of the screen first.
    return keys.sort((a, b) => a.d - b.d).map((e) => e.k);
  }

  private schedule(): void {
    const wanted = this.wanted();
    this.queue = wanted.filter((k) => !this.blocks.has(k) && !this.inFlight.has(k));
    while (this.inFlight.size < MAX_IN_FLIGHT && this.queue.length) this.fetch(this.queue.shift()!);
    this.evict(new Set(wanted));
  }

  private evict(keep: Set<string>): void {
    if (this.blocks.size <= MAX_BLOCKS) return;
    for (const k of this.blocks.keys()) {
      if (this.blocks.size <= MAX_BLOCKS) break;
      if (!keep.has(k)) this.blocks.delete(k);
    }
  }

  private prefetched: Prefetched | null = null;

  /**
   * The first block of the unfiltered dataset, asked for before its shape is known (the
   * server clamps the column range): it travels with the metadata request instead of after it.
   */
  static prefetchFirst(client: WillowClient): Prefetched {
    return SliceCache.slice(client, { rowIndexFrom: 0, rowIndexTo: ROW_BLOCK - 1, columnIndexFrom: 0, columnIndexTo: COL_BLOCK - 1 });
  }

  /** A `data` request, with the row layout it is asked for in. */
  private static slice(client: WillowClient, params: Record<string, unknown>): Prefetched {
    const rowEpoch = client.rowEpoch;
    return client.request('data', params, dataResult).then(({ data }) => ({ data, rowEpoch }));
  }

  /** Use a prefetched first block (see prefetchFirst) for block 0:0 of the first, unfiltered view. */
  adoptFirst(request: Prefetched): void {
    this.prefetched = request;
  }

  private fetch(k: string): void {
    const [rb, cb] = k.split(':').map(Number);
    const gen = this.generation;
    const rowFrom = rb * ROW_BLOCK;
    const rowTo = Math.min(this.rows - 1, rowFrom + ROW_BLOCK - 1);
    const colFrom = cb * COL_BLOCK;
    const colTo = Math.min(this.columns - 1, colFrom + COL_BLOCK - 1);
    this.inFlight.add(k);
    const prefetched = k === '0:0' && Object.keys(this.view).length === 0 ? this.prefetched : null;
    this.prefetched = null;
    (prefetched ?? SliceCache.slice(this.client, { rowIndexFrom: rowFrom, rowIndexTo: rowTo, columnIndexFrom: colFrom, columnIndexTo: colTo, ...this.view }))
      .then((res) => {
        if (gen !== this.generation) return;
        // parseExact: an int64 cell beyond 2^53 keeps its digits (a string), for the grid and its editor.
        const slice = dataSlice.parse(parseExact(res.data));
        this.blocks.delete(k); // re-insert: Map order is the eviction order
        this.blocks.set(k, { index: slice.index, data: slice.data, columns: slice.columns, rowEpoch: res.rowEpoch });
        this.stale.delete(k);
        this.loadedCount++;
        this.lastError = null;
        this.onLoaded(rowFrom, rowTo, colFrom, colTo);
      })
      .catch((err: Error) => {
        if (gen === this.generation) this.lastError = err.message;
      })
      .finally(() => {
        if (gen !== this.generation) return;
        this.inFlight.delete(k);
        this.schedule();
      });
  }
}

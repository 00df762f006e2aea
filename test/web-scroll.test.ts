import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrived, goalFor, nextScrollTop, topAfter, type ScrollState } from '../web/src/grid/scroll.ts';

// Going to a row of a grid taller than the browser's tallest element (web/src/grid/scroll.ts).
// The scroller below behaves as Glide Data Grid 6.0.3's InfiniteScroller.onScroll does.

const ROW = 26;
const HEADER = 74;
const CLIENT = 700;
const BROWSER_MAX = 33_554_428; // Chromium's tallest element

class GlideScroller {
  dom = 0;
  offset = 0;
  readonly max: number;
  readonly domMax: number;
  constructor(rows: number) {
    const content = HEADER + rows * ROW;
    this.max = content - CLIENT;
    this.domMax = Math.min(content, BROWSER_MAX) - CLIENT;
  }
  get top() {
    return this.dom + this.offset;
  }
  get state(): ScrollState {
    return { domTop: this.dom, domMax: this.domMax, top: this.top, max: this.max };
  }
  /** The browser moves the scroller (clamped) and Glide's scroll handler runs. */
  scrollTo(dom: number) {
    const newY = Math.min(this.domMax, Math.max(0, Math.round(dom)));
    const delta = this.dom - newY;
    if (this.max > this.domMax + 5 && (Math.abs(delta) > 2000 || newY === 0 || newY === this.domMax)) {
      this.offset = this.max * (newY / this.domMax) - newY;
    }
    this.dom = newY;
  }
  /** Glide's own DataEditor.scrollTo for a row at the top: the distance in grid pixels, as scroller pixels. */
  glideScrollToRow(row: number) {
    this.scrollTo(this.dom + (row * ROW - this.top));
  }
  firstRow() {
    return Math.floor(this.top / ROW);
  }
  /** What the grid does now: one step at a time, each after the scroll it caused. */
  goTo(row: number) {
    const goal = goalFor(row, ROW, this.top, CLIENT - HEADER, 'top')!;
    let steps = 0;
    while (!arrived(goal, this.state) && steps < 6) {
      this.scrollTo(nextScrollTop(goal, this.state));
      steps++;
    }
    return steps;
  }
}

test("Glide's own scrollTo lands in proportion on a 2M-row grid (the trial's wrong rows)", () => {
  const g = new GlideScroller(2_000_000);
  g.glideScrollToRow(500_000);
  assert.ok(g.firstRow() > 770_000, `row ${g.firstRow()}`);
  // From there a nearer row is off by the offset the jump left.
  g.glideScrollToRow(500_050);
  assert.notEqual(g.firstRow(), 500_050);
});

for (const rows of [100_000, 2_000_000, 3_000_000, 10_000_000]) {
  test(`go to any row of ${rows.toLocaleString('en-US')}, from anywhere: it is the first row shown`, () => {
    const g = new GlideScroller(rows);
    const lastTop = Math.floor(g.max / ROW); // the last screenful cannot start lower
    const targets = [100, 1_000_000, 1_234_567, 1_234_600, 1_236_000, 5, rows - 1, rows - 30, 0, 777_777, Math.floor(rows / 2), 2_000 , 1_500_000];
    for (const row of targets.filter((r) => r < rows)) {
      const steps = g.goTo(row);
      assert.ok(steps <= 3, `row ${row} in ${steps} steps`);
      assert.equal(g.firstRow(), Math.min(row, lastTop), `row ${row} (offset ${g.offset})`);
      if (row >= lastTop) assert.equal(g.top, g.max, 'the last row is at the bottom');
    }
  });
}

test('after a wheel scroll (one to one) the offset is kept, and a jump near here still lands exactly', () => {
  const g = new GlideScroller(3_000_000);
  g.goTo(2_000_000);
  for (let i = 0; i < 50; i++) g.scrollTo(g.dom - 100); // small moves: one to one
  assert.equal(g.firstRow(), Math.floor((2_000_000 * ROW - 5000) / ROW));
  for (const row of [2_000_000, 1_999_000, 1_999_990, 1_990_000]) {
    g.goTo(row);
    assert.equal(g.firstRow(), row);
  }
});

test('the proportional place too near to jump to: a step beside it first', () => {
  const g = new GlideScroller(2_000_000);
  // Wheeled down from the top, one to one: the grid's y is the scroller's, far below where
  // a jump from here would put it.
  while (g.dom < 10_000_000) g.scrollTo(g.dom + 1900);
  const s = g.state;
  const row = Math.round(((g.dom + 1000) * g.max) / g.domMax / ROW);
  const first = nextScrollTop(row * ROW, s);
  assert.ok(Math.abs(first - g.dom) > 2000, 'a jump');
  assert.equal(g.goTo(row) <= 3, true);
  assert.equal(g.firstRow(), row);
});

test('topAfter follows Glide: one to one for small moves, in proportion for jumps and at the ends', () => {
  const s: ScrollState = { domTop: 1_000_000, domMax: 33_000_000, top: 1_500_000, max: 52_000_000 };
  assert.equal(topAfter(1_001_000, s), 1_501_000);
  assert.equal(topAfter(2_000_000, s), (2_000_000 * 52) / 33);
  assert.equal(topAfter(33_000_000, s), 52_000_000);
  assert.equal(topAfter(0, s), 0);
  const flat: ScrollState = { domTop: 0, domMax: 2_000_000, top: 0, max: 2_000_000 };
  assert.equal(topAfter(1_500_000, flat), 1_500_000, 'a grid that fits: always one to one');
});

test('goalFor: the row at the top, or just inside the nearest edge, or nothing when in view', () => {
  assert.equal(goalFor(1000, ROW, 0, 520, 'top'), 26_000);
  assert.equal(goalFor(10, ROW, 0, 520, 'nearest'), undefined);
  assert.equal(goalFor(30, ROW, 0, 520, 'nearest'), 31 * ROW - 520);
  assert.equal(goalFor(3, ROW, 1000, 520, 'nearest'), 78);
});

// Faults a user trial found on a large dataset, driven through the page in headless Chromium
// against a real server: "Go to row" landed on other rows once the grid was taller than the
// browser's tallest element (2M rows × 26 px); a datetime column showed some values as dates
// and others with times (one form per column, dates alone only when all of it is at midnight); Analyze listed every tied mode. Screenshots go to test/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type TestServer } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';
import { sessionFromSelect } from './helpers/engine.ts';
import { CHROMIUM_ARGS, until } from './helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const ROWS = 3_000_000; // 78M px of rows: over twice Chromium's 33.5M px
const TIED = 100_000;

let server: TestServer;
let client: WillowClient;
let browser: Browser;
let page: Page;
let big = '';
const pageErrors: string[] = [];

before(async () => {
  const build = spawnSync(process.execPath, ['scripts/build-web.ts', '--if-stale'], { stdio: 'inherit', cwd: path.resolve(import.meta.dirname, '..') });
  assert.equal(build.status, 0, 'the web client builds');
  await fs.mkdir(ARTIFACTS, { recursive: true });
  server = await startServer();
  client = await connect(server.url);
  // `when`: every 4 hours from 2020-01-01, so midnight is one value in six; `day`: midnight only.
  big = await sessionFromSelect(
    server.gateway.runtime,
    `SELECT i AS id, i % ${TIED} AS grp, TIMESTAMP '2020-01-01' + to_hours(i * 4) AS "when", TIMESTAMP '2020-01-01' + to_days(i % 1000) AS day FROM range(${ROWS}) t(i)`,
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}/s/${big}`);
  await until('row count', () => page.getByTestId('row-count').textContent(), (t) => t === `${ROWS.toLocaleString('en-US')} rows`);
  await until('first row', () => indexText(0), (t) => t === '0');
});

after(async () => {
  await browser?.close();
  client?.close();
  await server?.close();
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

/** Text of a cell from the grid's accessibility tree (data column `col`, view row `row`), null when not drawn. */
async function cellText(col: number, row: number): Promise<string | null> {
  const el = page.locator(`#glide-cell-${col + 2}-${row}`);
  return (await el.count()) ? el.textContent() : null;
}
const indexText = (row: number) => cellText(-1, row);
/** What the canvas writes in a cell (the accessibility tree has the value, not its display). */
const shownText = (col: number, row: number) => page.evaluate(([c, r]) => (globalThis as any).willowGrid.shownText(c, r) as string | null, [col, row]);

/** The view rows the grid draws now (its accessibility tree has one entry per drawn row). */
const drawnRows = () =>
  page.evaluate(() => [...(globalThis as any).document.querySelectorAll('[id^="glide-cell-1-"]')].map((e: { id: string }) => Number(e.id.slice('glide-cell-1-'.length))) as number[]);

/** Wait until `row` is the first row drawn (or, near the end, drawn) and shows its own position. */
async function shownAtTop(row: number, what: string): Promise<void> {
  await until(
    what,
    async () => ({ first: Math.min(...(await drawnRows())), index: await indexText(row) }),
    (v) => v.index === String(row) && (v.first === row || row > ROWS - 20),
    15_000,
  ).catch(async (err) => {
    await shot(`failed-goto-${row}`);
    throw err;
  });
}

async function goTo(text: string): Promise<void> {
  const input = page.getByTestId('goto-row');
  await input.fill(text);
  await input.press('Enter');
}

test('go to row on a 3M-row grid: each row asked for is the first row shown, with its own values', async () => {
  for (const row of [100, 1_000_000, 1_234_567, 1_234_600, 2_000_000, 7]) {
    await goTo(String(row));
    await shownAtTop(row, `row ${row} at the top`);
    assert.equal(await cellText(0, row), String(row), `row ${row}'s id`);
  }
  await goTo('1,234,567'); // as the row count is written
  await shownAtTop(1_234_567, 'row 1,234,567 typed with separators');
  await shot('30-goto-1234567');
  await page.getByTestId('goto-last').click();
  await shownAtTop(ROWS - 1, 'the last row');
  assert.equal(await cellText(0, ROWS - 1), String(ROWS - 1));
  await shot('31-last-of-3m');
});

test('the keyboard moves on from the row gone to, also after the scrollbar took the grid elsewhere', async () => {
  const row = 1_234_567;
  await goTo(String(row));
  await shownAtTop(row, 'the row gone to');
  // Its first cell is the current one and the grid has the keys.
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await until('row + 3 drawn', () => indexText(row + 3), (t) => t === String(row + 3));
  // Dragging the scrollbar's thumb a quarter of the way: the grid shows the rows there.
  await page.evaluate(() => {
    const el = (globalThis as any).document.querySelector('.dvn-scroller');
    el.scrollTop = (el.scrollHeight - el.clientHeight) / 4;
  });
  await until('rows a quarter of the way down', drawnRows, (rows) => rows.length > 0 && Math.abs(Math.min(...rows) - ROWS / 4) < ROWS / 100);
  const first = Math.min(...(await drawnRows()));
  await until('the rows there, loaded', () => indexText(first + 2), (t) => t === String(first + 2));
  // A key brings the current cell (row + 4 now) back into view, not somewhere in between.
  await page.keyboard.press('ArrowDown');
  await until('row + 4 in view', () => indexText(row + 4), (t) => t === String(row + 4), 10_000).catch(async (err) => {
    await shot('failed-keyboard-return');
    throw new Error(`${err.message}; drawn from ${Math.min(...(await drawnRows()))}`);
  });
  assert.equal(await cellText(0, row + 4), String(row + 4));
});

test('a datetime column shows date and time for every value, midnight or not; one of dates alone shows dates, as the CSV writes it', async () => {
  await page.getByTestId('goto-row').fill('0');
  await page.getByTestId('goto-row').press('Enter');
  await shownAtTop(0, 'the first rows');
  // `when` (data column 2): midnight, then 04:00 … 20:00, then midnight again.
  const when = await Promise.all([0, 1, 5, 6].map((r) => shownText(2, r)));
  assert.deepEqual(when, ['2020-01-01 00:00:00', '2020-01-01 04:00:00', '2020-01-01 20:00:00', '2020-01-02 00:00:00']);
  // `day` is all midnights over its 2M rows (metadata's dateOnly): dates alone on every row.
  assert.deepEqual(await Promise.all([0, 1].map((r) => shownText(3, r))), ['2020-01-01', '2020-01-02']);
  await shot('32-datetime-column');
});

test('Analyze on a column of 100,000 tied values lists the first ten modes and says how many more', async () => {
  const b = await page.evaluate(() => (globalThis as any).willowGrid.bounds(1, -1));
  await page.mouse.click(b.x + b.width - 15, b.y + b.height / 2);
  await page.getByTestId('menu-analyze').click();
  const mode = page.getByTestId('analyze-mode');
  await mode.waitFor({ timeout: 60_000 });
  const text = (await mode.textContent()) ?? '';
  assert.match(text, /^Mode0, 1, 2, 3, 4, 5, 6, 7, 8, 9 … and 99,990 more$/);
  await shot('33-analyze-tied-modes');
});

test('a search down to a few rows, from deep in the tall grid: the grid shows them', async () => {
  await page.getByTestId('goto-row').fill('2000000');
  await page.getByTestId('goto-row').press('Enter');
  await shownAtTop(2_000_000, 'row 2,000,000');
  const search = page.getByPlaceholder('Search…');
  await search.fill('1234567');
  await search.press('Enter');
  await until('the view', () => page.getByTestId('row-count').textContent(), (t) => t === `1 of ${ROWS.toLocaleString('en-US')} rows`);
  await until('its row drawn', async () => ({ drawn: await drawnRows(), index: await indexText(0) }), (v) => v.index === '1234567' && v.drawn.length === 1, 10_000).catch(async (err) => {
    await shot('failed-search-after-goto');
    throw err;
  });
  await shot('34-search-after-goto');
});

// The web client end to end, in real headless Chromium against a real server: what a person
// does, through the page (file chooser, mouse on the grid's canvas, forms, keyboard), with
// the server's own state as the reference. Screenshots of each screen go to test/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, uploadOk, type TestServer } from './helpers/server.ts';
import { connect, type WillowClient } from './helpers/client.ts';
import { sessionFromSelect } from './helpers/engine.ts';
import { messyCsv } from './helpers/messy.ts';
import { CHROMIUM_ARGS, until } from './helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');
const MESSY_ROWS = 3000;

let server: TestServer;
let client: WillowClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let tmp: string;
let messyFile: string;
let sessionID = '';
const pageErrors: string[] = [];

before(async () => {
  // The page is the production build: made here when missing or older than its sources.
  const build = spawnSync(process.execPath, ['scripts/build-web.ts', '--if-stale'], { stdio: 'inherit', cwd: path.resolve(import.meta.dirname, '..') });
  assert.equal(build.status, 0, 'the web client builds');
  await fs.mkdir(ARTIFACTS, { recursive: true });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-e2e-'));
  messyFile = path.join(tmp, 'customers.csv');
  await fs.writeFile(messyFile, messyCsv(MESSY_ROWS));
  server = await startServer({ QUEUE_CONCURRENCY: 2 });
  client = await connect(server.url);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1440, height: 880 }, acceptDownloads: true });
  page = await newPage();
});

after(async () => {
  await browser?.close();
  client?.close();
  await server?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  const p = await context.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  return p;
}

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

/** Text of a data cell (data column `col`, view row `row`) from the grid's accessibility tree. */
async function cellText(p: Page, col: number, row: number): Promise<string | null> {
  const el = p.locator(`#glide-cell-${col + 2}-${row}`);
  return (await el.count()) ? el.textContent() : null;
}
const indexText = async (p: Page, row: number) => {
  const el = p.locator(`#glide-cell-1-${row}`);
  return (await el.count()) ? el.textContent() : null;
};

const rowCount = (p: Page) => p.getByTestId('row-count').textContent();

async function metadata(id = sessionID) {
  const m = await client.request('metadata', id);
  assert.equal(m.success, true, m.errorDescription);
  return m;
}
async function serverRows(id = sessionID, from = 0, to = 10) {
  const r = await client.request('data', id, { rowIndexFrom: from, rowIndexTo: to, columnIndexFrom: 0, columnIndexTo: 1000 });
  assert.equal(r.success, true, r.errorDescription);
  return JSON.parse(r.data) as { columns: string[]; index: number[]; data: unknown[][] };
}

/** Open a column's menu with the mouse, on the header's caret. */
async function columnMenu(p: Page, name: string, id = sessionID): Promise<void> {
  const m = await metadata(id);
  const col = m.columns.indexOf(name);
  assert.ok(col >= 0, `column ${name} exists`);
  // Scrolled into view first, as a person would.
  await p.evaluate((c) => (globalThis as any).willowGrid.showColumn(c), col);
  await p.waitForTimeout(100);
  const b = await p.evaluate((c) => (globalThis as any).willowGrid.bounds(c, -1), col);
  await p.mouse.click(b.x + b.width - 15, b.y + b.height / 2);
  try {
    await p.locator('.menu').waitFor({ timeout: 5000 });
  } catch (err) {
    await shot(p, `failed-menu-${name}`);
    throw err;
  }
}

/** Apply a change and wait until the server and the page show its version. */
async function waitForVersion(p: Page, changed: (m: any) => boolean) {
  const m = await until('the change on the server', () => metadata(), changed);
  await until('the page to show the new shape', () => rowCount(p), (t) => t?.includes(m.dataSize.rows.toLocaleString('en-US')) ?? false);
  await until('no operation running', () => p.getByTestId('running').count(), (n) => n === 0);
  return m;
}

test('upload a messy file through the page: progress, then the grid with its rows', async () => {
  await page.goto(server.url);
  await shot(page, '01-start');
  // Record what the progress area shows while the file goes up and is imported.
  await page.evaluate(() => {
    (globalThis as any).__phases = [];
    new (globalThis as any).MutationObserver(() => {
      const doc = (globalThis as any).document;
      const box = doc.querySelector('.progress-box');
      const bar = doc.querySelector('[role=progressbar]');
      if (box) (globalThis as any).__phases.push(`${box.getAttribute('data-phase')}:${bar?.getAttribute('aria-valuenow')}`);
    }).observe((globalThis as any).document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByTestId('file-input').setInputFiles(messyFile);
  await page.waitForURL(/\/s\/[0-9a-f]{30}$/, { timeout: 60_000 });
  sessionID = page.url().split('/s/')[1];
  const phases: string[] = await page.evaluate(() => (globalThis as any).__phases);
  assert.ok(phases.some((p) => p.startsWith('sending') || p.startsWith('importing')), `the progress bar was shown (${phases.join(', ')})`);
  assert.ok(phases.some((p) => p === 'importing:100' || p === 'sending:100'), 'it reached the end of the bytes');

  const m = await metadata();
  await until('row count', () => rowCount(page), (t) => t === `${m.dataSize.rows.toLocaleString('en-US')} rows`);
  const server0 = await serverRows(sessionID, 0, 3);
  await until('first cells', () => cellText(page, 1, 0), (t) => t === server0.data[0][1]);
  assert.equal(await indexText(page, 0), '0');
  assert.equal(await cellText(page, 0, 2), String(server0.data[2][0]));
  // A missing value has no text (the canvas draws it as a red "null", see the screenshot).
  const missingRow = (await serverRows(sessionID, 0, 40)).data.findIndex((r) => r[3] === null);
  assert.ok(missingRow >= 0);
  await until('a missing city', () => cellText(page, 3, missingRow), (t) => t === '');
  // Recent sessions remember it.
  const recent = await page.evaluate(() => localStorage.getItem('willow.recentSessions'));
  assert.match(recent ?? '', new RegExp(sessionID));
  await page.waitForTimeout(600); // profiles of the header bars
  await shot(page, '02-grid');
});

test('apply operations through column menus and forms, edit a cell, run SQL', async () => {
  let m = await metadata();
  // 1. Find and replace with a regex (matchRegex), from the city column's menu.
  await columnMenu(page, 'city');
  await shot(page, '03-column-menu');
  await page.getByTestId('op-findReplace').click();
  const form = page.locator('form.op-form[data-operation=findReplace]');
  await form.locator('textarea[name=toReplace]').fill('^\\s*[Bb]erlin\\s*$');
  await form.locator('textarea[name=replaceWith]').fill('Berlin');
  await form.locator('input[name=matchRegex]').check();
  await shot(page, '04-operation-form');
  await form.getByRole('button', { name: 'Apply' }).click();
  m = await waitForVersion(page, (x) => x.undoAvailable);
  const cities = (await serverRows(sessionID, 0, 2000)).data.map((r) => r[3]);
  assert.ok(!cities.includes('berlin ') && cities.includes('Berlin'), 'berlin variants replaced');

  // 2. Split a column (adds columns).
  await columnMenu(page, 'email');
  await page.getByTestId('op-splitColumn').click();
  const split = page.locator('form.op-form[data-operation=splitColumn]');
  await split.locator('input[name=delimiter]').fill('@');
  await split.getByRole('button', { name: 'Apply' }).click();
  m = await waitForVersion(page, (x) => x.columns.includes('email_1'));
  assert.deepEqual(m.columns.slice(2, 5), ['email', 'email_0', 'email_1']);

  // 3. Fill missing prices with the mean (a choice).
  await columnMenu(page, 'price');
  await page.getByTestId('op-fillWithAverage').click();
  const fill = page.locator('form.op-form[data-operation=fillWithAverage]');
  await fill.locator('select[name=metric]').selectOption('mean');
  await fill.getByRole('button', { name: 'Apply' }).click();
  m = await waitForVersion(page, (x) => x.columnInfo.price.invalidValues === 0);

  // 4. Delete the rows missing a quantity: needs nothing but the column, so it runs at once.
  const missingQty = m.columnInfo.qty.invalidValues;
  assert.ok(missingQty > 0);
  const rowsBefore = m.dataSize.rows;
  await columnMenu(page, 'qty');
  await page.getByTestId('op-deleteRowsWithNA').click();
  m = await waitForVersion(page, (x) => x.dataSize.rows === rowsBefore - missingQty);

  // 5. Rename a column (by name).
  await columnMenu(page, 'name');
  await page.getByTestId('op-renameColumn').click();
  const rename = page.locator('form.op-form[data-operation=renameColumn]');
  assert.equal(await rename.locator('select[name=column]').inputValue(), 'name', 'the column is preset');
  await rename.locator('input[name=newName]').fill('first_name');
  await rename.getByRole('button', { name: 'Apply' }).click();
  m = await waitForVersion(page, (x) => x.columns.includes('first_name'));

  // 6. Normalize a numeric column into [0, 10].
  await columnMenu(page, 'score');
  await page.getByTestId('op-normalize').click();
  const norm = page.locator('form.op-form[data-operation=normalize]');
  await norm.locator('input[name=rangeTo]').fill('10');
  await norm.getByRole('button', { name: 'Apply' }).click();
  m = await until('normalized scores', () => serverRows(sessionID, 0, 3000), (d) => d.data.every((r) => (r[m.columns.indexOf('score')] as number) <= 10));
  await waitForVersion(page, (x) => x.undoAvailable);

  // 7. Edit a cell in place: double-click, type, Enter.
  m = await metadata();
  const notesCol = m.columns.indexOf('notes');
  await page.evaluate((c) => (globalThis as any).willowGrid.showColumn(c), notesCol);
  await page.waitForTimeout(100);
  const b = await page.evaluate((c) => (globalThis as any).willowGrid.bounds(c, 1), notesCol);
  await until('no operation running', () => page.getByTestId('running').count(), (n) => n === 0);
  await page.waitForTimeout(800); // the header profiles of the new version come in
  await page.mouse.dblclick(b.x + b.width / 2, b.y + b.height / 2);
  // Typed into the editor itself: Glide's accessibility tree may take the keyboard focus
  // from a just-opened editor on a loaded machine.
  const editorBox = page.locator('#portal textarea');
  await editorBox.fill('checked by hand');
  await editorBox.press('Enter');
  await until('the edited cell on the server', () => serverRows(sessionID, 1, 1), (d) => d.data[0][notesCol] === 'checked by hand').catch(async (e) => {
    await shot(page, 'failed-edit');
    throw e;
  });
  await until('the edited cell on the page', () => cellText(page, notesCol, 1), (t) => t === 'checked by hand');

  // 8. SQL from the SQL editor, inserting a column name with its button.
  await page.getByTestId('open-sql').click();
  const sql = page.locator('form.op-form[data-operation=executeCommand]');
  await sql.locator('textarea[name=command]').fill('SELECT *, ');
  await sql.locator('textarea[name=command]').press('End');
  await sql.locator('.sql-columns button', { hasText: /^qty$/ }).click();
  await sql.locator('textarea[name=command]').press('End');
  await sql.locator('textarea[name=command]').pressSequentially(' * 2 AS qty2 FROM df');
  assert.equal(await sql.locator('textarea[name=command]').inputValue(), 'SELECT *, qty * 2 AS qty2 FROM df');
  await shot(page, '05-sql');
  await sql.getByRole('button', { name: 'Apply' }).click();
  m = await waitForVersion(page, (x) => x.columns.includes('qty2'));

  const history = await client.request('history', sessionID);
  assert.deepEqual(
    history.operations.map((o: { operation: string }) => o.operation),
    ['findReplace', 'splitColumn', 'fillWithAverage', 'deleteRowsWithNA', 'renameColumn', 'normalize', 'newCellValue', 'executeCommand'],
  );
  await shot(page, '06-after-operations');
});

test('undo with the button, redo with Ctrl+Shift+Z; history panel lists the operations', async () => {
  const before = await metadata();
  await page.getByTestId('undo').click();
  await until('undo', () => metadata(), (m) => !m.columns.includes('qty2'));
  await until('the page to follow', () => page.getByTestId('redo').isEnabled(), (v) => v);
  await page.locator('body').click({ position: { x: 5, y: 870 } });
  await page.keyboard.press('Control+Shift+Z');
  await until('redo', () => metadata(), (m) => m.columns.includes('qty2') && m.dataSize.rows === before.dataSize.rows).catch(async (err) => {
    console.error(JSON.stringify((await client.request('history', sessionID)).operations, null, 1));
    throw err;
  });
  await page.getByTestId('open-history').click();
  await until('history entries', () => page.locator('.history-list li').count(), (n) => n === 8);
  await shot(page, '07-history');
});

test('filter and search: chips, row counts of the view, original row positions', async () => {
  const m = await metadata();
  const total = m.dataSize.rows;
  // Missing emails (the split left them missing in email_0 too).
  await columnMenu(page, 'email');
  await page.getByTestId('menu-filter-invalid').click();
  const missing = m.columnInfo.email.invalidValues;
  assert.ok(missing > 0);
  await until('filtered count', () => rowCount(page), (t) => t === `${missing.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
  const view = await client.request('data', sessionID, { rowIndexFrom: 0, rowIndexTo: 2, columnIndexFrom: 0, columnIndexTo: 1, filterType: 'invalid', filterColumnIndices: [m.columns.indexOf('email')] });
  const positions = JSON.parse(view.data).index as number[];
  await until('original positions in the index column', () => indexText(page, 1), (t) => t === String(positions[1]));
  assert.equal(await page.getByTestId('chip-f').count(), 1);
  await shot(page, '08-filter');
  await page.getByTestId('chip-f').getByRole('button').click();
  await until('unfiltered', () => rowCount(page), (t) => t === `${total.toLocaleString('en-US')} rows`);

  // Plain search in one column, letter case aside (the box's default), then a regex search
  // in every column, matching case.
  const cityCol = m.columns.indexOf('city');
  await page.getByTestId('search-input').fill('pAR');
  await page.getByTestId('search-column').selectOption('city');
  await page.getByTestId('search-go').click();
  const expected = await client.request('metadata', sessionID, { searchQuery: 'pAR', searchColumnIndices: [cityCol], searchIsRegex: false, searchCaseSensitive: false });
  assert.ok(expected.dataSize.rows > 0);
  await until('search count', () => rowCount(page), (t) => t === `${expected.dataSize.rows.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
  await until('a Paris row', () => cellText(page, cityCol, 0), (t) => t === 'Paris');
  await page.getByTestId('search-input').fill('^(Oslo|Rome)$');
  await page.getByTestId('search-column').selectOption({ label: 'All columns' });
  await page.getByTestId('search-regex').check();
  await page.getByTestId('search-case').check();
  await page.getByTestId('search-go').click();
  const all = m.columns.map((_: string, i: number) => i);
  const rx = await client.request('metadata', sessionID, { searchQuery: '^(Oslo|Rome)$', searchColumnIndices: all, searchIsRegex: true });
  await until('regex count', () => rowCount(page), (t) => t === `${rx.dataSize.rows.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
  // A pattern that does not compile is named beside the box as it is typed (the previous
  // search stays applied, Search waits), and the message goes once the pattern is fixed.
  await page.getByTestId('search-input').fill('^(Oslo|Rome$');
  await until('inline regex error', () => page.getByTestId('search-error').textContent(), (t) => /Invalid regular expression: .*(\(|group|parenthes)/i.test(t ?? ''));
  assert.equal(await page.getByTestId('search-go').isDisabled(), true);
  assert.equal(await page.getByTestId('search-input').getAttribute('aria-invalid'), 'true');
  await page.getByTestId('search-input').press('Enter');
  assert.equal(await rowCount(page), `${rx.dataSize.rows.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`);
  await shot(page, '09-regex-error');
  await page.getByTestId('search-input').fill('^(Oslo|Rome)$');
  await until('regex error gone', () => page.getByTestId('search-error').count(), (n) => n === 0);
  // Sort descending from the menu: the chip says so and the first row is the largest.
  await columnMenu(page, 'score');
  await page.locator('.menu-item', { hasText: 'Sort descending' }).click();
  await until('sort chip', () => page.getByTestId('chip-o').count(), (n) => n === 1);
  await shot(page, '09-search-sort');
  await page.getByTestId('chip-s').getByRole('button').click();
  await page.getByTestId('chip-o').getByRole('button').click();
  await page.getByTestId('search-input').fill('');
  await until('back to all rows', () => rowCount(page), (t) => t === `${total.toLocaleString('en-US')} rows`);
});

test('columns come and go: the view, the cell menu and an open form keep to what was chosen', async () => {
  // A session of its own: the history of the main one is counted by later tests.
  const csv = ['id,name,email,amount,city,score', ...Array.from({ length: 60 }, (_, i) => `${i},${i % 4 ? 'Person' : 'Smith'} ${i},p${i}@ex.com,${(i * 37) % 101},${['Oslo', 'Rome', 'Paris'][i % 3]},${i % 5 ? i : ''}`)].join('\n');
  const id = await uploadOk(server.url, 'people.csv', csv);
  const p = await newPage();
  await p.goto(`${server.url}/s/${id}`);
  await until('rows', () => rowCount(p), (t) => t === '60 rows');
  await columnMenu(p, 'amount', id);
  await p.locator('.menu-item', { hasText: 'Sort descending' }).click();
  await columnMenu(p, 'score', id);
  await p.getByTestId('menu-filter-invalid').click();
  await p.getByTestId('search-input').fill('Smith');
  await p.getByTestId('search-go').click();
  // What the server has for this view, the columns looked up by name.
  const expected = async () => {
    const m = await metadata(id);
    const view = { filterType: 'invalid', filterColumnIndices: [m.columns.indexOf('score')], searchQuery: 'Smith', searchColumnIndices: m.columns.map((_: string, i: number) => i), searchIsRegex: false };
    const rows = (await client.request('metadata', id, view)).dataSize.rows;
    const first = JSON.parse((await client.request('data', id, { ...view, sortColumnIndex: m.columns.indexOf('amount'), sortAscending: false, rowIndexFrom: 0, rowIndexTo: 0, columnIndexFrom: 0, columnIndexTo: 100 })).data);
    return { rows, index: String(first.index[0]), name: first.data[0][m.columns.indexOf('name')] as string };
  };
  const view = await expected();
  assert.equal(view.rows, 3); // Smith 0, 20, 40 have no score
  await until('the view', () => rowCount(p), (t) => t === '3 of 60 rows');
  // Another tab deletes a column before all three: they stay on amount, score and every column.
  await client.request('deleteColumns', id, { columnIndices: [2] });
  await until('email gone', () => p.locator('th[role=columnheader]').allTextContents(), (names) => !names.includes('email'));
  await until('the same view', () => rowCount(p), (t) => t === '3 of 60 rows');
  assert.deepEqual(await p.locator('.chip').allTextContents(), ['Missing values in score×', 'Search “Smith” in all columns×', 'Sorted by amount ↓×']);
  await until('the same first row', () => indexText(p, 0), (t) => t === view.index);
  assert.equal(await p.getByTestId('toast-error').count(), 0);

  // A right-click outside the selected cell is about the clicked row (here the first of the sorted view).
  const name = (await metadata(id)).columns.indexOf('name');
  const cell = async (row: number) => p.evaluate(([c, r]) => (globalThis as any).willowGrid.bounds(c, r), [name, row]);
  let b = await cell(1);
  await p.mouse.click(b.x + 10, b.y + b.height / 2);
  b = await cell(0);
  await p.mouse.click(b.x + 10, b.y + b.height / 2, { button: 'right' });
  assert.equal(await p.locator('.menu-heading').first().textContent(), `Row ${view.index}`);
  await p.getByTestId('menu-delete-rows').click();
  await until('that row deleted', () => serverRows(id, 0, 60), (d) => d.data.length === 59 && !d.data.some((r) => r[name] === view.name));

  // A rename from this page: the sort follows it.
  await columnMenu(p, 'amount', id);
  await p.getByTestId('op-renameColumn').click();
  const rename = p.locator('form.op-form[data-operation=renameColumn]');
  await rename.locator('input[name=newName]').fill('total');
  await rename.getByRole('button', { name: 'Apply' }).click();
  await until('the sort renamed', () => p.getByTestId('chip-o').textContent(), (t) => t === 'Sorted by total ↓×');

  // Find & replace with nothing: the text is deleted (replaceWith [""]).
  await columnMenu(p, 'city', id);
  await p.getByTestId('op-findReplace').click();
  const form = p.locator('form.op-form[data-operation=findReplace]');
  const city = (await metadata(id)).columns.indexOf('city');
  const oslo = (await serverRows(id, 0, 60)).data.filter((r) => r[city] === 'Oslo').length;
  await form.locator('textarea[name=toReplace]').fill('Oslo');
  await form.getByRole('button', { name: 'Apply' }).click();
  await until('Oslo replaced by nothing', () => serverRows(id, 0, 60), (d) => d.data.filter((r) => r[city] === '').length === oslo && !d.data.some((r) => r[city] === 'Oslo'));
  await form.waitFor({ state: 'detached' });

  // An open form on city: a column before it goes, the form stays on city; city goes, the form says so.
  await columnMenu(p, 'city', id);
  await p.getByTestId('op-findReplace').click();
  await client.request('deleteColumns', id, { columnIndices: [1] });
  await until('name gone', () => p.locator('th[role=columnheader]').allTextContents(), (names) => !names.includes('name'));
  assert.equal(await form.locator('select[name=columnIndex] option:checked').textContent(), 'city · Abc');
  await client.request('deleteColumns', id, { columnIndices: [(await metadata(id)).columns.indexOf('city')] });
  await form.getByTestId('form-columns-gone').waitFor();
  assert.match((await form.getByTestId('form-columns-gone').textContent()) ?? '', /“city” no longer exists/);
  assert.equal(await form.getByRole('button', { name: 'Apply' }).isDisabled(), true);
  // The sort's column goes: the sort is dropped, in words; the rest of the view stays.
  await client.request('deleteColumns', id, { columnIndices: [(await metadata(id)).columns.indexOf('total')] });
  await until('the sort dropped', () => p.getByTestId('chip-o').count(), (n) => n === 0);
  assert.match((await p.getByTestId('toast-info').last().textContent()) ?? '', /sort by “total” was removed/);
  assert.equal(await p.getByTestId('chip-f').count(), 1);
  await shot(p, '09b-columns-gone');
  await p.close();
});

test('analyze a column, click a value: the grid shows its rows', async () => {
  const m = await metadata();
  await columnMenu(page, 'city');
  await page.getByTestId('menu-analyze').click();
  const table = page.getByTestId('analyze-frequencies');
  await table.locator('tr').first().waitFor();
  const stats = await page.getByTestId('analyze-stats').textContent();
  assert.match(stats ?? '', /Distinct/);
  const analysis = await client.request('analyze', sessionID, { column: 'city' });
  const [topValue, topCount] = analysis.data.frequencies[0];
  assert.equal(await table.locator('tr').first().locator('td.v').textContent(), topValue === null ? 'null' : String(topValue));
  await shot(page, '10-analyze');
  await table.locator('tr').first().click();
  await until('rows of that value', () => rowCount(page), (t) => t === `${topCount.toLocaleString('en-US')} of ${m.dataSize.rows.toLocaleString('en-US')} rows`);
  if (topValue !== null) await until('the value in the grid', () => cellText(page, m.columns.indexOf('city'), 0), (t) => t === topValue);
  await page.getByTestId('chip-' + (topValue === null ? 'f' : 's')).getByRole('button').click();
  await page.getByTestId('close-panel').click();
});

test('draw a chart, change bins and axis window, save the PNG', async () => {
  await page.getByTestId('open-chart').click();
  await page.getByTestId('chart-x').selectOption('price');
  await page.getByTestId('chart-draw').click();
  const img = page.getByTestId('chart-image');
  await img.waitFor({ timeout: 30_000 });
  const first = await img.getAttribute('src');
  assert.match(first ?? '', /^data:image\/png;base64,iVBOR/);
  assert.notEqual(await page.getByTestId('axis-xs').inputValue(), '', 'the axis window used is shown');
  await page.getByTestId('chart-bins').fill('4');
  await page.getByTestId('axis-xs').fill('0');
  await page.getByTestId('axis-xe').fill('100');
  await page.getByTestId('chart-draw').click();
  await until('a new chart', () => img.getAttribute('src'), (s) => s !== first);
  assert.equal(await page.getByTestId('axis-xe').inputValue(), '100');
  await shot(page, '11-chart');
  const download = page.waitForEvent('download');
  await page.getByTestId('chart-save').click();
  const png = await fs.readFile(await (await download).path());
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  // Up to the server's 1000 bins.
  const second = await img.getAttribute('src');
  await page.getByTestId('chart-bins').fill('1000');
  await page.getByTestId('chart-draw').click();
  await until('a 1000-bin chart', () => img.getAttribute('src'), (s) => s !== second);
  assert.equal(await page.getByRole('alert').count(), 0);
  // Another chart type starts from automatic axes, and X is never also a Y.
  await page.getByRole('tab', { name: 'Scatter' }).click();
  assert.deepEqual([await page.getByTestId('axis-xs').inputValue(), await page.getByTestId('axis-xe').inputValue()], ['', '']);
  await page.getByTestId('chart-y-qty').check();
  await page.getByTestId('chart-x').selectOption('qty');
  assert.equal(await page.getByTestId('chart-y-qty').count(), 0);
  await page.getByTestId('chart-x').selectOption('price');
  assert.equal(await page.getByTestId('chart-y-qty').isChecked(), false, 'unticked when it became X');
  await page.getByTestId('close-panel').click();
});

/** Minimal RFC 4180 reader for the comparison below. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

function sameValue(csv: string, json: unknown): boolean {
  if (json === null) return csv === '';
  if (typeof json === 'number') return Math.abs(Number(csv) - json) <= 1e-9 * Math.max(1, Math.abs(json));
  if (typeof json === 'boolean') return csv.toLowerCase() === String(json); // CSV writes True/False as pandas did
  if (typeof json === 'string' && /^\d{4}-\d\d-\d\dT/.test(json)) return Date.parse(csv.replace(' ', 'T') + (csv.length === 10 ? 'T00:00:00' : '')) === Date.parse(json);
  return csv === json;
}

test('download the CSV from the page; it holds the server’s data', async () => {
  const m = await metadata();
  // With a view shown, the page says the download is the whole dataset, not the view.
  await columnMenu(page, 'score');
  await page.locator('.menu-item', { hasText: 'Sort descending' }).click();
  await until('sort chip', () => page.getByTestId('chip-o').count(), (n) => n === 1);
  assert.match((await page.getByTestId('download-csv').getAttribute('title')) ?? '', /whole dataset .* apply to this screen only/);
  const download = page.waitForEvent('download');
  await page.getByTestId('download-csv').click();
  await until('the download notice', () => page.getByTestId('toast-info').last().textContent(), (t) => /^Downloading all .*not to downloads\.$/.test(t ?? ''));
  await page.getByTestId('chip-o').getByRole('button').click();
  const text = await fs.readFile(await (await download).path(), 'utf8');
  const rows = parseCsv(text);
  assert.deepEqual(rows[0], m.columns);
  assert.equal(rows.length - 1, m.dataSize.rows);
  const data = (await serverRows(sessionID, 0, m.dataSize.rows - 1)).data;
  for (let r = 0; r < data.length; r++) {
    for (let c = 0; c < m.columns.length; c++) assert.ok(sameValue(rows[r + 1][c], data[r][c]), `row ${r} ${m.columns[c]}: CSV ${JSON.stringify(rows[r + 1][c])} vs ${JSON.stringify(data[r][c])}`);
  }
});

test('export the recipe, apply it to a second upload: the same data', async () => {
  await page.getByTestId('open-history').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('export-recipe').click();
  const recipeFile = path.join(tmp, 'recipe.json');
  await (await download).saveAs(recipeFile);
  const recipe = JSON.parse(await fs.readFile(recipeFile, 'utf8'));
  assert.equal(recipe.operations.length, 8);
  // Steps that name columns by position carry the names history recorded, so that the recipe
  // means the same columns on a dataset whose columns are in another order.
  const positional = recipe.operations.filter((op: { parameters: Record<string, unknown> }) => 'columnIndex' in op.parameters || 'columnIndices' in op.parameters);
  assert.ok(positional.length > 0, 'the recipe has steps by position');
  for (const op of positional) assert.ok(op.columns && typeof op.columns === 'object', `${op.operation} carries its columns' names: ${JSON.stringify(op)}`);

  const second = await uploadOk(server.url, 'customers.csv', await fs.readFile(messyFile));
  const page2 = await newPage();
  await page2.goto(`${server.url}/s/${second}`);
  await page2.getByTestId('open-history').click();
  await page2.getByTestId('recipe-input').setInputFiles(recipeFile);
  const target = await metadata();
  await until('the recipe applied', () => metadata(second), (m) => m.columns.join() === target.columns.join() && m.dataSize.rows === target.dataSize.rows);
  await until('one undoable step', () => page2.locator('.history-list li').count(), (n) => n === 8);
  await shot(page2, '12-recipe-applied');
  const [a, b] = await Promise.all([fetch(`${server.url}/downloadCSV/${sessionID}`).then((r) => r.text()), fetch(`${server.url}/downloadCSV/${second}`).then((r) => r.text())]);
  assert.equal(b, a);
  await page2.close();
});

test('two pages on one session see each other’s changes at once and keep their scroll position', async () => {
  await page.getByTestId('close-panel').click();
  const other = await newPage();
  await other.goto(`${server.url}/s/${sessionID}`);
  const m = await metadata();
  await until('other page rows', () => rowCount(other), (t) => t === `${m.dataSize.rows.toLocaleString('en-US')} rows`);
  // The other page looks at row 1000.
  await other.getByTestId('goto-row').fill('1000');
  await other.getByTestId('goto-row').press('Enter');
  await until('row 1000 on screen', () => indexText(other, 1000), (t) => t === '1000');
  // This page duplicates a column from its menu (it runs at once).
  await columnMenu(page, 'city');
  await page.getByTestId('op-insertDuplicateColumn').click();
  await until('the new column on the other page', () => other.locator('th[role=columnheader]').allTextContents(), (names) => names.includes('city_copy'));
  const cityCopy = (await metadata()).columns.indexOf('city_copy');
  await until('its cells, still at row 1000', () => cellText(other, cityCopy, 1000), (t) => t !== null && t !== '');
  assert.equal(await indexText(other, 1000), '1000');
  await shot(other, '13-live-second-tab');
  // And the other way round: undo there shows here.
  await other.getByTestId('undo').click();
  await until('undo seen here', () => page.locator('th[role=columnheader]').allTextContents(), (names) => !names.includes('city_copy'));
  await other.close();
});

test('errors in words: a bad file, a bad parameter in the browser, a bad one on the server', async () => {
  // Words people read: the protocol's "seperator" shown as "Separator"; the data types a list.
  await page.getByTestId('open-transform').click();
  await page.getByTestId('ops-combineColumns').click();
  assert.equal(await page.locator('label[for=f-combineColumns-seperator]').textContent(), 'Separator');
  await page.getByTestId('open-transform').click();
  await page.getByTestId('ops-changeColumnDataType').click();
  assert.deepEqual(await page.locator('select[name=newDataType] option').allTextContents(), ['Choose…', 'int', 'float', 'string', 'bool', 'datetime']);
  // Browser-side validation: not a number.
  await columnMenu(page, 'price');
  await page.getByTestId('op-normalize').click();
  const norm = page.locator('form.op-form[data-operation=normalize]');
  await norm.locator('input[name=rangeFrom]').fill('abc');
  await norm.getByRole('button', { name: 'Apply' }).click();
  assert.equal(await norm.locator('.field.invalid .field-error').textContent(), 'enter a number');
  // Browser-side: a regex that does not compile.
  await columnMenu(page, 'city');
  await page.getByTestId('op-findReplace').click();
  const find = page.locator('form.op-form[data-operation=findReplace]');
  await find.locator('textarea[name=toReplace]').fill('([a-z');
  await find.locator('textarea[name=replaceWith]').fill('x');
  await find.locator('input[name=matchRegex]').check();
  await find.getByRole('button', { name: 'Apply' }).click();
  assert.match((await find.locator('.field-error').first().textContent()) ?? '', /not a valid regular expression/);
  // Server-side: SQL naming a column that does not exist.
  await page.getByTestId('open-sql').click();
  const sql = page.locator('form.op-form[data-operation=executeCommand]');
  await sql.locator('textarea[name=command]').fill('SELECT no_such_column FROM df');
  await sql.getByRole('button', { name: 'Apply' }).click();
  const alert = sql.getByRole('alert');
  await alert.waitFor();
  const text = (await alert.textContent()) ?? '';
  assert.match(text, /no_such_column/);
  assert.doesNotMatch(text, /\n\s+at |Error:/, 'no stack trace');
  await shot(page, '14-server-error');
  await page.getByTestId('close-panel').click();

  // A bad file: an "Excel" file that is text.
  const bad = path.join(tmp, 'broken.xlsx');
  await fs.writeFile(bad, 'this is not a spreadsheet');
  const start = await newPage();
  await start.goto(server.url);
  await start.getByTestId('file-input').setInputFiles(bad);
  const err = start.getByRole('alert');
  await err.waitFor({ timeout: 30_000 });
  const words = (await err.textContent()) ?? '';
  assert.match(words, /broken\.xlsx/);
  assert.ok(words.length > 30, `an explanation: ${words}`);
  assert.doesNotMatch(words, /\n\s+at |node_modules/);
  assert.match(start.url(), /\/$/, 'still on the start page');
  await shot(start, '15-bad-file');
  await start.close();
});

test('a 1M-row session: jump to the last row and read its values; the URL reopens it', async () => {
  const rows = 1_000_000;
  const big = await sessionFromSelect(server.gateway.runtime, `SELECT i AS id, i * 0.5 AS half, 'row ' || i AS label, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 100 END AS pct FROM range(${rows}) t(i)`);
  const p = await newPage();
  await p.goto(`${server.url}/s/${big}`);
  await until('row count', () => rowCount(p), (t) => t === '1,000,000 rows');
  await until('first row', () => cellText(p, 2, 0), (t) => t === 'row 0');
  await p.getByTestId('goto-last').click();
  await until('the last row', () => indexText(p, rows - 1), (t) => t === String(rows - 1), 30_000).catch(async (err) => {
    await shot(p, 'failed-last-row');
    throw new Error(`${err.message}; slice error: ${await p.evaluate(() => (globalThis as any).willowGrid.lastError())}; loaded: ${await p.evaluate((r) => (globalThis as any).willowGrid.rowLoaded(r), rows - 1)}`);
  });
  const last = (await serverRows(big, rows - 1, rows - 1)).data[0];
  assert.deepEqual([await cellText(p, 0, rows - 1), await cellText(p, 1, rows - 1), await cellText(p, 2, rows - 1)], [String(last[0]), String(last[1]), String(last[2])]);
  assert.equal(last[2], `row ${rows - 1}`);
  // Scroll with the wheel from there: rows keep arriving.
  const box = await p.locator('.grid-wrap').boundingBox();
  await p.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
  for (let i = 0; i < 10; i++) await p.mouse.wheel(0, -2000);
  await until('rows after scrolling up', () => p.locator('td[role=gridcell]').first().textContent(), (t) => t !== null);
  await shot(p, '16-million-rows');
  // A reload (or a shared link) opens the same dataset.
  await p.reload();
  await until('row count after reload', () => rowCount(p), (t) => t === '1,000,000 rows');
  await p.close();
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
});

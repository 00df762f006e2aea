// Three faults a user trial found in the web workbench, each driven through the page in
// headless Chromium against a real server: an import that skipped or padded lines said
// nothing; a row selection stayed on view positions when the view changed (and Delete then
// took another row); the chart form offered columns a chart cannot draw and kept the old
// chart beside a protocol message. Screenshots go to test/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, upload, uploadOk, type TestServer } from './helpers/server.ts';
import { xlsx } from './helpers/fixtures.ts';
import { connect, type WillowClient } from './helpers/client.ts';
import { CHROMIUM_ARGS, until } from './helpers/browser.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');

let server: TestServer;
let client: WillowClient;
let browser: Browser;
let context: BrowserContext;
let tmp: string;
const pageErrors: string[] = [];

before(async () => {
  const build = spawnSync(process.execPath, ['scripts/build-web.ts', '--if-stale'], { stdio: 'inherit', cwd: path.resolve(import.meta.dirname, '..') });
  assert.equal(build.status, 0, 'the web client builds');
  await fs.mkdir(ARTIFACTS, { recursive: true });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'willow-trial-'));
  server = await startServer();
  client = await connect(server.url);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
});

after(async () => {
  await browser?.close();
  client?.close();
  await server?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
});

async function newPage(): Promise<Page> {
  const p = await context.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  return p;
}

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
const rowCount = (p: Page) => p.getByTestId('row-count').textContent();
/** The status bar's "n rows selected", or null when no row is selected. */
const rowsSelected = async (p: Page) => {
  const texts = await p.locator('.statusbar span').allTextContents();
  return texts.find((t) => /^[\d,.]+ rows? selected$/.test(t)) ?? null;
};

async function serverNames(id: string): Promise<string[]> {
  const r = await client.request('data', id, { rowIndexFrom: 0, rowIndexTo: 1000, columnIndexFrom: 0, columnIndexTo: 10 });
  assert.equal(r.success, true, r.errorDescription);
  return (JSON.parse(r.data) as { data: unknown[][] }).data.map((row) => row[1] as string);
}

/** Open a session in a new page and wait for its rows. */
async function open(id: string, rows: number): Promise<Page> {
  const p = await newPage();
  await p.goto(`${server.url}/s/${id}`);
  await until('rows', () => rowCount(p), (t) => t === `${rows} rows`);
  await until('first row loaded', () => p.evaluate(() => (globalThis as any).willowGrid?.rowLoaded(0) ?? false), (v) => v);
  return p;
}

/** Upload `file` through the start page (with `sheetName` typed into the import options, if given) and wait for its workbench. */
async function uploadThroughPage(p: Page, file: string, sheetName?: string): Promise<void> {
  await p.goto(server.url);
  if (sheetName !== undefined) await p.locator('input[name=sheetName]').fill(sheetName);
  await p.getByTestId('file-input').setInputFiles(file);
  await p.waitForURL(/\/s\/[0-9a-f]{30}$/, { timeout: 60_000 });
}

/** Tick a view row's checkbox in the row-marker column, left of the row positions. */
async function tickRow(p: Page, row: number): Promise<void> {
  const b = await p.evaluate((r) => (globalThis as any).willowGrid.indexBounds(r), row);
  await p.mouse.click(b.x - 14, b.y + b.height / 2);
}

test('an upload that skipped and padded lines says so in the workbench until dismissed', async () => {
  // `Ann,1,000`: a thousands comma makes one field too many; `Cid` has one too few.
  const csv = 'name,amount\nAnn,1,000\nBob,250\nCid\nDee,75\n';
  const expected = await upload(server.url, 'payments.csv', csv);
  assert.deepEqual([expected.body.skippedLines, expected.body.paddedLines], [1, 1], "the server's answer for this file");
  const file = path.join(tmp, 'payments.csv');
  await fs.writeFile(file, csv);
  const p = await newPage();
  await uploadThroughPage(p, file);
  const banner = p.getByTestId('import-notice');
  await banner.waitFor({ timeout: 10_000 });
  const text = (await banner.textContent()) ?? '';
  assert.match(text, /1 line of payments\.csv was skipped and is not in the dataset: it had more fields than the header/);
  assert.match(text, /1 line of payments\.csv had fewer fields than the header and was completed with missing values/);
  // Which lines, as the file has them.
  assert.equal(await p.getByTestId('import-notice-skipped').textContent(), 'Skipped:line 2: Ann,1,000');
  assert.equal(await p.getByTestId('import-notice-padded').textContent(), 'Padded:line 4: Cid');
  await until('rows', () => rowCount(p), (t) => t === '3 rows');
  await p.waitForTimeout(500);
  await shot(p, 'trial-01-import-notice');
  // It stays through a reload until dismissed, and is gone for good after.
  await p.reload();
  await banner.waitFor();
  await p.getByTestId('import-notice-dismiss').click();
  assert.equal(await banner.count(), 0);
  await p.reload();
  await until('rows after reload', () => rowCount(p), (t) => t === '3 rows');
  assert.equal(await banner.count(), 0, 'dismissed');

  // A clean file: no banner.
  const clean = path.join(tmp, 'clean.csv');
  await fs.writeFile(clean, 'name,amount\nAnn,1000\n');
  await uploadThroughPage(p, clean);
  await until('rows', () => rowCount(p), (t) => t === '1 row');
  assert.equal(await banner.count(), 0);
  await p.close();
});

const people = ['id,name', ...Array.from({ length: 40 }, (_, i) => `${i},P${i}`)].join('\n');

test('a selection does not move to other rows when a search or sort changes the view', async () => {
  const id = await uploadOk(server.url, 'people.csv', people);
  const p = await open(id, 40);
  await tickRow(p, 5);
  await until('one row selected', () => rowsSelected(p), (t) => t === '1 row selected');
  // A search: view row 5 is now P14. The selection must not be there.
  await p.getByTestId('search-input').fill('P1');
  await p.getByTestId('search-go').click();
  await until('the search', () => rowCount(p), (t) => t === '11 of 40 rows');
  await until('the selection cleared', () => rowsSelected(p), (t) => t === null);
  await p.waitForTimeout(300);
  await shot(p, 'trial-02-selection-after-search');
  // Delete rows from the Transform list takes the selected rows: there are none now.
  await p.getByTestId('open-transform').click();
  await p.getByTestId('ops-deleteRows').click();
  const form = p.locator('form.op-form[data-operation=deleteRows]');
  assert.equal(await form.locator('input[name=rowIndices]').inputValue(), '', 'no row filled in for the person');
  await p.getByTestId('close-panel').click();

  // A sort: the same.
  await p.getByTestId('chip-s').getByRole('button').click();
  await until('all rows', () => rowCount(p), (t) => t === '40 rows');
  await tickRow(p, 2);
  await until('one row selected', () => rowsSelected(p), (t) => t === '1 row selected');
  await client.request('metadata', id); // (a read, so the page's last slice is surely here)
  const b = await p.evaluate(() => (globalThis as any).willowGrid.bounds(0, -1));
  await p.mouse.click(b.x + b.width - 15, b.y + b.height / 2);
  await p.locator('.menu-item', { hasText: 'Sort descending' }).click();
  await until('sort chip', () => p.getByTestId('chip-o').count(), (n) => n === 1);
  await until('the selection cleared', () => rowsSelected(p), (t) => t === null);
  assert.deepEqual(await serverNames(id), Array.from({ length: 40 }, (_, i) => `P${i}`), 'nothing deleted');
  await p.close();
});

test('Delete acts on the selected row, then the selection is gone with it', async () => {
  const id = await uploadOk(server.url, 'people.csv', people);
  const p = await open(id, 40);
  await tickRow(p, 3);
  await until('one row selected', () => rowsSelected(p), (t) => t === '1 row selected');
  const b = await p.evaluate(() => (globalThis as any).willowGrid.bounds(1, 3));
  await p.mouse.click(b.x + 10, b.y + b.height / 2, { button: 'right' });
  assert.equal(await p.locator('.menu-heading').first().textContent(), 'Row 3');
  await p.getByTestId('menu-delete-rows').click();
  await until('P3 deleted', () => serverNames(id), (names) => names.length === 39 && !names.includes('P3'));
  await until('39 rows', () => rowCount(p), (t) => t === '39 rows');
  // Rows were renumbered: view row 3 is now P4, which nobody selected.
  await until('the selection cleared', () => rowsSelected(p), (t) => t === null);
  await p.waitForTimeout(300);
  await shot(p, 'trial-03-after-delete');
  await p.close();
});

test('the chart form offers the columns a chart can draw; a failed chart goes, with its reason in words', async () => {
  const csv = ['city,amount,score,day', ...Array.from({ length: 30 }, (_, i) => `${['Oslo', 'Rome', 'Lima'][i % 3]},${(i * 37) % 101},${i / 4},2024-01-${String(i + 1).padStart(2, '0')}`)].join('\n');
  const id = await uploadOk(server.url, 'sales.csv', csv);
  const p = await open(id, 30);
  await p.getByTestId('open-chart').click();
  const options = () => p.getByTestId('chart-x').locator('option:not([disabled])').allTextContents();
  assert.deepEqual(await options(), ['amount', 'score', 'day'], 'histogram: numeric and date columns');
  await p.getByRole('tab', { name: 'Frequency' }).click();
  assert.deepEqual(await options(), ['city', 'amount', 'score', 'day']);
  await p.getByRole('tab', { name: 'Time series' }).click();
  assert.deepEqual(await options(), ['day']);
  assert.deepEqual(await p.locator('.checklist input[data-testid^=chart-y-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))), ['chart-y-amount', 'chart-y-score'], 'numeric Y columns');
  await p.getByRole('tab', { name: 'Line' }).click();
  assert.deepEqual(await options(), ['amount', 'score', 'day']);
  await p.getByRole('tab', { name: 'Scatter' }).click();
  assert.deepEqual(await options(), ['amount', 'score']);

  await p.getByRole('tab', { name: 'Histogram' }).click();
  await p.getByTestId('chart-x').selectOption('amount');
  await p.getByTestId('chart-draw').click();
  const img = p.getByTestId('chart-image');
  await img.waitFor({ timeout: 30_000 });
  await shot(p, 'trial-04-histogram');
  // Another tab makes amount text: the chart is drawn again with the new data, and fails.
  const changed = await client.request('changeColumnDataType', id, { column: 1, newDataType: 'string' });
  assert.equal(changed.success, true, changed.errorDescription);
  const error = p.getByTestId('chart-error');
  await error.waitFor({ timeout: 30_000 });
  assert.equal(await img.count(), 0, 'the old chart is gone');
  const words = (await error.textContent()) ?? '';
  assert.match(words, /The chart could not be drawn/);
  assert.match(words, /“amount” holds text; a histogram needs numeric or datetime columns\./);
  assert.doesNotMatch(words, /columnIndices|\(int or float\)|is string/);
  assert.match((await p.getByTestId('chart-x').locator('option:checked').textContent()) ?? '', /amount \(cannot be drawn in this chart\)/);
  await shot(p, 'trial-05-chart-error');
  await p.close();
});

test('a type conversion that blanks values says how many and which', async () => {
  const id = await uploadOk(server.url, 'answers.csv', 'answer\nyes\nno\nmaybe\nY\n');
  const p = await open(id, 4);
  await p.getByTestId('open-transform').click();
  await p.getByTestId('ops-changeColumnDataType').click();
  const form = p.locator('form.op-form[data-operation=changeColumnDataType]');
  await form.locator('select[name=column]').selectOption('answer');
  await form.locator('select[name=newDataType]').selectOption('bool');
  await form.getByRole('button', { name: 'Apply' }).click();
  await until('the notice', () => p.getByTestId('toast-info').last().textContent(), (t) => /^1 value became missing.*“maybe”.*Undo brings it back\.$/.test(t ?? ''));
  await shot(p, 'trial-06-values-made-missing');
  const r = await client.request('data', id, { rowIndexFrom: 0, rowIndexTo: 3, columnIndexFrom: 0, columnIndexTo: 0 });
  assert.deepEqual(JSON.parse(r.data).data, [[true], [false], [null], [true]]);
  // The same again changes nothing, and the page says so instead of appearing to ignore the click.
  await p.getByTestId('open-transform').click();
  await p.getByTestId('ops-changeColumnDataType').click();
  await form.locator('select[name=column]').selectOption('answer');
  await form.locator('select[name=newDataType]').selectOption('bool');
  await form.getByRole('button', { name: 'Apply' }).click();
  await until('the nothing-changed notice', () => p.getByTestId('toast-info').last().textContent(), (t) => /^Nothing changed/.test(t ?? ''));
  await p.close();
});

test('a workbook of several sheets: the page says which was imported, and another can be chosen', async () => {
  const file = path.join(tmp, 'book.xlsx');
  await fs.writeFile(file, xlsx([['region'], ['north']], [['cost'], [7]]));
  const p = await newPage();
  await uploadThroughPage(p, file);
  const banner = p.getByTestId('import-notice');
  await banner.waitFor({ timeout: 10_000 });
  assert.match((await banner.textContent()) ?? '', /book\.xlsx has 2 sheets: “First” was imported, not “Second”\./);
  await shot(p, 'trial-07-sheets');
  // Again, with the other sheet chosen.
  await uploadThroughPage(p, file, 'Second');
  await until('the second sheet', () => p.locator('th[role=columnheader]').allTextContents(), (names) => names.some((n) => n.startsWith('cost')));
  assert.match((await p.getByTestId('import-notice').textContent()) ?? '', /“Second” was imported, not “First”/);
  await p.close();
});

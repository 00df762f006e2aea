// A cell editor left open in one tab while another tab changes the dataset: the edit goes to
// the cell the editor was opened on (its column by name, its row by position in the layout it
// was read in), or nowhere, in words; never to whatever cell took the old position meanwhile.
// Two pages in two browser contexts (two people) on one session, in real headless Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { uploadOk } from './helpers/server.ts';
import { browserSuite, openEditor, until } from './helpers/browser.ts';

const ROWS = 30;
const CSV = ['id,name,email,city,score', ...Array.from({ length: ROWS }, (_, i) => `${i},Person ${i},p${i}@ex.com,City ${i},${100 + i}`)].join('\n');

const suite = browserSuite({ QUEUE_CONCURRENCY: 2 });
const pageErrors = suite.pageErrors;
const ARTIFACTS = suite.artifacts;

/** A page of its own browser context (another person), on session `id`, its rows shown. */
async function openSession(id: string): Promise<Page> {
  const context = await suite.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const p = await context.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  await p.goto(`${suite.server.url}/s/${id}`);
  await until('the rows', () => p.getByTestId('row-count').textContent(), (t) => t === `${ROWS} rows`);
  await until('the first cells', () => cellText(p, 0, 0), (t) => t === '0');
  return p;
}

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

async function metadata(id: string) {
  const m = await suite.client.request('metadata', id);
  assert.equal(m.success, true, m.errorDescription);
  return m;
}

/** Every row of the session, each as an object by column name. */
async function table(id: string): Promise<Record<string, unknown>[]> {
  const r = await suite.client.request('data', id, { rowIndexFrom: 0, rowIndexTo: 1000, columnIndexFrom: 0, columnIndexTo: 100 });
  assert.equal(r.success, true, r.errorDescription);
  const { columns, data } = JSON.parse(r.data) as { columns: string[]; data: unknown[][] };
  return data.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
}

async function operations(id: string): Promise<string[]> {
  const h = await suite.client.request('history', id);
  return h.operations.map((o: { operation: string }) => o.operation);
}

/** Text of a data cell (data column `col`, view row `row`) from the grid's accessibility tree; null while it has none. */
async function cellText(p: Page, col: number, row: number): Promise<string | null> {
  const el = p.locator(`#glide-cell-${col + 2}-${row}`);
  return (await el.count()) ? el.textContent({ timeout: 1000 }).catch(() => null) : null;
}

const headers = (p: Page) => p.locator('th[role=columnheader]').allTextContents();

/** Double-click the cell of column `name` at view row `row` and type `text` into its editor, without committing. */
async function typeInto(p: Page, id: string, name: string, row: number, text: string) {
  const col = (await metadata(id)).columns.indexOf(name);
  assert.ok(col >= 0, `column ${name} exists`);
  const b = await p.evaluate(([c, r]) => (globalThis as any).willowGrid.bounds(c, r), [col, row]);
  const editor = await openEditor(p, () => p.mouse.dblclick(b.x + b.width / 2, b.y + b.height / 2));
  await editor.fill(text);
  return editor;
}


/**
 * After a commit that must be refused: waits for the page's message or for an edit reaching
 * the server, whichever comes first, so that a wrong write shows as the data it changed.
 * Returns the message's words.
 */
async function refusal(p: Page, id: string, opsBefore: number, shotName: string): Promise<string> {
  const toast = p.getByTestId('toast-error');
  await until('a message or an edit', async () => (await toast.count()) > 0 || (await operations(id)).length > opsBefore, (done) => done, 10_000).catch(async (e) => {
    await shot(p, `failed-${shotName}`);
    throw e;
  });
  await p.waitForTimeout(500); // an edit sent with the message would have arrived by now
  return (await toast.count()) ? ((await toast.first().textContent()) ?? '') : '';
}

/** Open a column's menu on its header's caret. */
async function columnMenu(p: Page, id: string, name: string) {
  const col = (await metadata(id)).columns.indexOf(name);
  const b = await p.evaluate((c) => (globalThis as any).willowGrid.bounds(c, -1), col);
  await p.mouse.click(b.x + b.width - 15, b.y + b.height / 2);
  await p.locator('.menu').waitFor({ timeout: 5000 });
}

test('a column before the edited one is deleted in another tab: the edit lands in its own column', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', CSV);
  const a = await openSession(id);
  const b = await openSession(id);
  const before = await table(id);

  const editor = await typeInto(a, id, 'city', 3, 'Lisbon');
  // The other person deletes email (left of city) from its column menu.
  await columnMenu(b, id, 'email');
  await b.getByTestId('op-deleteColumns').click();
  await until('email gone in the editing tab', () => headers(a), (h) => !h.includes('email'));
  assert.equal(await editor.inputValue(), 'Lisbon', 'the editor is still open, with what was typed');
  await editor.press('Enter');

  const expected = before.map(({ email: _, ...rest }, i) => (i === 3 ? { ...rest, city: 'Lisbon' } : rest));
  await until('the edit on the server', () => table(id), (t) => t[3].city === 'Lisbon' || t[3].score !== 103).catch(async (e) => {
    await shot(a, 'failed-cell-editor-column-moved');
    throw e;
  });
  assert.deepEqual(await table(id), expected, 'city of row 3 changed, and nothing else (score, now where city was, untouched)');
  assert.deepEqual(await operations(id), ['deleteColumns', 'newCellValue']);
  await until('the page shows it', () => cellText(a, 2, 3), (t) => t === 'Lisbon');
  assert.equal(await a.getByTestId('toast-error').count(), 0);
  await a.context().close();
  await b.context().close();
});

test('the edited column is deleted in another tab: nothing is written, and the page says so', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', CSV);
  const a = await openSession(id);
  const before = await table(id);

  const editor = await typeInto(a, id, 'city', 4, 'Madrid');
  // Another client deletes city itself; score takes its position.
  const del = await suite.client.request('deleteColumns', id, { columnIndices: [(await metadata(id)).columns.indexOf('city')] });
  assert.equal(del.success, true, del.errorDescription);
  await until('city gone in the editing tab', () => headers(a), (h) => !h.includes('city'));
  await editor.press('Enter');

  const words = await refusal(a, id, 1, 'cell-editor-column-gone');
  assert.deepEqual(await table(id), before.map(({ city: _, ...rest }) => rest), 'no cell written (score, now where city was, untouched)');
  assert.deepEqual(await operations(id), ['deleteColumns']);
  assert.match(words, /The edit was not applied/);
  assert.match(words, /The column “city” was removed or renamed by another change while you were editing it\./);
  await shot(a, 'cell-editor-column-gone');
  await a.context().close();
});

test('rows are deleted in another tab while a cell is edited: the edit is refused, in words', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', CSV);
  const a = await openSession(id);
  const b = await openSession(id);
  const before = await table(id);

  const editor = await typeInto(a, id, 'name', 5, 'Zed');
  // The other person deletes row 2 from its cell menu: row 5 is then what was row 6.
  const name = (await metadata(id)).columns.indexOf('name');
  const cell = await b.evaluate(([c, r]) => (globalThis as any).willowGrid.bounds(c, r), [name, 2]);
  await b.mouse.click(cell.x + 10, cell.y + cell.height / 2, { button: 'right' });
  await b.getByTestId('menu-delete-rows').click();
  await until('the editing tab sees the deletion', () => a.getByTestId('row-count').textContent(), (t) => t === `${ROWS - 1} rows`);
  await until('and its new rows', () => cellText(a, -1, 5), (t) => t === '5');
  await a.waitForTimeout(300);
  await editor.press('Enter');

  const words = await refusal(a, id, 1, 'cell-editor-rows-moved');
  assert.deepEqual(await table(id), before.filter((_, i) => i !== 2), 'no cell written (not the row that moved to position 5)');
  assert.deepEqual(await operations(id), ['deleteRows']);
  assert.match(words, /The edit was not applied/);
  assert.match(words, /Rows were deleted, added or reordered by another change while you were editing row 5/);
  await shot(a, 'cell-editor-rows-moved');
  await a.context().close();
  await b.context().close();
});

test('a change that moves no row (an edit in another tab reorders a sorted view): the edit stays on the row it was opened on', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', CSV);
  const a = await openSession(id);
  await columnMenu(a, id, 'score');
  await a.locator('.menu-item', { hasText: 'Sort descending' }).click();
  await until('sorted: the highest score first', () => cellText(a, -1, 0), (t) => t === String(ROWS - 1));
  const before = await table(id);

  // This editor is opened by typing into the selected cell (the other tests double-click).
  const name = (await metadata(id)).columns.indexOf('name');
  const cell = await a.evaluate(([c, r]) => (globalThis as any).willowGrid.bounds(c, r), [name, 0]);
  const editor = await openEditor(a, async () => {
    await a.mouse.click(cell.x + cell.width / 2, cell.y + cell.height / 2);
    await a.keyboard.press('T');
  });
  await editor.fill('Top scorer');
  // Another client gives row 7 the highest score: it becomes the first row of the view.
  const m = await metadata(id);
  const edit = await suite.client.request('newCellValue', id, { columnIndex: m.columns.indexOf('score'), rowIndex: 7, newValue: 999 });
  assert.equal(edit.success, true, edit.errorDescription);
  await until('the view reordered in the editing tab', () => cellText(a, -1, 0), (t) => t === '7');
  await editor.press('Enter');

  const last = ROWS - 1;
  await until('the edit on the server', () => operations(id), (ops) => ops.length === 2);
  const after = await table(id);
  assert.deepEqual(
    after,
    before.map((r, i) => (i === last ? { ...r, name: 'Top scorer' } : i === 7 ? { ...r, score: 999 } : r)),
    `the row opened (${last}) changed, not row 7 that took its place in the view`,
  );
  assert.equal(await a.getByTestId('toast-error').count(), 0);
  await a.context().close();
});

test('no uncaught errors in the pages', () => {
  assert.deepEqual(pageErrors, []);
});

// Faults a second user trial found in the workbench, in headless Chromium against a real
// server: after a side panel was closed, a click on a cell left Glide's focus on the cell
// selected before (an arrow key lost, text typed into that old cell). Screenshots go to
// test/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { uploadOk } from './helpers/server.ts';
import { browserSuite, openEditor, until } from './helpers/browser.ts';

const suite = browserSuite({ QUEUE_CONCURRENCY: 2 });
export const shot = (p: Page, name: string) => p.screenshot({ path: path.join(suite.artifacts, `${name}.png`) });

async function openSession(id: string, rows: number, width = 1280): Promise<Page> {
  const context = await suite.browser.newContext({ viewport: { width, height: 720 } });
  const p = await context.newPage();
  p.on('pageerror', (e) => suite.pageErrors.push(e.message));
  await p.goto(`${suite.server.url}/s/${id}`);
  await until('the rows', () => p.getByTestId('row-count').textContent(), (t) => t === `${rows} rows`);
  await until('the first cells', () => p.evaluate(() => (globalThis as any).willowGrid?.shownText(0, 0) ?? null), (t) => t !== null);
  return p;
}
async function cellCenter(p: Page, col: number, row: number) {
  const b = await p.evaluate(([c, r]) => (globalThis as any).willowGrid.bounds(c, r), [col, row]);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

const csv = ['id,name,city', ...Array.from({ length: 20 }, (_, i) => `${i},P${i},C${i}`)].join('\n');

const current = (p: Page) => p.evaluate(() => (globalThis as any).willowGrid.currentCell());

test('after a side panel is closed, a click on a cell takes the focus there: arrows move from it, typing edits it', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', csv);
  const p = await openSession(id, 20);
  await p.mouse.click(...Object.values(await cellCenter(p, 1, 2)) as [number, number]);
  await p.waitForTimeout(500); // Glide's accessibility cell of (1, 2) has the focus
  for (const panel of ['sql', 'history']) {
    await p.getByTestId(`open-${panel}`).click();
    await p.getByTestId('side-panel').waitFor();
    await p.getByTestId('close-panel').click();
    await p.waitForTimeout(300);
    // Where the focus goes from the press on: never to a cell the person did not choose.
    await p.evaluate(() => {
      const g = globalThis as any;
      g.focused = [];
      g.document.addEventListener('focusin', (e: any) => g.focused.push(e.target.id || e.target.tagName), true);
    });
    await p.mouse.click(...Object.values(await cellCenter(p, 1, 5)) as [number, number]);
    assert.deepEqual(await current(p), [1, 5]);
    await p.keyboard.press('ArrowDown');
    assert.deepEqual(await current(p), [1, 6], `${panel}: the arrow moves from the clicked cell`);
    await p.waitForTimeout(400);
    const focused: string[] = await p.evaluate(() => (globalThis as any).focused);
    assert.deepEqual(focused.filter((f) => f.startsWith('glide-cell') && !/^glide-cell-3-[56]$/.test(f)), [], `${panel}: focus went only to the cells chosen: ${focused.join(', ')}`);
    assert.deepEqual(await current(p), [1, 6]);
    // Back to (1, 2) for the next round.
    await p.mouse.click(...Object.values(await cellCenter(p, 1, 2)) as [number, number]);
    await p.waitForTimeout(500);
  }
  await p.getByTestId('open-history').click();
  await p.getByTestId('close-panel').click();
  await p.mouse.click(...Object.values(await cellCenter(p, 1, 5)) as [number, number]);
  const editor = await openEditor(p, () => p.keyboard.press('Enter'));
  await editor.fill('Zed');
  await p.keyboard.press('Enter');
  const changed = async () => JSON.parse((await suite.client.request('data', id, { rowIndexFrom: 0, rowIndexTo: 19, columnIndexFrom: 0, columnIndexTo: 2 })).data).data.filter((r: unknown[]) => !String(r[1]).startsWith('P'));
  const edited = await until('the edit', changed, (rows) => rows.length > 0);
  assert.deepEqual(edited, [[5, 'Zed', 'C5']], 'the selected cell is edited, no other');
  await p.context().close();
});

test('the open panel lights its own toolbar button: SQL, not Transform', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', csv);
  const p = await openSession(id, 20);
  const lit = async () => (await p.locator('.btn.active[data-testid^="open-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).sort();
  await p.getByTestId('open-sql').click();
  await p.getByTestId('side-panel').waitFor();
  assert.deepEqual(await lit(), ['open-sql']);
  await p.getByTestId('open-transform').click();
  assert.deepEqual(await lit(), ['open-transform']);
  await p.context().close();
});

test('at a 400 px wide viewport both pages fit: the toolbar and the import options wrap, nothing scrolls sideways', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', csv);
  const overflow = (p: Page) => p.evaluate(() => { const g = globalThis as any; return { page: g.document.documentElement.scrollWidth, viewport: g.innerWidth }; });
  // Every control of the page's bars inside the viewport (clipped ones are as unreachable as off-screen ones).
  const outside = (p: Page, selector: string) =>
    p.locator(selector).evaluateAll((els: any[]) =>
      els
        .filter((e) => e.offsetParent !== null)
        .filter((e) => {
          const r = e.getBoundingClientRect();
          return r.left < 0 || r.right > (globalThis as any).innerWidth;
        })
        .map((e) => e.getAttribute('data-testid') ?? e.getAttribute('name') ?? e.textContent),
    );
  for (const width of [400, 1400]) {
    const start = await (await suite.browser.newContext({ viewport: { width, height: 720 } })).newPage();
    await start.goto(suite.server.url);
    await start.locator('input[name=seed]').waitFor();
    await shot(start, `trial2-start-${width}`);
    const s = await overflow(start);
    assert.ok(s.page <= s.viewport, `start page at ${width} px: ${s.page} px wide`);
    assert.deepEqual(await outside(start, '.start input, .start .dropzone'), [], `start page at ${width} px`);
    await start.context().close();

    const p = await openSession(id, 20, width);
    await shot(p, `trial2-workbench-${width}`);
    const w = await overflow(p);
    assert.ok(w.page <= w.viewport, `workbench at ${width} px: ${w.page} px wide`);
    assert.deepEqual(await outside(p, '.topbar .btn, .topbar .dataset-name, .viewbar input, .viewbar select, .viewbar .btn, .statusbar input'), [], `workbench at ${width} px`);
    // The grid keeps room to work in.
    const grid = await p.locator('.grid-wrap').boundingBox();
    assert.ok(grid && grid.height >= 300 && grid.width >= width - 2, `the grid at ${width} px: ${JSON.stringify(grid)}`);
    await p.mouse.click(...Object.values(await cellCenter(p, 1, 2)) as [number, number]);
    await p.waitForTimeout(500); // Glide's accessibility cell has the focus
    await p.keyboard.press('ArrowDown');
    assert.deepEqual(await current(p), [1, 3], `the grid at ${width} px takes clicks and keys`);
    // A side panel fits too, over the grid when there is no room beside it.
    await p.getByTestId('open-filter').click();
    const side = await p.getByTestId('side-panel').boundingBox();
    assert.ok(side && side.x >= 0 && side.x + side.width <= width, `the side panel at ${width} px: ${JSON.stringify(side)}`);
    await shot(p, `trial2-workbench-filter-${width}`);
    await p.context().close();
  }
});

test('SQL panel: an Insert chip puts the name at the caret and leaves the keyboard with the editor, the caret after the name', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', csv);
  const p = await openSession(id, 20);
  await p.getByTestId('open-sql').click();
  const editor = p.locator('textarea[name=command]');
  await editor.fill('SELECT  FROM df');
  await editor.evaluate((t: any) => t.setSelectionRange(7, 7)); // between the two spaces
  // Every element the focus goes to from now on: a chip that took it, even until the next
  // frame, gets the keys typed meanwhile (a space presses it again, letters are lost).
  await p.evaluate(() => {
    const g = globalThis as any;
    g.focused = [];
    g.document.addEventListener('focusin', (e: any) => g.focused.push(e.target.getAttribute('name') ?? e.target.textContent), true);
  });
  await p.locator('.sql-columns button', { hasText: /^city$/ }).click();
  await p.keyboard.type(', name');
  assert.equal(await editor.inputValue(), 'SELECT city, name FROM df');
  assert.deepEqual(await p.evaluate(() => (globalThis as any).focused), [], 'the focus never left the editor');
  // From a chip reached with the keyboard (Tab, Enter), the focus goes back to the editor.
  await editor.evaluate((t: any) => t.setSelectionRange(0, 0));
  await p.locator('.sql-columns button', { hasText: /^id$/ }).focus();
  await p.keyboard.press('Enter');
  await p.keyboard.type(' x');
  assert.equal(await editor.inputValue(), 'id xSELECT city, name FROM df');
  assert.equal(await p.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('name')), 'command');
  await p.context().close();
});

test('every filter panel keeps its controls inside it (Outliers: both number fields)', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', csv);
  const p = await openSession(id, 20, 1400);
  await p.getByTestId('open-filter').click();
  const panel = p.getByTestId('side-panel');
  for (const type of ['Missing values', 'Outliers', 'Duplicates']) {
    await panel.locator('.seg button', { hasText: type }).click();
    const box = (await panel.locator('.side-body').boundingBox())!;
    const out = await panel.locator('input, select, button, .checklist').evaluateAll((els: any[], b: any) =>
      els.map((e) => ({ what: e.getAttribute('name') ?? e.textContent, r: e.getBoundingClientRect() })).filter(({ r }) => r.left < b.x || r.right > b.x + b.width).map(({ what, r }) => `${what}: ${r.left}–${r.right}`),
    box);
    assert.deepEqual(out, [], `${type}: controls inside the panel (${box.x}–${box.x + box.width})`);
    await shot(p, `trial2-filter-${type.split(' ')[0]!.toLowerCase()}`);
  }
  await p.context().close();
});

test('the search box\'s column follows a rename from this page: it names the new column and Search still works', async () => {
  const rows = ['id,name,city', '0,Ann,Paris', '1,Bo,Oslo', '2,Cy,Paris'].join('\n');
  const id = await uploadOk(suite.server.url, 'towns.csv', rows);
  const p = await openSession(id, 3);
  await p.getByTestId('search-input').fill('Paris');
  await p.getByTestId('search-column').selectOption('city');
  await p.getByTestId('search-go').click();
  await until('the search', () => p.getByTestId('row-count').textContent(), (t) => t === '2 of 3 rows');
  await p.getByTestId('open-transform').click();
  await p.getByTestId('ops-renameColumn').click();
  const rename = p.locator('form.op-form[data-operation=renameColumn]');
  await rename.locator('select[name=column]').selectOption('city');
  await rename.locator('input[name=newName]').fill('town');
  await rename.getByRole('button', { name: 'Apply' }).click();
  await until('the chip renamed', () => p.getByTestId('chip-s').textContent(), (t) => t?.includes('in town') ?? false);
  assert.equal(await p.getByTestId('search-column').inputValue(), 'town');
  assert.equal(await p.locator('[data-testid=search-column] option:checked').textContent(), 'town');
  await p.getByTestId('search-input').fill('Oslo');
  await p.getByTestId('search-go').click();
  await until('the new search', () => p.getByTestId('row-count').textContent(), (t) => t === '1 of 3 rows');
  assert.equal(await p.locator('[data-testid^=toast-error]').count(), 0);
  await p.context().close();
});

test('a text column\'s menu offers the operations that need numbers greyed out, saying why', async () => {
  const id = await uploadOk(suite.server.url, 'people.csv', csv);
  const p = await openSession(id, 20);
  const menuOf = async (col: number) => {
    const b = await p.evaluate((c) => (globalThis as any).willowGrid.bounds(c, -1), col);
    await p.mouse.click(b.x + b.width - 15, b.y + b.height / 2);
    await p.locator('.menu').waitFor();
  };
  await menuOf(2); // city: text
  for (const op of ['normalize', 'standardize', 'interpolate']) {
    assert.equal(await p.getByTestId(`op-${op}`).isDisabled(), true, op);
    assert.match((await p.getByTestId(`op-${op}`).getAttribute('title')) ?? '', /needs a numeric \(int or float\) column; “city” is of type string/);
  }
  assert.equal(await p.getByTestId('op-renameColumn').isDisabled(), false);
  await p.keyboard.press('Escape');
  await p.locator('.menu').waitFor({ state: 'detached' });
  await menuOf(0); // id: numbers
  assert.equal(await p.getByTestId('op-normalize').isDisabled(), false);
  await p.context().close();
});

test('no uncaught errors in the pages', () => {
  assert.deepEqual(suite.pageErrors, []);
});

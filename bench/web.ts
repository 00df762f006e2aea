// The web client against the bench's session, in headless Chromium: time to the first
// painted rows of a session URL, time to show the last row after jumping there, frames
// dropped while scrolling, main-thread tasks over 50 ms, and the gzipped bundle size.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { Table, TARGETS, verdict, fmtMs, fmtBytes, percentile } from './report.ts';
import type { Bench } from './sections.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCROLL_MS = 5000;
const repoRoot = path.resolve(import.meta.dirname, '..');

/** Bytes of the built client as a browser downloads it: every file of web/dist, gzipped. */
function bundleBytes(): { gzip: number; raw: number } {
  const dist = path.join(repoRoot, 'web', 'dist');
  let gzip = 0;
  let raw = 0;
  for (const f of fs.globSync('**/*.{js,css,html}', { cwd: dist })) {
    const data = fs.readFileSync(path.join(dist, f));
    raw += data.length;
    gzip += zlib.gzipSync(data, { level: 9 }).length;
  }
  return { gzip, raw };
}

// Run in the page (as a string: the bench's TypeScript knows no DOM): scroll the grid's
// scroller for `ms` at a fast, steady pace, one step per animation frame, and count frames
// that came late (a 60 Hz frame is 16.7 ms; an interval of n frames dropped n − 1).
const SCROLL_SCRIPT = `async (ms) => {
  const scroller = document.querySelector('.dvn-scroller');
  if (!scroller) throw new Error('no grid scroller');
  const longTasks = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
  try { obs.observe({ type: 'longtask', buffered: false }); } catch {}
  const frame = 1000 / 60;
  let expected = 0, dropped = 0, last = performance.now();
  const start = last;
  let direction = 1;
  await new Promise((resolve) => {
    const step = (now) => {
      const dt = now - last;
      last = now;
      const frames = Math.max(1, Math.round(dt / frame));
      expected += frames;
      dropped += frames - 1;
      // About 110 rows a second; back up at the ends.
      const max = scroller.scrollHeight - scroller.clientHeight;
      if (scroller.scrollTop >= max - 50) direction = -1;
      if (scroller.scrollTop <= 0) direction = 1;
      scroller.scrollTop += direction * 48;
      if (now - start < ms) requestAnimationFrame(step); else resolve();
    };
    requestAnimationFrame(step);
  });
  obs.disconnect();
  return { expected, dropped, longTasks };
}`;

export async function webSection(b: Bench): Promise<Table> {
  const t = new Table('web client (Chromium, headless)', ['Measure', 'Value', 'Target', 'Status']);
  const build = spawnSync(process.execPath, ['scripts/build-web.ts', '--if-stale'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('the web client does not build');
  const size = bundleBytes();
  t.add(`bundle, gzipped (raw ${fmtBytes(size.raw)})`, fmtBytes(size.gzip), TARGETS.webBundle.label, verdict(size.gzip, TARGETS.webBundle));

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const url = `${b.server.url}/s/${b.sessionID}`;
    // A first visit fills the HTTP cache, as for anyone who opened Willow before; then cold
    // pages in the same browser measure the session's own cost.
    const warm = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const first: number[] = [];
    const jumps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const page = await warm.newPage();
      await page.goto(url);
      await page.waitForFunction('window.__willowFirstRows !== undefined', null, { timeout: 30_000 });
      if (i === 0) {
        await page.close();
        continue;
      }
      first.push(Number(await page.evaluate('window.__willowFirstRows')));
      await page.waitForTimeout(1000);
      // The jump, timed in the page: the click, the slice request, the frame that shows it.
      jumps.push(
        Number(
          await page.evaluate(`(async () => {
            const target = ${b.ctx.rows} - 1;
            const t0 = performance.now();
            document.querySelector('[data-testid=goto-last]').click();
            await new Promise((resolve) => {
              const check = () => (window.willowGrid.rowLoaded(target) ? requestAnimationFrame(() => resolve()) : requestAnimationFrame(check));
              check();
            });
            return performance.now() - t0;
          })()`),
        ),
      );
      await page.close();
    }
    const median = percentile(first, 50);
    t.add(`session URL → first rows painted (median of ${first.length}, warm HTTP cache)`, fmtMs(median), TARGETS.webFirstRows.label, verdict(median, TARGETS.webFirstRows));
    const jump = percentile(jumps, 50);
    t.add(`jump to the last row → its rows shown (median of ${jumps.length})`, fmtMs(jump), TARGETS.webLastRow.label, verdict(jump, TARGETS.webLastRow));

    const page = await warm.newPage();
    await page.goto(url);
    await page.waitForFunction('window.__willowFirstRows !== undefined', null, { timeout: 30_000 });
    await page.waitForTimeout(1500); // header profiles queued after the first rows
    const scroll = (await page.evaluate(`(${SCROLL_SCRIPT})(${SCROLL_MS})`)) as { expected: number; dropped: number; longTasks: number[] };
    const pct = (100 * scroll.dropped) / Math.max(1, scroll.expected);
    t.add(`frames dropped while scrolling ${SCROLL_MS / 1000} s (${scroll.dropped} of ${scroll.expected})`, `${pct.toFixed(1)} %`, TARGETS.webDroppedFrames.label, verdict(pct, TARGETS.webDroppedFrames));
    const long = scroll.longTasks;
    t.add('main-thread tasks over 50 ms while scrolling', long.length ? `${long.length} (longest ${fmtMs(Math.max(...long))})` : '0', '0', long.length ? 'FAIL' : 'pass');
    await warm.close();
  } finally {
    await browser.close();
  }
  return t;
}

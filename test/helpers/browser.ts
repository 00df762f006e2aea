// What the browser tests share: how Debian's Chromium is started here, waiting for a page,
// and the server, client and browser a test file runs against.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type TestServer } from './server.ts';
import { connect, type WillowClient } from './client.ts';
import type { Config } from '../../src/config.ts';

/** Chromium's flags for headless runs on this machine (no sandbox, nothing fetched in the background). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Probe every 100 ms until `ok` accepts the value; resolves with it.
 * @throws Error naming `what` and the last value after `timeoutMs`
 */
export async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

/** What browserSuite starts: the server, a Socket.IO client on it, Chromium, and the pages' uncaught errors. */
export interface BrowserSuite {
  server: TestServer;
  client: WillowClient;
  browser: Browser;
  pageErrors: string[];
  /** Where screenshots go (test/artifacts). */
  artifacts: string;
}

/**
 * Register a test file's before/after: build the web client when stale, start a server
 * (`env` overrides), a client and Chromium; close them after. The returned object is filled
 * in by `before`: read its fields inside tests.
 */
export function browserSuite(env: Partial<Config> = {}): BrowserSuite {
  const suite = { pageErrors: [] as string[], artifacts: path.resolve(import.meta.dirname, '..', 'artifacts') } as BrowserSuite;
  before(async () => {
    const build = spawnSync(process.execPath, ['scripts/build-web.ts', '--if-stale'], { stdio: 'inherit', cwd: path.resolve(import.meta.dirname, '..', '..') });
    assert.equal(build.status, 0, 'the web client builds');
    await fs.mkdir(suite.artifacts, { recursive: true });
    suite.server = await startServer(env);
    suite.client = await connect(suite.server.url);
    suite.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await suite.browser?.close();
    suite.client?.close();
    await suite.server?.close();
  });
  return suite;
}

/**
 * The cell editor `gesture` opens, tried again (after Escape) when none shows within 3 s: on a
 * busy machine the grid can miss a gesture that comes before it has taken the focus (Playwright
 * presses and clicks within a few ms), which is not what these tests are about.
 */
export async function openEditor(p: Page, gesture: () => Promise<void>) {
  const editor = p.locator('#portal textarea');
  for (let attempt = 1; ; attempt++) {
    await gesture();
    try {
      await editor.waitFor({ state: 'visible', timeout: 3000 });
      return editor;
    } catch (e) {
      if (attempt === 4) throw e;
      await p.keyboard.press('Escape');
    }
  }
}

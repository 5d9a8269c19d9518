import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { startRig, type Rig } from '../rig/rig-server';
import { SYNC_WORKER_SOURCE } from '../support/sync-worker-source';
import { DESKTOP } from './layout';

export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');

export interface RigFixture {
  core: Core;
  rig: Rig;
  dataDir: string;
}

/** A new data directory, the real core (real SQLite, real keyring) and the rig in front of it; close() removes it all. */
export async function startConsole(): Promise<RigFixture & { close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-e2e-'));
  const core = createCore({ dataDir, version: '0.0.0-e2e', transport: 'web-test-rig', syncWorker: SYNC_WORKER_SOURCE });
  const rig = await startRig({ core, rendererDir: path.resolve('out/renderer') });
  return {
    core,
    rig,
    dataDir,
    async close() {
      await rig.close();
      await core.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function withConsole(use: (fixture: RigFixture) => Promise<void>): Promise<void> {
  const fixture = await startConsole();
  await use(fixture);
  await fixture.close();
}

/** Collects what the page threw or the CSP refused; check() fails with all of it. */
export function watchPageErrors(page: Page): { check(): void } {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  return {
    check() {
      if (errors.length > 0) throw new Error(`The page reported errors:\n${errors.join('\n')}`);
    },
  };
}

/** Opens the console in the page and fails the test if the page threw or broke the CSP. */
async function openConsole(page: Page, fixture: RigFixture, use: (page: Page) => Promise<void>): Promise<void> {
  const errors = watchPageErrors(page);
  await page.goto(fixture.rig.url);
  await use(page);
  errors.check();
}

/**
 * `tec`/`app`: one console per worker, shared by the tests that run in it (Playwright reuses a worker across files).
 * `freshTec`/`freshApp`: a console of the test's own, for tests that need an empty first-run state.
 */
export const test = base.extend<{ app: Page; freshTec: RigFixture; freshApp: Page }, { tec: RigFixture }>({
  tec: [async ({}, use) => withConsole(use), { scope: 'worker' }],
  app: async ({ page, tec: fixture }, use) => openConsole(page, fixture, use),
  freshTec: async ({}, use) => withConsole(use),
  freshApp: async ({ page, freshTec }, use) => openConsole(page, freshTec, use),
});

/** A console and one browser page on it at 1280×720, for a serial file whose tests walk one session screen by screen. */
export interface ConsolePage {
  tec: RigFixture & { close(): Promise<void> };
  page: Page;
  /** Fails the calling test on an uncaught page error or console error seen since the last check. */
  errors: { check(): void };
  close(): Promise<void>;
}

export async function openConsolePage(browser: Browser): Promise<ConsolePage> {
  const tec = await startConsole();
  // axe-core/playwright opens a page of its own in the context: the page must come from browser.newContext().
  let context: BrowserContext | undefined;
  try {
    context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(tec.rig.url);
    const opened = context;
    return {
      tec,
      page,
      errors,
      async close() {
        await opened.close();
        await tec.close();
      },
    };
  } catch (error) {
    await context?.close();
    await tec.close();
    throw error;
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export { expect } from '@playwright/test';

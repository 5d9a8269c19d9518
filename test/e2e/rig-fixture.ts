import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { startRig, type Rig } from '../rig/rig-server';

export const SCREENSHOT_DIR = path.resolve('test-results/screenshots');

export interface RigFixture {
  core: Core;
  rig: Rig;
  dataDir: string;
}

/** Each test file gets a fresh data directory, the real core (real SQLite, real keyring) and the rig in front of it. */
export const test = base.extend<{ app: Page }, { tec: RigFixture }>({
  tec: [
    async ({}, use) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-e2e-'));
      const core = createCore({ dataDir, version: '0.0.0-e2e', transport: 'web-test-rig' });
      const rig = await startRig({ core, rendererDir: path.resolve('out/renderer') });
      await use({ core, rig, dataDir });
      await rig.close();
      core.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  app: async ({ page, tec: fixture }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
    });
    await page.goto(fixture.rig.url);
    await use(page);
    if (errors.length > 0) throw new Error(`The page reported errors:\n${errors.join('\n')}`);
  },
});

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export { expect } from '@playwright/test';

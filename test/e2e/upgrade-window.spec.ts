import type { Page } from '@playwright/test';
import type { UpgradeStatus } from '../../src-shared/contract/app';
import { expectNoSeriousAxeFindings } from './axe';
import { expectNothingOverflows } from './layout';
import { expect, screenshot, test, watchPageErrors, type RigFixture } from './rig-fixture';

/**
 * The desktop app's upgrade window (index.html#upgrade), in Chromium through the rig: the statuses start-up sends it
 * arrive as the contract's `app.upgrade` event, here emitted on the rig's core as the Electron main sends them.
 */
async function openUpgradeWindow(page: Page, tec: RigFixture): Promise<void> {
  // The rig's entry sets its cookie and sends the page to '/'; the upgrade window is index.html with its own hash.
  await page.goto(tec.rig.url);
  await page.goto(new URL('/index.html#upgrade', page.url()).toString());
}

/** Sends the first status until the page shows it: the page's event stream connects after it loads. */
async function sendFirst(page: Page, tec: RigFixture, status: UpgradeStatus, shows: string): Promise<void> {
  await expect
    .poll(async () => {
      tec.core.events.emit('app.upgrade', status);
      return page.getByText(shows).isVisible();
    })
    .toBe(true);
}

/** The upgrade window's size (window-options.ts), and what it lays out at 200 % zoom. */
const WINDOW = { width: 560, height: 440 };
const WINDOW_ZOOM_200 = { width: 280, height: 220 };

/** Nothing runs past the window's edge, at its size and at 200 % zoom. */
async function expectFits(page: Page, screen: string): Promise<void> {
  await expectNothingOverflows(page, screen);
  await page.setViewportSize(WINDOW_ZOOM_200);
  await expectNothingOverflows(page, `${screen} at 200 % zoom`);
  await page.setViewportSize(WINDOW);
}

const DATABASE = '/home/admin/.config/Trusted Endpoints Console/console.sqlite';
const BACKUP = `${DATABASE}.before-v38-upgrade-2026-12-07T15-00-00-000Z.bak`;

test('the upgrade window shows each step of an upgrade, with a bar that counts only what has counts', async ({ page, freshTec: tec }) => {
  const errors = watchPageErrors(page);
  await openUpgradeWindow(page, tec);
  await expect(page.getByRole('heading', { level: 1, name: 'Upgrading the console’s database' })).toBeVisible();
  // Before the first status: a bar that only says it is busy.
  await expect(page.getByText('Getting ready…')).toBeVisible();
  const bar = page.getByRole('progressbar');
  await expect(bar).not.toHaveAttribute('value');
  await expectNoSeriousAxeFindings(page, 'upgrade window, getting ready');
  // The window's own size (window-options.ts).
  await page.setViewportSize(WINDOW);

  await sendFirst(page, tec, { stage: 'backup', file: BACKUP, bytes: 1_352_000_000, fromVersion: 38, toVersion: 40 }, 'Copying the database (1,352 MB) before upgrading it, so the upgrade can be undone:');
  await expect(page.getByText(BACKUP)).toBeVisible();
  await expect(bar).not.toHaveAttribute('value');
  await expect(bar).toHaveAttribute('aria-valuetext', 'One step: no count until the copy is done');
  await expectNoSeriousAxeFindings(page, 'upgrade window, copying');
  await screenshot(page, 'upgrade-window-copying');
  await expectFits(page, 'upgrade window, copying');

  // Before migrating, the indexes a stopped sync left deferred are built, counted (openDatabase).
  tec.core.events.emit('app.upgrade', { stage: 'indexes', built: 3, total: 12 });
  await expect(page.getByText('Finishing the device indexes a stopped sync left, before upgrading')).toBeVisible();
  await expect(page.getByText('3 of 12 indexes built')).toBeVisible();
  await expect(bar).toHaveJSProperty('value', 3);
  await expect(bar).toHaveJSProperty('max', 12);
  await expect(bar).toHaveAttribute('aria-valuetext', '3 of 12 indexes built');
  await expect(page.getByText(BACKUP)).toHaveCount(0);
  await expectNoSeriousAxeFindings(page, 'upgrade window, building the indexes a stopped sync left');
  await expectFits(page, 'upgrade window, building the indexes a stopped sync left');

  tec.core.events.emit('app.upgrade', { stage: 'migrating', version: 39, name: 'devices-without-integration-id', position: 1, count: 2 });
  await expect(page.getByText('Upgrading to schema 39 (devices-without-integration-id)', { exact: true })).toBeVisible();
  await expect(page.getByText('Step 1 of 2')).toBeVisible();
  await expect(bar).not.toHaveAttribute('value');
  await expectNoSeriousAxeFindings(page, 'upgrade window, a migration without counts');

  const step = 'rewriting each device row without its integration id';
  tec.core.events.emit('app.upgrade', { stage: 'migration', version: 39, name: 'devices-without-integration-id', done: 0, total: 1_000_000, step });
  await expect(page.getByText(`Upgrading to schema 39 (devices-without-integration-id): ${step}`)).toBeVisible();
  await expect(page.getByText('1,000,000 devices in one step: no count until it is done')).toBeVisible();
  await expect(bar).not.toHaveAttribute('value');
  await expect(page.getByText(BACKUP)).toHaveCount(0);

  tec.core.events.emit('app.upgrade', { stage: 'migration', version: 33, name: 'device-name-key', done: 250_000, total: 1_000_000 });
  await expect(page.getByText('250,000 of 1,000,000 devices')).toBeVisible();
  await expect(bar).toHaveJSProperty('value', 250_000);
  await expect(bar).toHaveJSProperty('max', 1_000_000);
  await expect(bar).toHaveAttribute('aria-valuetext', '250,000 of 1,000,000 devices');
  await expectNoSeriousAxeFindings(page, 'upgrade window, a counted migration');
  await screenshot(page, 'upgrade-window-counted');
  await expectFits(page, 'upgrade window, a counted migration');

  tec.core.events.emit('app.upgrade', { stage: 'opening' });
  await expect(page.getByText('The database is upgraded. Opening the console…')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  errors.check();
});

test('a failed upgrade says why, where the log and the copy are, and quits from the keyboard', async ({ page, freshTec: tec }) => {
  const errors = watchPageErrors(page);
  await openUpgradeWindow(page, tec);
  const message = 'Upgrading the database to schema 40 failed and was rolled back; the data is as it was before.';
  await sendFirst(page, tec, { stage: 'failed', code: 'DB_MIGRATION_FAILED', message, backupFile: BACKUP, logFile: '/home/admin/.config/Trusted Endpoints Console/logs/main.log' }, message);
  const alert = page.getByRole('alert');
  await expect(alert.getByRole('heading', { name: 'The database could not be upgraded' })).toBeVisible();
  await expect(alert).toContainText('/home/admin/.config/Trusted Endpoints Console/logs/main.log');
  await expect(alert).toContainText(BACKUP);
  await expect(alert).toContainText('DB_MIGRATION_FAILED');
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  const quit = alert.getByRole('button', { name: 'Quit' });
  await expect(quit).toBeFocused();
  await page.setViewportSize(WINDOW);
  await expectNoSeriousAxeFindings(page, 'upgrade window, failed');
  await screenshot(page, 'upgrade-window-failed');
  await expectFits(page, 'upgrade window, failed');
  // The page closes its window; Electron then ends the app (start-upgrade.ts). A browser tab stays, so it is recorded.
  await page.evaluate(() => {
    window.close = () => document.body.setAttribute('data-closed', 'yes');
  });
  await page.keyboard.press('Enter');
  await expect(page.locator('body')).toHaveAttribute('data-closed', 'yes');
  errors.check();
});

test('a failed upgrade that wrote no copy says so', async ({ page, freshTec: tec }) => {
  await openUpgradeWindow(page, tec);
  const message = 'The copy of the database taken before upgrading it could not be written to /full/disk.bak (disk full). Nothing was upgraded: the database is as it was. Free some disk space and start the console again.';
  await sendFirst(page, tec, { stage: 'failed', code: 'DB_MIGRATION_FAILED', message, backupFile: null, logFile: '/logs/main.log' }, message);
  await expect(page.getByRole('alert')).toContainText('None was written.');
});

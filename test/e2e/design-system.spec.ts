import type { Page } from '@playwright/test';
import { seedDevices } from '../support/seed-devices';
import { expect, screenshot, test } from './rig-fixture';

/**
 * The console's visual language (issue 18): it follows the OS theme through prefers-color-scheme (nativeTheme
 * 'system' in the app), and its dialog keeps focus inside, closes on Escape and gives focus back to what opened it.
 */
const nav = (app: Page, name: string) => app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();
const background = (app: Page) => app.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('in the dark theme the integrations page, the explorer, a verdict and a dialog use the dark tokens', async ({ freshApp: app, freshTec: tec }) => {
  seedDevices(tec.core.services.db, { count: 300, seed: 'dark-theme', referenceTime: Date.now(), integration: { name: 'Acme Android', platform: 'android' } });
  tec.core.services.searchIndex.catchUp();
  await app.setViewportSize({ width: 1280, height: 720 });
  const light = await background(app);
  await app.emulateMedia({ colorScheme: 'dark' });
  // The page's own background is the dark token (--color-bg), not the light one it had a moment ago.
  expect(await background(app)).toBe('rgb(17, 21, 28)');
  expect(light).toBe('rgb(246, 247, 249)');

  await nav(app, 'Integrations');
  await app.reload();
  await expect(app.getByRole('button', { name: 'Acme Android' })).toBeVisible();
  await screenshot(app, 'dark-01-integrations');

  await nav(app, 'Devices');
  await expect(app.getByTestId('device-total')).toHaveText('300 devices');
  await screenshot(app, 'dark-02-explorer');

  await nav(app, 'Integrations');
  const verify = app.getByRole('region', { name: 'Verify your setup' });
  await verify.getByLabel('Username', { exact: true }).fill('ada.lovelace');
  await verify.getByLabel('Device Client ID').fill('not-a-synced-identifier');
  await verify.getByRole('button', { name: 'Verify' }).click();
  await expect(verify.getByTestId('trust-lead')).toContainText('Not trusted');
  await verify.scrollIntoViewIfNeeded();
  await screenshot(app, 'dark-03-verdict');

  await app.getByRole('button', { name: 'Acme Android' }).click();
  await app.getByRole('button', { name: 'Delete “Acme Android”…' }).click();
  const dialog = app.getByRole('dialog', { name: 'Delete “Acme Android”?' });
  await expect(dialog).toBeVisible();
  expect(await dialog.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(26, 32, 41)');
  await app.screenshot({ path: 'test-results/screenshots/dark-04-dialog.png' });
});

test('a dialog keeps focus inside, closes on Escape and returns focus to the button that opened it', async ({ freshApp: app, freshTec: tec }) => {
  await tec.core.handlers['integrations.create']({ name: 'Focus Test', platform: 'android' }, { signal: new AbortController().signal });
  await app.reload();
  await app.getByRole('button', { name: 'Focus Test' }).click();
  const opener = app.getByRole('button', { name: 'Delete “Focus Test”…' });
  await opener.focus();
  await app.keyboard.press('Enter');
  const dialog = app.getByRole('dialog', { name: 'Delete “Focus Test”?' });
  await expect(dialog.getByLabel(/Type the integration's name to confirm/)).toBeFocused();

  const focusInDialog = () => app.evaluate(() => document.activeElement?.closest('dialog') !== null);
  for (let i = 0; i < 8; i++) {
    await app.keyboard.press('Tab');
    expect(await focusInDialog()).toBe(true);
  }
  for (let i = 0; i < 8; i++) {
    await app.keyboard.press('Shift+Tab');
    expect(await focusInDialog()).toBe(true);
  }
  await dialog.getByLabel(/Type the integration's name to confirm/).fill('Focus');
  await screenshot(app, 'dialog-01-delete');

  await app.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
});

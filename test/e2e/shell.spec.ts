import { SECTIONS } from '../../src-renderer/src/app/navigation-store';
import { expect, screenshot, test } from './rig-fixture';

test.describe('console shell', () => {
  test('first run tells a new admin what to do, and every section opens', async ({ freshApp: app }) => {
    await expect(app.getByRole('heading', { name: 'Connect your first Ivanti Neurons tenant' })).toBeVisible();
    await screenshot(app, 'shell-integrations-first-run');

    // Every section the navigation declares, ending back on Integrations.
    const sections = [...SECTIONS.map((s) => s.label).filter((l) => l !== 'Integrations'), 'Integrations'];
    expect(sections.length).toBeGreaterThanOrEqual(6);
    for (const name of sections) {
      await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();
      await expect(app.getByRole('main')).toHaveAttribute('aria-label', name);
      await expect(app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true })).toHaveAttribute('aria-current', 'page');
      await screenshot(app, `shell-${name.toLowerCase()}`);
    }
  });

  test('sections are reachable with the keyboard alone', async ({ app }) => {
    // Nothing has focus after a load: the first Tab is the skip link, the second the first section.
    await app.keyboard.press('Tab');
    await expect(app.getByRole('link', { name: 'Skip to content' })).toBeFocused();
    await app.keyboard.press('Tab'); // first nav item
    await app.keyboard.press('Tab');
    await app.keyboard.press('Enter');
    await expect(app.getByRole('main')).toHaveAttribute('aria-label', 'Devices');
  });

  test('a contract error shows in plain words next to the field', async ({ freshApp: app }) => {
    await app.getByRole('button', { name: 'Add your first integration' }).click();
    await app.getByRole('radio', { name: /Ivanti Neurons for MDM/ }).check();
    await app.getByRole('button', { name: 'Next' }).click();
    await app.getByRole('button', { name: 'Create integration' }).click();
    await expect(app.getByText('Give the integration a name.')).toBeVisible();
    await app.getByLabel('Integration name').fill('Marketing Android');
    await app.getByRole('radio', { name: /^Android/ }).check();
    await app.getByRole('button', { name: 'Create integration' }).click();
    await app.getByRole('button', { name: /^← All integrations/ }).click();
    await expect(app.getByRole('cell', { name: 'Marketing Android', exact: true })).toBeVisible();
    await screenshot(app, 'shell-integration-created');
  });

  test('settings show where the data lives and reject a bad value', async ({ app, tec: fixture }) => {
    await app.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(app.getByText(fixture.dataDir)).toBeVisible();
    // Out of range and empty: each field says, in an admin's words, what to type (issue 18 point 8); no toast.
    const stale = app.getByLabel('Treat a sync as too old after (hours)');
    const interval = app.getByLabel('Background sync every (minutes, 0 = off)');
    await stale.fill('0');
    await interval.fill('');
    await app.getByRole('button', { name: 'Save settings' }).click();
    await expect(stale).toHaveAccessibleDescription('Enter a whole number of hours, from 1 to 720 (30 days).');
    await expect(interval).toHaveAccessibleDescription('Enter the minutes between background syncs as a whole number, from 0 (off) to 10080 (one week).');
    await expect(stale).toHaveAttribute('aria-invalid', 'true');
    await expect(app.getByText(/Too small|Invalid input|expected number/)).toHaveCount(0);
    await expect(app.getByRole('region', { name: 'Notifications' }).getByRole('status')).toHaveCount(0);
    await screenshot(app, 'shell-settings-invalid');
    // A valid save is confirmed by a toast that goes away by itself; the field messages go with the mistake.
    await stale.fill('24');
    await interval.fill('60');
    await app.getByRole('button', { name: 'Save settings' }).click();
    const toast = app.getByRole('region', { name: 'Notifications' }).getByRole('status');
    await expect(toast).toHaveText(/Settings saved\./);
    await expect(stale).not.toHaveAttribute('aria-invalid', 'true');
    await expect(toast).toHaveCount(0, { timeout: 12_000 });
  });
});

import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, screenshot, test } from './rig-fixture';

let tenant: RunningSimulator;

test.beforeAll(async () => {
  // Every answer a little slow, so the running state (progress, rate, cancel) is on screen long enough to use.
  tenant = await startSimulator({ devices: 3_000, seed: 'sync-panel', slowMs: 150, faults: { slow: 1 } });
});

test.afterAll(async () => {
  await tenant?.close();
});

test.describe('the sync panel on an integration page', () => {
  test('runs a sync with a live progress bar, cancels and resumes it, and lists the runs with their changes', async ({ app, tec }) => {
    await tec.core.services.integrations.create({
      name: 'Sync panel tenant',
      platform: 'android',
      domain: tenant.domain,
      email: tenant.credentials.email,
      password: tenant.credentials.password,
    });
    await app.reload();
    await app.getByRole('button', { name: 'Sync panel tenant', exact: true }).click();
    const panel = app.getByRole('region', { name: 'Device sync' });
    await expect(panel.getByText(/Not scheduled|Next scheduled sync|Scheduled sync is off/)).toBeVisible();
    await expect(panel.getByText('No sync has run yet.')).toBeVisible();

    await panel.getByRole('button', { name: 'Run sync now' }).click();
    const bar = panel.getByRole('progressbar', { name: 'Sync progress' });
    await expect(bar).toHaveAttribute('aria-valuenow', /^\d+$/);
    await expect(panel.getByText(/devices\/s/)).toBeVisible();
    await screenshot(app, 'sync-panel-01-running');
    await panel.getByRole('button', { name: 'Cancel sync' }).click();
    await expect(panel.getByRole('status')).toContainText('Last sync cancelled');

    await panel.getByRole('button', { name: 'Resume sync' }).click();
    await expect(bar).toBeVisible();
    await expect(panel.getByRole('status')).toContainText('Last sync completed', { timeout: 60_000 });
    await expect(panel.getByRole('status')).toContainText('3,000 devices, 3,000 added');

    const history = panel.getByRole('table', { name: 'Sync history' });
    await expect(history.getByRole('row')).toHaveCount(2);
    await expect(history.getByRole('row').nth(1)).toContainText('Completed');
    await screenshot(app, 'sync-panel-02-history');

    await history.getByRole('button', { name: /Show the changes of the sync/ }).click();
    const changes = panel.getByRole('region', { name: /Changes of run/ });
    await expect(changes.getByRole('heading')).toContainText('(3,000)');
    await expect(changes.getByRole('table', { name: 'Device changes' }).getByRole('row')).toHaveCount(101);
    await changes.getByRole('button', { name: 'Show more' }).click();
    await expect(changes.getByRole('table', { name: 'Device changes' }).getByRole('row')).toHaveCount(201);
    await changes.getByRole('button', { name: 'Removed' }).click();
    await expect(changes.getByRole('heading')).toContainText('(0)');
  });
});

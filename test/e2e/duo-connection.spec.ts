import { startDuoDouble, type RunningDuoDouble } from '../duo/duo-admin-double';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, screenshot, test } from './rig-fixture';

let tenant: RunningSimulator;
let duo: RunningDuoDouble;

test.beforeAll(async () => {
  tenant = await startSimulator({ devices: 400, seed: 'duo-e2e' });
  duo = await startDuoDouble({ ivantiDevices: tenant.expectedDevices(), users: 40, seed: 'duo-e2e' });
});

test.afterAll(async () => {
  await duo?.close();
  await tenant?.close();
});

test.describe('the Duo Admin API connection in Settings', () => {
  test('connects to the Duo double, names a wrong secret key, then tests and reads with the right one', async ({ freshApp: app }) => {
    await app.getByRole('button', { name: 'Settings', exact: true }).click();
    const panel = app.getByRole('region', { name: /Duo Admin API/ });
    await expect(panel.getByText('Not connected.')).toBeVisible();
    await expect(panel.getByText(/never writes to Duo/)).toBeVisible();

    await panel.getByLabel('API hostname').fill(duo.apiHostname);
    await panel.getByLabel('Integration key').fill(duo.credentials.integrationKey);
    await panel.getByLabel('Secret key').fill('a-wrongly-copied-secret-key');
    await panel.getByRole('button', { name: 'Save connection' }).click();
    await expect(panel.getByLabel('Secret key')).toHaveAttribute('placeholder', /Stored in the keychain/);
    await panel.getByRole('button', { name: 'Test connection' }).click();
    const checks = panel.getByRole('list', { name: 'Duo connection checks' });
    await expect(checks.getByRole('alert')).toContainText('secret key does not match');
    await expect(checks.getByRole('listitem').nth(3)).toContainText('Failed');
    await screenshot(app, 'duo-connection-01-wrong-secret');

    await panel.getByLabel('Secret key').fill(duo.credentials.secretKey);
    await panel.getByRole('button', { name: 'Save connection' }).click();
    await expect(panel.getByLabel('Secret key')).toHaveValue('');
    await panel.getByRole('button', { name: 'Test connection' }).click();
    await expect(panel.getByRole('status').filter({ hasText: 'works' })).toBeVisible();
    await panel.getByRole('button', { name: 'Read from Duo now' }).click();
    const reads = panel.getByRole('table', { name: 'Reads from Duo' });
    await expect(reads.getByRole('row')).toHaveCount(4);
    await expect(reads.getByRole('row').filter({ hasText: 'endpoints' })).toContainText(`${duo.endpoints().length} read`);
    await screenshot(app, 'duo-connection-02-read');
    // The secret never comes back to the page.
    expect(await app.content()).not.toContain(duo.credentials.secretKey);
  });
});

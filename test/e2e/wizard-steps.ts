/**
 * The setup wizard driven the way an admin drives it (labels and roles only), shared by the Android and iOS specs.
 * Each step is photographed: test-results/screenshots/wizard-<platform>-NN-<step>.png.
 */
import type { Page } from '@playwright/test';
import type { RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, screenshot } from './rig-fixture';

export function stepHeading(page: Page, title: string) {
  return page.getByRole('heading', { name: new RegExp(`^Step \\d of 9: ${title.replace(/[()]/g, '\\$&')}$`) });
}

/** An ACTIVE device of the given Ivanti platform that reports a Device Client ID. */
export function activeIdentifier(sim: RunningSimulator, platformType: 'ANDROID' | 'IOS', skipGuids: ReadonlySet<string> = new Set()): string {
  for (const device of sim.expectedDevices()) {
    if (skipGuids.has(device.guid as string)) continue;
    if (device.platformType === platformType && device.registrationState === 'ACTIVE' && typeof device.clientDeviceIdentifier === 'string' && device.clientDeviceIdentifier) {
      return device.clientDeviceIdentifier;
    }
  }
  throw new Error(`the simulator has no active ${platformType} device with an identifier`);
}

export async function startSetup(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Add (your first )?integration$/ }).click();
  await expect(stepHeading(page, 'Device management tool')).toBeVisible();
}

/** Duo's example key from the seed: what an admin copies from the Duo Admin Panel. */
export const DUO_KEY = 'DPK0W0KLPJLOGSKHTDD';

/** The values step asks for the key Duo shows; pasted (with the stray spaces a copy brings) and saved with Enter. */
export async function pasteDuoKey(page: Page, key: string = DUO_KEY): Promise<void> {
  const field = page.getByRole('textbox', { name: 'Configuration key from Duo' });
  await expect(field).toBeVisible();
  await field.fill(` ${key}\u200b `);
  await field.press('Enter');
  await expect(field).toHaveCount(0);
}

export async function enterApiDetails(page: Page, details: { email: string; password: string; domain: string }): Promise<void> {
  await page.getByLabel('API user email (its Ivanti username)').fill(details.email);
  await page.getByLabel('API user password').fill(details.password);
  await page.getByLabel('Ivanti Neurons domain').fill(details.domain);
}

/** The Test Configuration step with a wrong password, then its recovery; ends on the first-sync step. */
export async function failThenPassTestConfiguration(page: Page, sim: RunningSimulator, shot: (name: string) => Promise<void>): Promise<void> {
  await expect(stepHeading(page, 'Test Configuration')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save & Configure' })).toBeDisabled();
  await page.getByRole('button', { name: 'Run Test Configuration' }).click();
  const failure = page.getByRole('alert').filter({ hasText: 'failed.' });
  await expect(failure).toBeVisible();
  await expect(failure).toContainText('IVANTI_AUTH_REJECTED');
  await expect(page.getByRole('list', { name: 'Test Configuration checks' })).toContainText('Failed');
  await expect(page.getByRole('button', { name: 'Save & Configure' })).toBeDisabled();
  await shot('test-wrong-password');

  await failure.getByRole('button', { name: 'Change the API details' }).click();
  await expect(stepHeading(page, 'API details')).toBeVisible();
  await expect(page.getByLabel('API user password')).toHaveValue('');
  await expect(page.getByText('A password is stored in the keychain.')).toBeVisible();
  await page.getByLabel('API user password').fill(sim.credentials.password);
  await shot('api-details-corrected');
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(page, 'Test Configuration')).toBeVisible();
  await page.getByRole('button', { name: /^(Run Test Configuration|Test again)$/ }).click();
  await expect(page.getByText('Configuration successful.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Device spaces the API user can read' })).toBeVisible();
  await shot('test-passed');
  await page.getByRole('button', { name: 'Save & Configure' }).click();
}

export async function firstSyncIdentifierAndActivation(
  page: Page,
  options: { identifier: string; testGroup: string[]; shot: (name: string) => Promise<void> },
): Promise<void> {
  const { shot } = options;
  await expect(stepHeading(page, 'First sync')).toBeVisible();
  // Save & Configure started the first sync: it completes with no second click.
  await expect(page.getByText(/^First sync completed at /)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Last sync completed' })).toBeVisible();
  await shot('first-sync');
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(page, 'Device identifier check')).toBeVisible();
  await page.getByLabel('Device Client ID').fill('not-a-real-device');
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Not found' })).toBeVisible();
  await page.getByLabel('Device Client ID').fill(options.identifier);
  await page.getByLabel('Device Client ID').press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Found: the device' })).toBeVisible();
  await shot('identifier-check');
  await page.getByRole('button', { name: 'Next' }).click();

  await expect(stepHeading(page, 'Activation')).toBeVisible();
  await page.getByRole('radio', { name: /Enabled for a test group/ }).check();
  await page.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByText('A test group needs at least one username.').or(page.getByText('Add at least one username to the test group.'))).toBeVisible();
  await page.getByLabel('Test group usernames (one per line)').fill(options.testGroup.join('\n'));
  await shot('activation');
  await page.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByRole('heading', { name: 'Setup complete' })).toBeVisible();
  await shot('done');
}

export function shooter(page: Page, prefix: string): (name: string) => Promise<void> {
  let n = 0;
  return async (name) => {
    n += 1;
    await screenshot(page, `${prefix}-${String(n).padStart(2, '0')}-${name}`);
  };
}

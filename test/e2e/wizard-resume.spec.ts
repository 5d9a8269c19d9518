import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { createCore, type Core } from '../../src-main/core/app/composition-root';
import { startRig, type Rig } from '../rig/rig-server';
import { SYNC_WORKER_SOURCE } from '../support/sync-worker-source';
import { databaseText } from '../support/database-text';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { expect, screenshot, test } from './rig-fixture';
import { enterApiDetails, pasteDuoKey, startSetup, stepHeading } from './wizard-steps';

/** A console "process": a core over the data directory and the rig in front of it. Closing both is quitting the app. */
async function launch(dataDir: string): Promise<{ core: Core; rig: Rig; quit(): Promise<void> }> {
  const core = createCore({ dataDir, version: '0.0.0-e2e', transport: 'web-test-rig', syncWorker: SYNC_WORKER_SOURCE });
  const rig = await startRig({ core, rendererDir: path.resolve('out/renderer') });
  return {
    core,
    rig,
    quit: async () => {
      await rig.close();
      await core.close();
    },
  };
}

async function openConsole(page: Page, rig: Rig): Promise<void> {
  await page.goto(rig.url);
  await expect(page.getByRole('heading', { name: 'Integrations', level: 1 })).toBeVisible();
}

let sim: RunningSimulator;
let dataDir: string;

test.beforeAll(async () => {
  sim = await startSimulator({ devices: 50, seed: 'e2e-wizard-resume' });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tec-e2e-resume-'));
});
test.afterAll(async () => {
  await sim.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('quitting mid-setup and starting again resumes at the same step with the same values, the password from the keychain', async ({ browser }) => {
  const secretPassword = sim.credentials.password;
  const first = await launch(dataDir);
  const page1 = await browser.newPage();
  await openConsole(page1, first.rig);
  await startSetup(page1);
  await page1.getByRole('radio', { name: /Ivanti Neurons for MDM/ }).check();
  await page1.getByRole('button', { name: 'Next' }).click();
  await page1.getByLabel('Integration name').fill('Resumed Android');
  await page1.getByRole('radio', { name: /^Android/ }).check();
  await page1.getByRole('button', { name: 'Create integration' }).click();
  await expect(stepHeading(page1, 'Values for Ivanti')).toBeVisible();
  await pasteDuoKey(page1);
  const key = await page1.getByLabel('Trusted Endpoints Configuration Key field value', { exact: true }).textContent();
  await page1.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page1, 'Ivanti checklist')).toBeVisible();
  const boxes = page1.getByRole('group', { name: 'In Ivanti Neurons' }).getByRole('checkbox');
  // all() does not wait: make sure the list is on screen before ticking every item.
  await expect(boxes.first()).toBeVisible();
  for (const box of await boxes.all()) await box.check();
  await expect(page1.getByText('6 of 6 done.')).toBeVisible();
  await page1.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page1, 'API details')).toBeVisible();
  await enterApiDetails(page1, { email: sim.credentials.email, password: secretPassword, domain: sim.domain });
  // Leaving the password field sends it to the keychain; the typed domain is saved as typed.
  await page1.getByLabel('Ivanti Neurons domain').focus();
  await expect(page1.getByText('Password stored in the keychain.')).toBeVisible();
  await screenshot(page1, 'wizard-resume-01-before-quitting');
  // Let the as-typed save land, then quit without pressing Next.
  await expect.poll(async () => (await first.core.services.wizard.list())[0]?.domain).toBe(sim.domain);
  await page1.close();
  await first.quit();

  const onDisk = databaseText(dataDir);
  expect(onDisk).not.toContain(secretPassword);

  const second = await launch(dataDir);
  const page2 = await browser.newPage();
  await openConsole(page2, second.rig);
  const drafts = page2.getByRole('region', { name: 'Unfinished setups' });
  await expect(drafts).toContainText('Resumed Android');
  await expect(drafts).toContainText('API details');
  await screenshot(page2, 'wizard-resume-02-after-restart');
  await drafts.getByRole('button', { name: 'Resume setup of Resumed Android' }).click();
  await expect(stepHeading(page2, 'API details')).toBeVisible();
  await expect(page2.getByLabel('API user email (its Ivanti username)')).toHaveValue(sim.credentials.email);
  await expect(page2.getByLabel('Ivanti Neurons domain')).toHaveValue(sim.domain);
  await expect(page2.getByLabel('API user password')).toHaveValue('');
  await expect(page2.getByText('A password is stored in the keychain.')).toBeVisible();
  await screenshot(page2, 'wizard-resume-03-resumed');

  // Nothing re-typed: the password the test uses comes from the keychain.
  await page2.getByRole('button', { name: 'Next' }).click();
  await page2.getByRole('button', { name: 'Run Test Configuration' }).click();
  await expect(page2.getByText('Configuration successful.')).toBeVisible();
  await screenshot(page2, 'wizard-resume-04-test-with-stored-password');
  await page2.getByRole('button', { name: '← All integrations (the setup is kept: resume it any time)' }).click();
  await page2.getByRole('region', { name: 'Unfinished setups' }).getByRole('button', { name: 'Resume setup of Resumed Android' }).click();
  await expect(stepHeading(page2, 'Test Configuration')).toBeVisible();
  await page2.getByRole('button', { name: 'Back' }).click();
  await page2.getByRole('button', { name: 'Back' }).click();
  await page2.getByRole('button', { name: 'Back' }).click();
  await expect(stepHeading(page2, 'Values for Ivanti')).toBeVisible();
  await expect(page2.getByLabel('Trusted Endpoints Configuration Key field value', { exact: true })).toHaveText(key ?? '');
  await page2.close();
  await second.quit();
});

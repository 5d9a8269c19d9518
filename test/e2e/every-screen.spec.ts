import type { Browser, Page } from '@playwright/test';
import { SECTIONS } from '../../src-renderer/src/app/navigation-store';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { seedFollowUpRun } from '../support/seed-devices';
import { seriousAxeFindings } from './axe';
import { DESKTOP, overflowingElements, ZOOM_200 } from './layout';
import { expect, openConsolePage, screenshot, test, type ConsolePage } from './rig-fixture';
import { activeIdentifier, enterApiDetails, pasteDuoKey, startSetup, stepHeading } from './wizard-steps';

/**
 * Every screen of the console, the way a first-time admin meets them (empty first, then through the setup wizard,
 * then with synced devices), drawers, dialogs and open panels included. On each: axe-core finds no serious or
 * critical issue, and nothing runs past its card at 1280×720 nor at 200 % zoom (640×360 CSS pixels: what a
 * 1280×720 window lays out at 200 %). One console and one browser page for the whole file.
 * Screenshots: test-results/screenshots/screen-<name>.png (1280×720).
 */
test.describe.configure({ mode: 'serial', timeout: 240_000 });

let shared: ConsolePage | undefined;
let tec: ConsolePage['tec'];
let sim: RunningSimulator;
let page: Page;
/** The devices the follow-up run changed or removed (the integration page's test seeds it). */
let followedUp: ReadonlySet<string> = new Set();
let errors: ConsolePage['errors'];
/** Everything found on every screen; each test ends by requiring it empty, so one run reports every problem at once. */
const problems: string[] = [];

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  [shared, sim] = await Promise.all([openConsolePage(browser), startSimulator({ devices: 120, seed: 'e2e-every-screen' })]);
  ({ tec, page, errors } = shared);
});

test.afterAll(async () => {
  await Promise.all([shared?.close(), sim?.close()]);
});

/** After a resize the charts measure themselves again on the next frames. */
async function settle(): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

async function checkScreen(name: string): Promise<void> {
  await settle();
  const axe = await seriousAxeFindings(page);
  for (const f of axe) problems.push(`${name}: axe ${f.impact} ${f.rule} (${f.help}): ${f.targets.slice(0, 4).join(' | ')}`);
  for (const o of await overflowingElements(page)) problems.push(`${name} at 1280 px: ${o}`);
  await screenshot(page, `screen-${name}`);
  await page.setViewportSize(ZOOM_200);
  await settle();
  for (const o of await overflowingElements(page)) problems.push(`${name} at 200 % zoom: ${o}`);
  await screenshot(page, `screen-${name}-zoom200`);
  await page.setViewportSize(DESKTOP);
  await settle();
}

function expectNoProblems(): void {
  errors.check();
  expect(problems, problems.join('\n')).toEqual([]);
}

async function section(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('main')).toHaveAttribute('aria-label', name);
}

test('every section of a new console, before anything is set up', async () => {
  await expect(page.getByRole('heading', { name: 'Connect your first Ivanti Neurons tenant' })).toBeVisible();
  await checkScreen('integrations-first-run');
  for (const s of SECTIONS.filter((s) => s.id !== 'integrations')) {
    await section(s.label);
    await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByRole('main').getByText('Loading…')).toHaveCount(0);
    await checkScreen(`${s.id}-empty`);
  }
  expectNoProblems();
});

test('every step of the setup wizard', async () => {
  await section('Integrations');
  await startSetup(page);
  await checkScreen('wizard-1-mdm');
  await page.getByRole('radio', { name: /Ivanti Neurons for MDM/ }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page, 'Platform')).toBeVisible();
  await page.getByLabel('Integration name').fill('Every screen Android');
  await page.getByRole('radio', { name: /^Android/ }).check();
  await checkScreen('wizard-2-platform');
  await page.getByRole('button', { name: 'Create integration' }).click();
  await expect(stepHeading(page, 'Values for Ivanti')).toBeVisible();
  await checkScreen('wizard-3-values-ask-key');
  await pasteDuoKey(page);
  await checkScreen('wizard-3-values');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page, 'Ivanti checklist')).toBeVisible();
  for (const box of await page.getByRole('group', { name: 'In Ivanti Neurons' }).getByRole('checkbox').all()) await box.check();
  await checkScreen('wizard-4-checklist');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page, 'API details')).toBeVisible();
  await enterApiDetails(page, { email: sim.credentials.email, password: sim.credentials.password, domain: sim.domain });
  await checkScreen('wizard-5-api-details');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page, 'Test Configuration')).toBeVisible();
  await page.getByRole('button', { name: 'Run Test Configuration' }).click();
  await expect(page.getByText('Configuration successful.')).toBeVisible();
  await checkScreen('wizard-6-test-configuration');
  await page.getByRole('button', { name: 'Save & Configure' }).click();
  await expect(stepHeading(page, 'First sync')).toBeVisible();
  const start = page.getByRole('button', { name: 'Start the first sync' });
  if (await start.isVisible()) await start.click();
  await expect(page.getByText(/^First sync completed at /)).toBeVisible({ timeout: 60_000 });
  await checkScreen('wizard-7-first-sync');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page, 'Device identifier check')).toBeVisible();
  await page.getByLabel('Device Client ID').fill(activeIdentifier(sim, 'ANDROID'));
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Found: the device' })).toBeVisible();
  await checkScreen('wizard-8-identifier');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page, 'Activation')).toBeVisible();
  await page.getByRole('radio', { name: /Enabled for all users/ }).check();
  await checkScreen('wizard-9-activation');
  await page.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByRole('heading', { name: 'Setup complete' })).toBeVisible();
  await checkScreen('wizard-done');
  expectNoProblems();
});

test('the integration page with every panel open, and a trust verdict', async () => {
  const [integration] = await tec.core.services.integrations.list();
  const followUp = seedFollowUpRun(tec.core.services.db, { integrationId: integration.id, changed: 6, removed: 3, at: Date.now() });
  // The follow-up run takes the first devices of each space: the explorer's search below must find one it left alone.
  followedUp = new Set([...followUp.changedGuids, ...followUp.removedGuids]);
  await page.getByRole('button', { name: 'Open the integration' }).click();
  await page.getByRole('button', { name: /^← All integrations/ }).click();
  await expect(page.getByRole('cell', { name: 'Every screen Android', exact: true })).toBeVisible();
  await checkScreen('integrations-list');
  await page.getByRole('button', { name: 'Every screen Android', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Every screen Android', level: 1 })).toBeVisible();
  await checkScreen('integration-detail');
  await page.getByRole('button', { name: /^Duo issued a new key|^Enter the key from Duo/ }).click();
  await page.getByRole('button', { name: 'Edit API details' }).click();
  // The delete confirmation is a modal dialog: checked on its own, then closed.
  await page.getByRole('button', { name: /^Delete “Every screen Android”/ }).click();
  await expect(page.getByTestId('delete-dialog')).toBeVisible();
  await checkScreen('integration-delete-dialog');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('delete-dialog')).toBeHidden();
  const verify = page.getByRole('region', { name: 'Verify your setup' });
  await verify.getByLabel('Username', { exact: true }).fill('mallory@acme.example');
  await verify.getByLabel('Device Client ID').fill(activeIdentifier(sim, 'ANDROID'));
  await verify.getByRole('button', { name: 'Verify' }).click();
  await expect(verify.getByTestId('trust-lead')).toBeVisible();
  await checkScreen('integration-detail-panels-open');
  expectNoProblems();
});

test('the explorer, the device drawer, the overview, the audit and the rest with synced devices', async () => {
  await section('Devices');
  const rows = page.getByRole('table', { name: 'Devices' }).locator('[role="row"][data-index]:not([aria-busy])');
  await expect(rows.first()).toBeVisible();
  await checkScreen('devices');
  // A device with a Device Client ID and a named user, so the drawer shows a trust verdict.
  await page.getByLabel('Search devices').fill(activeIdentifier(sim, 'ANDROID', followedUp));
  await expect(page.getByTestId('device-total')).toHaveText('1 device');
  await expect(rows).toHaveCount(1);
  await rows.first().click();
  await expect(page.getByRole('dialog').getByRole('heading', { name: 'Raw record' })).toBeVisible();
  await expect(page.getByRole('dialog').getByText('Checking trust…')).toHaveCount(0);
  await checkScreen('device-drawer');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await section('Overview');
  await expect(page.getByRole('region', { name: 'Platforms' })).toBeVisible();
  await checkScreen('overview');

  await section('Audit');
  await expect(page.getByRole('table', { name: /Audit log/ })).toBeVisible();
  await checkScreen('audit-actions');
  await page.getByRole('tab', { name: 'Sync runs' }).click();
  await page.getByRole('table', { name: 'Sync history' }).getByRole('button', { name: /Show the changes/ }).first().click();
  await expect(page.getByRole('region', { name: /Changes of run/ })).toBeVisible();
  await checkScreen('audit-sync-runs');

  for (const name of ['Certificates', 'Settings']) {
    await section(name);
    await expect(page.getByRole('main').getByText('Loading…')).toHaveCount(0);
    await checkScreen(`${name.toLowerCase()}-after-setup`);
  }
  expectNoProblems();
});

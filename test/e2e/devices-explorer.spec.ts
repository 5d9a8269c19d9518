import fs from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import type { DeviceQuery } from '../../src-shared/domain/device';
import { seedDevices, seedFollowUpRun, seedInBulk, type SeededDevices } from '../support/seed-devices';
import { expect, screenshot, test, type RigFixture } from './rig-fixture';

/**
 * The device explorer in Chromium over 100,000 synced devices (seeded straight into the rig's database, the way the
 * sync engine stores them): search as you type, filters, sorting, scrolling to the far end, the device drawer, saved
 * searches, export, and the overview charts opening the filtered explorer. Expected figures come from the same
 * database through the repository, never from the page.
 */
const DEVICES = 100_000;
test.describe.configure({ mode: 'serial' });

let integrations: string[] = [];

test.beforeAll(async ({ tec }) => {
  const started = Date.now();
  const now = Date.now();
  const db = tec.core.services.db;
  let android!: SeededDevices;
  let ios!: SeededDevices;
  seedInBulk(db, () => {
    android = seedDevices(db, { count: 70_000, seed: 'e2e-android', referenceTime: now, integration: { name: 'Field Android', platform: 'android' } });
    ios = seedDevices(db, { count: DEVICES - 70_000, seed: 'e2e-ios', referenceTime: now, integration: { name: 'Field iOS', platform: 'ios-appconfig' } });
  });
  seedFollowUpRun(db, { integrationId: android.integrationId, changed: 200, removed: 100, at: now + 1000 });
  tec.core.services.searchIndex.catchUp();
  integrations = [android.integrationId, ios.integrationId];
  console.log(`seeded ${DEVICES} devices in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test.afterAll(async ({ tec }) => {
  // The worker's database outlives this file: leave it as other files expect to find it.
  const db = tec.core.services.db;
  db.transaction(() => {
    for (const id of integrations) db.prepare('DELETE FROM integrations WHERE id = ?').run(id);
    db.prepare('DELETE FROM saved_searches').run();
  })();
  tec.core.services.searchIndex.catchUp();
});

function expected(tec: RigFixture, query: DeviceQuery): number {
  return tec.core.services.devices.count(query);
}

async function openExplorer(app: Page): Promise<Locator> {
  await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Devices', exact: true }).click();
  const table = app.getByRole('table', { name: 'Devices' });
  await expect(table).toBeVisible();
  return table;
}

function devicesText(n: number): string {
  return `${n.toLocaleString('en-US')} device${n === 1 ? '' : 's'}`;
}

function total(app: Page): Locator {
  return app.getByTestId('device-total');
}

/** The loaded (not placeholder) rows on screen. */
function loadedRows(table: Locator): Locator {
  return table.locator('[role="row"][data-index]:not([aria-busy])');
}

test('the explorer opens on every synced device and scrolls to the far end, fetching pages as they come into view', async ({ app, tec }) => {
  const table = await openExplorer(app);
  const count = expected(tec, {});
  await expect(total(app)).toHaveText(devicesText(count));
  await expect(table).toHaveAttribute('aria-rowcount', String(count + 1));
  await expect(loadedRows(table).first()).toBeVisible();
  await screenshot(app, 'devices-01-explorer');

  // Only what is on screen exists in the page, whatever the total.
  expect(await table.locator('[role="row"][data-index]').count()).toBeLessThan(120);
  const scroller = app.getByTestId('device-table-scroll');
  await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  const lastRow = table.locator(`[role="row"][aria-rowindex="${count + 1}"]`);
  await expect(lastRow).toBeVisible();
  await expect(lastRow).not.toHaveAttribute('aria-busy', 'true');
  const [oldest] = tec.core.services.devices.search({ sort: { column: 'lastCheckin', direction: 'desc' } }, { offset: count - 1, limit: 1 });
  await expect(lastRow).toContainText(oldest.deviceName ?? oldest.guid);
  await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
  await expect(loadedRows(table).first()).toBeVisible();
  const middle = Number(await loadedRows(table).first().getAttribute('data-index'));
  expect(middle).toBeGreaterThan(count / 2 - 200);
  await screenshot(app, 'devices-02-scrolled-far');
});

test('typing narrows the list as you type, by any identifier, and the first rows match', async ({ app, tec }) => {
  const table = await openExplorer(app);
  const device = tec.core.services.db
    .prepare("SELECT serial_number, device_name FROM devices WHERE platform_type = 'IOS' AND serial_number NOT LIKE '*%' AND removed_at IS NULL LIMIT 1 OFFSET 777")
    .get() as { serial_number: string; device_name: string };
  const search = app.getByLabel('Search devices');
  await search.pressSequentially(device.serial_number.slice(0, 4), { delay: 40 });
  await expect(total(app)).toHaveText(devicesText(expected(tec, { text: device.serial_number.slice(0, 4) })));
  await search.pressSequentially(device.serial_number.slice(4), { delay: 40 });
  await expect(total(app)).toHaveText('1 device');
  await expect(loadedRows(table)).toHaveCount(1);
  await expect(loadedRows(table).first()).toContainText(device.serial_number);
  await screenshot(app, 'devices-03-search');

  await search.fill('ada.love');
  const ada = expected(tec, { text: 'ada.love' });
  expect(ada).toBeGreaterThan(10);
  await expect(total(app)).toHaveText(devicesText(ada));
  await search.fill('');
  await expect(total(app)).toHaveText(devicesText(expected(tec, {})));
});

test('filters and sorting select and order exactly what the database holds', async ({ app, tec }) => {
  const table = await openExplorer(app);
  await app.getByLabel('Platform').selectOption('IOS');
  await app.getByLabel('Registration state').selectOption('RETIRED');
  const query: DeviceQuery = { platformType: 'IOS', registrationState: 'RETIRED' };
  await expect(total(app)).toHaveText(devicesText(expected(tec, query)));

  const header = table.getByRole('columnheader', { name: 'Device name' });
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  const [firstAsc] = tec.core.services.devices.search({ ...query, sort: { column: 'deviceName', direction: 'asc' } }, { offset: 0, limit: 1 });
  await expect(loadedRows(table).first()).toContainText(firstAsc.deviceName!);
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  const [firstDesc] = tec.core.services.devices.search({ ...query, sort: { column: 'deviceName', direction: 'desc' } }, { offset: 0, limit: 1 });
  await expect(loadedRows(table).first()).toContainText(firstDesc.deviceName!);

  await app.getByLabel('Last check-in').selectOption('older');
  const stale = { ...query, checkinAge: 'older' } as const;
  await expect(total(app)).toHaveText(devicesText(expected(tec, stale)));
  await app.getByLabel('Last check-in').selectOption('');
  await app.getByLabel('Trust').selectOption('trusted');
  await expect(total(app)).toHaveText(devicesText(expected(tec, { ...query, trust: 'trusted' })));
  await app.getByLabel('Trust').selectOption('');
  await screenshot(app, 'devices-04-filtered-sorted');

  // Saved, then found again after clearing.
  await app.getByRole('button', { name: 'Save this search' }).click();
  await app.getByLabel('Name of the search').fill('Retired iPhones');
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await app.getByRole('button', { name: 'Clear filters' }).click();
  await expect(total(app)).toHaveText(devicesText(expected(tec, {})));
  await app.getByRole('combobox', { name: 'Saved searches' }).selectOption({ label: 'Retired iPhones' });
  await expect(total(app)).toHaveText(devicesText(expected(tec, query)));
  await expect(header).toHaveAttribute('aria-sort', 'descending');

  // The export carries the same filters.
  await app.getByRole('button', { name: 'Export devices as CSV' }).click();
  const done = app.getByRole('group', { name: 'Export devices' }).getByText(/Exported [\d,]+ to/);
  await expect(done).toBeVisible();
  await expect(done).toContainText(`Exported ${expected(tec, query).toLocaleString('en-US')} to`);
  const file = await app.getByRole('group', { name: 'Export devices' }).getByLabel('export file', { exact: true }).innerText();
  expect(fs.readFileSync(file, 'utf8').split('\r\n').length).toBe(expected(tec, query) + 2);
  await screenshot(app, 'devices-05-saved-and-exported');
});

test('a device drawer shows every field, the trust verdict with its reasons, the change history and the raw record', async ({ app, tec }) => {
  const table = await openExplorer(app);
  const changed = tec.core.services.db
    // A changed device Duo could match (a Device Client ID) with a user to check (not masked), the first by id: the
    // drawer shows a trust verdict for it, and the pick does not depend on the order the query plan happens to read in.
    .prepare(
      `SELECT d.serial_number, d.guid, d.uid FROM devices d JOIN device_changes c ON c.device_id = d.id AND c.kind = 'changed'
       WHERE d.serial_number NOT LIKE '*%' AND d.client_device_identifier IS NOT NULL AND d.uid NOT LIKE '*%' ORDER BY d.id LIMIT 1`,
    )
    .get() as { serial_number: string; guid: string; uid: string };
  await app.getByLabel('Search devices').fill(changed.serial_number);
  await expect(total(app)).toHaveText('1 device');
  await loadedRows(table).first().click();
  const drawer = app.getByRole('dialog');
  await expect(drawer).toBeVisible();
  await expect(drawer.getByText(changed.guid, { exact: true })).toBeVisible();
  await expect(drawer.getByText(changed.serial_number, { exact: true })).toBeVisible();
  const verdict = drawer.getByTestId('trust-verdict');
  await expect(verdict).toContainText(changed.uid);
  // The seeded integration has completed a sync and is enabled for all users: the verdict names what decides it.
  await expect(verdict.getByTestId('trust-lead')).toContainText(/^(Trusted|Not trusted) for /);
  await expect(drawer.getByRole('heading', { name: 'Change history' })).toBeVisible();
  await expect(drawer.locator('.devices-history')).toContainText('registrationState');
  await expect(drawer.getByLabel('Raw record as Ivanti sent it')).toContainText(`"guid": "${changed.guid}"`);
  await screenshot(app, 'devices-06-drawer');
  await app.keyboard.press('Escape');
  await expect(drawer).toBeHidden();

  // The keyboard opens a row too.
  await loadedRows(table).first().focus();
  await app.keyboard.press('Enter');
  await expect(app.getByRole('dialog')).toBeVisible();
  await app.getByRole('button', { name: 'Close device details' }).click();
});

test('overview charts count the fleet and each opens the filtered explorer', async ({ app, tec }) => {
  await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Overview', exact: true }).click();
  const platforms = app.getByRole('region', { name: 'Platforms' });
  await expect(platforms).toBeVisible();
  await expect(app.getByRole('region', { name: 'Sync history' })).toBeVisible();
  await expect(platforms.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await screenshot(app, 'devices-07-overview');

  await platforms.getByRole('button', { name: /Platforms, iOS$/ }).click();
  await expect(app.getByRole('main')).toHaveAttribute('aria-label', 'Devices');
  await expect(app.getByLabel('Platform')).toHaveValue('IOS');
  await expect(total(app)).toHaveText(devicesText(expected(tec, { platformType: 'IOS' })));

  // The bars themselves are clickable.
  await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Overview', exact: true }).click();
  const ages = app.getByRole('region', { name: 'Last check-in' });
  await ages.locator('.recharts-bar-rectangle').first().click();
  await expect(app.getByLabel('Last check-in')).toHaveValue('day');
  await expect(total(app)).toHaveText(devicesText(expected(tec, { checkinAge: 'day' })));
  await screenshot(app, 'devices-08-from-chart');
});

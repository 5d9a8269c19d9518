import type { Page } from '@playwright/test';
import type { SyncCheckpoint } from '../../src-main/core/sync/sync-checkpoint';
import { countersOf } from '../../src-main/core/sync/sync-run-store';
import { seedDevices } from '../support/seed-devices';
import { expect, screenshot, test, type RigFixture } from './rig-fixture';

/**
 * The trust verdict leads with the reason that decides it, in the verify panel and in the device drawer alike: for a
 * trusted device, a device of another platform, an unknown identifier and a device of a space the last sync could not
 * read ("can't tell"). Devices are seeded the way a sync stores them; which device is which comes from the database,
 * never from the page.
 */
interface Picked {
  identifier: string;
  uid: string;
  serial: string;
  platform: string;
}

function pick(tec: RigFixture, integrationId: string, platformTypes: string[]): Picked {
  return tec.core.services.db
    .prepare(
      `SELECT client_device_identifier AS identifier, uid, serial_number AS serial, platform_type AS platform FROM devices
        WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND platform_type IN (${platformTypes.map(() => '?').join(', ')}) AND registration_state = 'ACTIVE' AND removed_at IS NULL
          AND client_device_identifier IS NOT NULL AND uid IS NOT NULL AND uid NOT LIKE '%*%' AND serial_number NOT LIKE '%*%'
        LIMIT 1`,
    )
    .get(integrationId, ...platformTypes) as Picked;
}

async function verify(app: Page, user: string, identifier: string) {
  const panel = app.getByRole('region', { name: 'Verify your setup' });
  await panel.getByLabel('Username', { exact: true }).fill(user);
  await panel.getByLabel('Device Client ID').fill(identifier);
  await panel.getByRole('button', { name: 'Verify' }).click();
  const lead = panel.getByTestId('trust-lead');
  await expect(lead).toBeVisible();
  await lead.scrollIntoViewIfNeeded();
  return { panel, lead, action: panel.getByTestId('trust-action') };
}

async function openDrawer(app: Page, serial: string) {
  await app.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Devices', exact: true }).click();
  await app.getByLabel('Search devices').fill(serial);
  await expect(app.getByTestId('device-total')).toHaveText('1 device');
  // Both searches find one device: wait for this one's row, not the previous search's, before opening it.
  const row = app.getByRole('table', { name: 'Devices' }).locator('[role="row"][data-index]:not([aria-busy])').first();
  await expect(row).toContainText(serial);
  await row.click();
  const drawer = app.getByRole('dialog');
  await expect(drawer).toBeVisible();
  return drawer;
}

test('the verify panel and the device drawer lead with the deciding reason', async ({ freshApp: app, freshTec: tec }) => {
  const db = tec.core.services.db;
  const now = Date.now();
  const android = seedDevices(db, { count: 400, seed: 'verdict-android', referenceTime: now, integration: { name: 'Verdict Android', platform: 'android' } });
  tec.core.services.searchIndex.catchUp();
  const trusted = pick(tec, android.integrationId, ['ANDROID']);
  const other = pick(tec, android.integrationId, ['OTHER', 'WINDOWS_PHONE']);
  expect(trusted).toBeDefined();
  expect(other).toBeDefined();
  const otherName = other.platform === 'OTHER' ? 'a device of platform OTHER' : 'a Windows device';

  await app.reload();
  await app.getByRole('button', { name: 'Verdict Android', exact: true }).click();
  await expect(app.getByRole('heading', { name: 'Verdict Android', level: 1 })).toBeVisible();

  // Trusted: the integration that trusts it comes first.
  const ok = await verify(app, trusted.uid, trusted.identifier);
  await expect(ok.lead).toHaveText(`Trusted for ${trusted.uid}. Trusted through "Verdict Android": the device is active in its synced copy, and the integration is enabled for ${trusted.uid}.`);
  await expect(ok.action).toHaveCount(0);
  await screenshot(app, 'trust-01-verify-trusted');

  // A device of another platform, synced by the Android integration: its platform decides, not the integration.
  const foreign = await verify(app, other.uid, other.identifier);
  await expect(foreign.lead).toContainText(`Not trusted for ${other.uid}. The device with Device Client ID ${other.identifier} is ${otherName} in Ivanti.`);
  await expect(foreign.action).toContainText('Duo trusts Ivanti-managed Android and iOS devices only');
  await screenshot(app, 'trust-02-verify-other-platform');

  // An identifier nobody synced: the managed configuration is the action.
  const unknown = await verify(app, trusted.uid, 'not-a-synced-device-id');
  await expect(unknown.lead).toContainText('No device with Device Client ID not-a-synced-device-id was synced from "Verdict Android".');
  await expect(unknown.action).toContainText('managed configuration');
  await screenshot(app, 'trust-03-verify-unknown-identifier');

  // The drawer shows the same verdict, lead first.
  const drawer = await openDrawer(app, trusted.serial);
  await expect(drawer.getByTestId('trust-lead')).toContainText(`Trusted for ${trusted.uid}. Trusted through "Verdict Android"`);
  await screenshot(app, 'trust-04-drawer-trusted');
  await app.keyboard.press('Escape');
  const otherDrawer = await openDrawer(app, other.serial);
  await expect(otherDrawer.getByTestId('trust-lead')).toContainText(`is ${otherName} in Ivanti`);
  await screenshot(app, 'trust-05-drawer-other-platform');
});

test("a device of a space the last sync could not read: the verify panel and the drawer say they can't tell, and the fix", async ({ freshApp: app, freshTec: tec }) => {
  const db = tec.core.services.db;
  const now = Date.now();
  const android = seedDevices(db, { count: 400, seed: 'verdict-stale', referenceTime: now - 2 * 3_600_000, integration: { name: 'Verdict Android', platform: 'android' } });
  tec.core.services.searchIndex.catchUp();
  const stale = pick(tec, android.integrationId, ['ANDROID']);
  const { spaceId, spaceName } = db.prepare('SELECT space_id AS spaceId, space_name AS spaceName FROM devices WHERE client_device_identifier = ?').get(stale.identifier) as {
    spaceId: number;
    spaceName: string;
  };
  const readable = db
    .prepare(
      `SELECT client_device_identifier AS identifier, uid FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND platform_type = 'ANDROID' AND registration_state = 'ACTIVE'
        AND removed_at IS NULL AND client_device_identifier IS NOT NULL AND uid IS NOT NULL AND uid NOT LIKE '%*%' AND space_id <> ? LIMIT 1`,
    )
    .get(android.integrationId, spaceId) as { identifier: string; uid: string };
  // The seeded sync read every space to its end; the next one could not read that space (403) and completed with the
  // others read. Both finish as the sync engine finishes a run, which stores each space's state.
  const runs = tec.core.services.sync.runs;
  const spaces = db.prepare('SELECT DISTINCT space_id AS id, space_name AS name FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').all(android.integrationId) as { id: number; name: string }[];
  const cursor = { pass: 1, drifted: false, passStartPage: 1, start: 0, lastId: null, seenInPass: 0, totalCount: null, unparsed: 0 };
  const checkpoint = (failed: number | null): SyncCheckpoint => ({
    version: 1,
    phase: 'finalizing',
    round: 1,
    roundChanged: false,
    spaces: spaces.map((s) => ({ ...s, ...cursor, state: s.id === failed ? 'failed' : 'verified' })),
  });
  runs.finish(android.runId, 'completed', true, countersOf(runs.row(android.runId)!), checkpoint(null), now - 2 * 3_600_000);
  const reason = `Ivanti answered 403 for the space "${spaceName}": the API user lacks Device Read Only there.`;
  const next = runs.create(android.integrationId, 'manual', 'trust-verdict-spec', now - 3_660_000);
  const counters = { ...countersOf(runs.row(next)!), spacesTotal: spaces.length, errors: [{ code: 'IVANTI_SPACE_FORBIDDEN' as const, message: reason, space: spaceName }] };
  runs.finish(next, 'completed', false, counters, checkpoint(spaceId), now - 3_600_000);
  const since = new Date(now - 2 * 3_600_000).toISOString();

  await app.reload();
  await app.getByRole('button', { name: 'Verdict Android', exact: true }).click();
  await expect(app.getByRole('heading', { name: 'Verdict Android', level: 1 })).toBeVisible();

  const cantTell = await verify(app, stale.uid, stale.identifier);
  await expect(cantTell.lead).toHaveText(`Can't tell for ${stale.uid}. Our copy of the space "${spaceName}" in "Verdict Android" is stale since ${since}: ${reason}`);
  await expect(cantTell.action).toContainText('assign the Device Read Only role in that space to the API user of "Verdict Android"');
  await screenshot(app, 'trust-06-verify-stale-space');

  // A device of a space that was read is judged on its own merits.
  const ok = await verify(app, readable.uid, readable.identifier);
  await expect(ok.lead).toContainText(`Trusted for ${readable.uid}. Trusted through "Verdict Android"`);

  const drawer = await openDrawer(app, stale.serial);
  await expect(drawer.getByTestId('trust-lead')).toContainText(`Can't tell for ${stale.uid}. Our copy of the space "${spaceName}"`);
  await expect(drawer.getByTestId('trust-action')).toContainText('Device Read Only');
  await screenshot(app, 'trust-07-drawer-stale-space');
});

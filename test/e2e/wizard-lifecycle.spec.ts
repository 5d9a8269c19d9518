import { secretAccount } from '../../src-main/core/secrets/secret-store';
import type { Page } from '@playwright/test';
import type { Integration } from '../../src-shared/domain/integration';
import { expect, screenshot, test, type RigFixture } from './rig-fixture';
import { DUO_KEY, pasteDuoKey, stepHeading } from './wizard-steps';

/** An Android integration made through the core, and its page opened from the list the reloaded console shows. */
async function openNewAndroidIntegration(app: Page, tec: RigFixture, name: string, password: string): Promise<Integration> {
  const created = await tec.core.services.integrations.create({ name, platform: 'android', domain: 'acme.mobileiron.com', email: 'api@acme.example', password });
  await app.reload();
  await app.getByRole('button', { name, exact: true }).click();
  await expect(app.getByRole('heading', { name, level: 1 })).toBeFocused();
  return created;
}

test.describe('after setup: status, key rotation, API details, deletion and migration', () => {
  test('the status, with its test group, is edited on the integration page and recorded in the audit log', async ({ app, tec }) => {
    const created = await openNewAndroidIntegration(app, tec, 'Lifecycle Android', 'lifecycle-secret');

    const status = app.getByRole('form', { name: 'Integration status' });
    await status.getByRole('radio', { name: /Enabled for a test group/ }).check();
    await status.getByLabel('Test group usernames (one per line)').fill('dana@acme.example\nEve@acme.example');
    await status.getByRole('button', { name: 'Save status' }).click();
    await expect(app.getByText('is now: Enabled for a test group.')).toBeVisible();
    await screenshot(app, 'lifecycle-01-status');
    const entry = tec.core.services.audit.list({ limit: 5 }).find((e) => e.action === 'integration.status-changed' && e.target === created.id);
    expect(entry?.details).toMatchObject({ from: 'disabled', to: 'test-group', testGroup: ['dana@acme.example', 'eve@acme.example'] });

    // The key is Duo's: none until the admin pastes it; "Duo issued a new key" replaces it, with the warning about devices.
    expect(created.configurationKey).toBeNull();
    await app.getByRole('button', { name: 'Enter the key from Duo…' }).click();
    const first = app.getByRole('group', { name: 'Enter the key from Duo' });
    await first.getByLabel('Configuration key from Duo').fill('DPK1111111111111111');
    await first.getByRole('button', { name: 'Save the key' }).click();
    const keyCell = app.getByLabel('Trusted Endpoints Configuration Key field value', { exact: true });
    await expect(keyCell).toHaveText('DPK1111111111111111');
    await app.getByRole('button', { name: 'Duo issued a new key…' }).click();
    const confirm = app.getByRole('group', { name: 'Duo issued a new key' });
    await expect(confirm).toContainText('their trust checks fail');
    await confirm.getByLabel('Configuration key from Duo').fill(' DPK0W0KL\u200bPJLOGSKHTD ');
    await confirm.getByRole('checkbox', { name: 'I will update the value in Ivanti right away' }).check();
    await confirm.getByRole('button', { name: 'Save the key' }).click();
    // One character short: Duo's shape warning, saved only after confirmation.
    await expect(confirm.getByRole('alert')).toContainText("doesn't look like the keys Duo shows");
    await expect(confirm.getByRole('button', { name: 'Save the key' })).toBeDisabled();
    await confirm.scrollIntoViewIfNeeded();
    await screenshot(app, 'lifecycle-02-rotate-warning');
    await confirm.getByLabel('Configuration key from Duo').fill(' DPK0W0KL\u200bPJLOGSKHTDD ');
    await confirm.getByRole('button', { name: 'Save the key' }).click();
    await expect(keyCell).toHaveText(DUO_KEY);
    await expect(app.getByRole('button', { name: 'Duo issued a new key…' })).toBeVisible();

    // API details: the password is never shown; left empty, the stored one stays.
    await app.getByRole('button', { name: 'Edit API details' }).click();
    await expect(app.getByLabel('API user password')).toHaveValue('');
    await expect(app.getByLabel('API user password')).toHaveAttribute('placeholder', /Stored in the keychain/);
    await app.getByLabel('API user email (its Ivanti username)').fill('duo-api@acme.example');
    await screenshot(app, 'lifecycle-03-api-details');
    await app.getByRole('button', { name: 'Save API details' }).click();
    await expect(app.getByText('API details saved.')).toBeVisible();
    expect(await tec.core.services.integrations.get(created.id)).toMatchObject({ email: 'duo-api@acme.example', hasPassword: true });
    expect(await tec.core.services.secrets.get(secretAccount.ivantiPassword(created.id))).toBe('lifecycle-secret');
  });

  test("an unsaved status choice outlives the page's reloads: saving the Duo key beside it keeps the test group being typed", async ({ app, tec }) => {
    await openNewAndroidIntegration(app, tec, 'Unsaved status', 'unsaved-secret');
    const status = app.getByRole('form', { name: 'Integration status' });
    await status.getByRole('radio', { name: /Enabled for a test group/ }).check();
    await status.getByLabel('Test group usernames (one per line)').fill('dana@acme.example');

    // Saving the key reloads the integrations: the same status, saved, comes back in a new object.
    await app.getByRole('button', { name: 'Enter the key from Duo…' }).click();
    const key = app.getByRole('group', { name: 'Enter the key from Duo' });
    await key.getByLabel('Configuration key from Duo').fill(DUO_KEY);
    await key.getByRole('button', { name: 'Save the key' }).click();
    await expect(app.getByLabel('Trusted Endpoints Configuration Key field value', { exact: true })).toHaveText(DUO_KEY);

    await expect(status.getByRole('radio', { name: /Enabled for a test group/ })).toBeChecked();
    await expect(status.getByLabel('Test group usernames (one per line)')).toHaveValue('dana@acme.example');
  });

  test('deleting states the consequences, wants the name typed, leaves no keychain entry and invalidates its certificates', async ({ app, tec }) => {
    const created = await tec.core.services.integrations.create({
      name: 'Doomed',
      platform: 'ios-certs',
      acknowledgeLegacy: true,
      domain: 'acme.mobileiron.com',
      email: 'api@acme.example',
      password: 'doomed-secret',
    });
    await tec.core.services.secrets.set(secretAccount.caPassword(created.id), 'doomed-ca-secret');
    const now = Date.now();
    tec.core.services.db
      .prepare(
        `INSERT INTO certificates (integration_id, purpose, device_guid, device_identifier, serial_number, subject, issuer, not_before, not_after,
                                   key_usage, sha256_fingerprint, der, created_at)
         VALUES (?, 'device', 'guid-1', 'client-1', '0A', 'CN=device', 'CN=Duo CA', ?, ?, 'digitalSignature', ?, x'00', ?)`,
      )
      .run(created.id, now - 1000, now + 86_400_000, Array.from({ length: 32 }, () => 'AB').join(':'), now);
    await app.reload();
    await app.getByRole('button', { name: 'Doomed', exact: true }).click();
    await app.getByRole('button', { name: 'Delete “Doomed”…' }).click();
    const zone = app.getByRole('region', { name: 'Delete integration' });
    await expect(zone).toContainText('unassign the trusted-endpoints policy');
    await expect(zone).toContainText('disable the API user');
    await expect(zone).toContainText('invalidates every certificate');
    await expect(zone.getByRole('button', { name: 'Delete permanently' })).toBeDisabled();
    await zone.getByLabel(/Type the integration's name to confirm/).fill('Doomed');
    await screenshot(app, 'lifecycle-04-delete');
    await zone.getByRole('button', { name: 'Delete permanently' }).click();
    await expect(app.getByRole('heading', { name: 'Integrations', level: 1 })).toBeVisible();
    await expect(app.getByRole('button', { name: 'Doomed', exact: true })).toHaveCount(0);
    expect(await tec.core.services.secrets.accounts(secretAccount.integrationPrefix(created.id))).toEqual([]);
    const certificate = tec.core.services.db.prepare('SELECT invalidated_at FROM certificates WHERE integration_id = ?').get(created.id) as {
      invalidated_at: number | null;
    };
    expect(certificate.invalidated_at).not.toBeNull();
    expect(tec.core.services.audit.list({ limit: 5 }).map((e) => e.action)).toContain('integration.deleted');
  });

  test('a legacy certificate integration is migrated to App Config, with the coverage of both compared', async ({ app, tec }) => {
    const { integrations, db } = tec.core.services;
    const legacy = await integrations.create({
      name: 'Legacy certs',
      platform: 'ios-certs',
      acknowledgeLegacy: true,
      domain: 'acme.mobileiron.com',
      email: 'api@acme.example',
      password: 'legacy-secret',
    });
    // An existing legacy integration is in use: enabled for everyone.
    await integrations.setStatus(legacy.id, 'all-users');
    await app.reload();
    await app.getByRole('button', { name: 'Legacy certs', exact: true }).click();
    await expect(app.getByRole('region', { name: 'Legacy certificate integration' })).toContainText('end of life');
    await app.getByRole('button', { name: 'Migrate to App Config' }).click();

    await expect(stepHeading(app, 'Platform')).toBeVisible();
    await expect(app.getByLabel('Integration name')).toHaveValue('iOS (App Config)');
    await expect(app.getByRole('radio', { name: /^iOS \(App Config\)/ })).toBeChecked();
    // An iOS integration is replaced by an iOS one: Android is not offered, and the carried-over details are named.
    await expect(app.getByRole('radio', { name: /^Android/ })).toHaveCount(0);
    await expect(app.getByText('Its domain (acme.mobileiron.com) and API user (api@acme.example) are carried over')).toBeVisible();
    await screenshot(app, 'lifecycle-05-migration-platform');
    // Keyboard: Enter in the name field submits the step.
    await app.getByLabel('Integration name').press('Enter');
    await expect(stepHeading(app, 'Values for Ivanti')).toBeVisible();
    const replacement = (await integrations.list()).find((i) => i.migratedFrom === legacy.id)!;
    // Same tenant, same API user: the password was copied inside main, the domain and email wait in the draft for the test.
    expect(replacement).toMatchObject({ platform: 'ios-appconfig', hasPassword: true, status: 'disabled' });
    expect((await tec.core.services.wizard.list()).find((d) => d.integrationId === replacement.id)).toMatchObject({
      domain: 'acme.mobileiron.com',
      email: 'api@acme.example',
      passwordStored: true,
    });
    await pasteDuoKey(app);
    await app.getByRole('button', { name: 'Next' }).click();
    await expect(app.getByRole('group', { name: 'In Ivanti Neurons' })).toContainText('Plan the removal of the legacy pieces');

    const now = Date.now();
    // As a sync stores them (migration 0012): the device row of each integration's own tenant (they have no API
    // details here) and the integration's sighting of it.
    const device = db.prepare(
      `INSERT INTO devices (tenant_key, integration_key, guid, client_device_identifier, platform_type, registration_state, device_name, record_hash, first_seen_at, last_seen_at, last_seen_run)
       VALUES ((SELECT key FROM device_tenants WHERE tenant = ?), (SELECT key FROM integrations WHERE id = ?), ?, ?, 'IOS', 'ACTIVE', ?, x'', ?, ?, 0)`,
    );
    const sighting = db.prepare(
      'INSERT INTO device_sightings (device_id, integration_key, first_seen_at, last_seen_at, last_seen_run) VALUES (?, (SELECT key FROM integrations WHERE id = ?), ?, ?, 0)',
    );
    const tenant = db.prepare('INSERT OR IGNORE INTO device_tenants (tenant) VALUES (?)');
    const insert = (integrationId: string, guid: string, identifier: string | null, name: string) => {
      tenant.run(`integration:${integrationId}`);
      const id = device.run(`integration:${integrationId}`, integrationId, guid, identifier, name, now, now).lastInsertRowid;
      sighting.run(id, integrationId, now, now);
    };
    for (const n of [1, 2, 3]) insert(legacy.id, `guid-${n}`, null, `iPhone ${n}`);
    insert(replacement.id, 'guid-1', 'client-id-1', 'iPhone 1');

    await app.getByRole('button', { name: /^← All integrations/ }).click();
    await app.getByRole('button', { name: 'Legacy certs', exact: true }).click();
    const migration = app.getByRole('region', { name: 'Migration to iOS (App Config)' });
    await expect(migration).toContainText('2 device(s) would lose trust if the legacy integration were deleted now; 1 are covered by both.');
    await expect(migration.getByRole('list', { name: 'Devices covered only by the legacy integration' })).toContainText('iPhone 2');
    await migration.getByRole('heading', { name: /Check that App Config covers every device/ }).scrollIntoViewIfNeeded();
    // The last steps wait for coverage: nobody may lose trust by a click here.
    await expect(migration.getByRole('button', { name: 'Record “Legacy certs” as Disabled' })).toBeDisabled();
    await expect(migration.getByRole('button', { name: 'Open the deletion of “Legacy certs”' })).toBeDisabled();
    await screenshot(app, 'lifecycle-06-migration-coverage');

    // The two other devices report their identifier under App Config: covered, so the legacy one can be disabled, then deleted.
    for (const n of [2, 3]) insert(replacement.id, `guid-${n}`, `client-id-${n}`, `iPhone ${n}`);
    await app.getByRole('button', { name: /^← All integrations/ }).click();
    await app.getByRole('button', { name: 'iOS (App Config)', exact: true }).click();
    const fromReplacement = app.getByRole('region', { name: 'Migration to iOS (App Config)' });
    await expect(fromReplacement).toContainText('Every device of the legacy integration is covered by App Config (3 by both).');
    await fromReplacement.getByRole('button', { name: 'Record “Legacy certs” as Disabled' }).click();
    await expect(fromReplacement).toContainText('“Legacy certs” is Disabled: it applies to no one.');
    expect((await integrations.get(legacy.id)).status).toBe('disabled');
    await fromReplacement.getByRole('heading', { name: /Delete the legacy integration/ }).scrollIntoViewIfNeeded();
    await screenshot(app, 'lifecycle-07-migration-last-steps');
    await fromReplacement.getByRole('button', { name: 'Open the deletion of “Legacy certs”' }).click();
    await expect(app.getByRole('heading', { name: 'Legacy certs', level: 1 })).toBeVisible();
    await expect(app.getByLabel(/Type the integration's name to confirm/)).toBeFocused();
  });
});

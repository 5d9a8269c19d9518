import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import { CertificateInventory, INTEGRATION_DELETED_REASON } from '../../../src-main/core/certificates/certificate-inventory';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { IntegrationOverviews } from '../../../src-main/core/integrations/integration-overview';
import { IntegrationService } from '../../../src-main/core/integrations/integration-service';
import { KeytarSecretStore } from '../../../src-main/core/secrets/keytar-secret-store';
import { secretAccount } from '../../../src-main/core/secrets/secret-store';
import { SyncRunStore } from '../../../src-main/core/sync/sync-run-store';
import type { SyncCheckpoint } from '../../../src-main/core/sync/sync-checkpoint';
import { DEFAULT_SETTINGS } from '../../../src-shared/contract/app';
import type { SyncRunError } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import { requirePrivateKeyring } from '../../support/keyring';
import { useTempDir } from '../../support/temp-dir';
import { rejectionOf } from '../ivanti/rejection-of';
import { CertificateTable } from '../trust/trust-scenario';

const tempDir = useTempDir();
const secrets = new KeytarSecretStore('Trusted Endpoints Console (lifecycle test)');
const NOW = Date.UTC(2026, 10, 28, 12);
const HOUR = 3_600_000;

beforeAll(() => requirePrivateKeyring());
const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function open() {
  const { db } = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations });
  opened.push(db);
  const audit = new AuditLog(db, () => new Date(NOW));
  const integrations = new IntegrationService(db, secrets, audit, () => new Date(NOW), 'test');
  const certificates = new CertificateTable();
  const overviews = new IntegrationOverviews(db, integrations, certificates, () => DEFAULT_SETTINGS, () => new Date(NOW));
  return { db, audit, integrations, certificates, overviews };
}

/** A device synced by the integration, as a sync stores it: the row (the integration's own tenant: it has no API details) and its sighting. */
function addDevice(db: Db, integrationId: string, guid: string, options: { identifier?: string | null; state?: string; removed?: boolean } = {}) {
  const removedAt = options.removed ? NOW : null;
  db.prepare('INSERT OR IGNORE INTO device_tenants (tenant) VALUES (?)').run(`integration:${integrationId}`);
  const device = db
    .prepare(
      `INSERT INTO devices (tenant_key, integration_key, guid, client_device_identifier, platform_type, registration_state, device_name, record_hash,
                            first_seen_at, last_seen_at, last_seen_run, removed_at)
       VALUES ((SELECT key FROM device_tenants WHERE tenant = ?), (SELECT key FROM integrations WHERE id = ?), ?, ?, 'IOS', ?, ?, x'', ?, ?, 0, ?)`,
    )
    .run(`integration:${integrationId}`, integrationId, guid, options.identifier === undefined ? `id-${guid}` : options.identifier, options.state ?? 'ACTIVE', `iPhone ${guid}`, NOW, NOW, removedAt);
  db.prepare(
    'INSERT INTO device_sightings (device_id, integration_key, first_seen_at, last_seen_at, last_seen_run, removed_at) VALUES (?, (SELECT key FROM integrations WHERE id = ?), ?, ?, 0, ?)',
  ).run(device.lastInsertRowid, integrationId, NOW, NOW, removedAt);
}

/**
 * A finished run, recorded as the sync engine records it: every space named by one of its 403 errors could not be
 * read, the space "Default" was read to its end.
 */
function addRun(db: Db, integrationId: string, status: 'completed' | 'failed', finishedAt: number, errors: SyncRunError[] = []) {
  const runs = new SyncRunStore(db);
  const runId = runs.create(integrationId, 'manual', 'lifecycle-test', finishedAt - 1000);
  const cursor = { pass: 1, drifted: false, passStartPage: 1, start: 0, lastId: null, seenInPass: 0, totalCount: null, unparsed: 0 };
  const unreadable = [...new Set(errors.flatMap((e) => (e.space === undefined || e.code !== 'IVANTI_SPACE_FORBIDDEN' ? [] : [e.space])))];
  const spaces = [{ name: 'Default', state: 'verified' as const }, ...unreadable.map((name) => ({ name, state: 'failed' as const }))];
  const checkpoint: SyncCheckpoint = { version: 1, phase: 'finalizing', round: 1, roundChanged: false, spaces: spaces.map((space, i) => ({ ...cursor, ...space, id: i + 1 })) };
  const counters = { spacesTotal: spaces.length, pages: 1, devicesSeen: 0, added: 0, changed: 0, removed: 0, restored: 0, activeMs: 1000, errors };
  runs.finish(runId, status, status === 'completed' && unreadable.length === 0, counters, checkpoint, finishedAt);
}

describe('deleting an integration', () => {
  it('asks for the exact name and changes nothing when it does not match', async () => {
    const { integrations } = open();
    const created = await integrations.create({ name: 'Acme Android', platform: 'android', domain: 'acme.mobileiron.com', email: 'api@acme.example', password: 'pw' });
    expect((await rejectionOf(integrations.delete(created.id, 'acme android ', { purgeDevices: false }))).code).toBe('VALIDATION_FAILED');
    expect((await integrations.get(created.id)).hasPassword).toBe(true);
    await integrations.delete(created.id, 'Acme Android', { purgeDevices: true });
  });

  it('leaves no keychain entry, keeps an audit record and (when asked) the synced devices', async () => {
    const { db, integrations, audit } = open();
    const created = await integrations.create({ name: 'Legacy certs', platform: 'ios-certs', acknowledgeLegacy: true, domain: 'acme.mobileiron.com', email: 'api@acme.example', password: 'pw-1' });
    await secrets.set(secretAccount.caPassword(created.id), 'ca-secret');
    await secrets.set(secretAccount.challengePassword(created.id), 'challenge-secret');
    addDevice(db, created.id, 'g-1');

    await integrations.delete(created.id, 'Legacy certs', { purgeDevices: false });

    expect(await secrets.accounts(secretAccount.integrationPrefix(created.id))).toEqual([]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND removed_at IS NULL').get(created.id) as { n: number }).n).toBe(1);
    // It no longer sees the device: its sighting is retired, so the integrations that remain decide whether it is gone.
    expect(db.prepare('SELECT removed_at FROM device_sightings WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').pluck().all(created.id)).toEqual([NOW]);
    expect((await rejectionOf(integrations.get(created.id))).code).toBe('INTEGRATION_NOT_FOUND');
    expect(await integrations.list()).toEqual([]);
    const entry = audit.list({ limit: 1 })[0]!;
    expect(entry).toMatchObject({ action: 'integration.deleted', target: created.id, details: { name: 'Legacy certs', purgeDevices: false } });
    expect(JSON.stringify(audit.list({ limit: 50 }))).not.toContain('pw-1');
  });

  it('marks its certificates in the real inventory invalidated, through the hook the composition root registers', async () => {
    const { db, integrations } = open();
    const inventory = new CertificateInventory(db, () => new Date(NOW));
    integrations.onDelete((id) => inventory.invalidateIntegration(id, INTEGRATION_DELETED_REASON));
    const created = await integrations.create({ name: 'Certs', platform: 'ios-certs', acknowledgeLegacy: true, password: 'pw' });
    for (const serial of ['01', '02']) {
      inventory.record({
        integrationId: created.id,
        purpose: 'device',
        der: Buffer.from(serial),
        summary: {
          subject: `CN=device-${serial}`,
          issuer: 'CN=Duo CA',
          serialNumber: serial,
          notBefore: new Date(NOW - HOUR).toISOString(),
          notAfter: new Date(NOW + 1000 * HOUR).toISOString(),
          keyUsage: ['digitalSignature'],
          isCa: false,
          sha256Fingerprint: Array.from({ length: 32 }, () => serial).join(':'),
        },
        device: { guid: `g-${serial}`, identifier: `id-${serial}` },
      });
    }
    await integrations.delete(created.id, 'Certs', { purgeDevices: true });
    const rows = db.prepare('SELECT invalidated_at, invalidated_reason FROM certificates WHERE integration_id = ?').all(created.id);
    expect(rows).toEqual([
      { invalidated_at: NOW, invalidated_reason: INTEGRATION_DELETED_REASON },
      { invalidated_at: NOW, invalidated_reason: INTEGRATION_DELETED_REASON },
    ]);
    expect(await secrets.accounts(secretAccount.integrationPrefix(created.id))).toEqual([]);
  });

  it('purges the synced devices when asked, and frees the name for a new integration', async () => {
    const { db, integrations } = open();
    const created = await integrations.create({ name: 'Purge me', platform: 'android' });
    addDevice(db, created.id, 'g-1');
    addDevice(db, created.id, 'g-2');
    await integrations.delete(created.id, 'Purge me', { purgeDevices: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').get(created.id) as { n: number }).n).toBe(0);
    const again = await integrations.create({ name: 'Purge me', platform: 'android' });
    expect(again.id).not.toBe(created.id);
  });

  it('cancels the whole deletion when a hook fails: the integration and its devices stay', async () => {
    const { db, integrations } = open();
    const created = await integrations.create({ name: 'Hook fails', platform: 'android' });
    addDevice(db, created.id, 'g-1');
    integrations.onDelete(() => {
      throw new AppError('INTERNAL', 'inventory unavailable');
    });
    await rejectionOf(integrations.delete(created.id, 'Hook fails', { purgeDevices: true }));
    expect((await integrations.get(created.id)).name).toBe('Hook fails');
    expect((db.prepare('SELECT COUNT(*) AS n FROM devices').get() as { n: number }).n).toBe(1);
  });
});

describe('the configuration key', () => {
  it('is never invented: a new integration has none until the key Duo issued is entered', async () => {
    const { integrations } = open();
    const created = await integrations.create({ name: 'No key', platform: 'ios-appconfig' });
    expect(created.configurationKey).toBeNull();
    expect(created.configurationKeyFromDuo).toBeNull();
    const entered = await integrations.enterConfigurationKey(created.id, 'DPK0W0KLPJLOGSKHTDD');
    expect(entered).toMatchObject({ configurationKey: 'DPK0W0KLPJLOGSKHTDD', configurationKeyFromDuo: true });
  });
});

describe('status changes', () => {
  it('records every change with the test group in the audit log', async () => {
    const { integrations, audit } = open();
    const created = await integrations.create({ name: 'Status', platform: 'android' });
    await integrations.setStatus(created.id, 'test-group', ['Carol@acme.example']);
    await integrations.setStatus(created.id, 'all-users');
    const [toAll, toGroup] = audit.list({ limit: 2 });
    expect(toGroup).toMatchObject({ action: 'integration.status-changed', details: { from: 'disabled', to: 'test-group', testGroup: ['carol@acme.example'] } });
    expect(toAll).toMatchObject({ action: 'integration.status-changed', details: { from: 'test-group', to: 'all-users' } });
  });

  it('records the Duo group (its id) a test group was read from, keeps it across other status changes, and forgets it when typed', async () => {
    const { integrations, audit } = open();
    const created = await integrations.create({ name: 'Duo group', platform: 'android' });
    expect(created.testGroupDuo).toBeNull();
    const pilot = { groupId: 'DGXXXXXXXXXXXXXXXXX1', name: 'Pilot' };
    const chosen = await integrations.setStatus(created.id, 'test-group', ['alice', 'bob'], pilot);
    expect(chosen).toMatchObject({ testGroup: ['alice', 'bob'], testGroupDuo: pilot });
    expect(audit.list({ limit: 1 })[0]).toMatchObject({ details: { to: 'test-group', duoGroup: pilot } });
    expect((await integrations.setStatus(created.id, 'all-users')).testGroupDuo).toEqual(pilot);
    expect((await integrations.setStatus(created.id, 'test-group', ['carol'])).testGroupDuo).toBeNull();
  });
});

describe('integration overview', () => {
  it('warns about missing credentials, a failing sync, legacy end of life and expiring certificates', async () => {
    const { db, integrations, overviews, certificates } = open();
    const legacy = await integrations.create({ name: 'Legacy', platform: 'ios-certs', acknowledgeLegacy: true });
    addRun(db, legacy.id, 'completed', NOW - 2 * HOUR);
    addRun(db, legacy.id, 'failed', NOW - HOUR, [{ code: 'IVANTI_AUTH_REJECTED', message: 'Ivanti rejected the email or password.' }]);
    addDevice(db, legacy.id, 'g-1');
    addDevice(db, legacy.id, 'g-2', { removed: true });
    certificates.rows.set(legacy.id, [{ serialNumber: '01', notAfter: NOW + 5 * 24 * HOUR, invalidatedAt: null }]);

    const [overview] = await overviews.list();
    expect(overview!.deviceCount).toBe(1);
    expect(overview!.lastRun).toMatchObject({ status: 'failed', error: 'Ivanti rejected the email or password.' });
    expect(overview!.lastCompletedSyncAt).toBe(new Date(NOW - 2 * HOUR).toISOString());
    expect(overview!.warnings.map((w) => w.code)).toEqual(['credentials-missing', 'sync-failing', 'legacy-end-of-life', 'certificates-expiring']);
  });

  it('warns with the fix when the last sync completed without reading some spaces', async () => {
    const { db, integrations, overviews } = open();
    const created = await integrations.create({ name: 'Spaces', platform: 'android' });
    addRun(db, created.id, 'completed', NOW - HOUR, [{ code: 'IVANTI_SPACE_FORBIDDEN', message: 'Access is denied', space: 'Marketing' }]);
    const [overview] = await overviews.list();
    const warning = overview!.warnings.find((w) => w.code === 'spaces-unreadable');
    expect(warning?.message).toContain('could not read the space "Marketing"');
    expect(warning?.message).toContain('give the API user the Device Read Only role in that space');
    expect(overview!.warnings.map((w) => w.code)).not.toContain('never-synced');

    // Deleted, the integration's stored space state goes with it.
    await integrations.delete(created.id, 'Spaces', { purgeDevices: false });
    expect(new SyncRunStore(db).staleSpaces(created.id)).toEqual([]);
  });

  it('does not call a space unreadable because a note of the run names it (devices kept changing while it was read)', async () => {
    const { db, integrations, overviews } = open();
    const created = await integrations.create({ name: 'Busy', platform: 'android' });
    addRun(db, created.id, 'completed', NOW - HOUR, [{ code: 'SYNC_TENANT_CHANGING', message: 'Devices kept being enrolled or removed', space: 'Default' }]);
    const [overview] = await overviews.list();
    expect(overview!.warnings.map((w) => w.code)).not.toContain('spaces-unreadable');
  });

  it('warns when no sync ever completed, or the last one is older than the limit', async () => {
    const { db, integrations, overviews } = open();
    const never = await integrations.create({ name: 'Never', platform: 'android', domain: 'a.mobileiron.com', email: 'a@a.example', password: 'pw' });
    const stale = await integrations.create({ name: 'Stale', platform: 'android', domain: 'a.mobileiron.com', email: 'a@a.example', password: 'pw' });
    addRun(db, stale.id, 'completed', NOW - 25 * HOUR);
    const byName = Object.fromEntries((await overviews.list()).map((o) => [o.integration.name, o.warnings.map((w) => w.code)]));
    expect(byName).toEqual({ Never: ['never-synced'], Stale: ['sync-stale'] });
    await integrations.delete(never.id, 'Never', { purgeDevices: true });
    await integrations.delete(stale.id, 'Stale', { purgeDevices: true });
  });
});

describe('migrating a legacy certificate integration to App Config', () => {
  it('compares coverage by tenant guid: devices only the legacy one can trust are listed', async () => {
    const { db, integrations, overviews } = open();
    const legacy = await integrations.create({ name: 'Legacy', platform: 'ios-certs', acknowledgeLegacy: true });
    const replacement = await integrations.create({ name: 'Legacy (App Config)', platform: 'ios-appconfig', migratedFrom: legacy.id });
    expect(replacement.migratedFrom).toBe(legacy.id);
    for (const guid of ['g-1', 'g-2', 'g-3']) addDevice(db, legacy.id, guid, { identifier: null });
    addDevice(db, replacement.id, 'g-1');
    addDevice(db, replacement.id, 'g-2', { identifier: null });
    addDevice(db, replacement.id, 'g-9');
    const coverage = await overviews.compareCoverage(legacy.id, replacement.id);
    expect(coverage).toMatchObject({
      legacy: { activeDevices: 3, withValidCertificate: 0 },
      replacement: { activeDevices: 3, withIdentifier: 2 },
      coveredByBoth: 1,
      onlyLegacy: 2,
      onlyReplacement: 1,
    });
    expect(coverage.onlyLegacySample.map((d) => d.guid).sort()).toEqual(['g-2', 'g-3']);
  });

  it('only accepts a legacy certificate integration as the source', async () => {
    const { integrations } = open();
    const android = await integrations.create({ name: 'Android', platform: 'android' });
    expect((await rejectionOf(integrations.create({ name: 'X', platform: 'ios-appconfig', migratedFrom: android.id }))).code).toBe('VALIDATION_FAILED');
  });
});

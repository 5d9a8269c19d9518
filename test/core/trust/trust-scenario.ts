/**
 * Every combination of the trust decision's inputs for one integration, with the reasons each must produce, and a way
 * to write a combination into a real database. Shared by the verifier's table test and the CLI-vs-handler test.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../src-main/core/db/database';
import type { SyncCheckpoint } from '../../../src-main/core/sync/sync-checkpoint';
import { SyncRunStore } from '../../../src-main/core/sync/sync-run-store';
import type { SyncRunError } from '../../../src-shared/domain/sync';
import { identifierKeyOverride } from '../../../src-main/core/sync/device-row';
import type { CertificateLookup, IssuedCertificate } from '../../../src-main/core/trust/certificate-lookup';
import { LEGACY_CERTIFICATE_END_OF_LIFE_MS, type Platform } from '../../../src-shared/domain/integration';
import type { TrustReasonCode } from '../../../src-shared/domain/trust';

export const FIXED_NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
export const NOW = FIXED_NOW;
const HOUR = 3_600_000;
export const USER = 'alice@acme.example';
export const IDENTIFIER = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

export const STATUSES = ['disabled', 'test-group-member', 'test-group-other', 'all-users'] as const;
export const DEVICES = ['never-synced', 'active', 'retired', 'removed', 'retired-and-removed'] as const;
/**
 * Our copy of the device's space: read by a sync an hour ago, read 30 hours ago (its age does not change Duo's
 * decision), or stale: the latest sync could not read the space (403), the one before read it to its end.
 */
export const SYNCS = ['fresh', 'old', 'space-stale'] as const;
export const STALE_SPACE = 'Restricted';
export const STALE_REASON = `Ivanti answered 403 for the space "${STALE_SPACE}": the API user lacks Device Read Only there.`;
/** When the sync that last read the stale space to its end finished. */
export const STALE_SINCE = FIXED_NOW - 30 * 3_600_000;
export const CERTIFICATES = ['valid', 'missing', 'expired', 'invalidated', 'expired-and-invalidated'] as const;

export interface Scenario {
  platform: Platform;
  status: (typeof STATUSES)[number];
  device: (typeof DEVICES)[number];
  sync: (typeof SYNCS)[number];
  /** Only for ios-certs. */
  certificate: (typeof CERTIFICATES)[number] | null;
}

export function scenarios(platforms: Platform[] = ['android', 'ios-appconfig', 'ios-certs']): Scenario[] {
  const out: Scenario[] = [];
  for (const platform of platforms)
    for (const status of STATUSES)
      for (const device of DEVICES)
        for (const sync of SYNCS)
          for (const certificate of platform === 'ios-certs' ? CERTIFICATES : [null]) out.push({ platform, status, device, sync, certificate });
  return out;
}

export function label(s: Scenario): string {
  return [s.platform, s.status, `device ${s.device}`, `sync ${s.sync}`, ...(s.certificate ? [`certificate ${s.certificate}`] : [])].join(', ');
}

/**
 * The reasons the decision rules (docs/architecture.md, "A verify, end to end") give for this combination, written
 * independently of the verifier.
 */
export function expectedReasons(s: Scenario, now: number = FIXED_NOW): TrustReasonCode[] {
  const reasons: TrustReasonCode[] = [];
  // Duo stopped verifying Ivanti certificates on 2024-10-07: from then a legacy integration trusts no device.
  if (s.platform === 'ios-certs' && now >= LEGACY_CERTIFICATE_END_OF_LIFE_MS) reasons.push('legacy-end-of-life');
  if (s.status === 'disabled') reasons.push('integration-disabled');
  if (s.status === 'test-group-other') reasons.push('user-not-in-test-group');
  if (s.device === 'never-synced') reasons.push('identifier-never-synced');
  // The device's last known state is as old as its space's copy: whatever it was, we can't tell what Duo sees now.
  else if (s.sync === 'space-stale') reasons.push('space-stale');
  else {
    if (s.device === 'retired' || s.device === 'retired-and-removed') reasons.push('device-retired');
    if (s.device === 'removed' || s.device === 'retired-and-removed') reasons.push('device-removed');
  }
  if (s.certificate === 'missing') reasons.push('certificate-missing');
  if (s.certificate === 'invalidated' || s.certificate === 'expired-and-invalidated') reasons.push('certificate-invalidated');
  if (s.certificate === 'expired' || s.certificate === 'expired-and-invalidated') reasons.push('certificate-expired');
  return reasons;
}

/** Certificates held in memory, keyed by integration: stands in for the SCEP inventory (schema 5) until it exists. */
export class CertificateTable implements CertificateLookup {
  readonly rows = new Map<string, IssuedCertificate[]>();
  forDevice(integrationId: string): IssuedCertificate[] {
    return this.rows.get(integrationId) ?? [];
  }
  expiringBefore(integrationId: string, now: number, before: number): number {
    return this.forDevice(integrationId).filter((c) => c.invalidatedAt === null && c.notAfter > now && c.notAfter <= before).length;
  }
}

/** Writes the scenario as one integration with its test group, synced record, sync run and certificates. */
export function writeScenario(
  db: Db,
  s: Scenario,
  certificates?: CertificateTable,
  options: { name?: string; now?: number } = {},
): string {
  const NOW = options.now ?? FIXED_NOW;
  const name = options.name ?? `Scenario ${randomUUID().slice(0, 8)}`;
  const id = randomUUID();
  const status = s.status === 'disabled' ? 'disabled' : s.status === 'all-users' ? 'all-users' : 'test-group';
  db.prepare(
    `INSERT INTO integrations (id, name, mdm, platform, status, config_key, created_at, updated_at)
     VALUES (?, ?, 'ivanti-neurons', ?, ?, NULL, ?, ?)`,
  ).run(id, name, s.platform, status, NOW - 100 * HOUR, NOW - 100 * HOUR);
  if (status === 'test-group') {
    const member = s.status === 'test-group-member' ? USER.toUpperCase() : 'bob@acme.example';
    db.prepare('INSERT INTO integration_test_group (integration_id, username) VALUES (?, ?)').run(id, member);
  }
  // Runs recorded as the sync engine records them (SyncRunStore.finish stores each space's state with the run).
  const runs = new SyncRunStore(db);
  const space = { pass: 1, drifted: false, passStartPage: 1, start: 0, lastId: null, seenInPass: 0, totalCount: null, unparsed: 0 };
  const run = (finished: number, restricted: 'verified' | 'failed', errors: SyncRunError[]) => {
    const runId = runs.create(id, 'manual', 'trust-scenario', finished - 60_000);
    const checkpoint: SyncCheckpoint = {
      version: 1,
      phase: 'finalizing',
      round: 1,
      roundChanged: false,
      spaces: [
        { ...space, id: 1, name: STALE_SPACE, state: restricted },
        { ...space, id: 2, name: 'Default', state: 'verified' },
      ],
    };
    const counters = { spacesTotal: 2, pages: 1, devicesSeen: 1, added: 0, changed: 0, removed: 0, restored: 0, activeMs: 60_000, errors };
    runs.finish(runId, 'completed', restricted === 'verified', counters, checkpoint, finished);
    return runId;
  };
  const runId = run(s.sync === 'fresh' ? NOW - 1 * HOUR : NOW - 30 * HOUR, 'verified', []);
  if (s.sync === 'space-stale') {
    run(NOW - 1 * HOUR, 'failed', [{ code: 'IVANTI_SPACE_FORBIDDEN', message: STALE_REASON, space: STALE_SPACE }]);
  }
  if (s.device !== 'never-synced') {
    const retired = s.device === 'retired' || s.device === 'retired-and-removed';
    const removed = s.device === 'removed' || s.device === 'retired-and-removed';
    db.prepare('INSERT OR IGNORE INTO device_tenants (tenant) VALUES (?)').run(`tenant-of-${id}`);
    const device = db.prepare(
      `INSERT INTO devices (tenant_key, integration_key, guid, client_device_identifier, identifier_key_override, platform_type, registration_state, record_hash,
                            first_seen_at, last_seen_at, last_seen_run, removed_at, space_id, space_name)
       VALUES ((SELECT key FROM device_tenants WHERE tenant = ?), (SELECT key FROM integrations WHERE id = ?), ?, ?, ?, ?, ?, x'', ?, ?, ?, ?, 1, ?)`,
    ).run(
      `tenant-of-${id}`,
      id,
      randomUUID(),
      IDENTIFIER,
      identifierKeyOverride(IDENTIFIER),
      s.platform === 'android' ? 'ANDROID' : 'IOS',
      retired ? 'RETIRED' : 'ACTIVE',
      NOW - 50 * HOUR,
      NOW - 2 * HOUR,
      runId,
      removed ? NOW - 2 * HOUR : null,
      STALE_SPACE,
    );
    // What the integration saw, as a sync records it (migration 0012).
    db.prepare(
      `INSERT INTO device_sightings (device_id, integration_key, space_id, space_key, first_seen_at, last_seen_at, last_seen_run, removed_at)
       SELECT id, integration_key, space_id, space_key, first_seen_at, last_seen_at, last_seen_run, removed_at FROM devices WHERE id = ?`,
    ).run(device.lastInsertRowid);
  }
  if (s.certificate && certificates) certificates.rows.set(id, certificatesFor(s.certificate, NOW));
  return id;
}

/** The certificates a device holds in each certificate state, relative to `now`. */
export function certificatesFor(state: NonNullable<Scenario['certificate']>, now: number): IssuedCertificate[] {
  const cert = (serialNumber: string, notAfter: number, invalidatedAt: number | null) => ({ serialNumber, notAfter, invalidatedAt });
  const year = 365 * 24 * HOUR;
  const table: Record<NonNullable<Scenario['certificate']>, IssuedCertificate[]> = {
    valid: [cert('0A', now + year, null)],
    missing: [],
    expired: [cert('0B', now - HOUR, null)],
    invalidated: [cert('0C', now + year, now - HOUR)],
    'expired-and-invalidated': [cert('0D', now - HOUR, null), cert('0E', now + year, now - HOUR)],
  };
  return table[state];
}

export function clearScenarios(db: Db): void {
  db.exec('DELETE FROM devices; DELETE FROM sync_runs; DELETE FROM integration_test_group; DELETE FROM wizard_drafts; DELETE FROM integrations;');
}

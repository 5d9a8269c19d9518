import type { Settings } from '../../../src-shared/contract/app';
import type { IntegrationStatus, Platform } from '../../../src-shared/domain/integration';
import { PLATFORM_LABELS } from '../../../src-shared/domain/integration';
import type {
  DevicePlatform,
  IntegrationTrustVerdict,
  SyncedDeviceSummary,
  TrustQuery,
  TrustReason,
  TrustReasonCode,
  TrustVerdict,
} from '../../../src-shared/domain/trust';
import type { Db } from '../db/database';
import type { CertificateLookup, IssuedCertificate } from './certificate-lookup';
import { lastCompletedSyncAt } from './last-completed-sync';

interface IntegrationRow {
  id: string;
  name: string;
  platform: Platform;
  status: IntegrationStatus;
}

interface DeviceRow {
  integration_id: string;
  guid: string;
  registration_state: string | null;
  platform_type: string | null;
  last_seen_at: number;
  removed_at: number | null;
}

/** The only registration state in which Ivanti still manages a device; RETIRED and RETIRE_PENDING are on their way out. */
const ACTIVE_STATE = 'ACTIVE';

const INTEGRATION_PLATFORMS: Record<DevicePlatform, Platform[]> = {
  android: ['android'],
  ios: ['ios-appconfig', 'ios-certs'],
  'ios-appconfig': ['ios-appconfig'],
  'ios-certs': ['ios-certs'],
};

/** Ivanti's platformType of a synced record, as the platform an admin would name. */
function platformOfRecord(platformType: string | null): DevicePlatform | null {
  if (platformType === 'ANDROID') return 'android';
  if (platformType === 'IOS') return 'ios';
  return null;
}

const HOUR_MS = 3_600_000;

/**
 * Decides trust the way the trusted-endpoints policy does (DESIGN.md, "Trust decision"), from local data only, so
 * it answers offline and the UI, the device drawer and `tec verify` agree by construction: they all call `verify`.
 * Every check runs for every integration considered (no early exit), because the point is to list all that is wrong.
 */
export class TrustVerifier {
  constructor(
    private readonly db: Db,
    private readonly settings: () => Settings,
    private readonly certificates: CertificateLookup,
    private readonly now: () => Date,
  ) {}

  verify(query: TrustQuery): TrustVerdict {
    const user = query.user.trim();
    const identifier = query.identifier.trim();
    const now = this.now().getTime();
    const records = this.db
      .prepare(
        `SELECT d.integration_id, d.guid, d.registration_state, d.platform_type, d.last_seen_at, d.removed_at
           FROM devices d JOIN integrations i ON i.id = d.integration_id
          WHERE d.client_device_identifier = ? AND i.deleted_at IS NULL`,
      )
      .all(identifier) as DeviceRow[];
    const platform = query.platform ?? singlePlatform(records);
    const allowed = platform === null ? null : new Set(INTEGRATION_PLATFORMS[platform]);
    const integrations = (
      this.db.prepare('SELECT id, name, platform, status FROM integrations WHERE deleted_at IS NULL ORDER BY created_at, name').all() as IntegrationRow[]
    ).filter((i) => allowed === null || allowed.has(i.platform));

    const base = { user, identifier, platform, checkedAt: new Date(now).toISOString() };
    if (integrations.length === 0) {
      const what = platform === null ? 'There is no integration yet' : `There is no integration for ${platformName(platform)}`;
      const reason: TrustReason = {
        code: 'no-integration',
        message: `${what}, so no device can be trusted. Add one under Integrations.`,
        integrationId: null,
        integrationName: null,
      };
      return { ...base, trusted: false, reasons: [reason], trustedBy: null, integrations: [] };
    }

    const verdicts = integrations.map((integration) =>
      this.judge(
        integration,
        user,
        identifier,
        records.filter((r) => r.integration_id === integration.id),
        now,
      ),
    );
    const trustedBy = verdicts.find((v) => v.trusted) ?? null;
    return {
      ...base,
      trusted: trustedBy !== null,
      reasons: trustedBy ? [] : verdicts.flatMap((v) => v.reasons),
      trustedBy: trustedBy && { integrationId: trustedBy.integrationId, integrationName: trustedBy.integrationName },
      integrations: verdicts,
    };
  }

  private judge(integration: IntegrationRow, user: string, identifier: string, records: DeviceRow[], now: number): IntegrationTrustVerdict {
    const reasons: TrustReason[] = [];
    const add = (code: TrustReasonCode, message: string) =>
      reasons.push({ code, message, integrationId: integration.id, integrationName: integration.name });
    const name = `"${integration.name}"`;

    if (integration.status === 'disabled') {
      add('integration-disabled', `${name} is disabled. Enable it for a test group or for all users.`);
    }
    if (integration.status === 'test-group' && !this.inTestGroup(integration.id, user)) {
      add('user-not-in-test-group', `${name} is enabled only for a test group, and ${user} is not in it. Add the user or enable it for all users.`);
    }

    if (records.length === 0) {
      add(
        'identifier-never-synced',
        `No device with Device Client ID ${identifier} has been synced from ${name}. Check Duo Mobile's managed configuration on the device and the API user's spaces, then sync again.`,
      );
    } else if (!records.some((r) => r.registration_state === ACTIVE_STATE && r.removed_at === null)) {
      const inactive = records.filter((r) => r.registration_state !== ACTIVE_STATE);
      if (inactive.length > 0) {
        const states = [...new Set(inactive.map((r) => r.registration_state ?? 'unknown'))].join(', ');
        add('device-retired', `Ivanti reports the device as ${states} in ${name}; only ACTIVE devices are trusted. Re-enroll it.`);
      }
      const removed = records.filter((r) => r.removed_at !== null);
      if (removed.length > 0) {
        const when = new Date(Math.max(...removed.map((r) => r.removed_at as number))).toISOString();
        add('device-removed', `The device was no longer in ${name}'s tenant at the complete sync of ${when}.`);
      }
    }

    const lastSync = lastCompletedSyncAt(this.db, integration.id);
    const staleHours = this.settings().staleSyncHours;
    if (lastSync === null) {
      add('sync-too-old', `${name} has never completed a sync. Run a sync.`);
    } else if (now - lastSync > staleHours * HOUR_MS) {
      const hours = Math.floor((now - lastSync) / HOUR_MS);
      add('sync-too-old', `The last completed sync of ${name} finished ${hours} hours ago (the limit is ${staleHours}). Run a sync or check why scheduled syncs fail.`);
    }

    if (integration.platform === 'ios-certs') {
      const certificates = this.certificates.forDevice(integration.id, { identifier, guids: records.map((r) => r.guid) });
      for (const [code, message] of certificateProblems(certificates, name, now)) add(code, message);
    }

    return {
      integrationId: integration.id,
      integrationName: integration.name,
      platform: integration.platform,
      status: integration.status,
      trusted: reasons.length === 0,
      reasons,
      lastSyncAt: lastSync === null ? null : new Date(lastSync).toISOString(),
      devices: records.map(toSummary),
    };
  }

  private inTestGroup(integrationId: string, user: string): boolean {
    // The column is COLLATE NOCASE: usernames match whatever their case.
    return this.db.prepare('SELECT 1 FROM integration_test_group WHERE integration_id = ? AND username = ?').get(integrationId, user) !== undefined;
  }

}

/** A device is fine when any of its certificates is valid; otherwise each way they all fail is a reason. */
function certificateProblems(certificates: IssuedCertificate[], name: string, now: number): [TrustReasonCode, string][] {
  if (certificates.length === 0) {
    return [['certificate-missing', `${name} has no record of a certificate issued to this device. Check that the identity certificate configuration reaches it.`]];
  }
  const valid = certificates.some((c) => c.invalidatedAt === null && c.notAfter > now);
  if (valid) return [];
  const problems: [TrustReasonCode, string][] = [];
  const invalidated = certificates.filter((c) => c.invalidatedAt !== null);
  if (invalidated.length > 0) {
    problems.push([
      'certificate-invalidated',
      `The device's certificate from ${name} was invalidated (serial ${invalidated.map((c) => c.serialNumber).join(', ')}). It needs a new one.`,
    ]);
  }
  const expired = certificates.filter((c) => c.invalidatedAt === null && c.notAfter <= now);
  if (expired.length > 0) {
    const last = new Date(Math.max(...expired.map((c) => c.notAfter))).toISOString();
    problems.push(['certificate-expired', `The device's certificate from ${name} expired on ${last}. Legacy certificates no longer renew: move the device to App Config.`]);
  }
  return problems;
}

/** The platform the synced records name, when they all agree. */
function singlePlatform(records: DeviceRow[]): DevicePlatform | null {
  const platforms = new Set(records.map((r) => platformOfRecord(r.platform_type)));
  return platforms.size === 1 ? [...platforms][0] : null;
}

function platformName(platform: DevicePlatform): string {
  return platform === 'ios' ? 'iOS' : PLATFORM_LABELS[platform];
}

function toSummary(row: DeviceRow): SyncedDeviceSummary {
  return {
    guid: row.guid,
    registrationState: row.registration_state,
    platformType: row.platform_type,
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    removedAt: row.removed_at === null ? null : new Date(row.removed_at).toISOString(),
  };
}

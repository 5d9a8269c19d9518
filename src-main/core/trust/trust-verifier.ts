import { LEGACY_CERTIFICATE_END_OF_LIFE, LEGACY_CERTIFICATE_END_OF_LIFE_MS, PLATFORM_LABELS, type Platform } from '../../../src-shared/domain/integration';
import {
  isMaskedValue,
  MASKED_VALUE_EXPLANATION,
  TRUST_REASON_TITLES,
  type DevicePlatform,
  type DeviceTrust,
  type IntegrationTrustVerdict,
  type SyncedDeviceSummary,
  type TrustFinding,
  type TrustLead,
  type TrustQuery,
  type TrustReason,
  type TrustReasonCode,
  type TrustVerdict,
} from '../../../src-shared/domain/trust';
import type { Db } from '../db/database';
import { trustCandidates, type TrustCandidate } from '../integrations/integration-service';
import { IntegrationStore } from '../integrations/integration-store';
import { DuoStore } from '../duo/duo-store';
import { DeviceStore, type TrustRecord } from '../sync/device-store';
import { TestGroupMembership } from './test-group-membership';
import { SyncRunStore, type StaleSpace } from '../sync/sync-run-store';
import type { CertificateLookup, IssuedCertificate } from './certificate-lookup';

/** The only registration state in which Ivanti still manages a device; RETIRED and RETIRE_PENDING are on their way out. */
const ACTIVE_STATE = 'ACTIVE';

/** The device family an integration covers: Android integrations Android devices, both iOS integrations iOS devices. */
type DeviceFamily = 'android' | 'ios';

const FAMILY_OF_INTEGRATION: Record<Platform, DeviceFamily> = { android: 'android', 'ios-appconfig': 'ios', 'ios-certs': 'ios' };

const INTEGRATION_PLATFORMS: Record<DevicePlatform, Platform[]> = {
  android: ['android'],
  ios: ['ios-appconfig', 'ios-certs'],
  'ios-appconfig': ['ios-appconfig'],
  'ios-certs': ['ios-certs'],
};

/** Ivanti's platformType as the family an integration may cover; null for every other platform (Windows, OTHER, none). */
function familyOfRecord(platformType: string | null): DeviceFamily | null {
  if (platformType === 'ANDROID') return 'android';
  if (platformType === 'IOS') return 'ios';
  return null;
}

/** Ivanti's platformType as an admin would say it. */
function recordPlatformName(platformType: string | null): string {
  if (platformType === null) return 'device of unknown platform';
  if (platformType === 'ANDROID') return 'Android device';
  if (platformType === 'IOS') return 'iOS device';
  if (platformType === 'WINDOWS_PHONE') return 'Windows device';
  if (platformType === 'OTHER') return 'device of platform OTHER';
  return `${platformType} device`;
}

/**
 * Which reason decides, when several integrations fail: the one that got furthest wins. An integration's own deciding
 * reason is its earliest reason in this order (nothing after it matters until it is fixed); the verdict's lead is
 * the latest of those across integrations (the closest the device came to being trusted). Ties go to the first.
 */
const DECIDING_ORDER: readonly TrustReasonCode[] = [
  'no-integration',
  'platform-not-covered',
  'identifier-never-synced',
  'device-removed',
  'device-retired',
  'legacy-end-of-life',
  'integration-disabled',
  'user-not-in-test-group',
  'certificate-missing',
  'certificate-invalidated',
  'certificate-expired',
  'space-stale',
];

/** Who a device without an Ivanti user is judged for: nobody in a test group. */
const NO_REGISTERED_USER = 'its user (none registered in Ivanti)';

/** One synced device as the device-level answer needs it (a `devices` row, read by its owner). */
export interface DeviceTrustInput {
  id: number;
  identifier: string | null;
  /** The Ivanti user the device is registered to: the user it is judged for. */
  uid: string | null;
}

/**
 * Answers devices one by one with what it read once (integrations, test groups, Duo's users, stale spaces, last syncs),
 * as of its creation.
 */
export type DeviceTrustJudge = (device: DeviceTrustInput) => DeviceTrust;

/** Which of the verifier's runs-reads a judgement needs; memoized per integration for a page or an export. */
type RunFacts = Pick<SyncRunStore, 'staleSpaces' | 'lastCompletedAt'>;

function memoizedRunFacts(runs: SyncRunStore): RunFacts {
  const stale = new Map<string, StaleSpace[]>();
  const last = new Map<string, number | null>();
  return {
    staleSpaces: (id) => stale.get(id) ?? stale.set(id, runs.staleSpaces(id)).get(id)!,
    lastCompletedAt: (id) => (last.has(id) ? last.get(id)! : last.set(id, runs.lastCompletedAt(id)).get(id)!),
  };
}

/**
 * Predicts Duo's trust decision (docs/architecture.md, "A verify, end to end") from local data only, so it answers
 * offline and the verify panel, the device drawer and `tec verify` agree by construction: they all call `verify`.
 * Every check runs for every integration of the device's platform (no early exit), so the supporting checks list all
 * that is wrong; the lead names the one that decides.
 */
export class TrustVerifier {
  readonly #devices: DeviceStore;
  readonly #runs: SyncRunStore;

  constructor(
    private readonly db: Db,
    private readonly certificates: CertificateLookup,
    private readonly now: () => Date,
    /**
     * The copy of Duo's users (DuoStore), for the test group: Duo resolves a sign-in name to its user before it looks
     * at the group. The explorer's Trust filter reads the same copy (core/devices/trusted-device-filter.ts).
     */
    private readonly duoUsers: Pick<DuoStore, 'userNames'> = new DuoStore(db),
  ) {
    this.#devices = new DeviceStore(db);
    this.#runs = new SyncRunStore(db);
  }

  /** The test-group rule (TestGroupMembership), reading the groups and Duo's users once for one answer or judge. */
  #membership(): TestGroupMembership {
    return new TestGroupMembership(new IntegrationStore(this.db), this.duoUsers.userNames());
  }

  verify(query: TrustQuery): TrustVerdict {
    return this.verifier()(query);
  }

  /**
   * `verify` for many questions in a row (Duo's endpoints beside the predictions): the integrations, their test groups
   * and Duo's users are read once, not once a question.
   */
  verifier(): (query: TrustQuery) => TrustVerdict {
    const live = trustCandidates(this.db);
    const liveIds = live.map((i) => i.id);
    const membership = this.#membership();
    const now = this.now().getTime();
    return (query) => {
      const identifier = query.identifier.trim();
      // What each integration vouches for is what its own API user read: its own sightings of the device.
      const records = this.#devices.trustRecords(identifier, liveIds);
      return this.#decide({ user: query.user.trim(), identifier, platform: query.platform, records, live, now, runs: this.#runs, membership });
    };
  }

  /**
   * The verdict for a user and the synced records of an identifier: `verify` asks it for every record with that
   * Device Client ID, `deviceJudge` for one device's records and its own user, so they agree by construction.
   */
  #decide(ask: {
    user: string;
    identifier: string;
    platform: DevicePlatform | undefined;
    records: TrustRecord[];
    live: TrustCandidate[];
    now: number;
    runs: RunFacts;
    membership: TestGroupMembership;
  }): TrustVerdict {
    const { user, identifier, records, live, now } = ask;
    const checkedAt = new Date(now).toISOString();

    // The platform asked about, or else the one family the synced records agree on.
    const families = new Set(records.map((r) => familyOfRecord(r.platformType)));
    const coveredFamilies = [...families].filter((f): f is DeviceFamily => f !== null);
    const platform: DevicePlatform | null = ask.platform ?? (coveredFamilies.length === 1 ? coveredFamilies[0] : null);
    const family: DeviceFamily | null = ask.platform ? FAMILY_OF_INTEGRATION[INTEGRATION_PLATFORMS[ask.platform][0]] : platform === null ? null : (platform as DeviceFamily);
    const base = { user, identifier, platform, checkedAt };
    const notTrusted = (reason: TrustReason, action: string): TrustVerdict => ({
      ...base,
      trusted: false,
      answer: 'not-trusted',
      lead: { ...reason, action },
      findings: [],
      reasons: [reason],
      trustedBy: null,
      integrations: [],
    });

    // Synced, but only as devices no integration can cover (Windows, OTHER), or not of the platform asked about.
    const ofFamily = records.filter((r) => family === null || familyOfRecord(r.platformType) === family);
    if (records.length > 0 && ofFamily.every((r) => familyOfRecord(r.platformType) === null)) {
      const seen = [...new Set(records.map((r) => recordPlatformName(r.platformType)))].join(' and ');
      const asked = family === null ? '' : `; ${family === 'android' ? 'an Android' : 'an iOS'} integration covers ${family === 'android' ? 'Android' : 'iOS'} devices only`;
      return notTrusted(
        {
          code: 'platform-not-covered',
          message: `The device with Device Client ID ${identifier} is a ${seen} in Ivanti${asked}.`,
          integrationId: null,
          integrationName: null,
        },
        family !== null && coveredFamilies.length > 0
          ? `Verify it as ${coveredFamilies.map((f) => (f === 'android' ? 'an Android' : 'an iOS')).join(' or ')} device instead.`
          : 'Duo trusts Ivanti-managed Android and iOS devices only: this device cannot be trusted through an Ivanti integration.',
      );
    }

    const ofPlatform = live.filter((i) => platform === null || INTEGRATION_PLATFORMS[platform].includes(i.platform));
    // Unfinished setups are mentioned only when nothing else of the platform exists.
    const finished = ofPlatform.filter((i) => !i.unfinished);
    const integrations = finished.length > 0 ? finished : ofPlatform;
    if (integrations.length === 0) {
      const what = platform === null ? 'There is no integration yet' : `There is no integration for ${platformName(platform)}`;
      return notTrusted(
        { code: 'no-integration', message: `${what}, so no device can be trusted.`, integrationId: null, integrationName: null },
        'Add one under Integrations, then enable it in Duo.',
      );
    }

    const verdicts = integrations.map((integration) => {
      const covered = ofFamily.filter((r) => familyOfRecord(r.platformType) === FAMILY_OF_INTEGRATION[integration.platform]);
      return this.judge(
        integration,
        user,
        identifier,
        covered.filter((r) => r.integrationId === integration.id),
        covered.filter((r) => r.integrationId !== integration.id),
        now,
        ask.runs,
        ask.membership,
      );
    });
    const trustedBy = verdicts.find((v) => v.trusted) ?? null;
    const findings = findingsFor(user, ofFamily.filter((r) => integrations.some((i) => i.id === r.integrationId)));
    if (trustedBy) {
      return {
        ...base,
        trusted: true,
        answer: 'trusted',
        lead: {
          code: 'trusted',
          message: `Trusted through "${trustedBy.integrationName}": the device is active in its synced copy, and the integration is enabled for ${user}.`,
          action: null,
          integrationId: trustedBy.integrationId,
          integrationName: trustedBy.integrationName,
        },
        findings,
        reasons: [],
        trustedBy: { integrationId: trustedBy.integrationId, integrationName: trustedBy.integrationName },
        integrations: verdicts,
      };
    }
    const lead = leadOf(verdicts, integrations, user, identifier, platform);
    return {
      ...base,
      trusted: false,
      answer: lead.code === 'space-stale' ? 'cant-tell' : 'not-trusted',
      lead,
      findings,
      reasons: verdicts.flatMap((v) => v.reasons),
      trustedBy: null,
      integrations: verdicts,
    };
  }

  /**
   * The device-level answer for rows of the explorer and the exports (the Trust column): the verdict `verify` gives
   * for the device's own registered user (its Ivanti user) and this device's records, across every integration that
   * covers it: trusted when any of them trusts it for that user, else the deciding reason by the verifier's ranking.
   * The explorer's Trust filter is the same definition in SQL (core/devices/trusted-device-filter.ts).
   */
  deviceJudge(): DeviceTrustJudge {
    const now = this.now().getTime();
    const live = trustCandidates(this.db);
    const liveIds = live.map((c) => c.id);
    const runs = memoizedRunFacts(this.#runs);
    const membership = this.#membership();
    return (device) => {
      if (device.identifier === null || device.identifier.trim() === '') {
        return deviceAnswer(
          'identifier-never-synced',
          `It reports no Device Client ID, so Duo cannot match it. Check Duo Mobile's managed configuration on the device.`,
        );
      }
      const verdict = this.#decide({
        user: device.uid ?? NO_REGISTERED_USER,
        identifier: device.identifier.trim(),
        platform: undefined,
        records: this.#devices.trustRecordsOfDevice(device.id, liveIds),
        live,
        now,
        runs,
        membership,
      });
      const lead = verdict.lead;
      if (verdict.answer === 'trusted') {
        const status = live.find((c) => c.id === lead.integrationId)?.status;
        return { answer: 'trusted', code: 'trusted', label: `Trusted: ${status === 'all-users' ? 'all users' : 'the test group'}`, detail: lead.message };
      }
      return deviceAnswer(lead.code as TrustReasonCode, lead.action === null ? lead.message : `${lead.message} ${lead.action}`);
    };
  }

  /**
   * One integration's verdict from its own records (what its API user read). `seenElsewhere` are the device's records
   * from other integrations (other API users of the tenant): they tell where the device is when this integration's user
   * could not read that space.
   */
  private judge(
    integration: TrustCandidate,
    user: string,
    identifier: string,
    records: TrustRecord[],
    seenElsewhere: TrustRecord[],
    now: number,
    runs: RunFacts,
    membership: TestGroupMembership,
  ): IntegrationTrustVerdict {
    const reasons: TrustReason[] = [];
    const add = (code: TrustReasonCode, message: string) =>
      reasons.push({ code, message, integrationId: integration.id, integrationName: integration.name });
    const name = `"${integration.name}"`;

    if (integration.status === 'disabled') {
      add('integration-disabled', `${name} is disabled. Enable it for a test group or for all users.`);
    }
    if (integration.status === 'test-group' && !membership.includes(integration.id, user)) {
      add('user-not-in-test-group', `${name} is enabled only for a test group, and ${user} is not in it. Add the user or enable it for all users.`);
    }

    // A record in a space the last sync could not read is as old as that space's copy: Duo decides on Ivanti's current
    // state, which we lack, so it is judged only when no record of a readable space is enough.
    const stale = records.length === 0 && seenElsewhere.length === 0 ? [] : runs.staleSpaces(integration.id);
    const staleOf = (r: TrustRecord) => stale.find((s) => s.spaceId === r.spaceId) ?? null;
    const current = records.filter((r) => staleOf(r) === null);
    const isActive = (r: TrustRecord) => r.registrationState === ACTIVE_STATE && r.removedAt === null;
    // Known through another API user, in a space this integration's user could not read: its copy cannot say.
    const hidden = records.length === 0 ? (seenElsewhere.map(staleOf).find((s) => s !== null) ?? null) : null;
    if (hidden !== null) {
      add(
        'space-stale',
        `The device is in the space "${hidden.spaceName}", which ${name}'s API user could not read ${staleSince(hidden)}: ${hidden.reason}`,
      );
    } else if (records.length === 0) {
      add(
        'identifier-never-synced',
        `No device with Device Client ID ${identifier} has been synced from ${name}. Check Duo Mobile's managed configuration on the device and the API user's spaces, then sync again.`,
      );
    } else if (!current.some(isActive) && current.length < records.length) {
      const space = staleOf(records.find((r) => staleOf(r) !== null) as TrustRecord) as StaleSpace;
      add('space-stale', `Our copy of the space "${space.spaceName}" in ${name} is stale ${staleSince(space)}: ${space.reason}`);
    } else if (!records.some(isActive)) {
      const inactive = records.filter((r) => r.registrationState !== ACTIVE_STATE);
      if (inactive.length > 0) {
        const states = [...new Set(inactive.map((r) => r.registrationState ?? 'unknown'))].join(', ');
        add('device-retired', `Ivanti reports the device as ${states} in ${name}; only ACTIVE devices are trusted. Re-enroll it.`);
      }
      const removed = records.filter((r) => r.removedAt !== null);
      if (removed.length > 0) {
        const when = new Date(Math.max(...removed.map((r) => r.removedAt as number))).toISOString();
        add('device-removed', `The device was no longer in ${name}'s tenant at the complete sync of ${when}.`);
      }
    }

    const lastSync = runs.lastCompletedAt(integration.id);

    if (integration.platform === 'ios-certs') {
      if (now >= LEGACY_CERTIFICATE_END_OF_LIFE_MS) {
        add(
          'legacy-end-of-life',
          `Duo no longer verifies Ivanti certificates (end of life ${LEGACY_CERTIFICATE_END_OF_LIFE}), so ${name} trusts no device: migrate to iOS App Config.`,
        );
      }
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
}

function deviceAnswer(code: TrustReasonCode, detail: string): DeviceTrust {
  const cantTell = code === 'space-stale';
  return { answer: cantTell ? 'cant-tell' : 'not-trusted', code, label: cantTell ? "Can't tell: space not read" : TRUST_REASON_TITLES[code], detail };
}

/** The deciding reason across the failing integrations, said as the one thing to fix and how. */
function leadOf(
  verdicts: IntegrationTrustVerdict[],
  integrations: TrustCandidate[],
  user: string,
  identifier: string,
  platform: DevicePlatform | null,
): TrustLead {
  const rank = (code: TrustReasonCode) => DECIDING_ORDER.indexOf(code);
  let best: TrustReason | null = null;
  for (const verdict of verdicts) {
    const own = [...verdict.reasons].sort((a, b) => rank(a.code) - rank(b.code))[0];
    if (own && (best === null || rank(own.code) > rank(best.code))) best = own;
  }
  // Every failing integration has at least one reason, and verdicts is not empty.
  const reason = best as TrustReason;
  const devices = platform === null ? 'This device' : `This ${platformName(platform)} device`;
  const integrationsOf = platform === null ? 'integration' : `${platformName(platform)} integration`;
  const names = integrations.map((i) => `"${i.name}"`).join(', ');
  switch (reason.code) {
    case 'identifier-never-synced':
      return {
        ...reason,
        message: `No device with Device Client ID ${identifier} was synced from ${names}.`,
        action:
          "Check that Duo Mobile on the device receives the managed configuration (the identifier pair), and that the API user can read the device's space; then sync again.",
      };
    case 'device-removed':
    case 'device-retired':
      return { ...reason, action: 'Re-enroll the device in Ivanti, then sync again.' };
    case 'legacy-end-of-life':
      return {
        ...reason,
        message: `Duo no longer verifies Ivanti certificates (end of life ${LEGACY_CERTIFICATE_END_OF_LIFE}): "${reason.integrationName}" cannot trust this device.`,
        action: `Migrate to iOS App Config: open "${reason.integrationName}" under Integrations and start the migration.`,
      };
    case 'integration-disabled':
    case 'user-not-in-test-group':
      return {
        ...reason,
        message: `${devices} is not in any ${integrationsOf} enabled for ${user}.`,
        action:
          reason.code === 'integration-disabled'
            ? `Enable "${reason.integrationName}" in Duo for a test group that includes ${user}, or for all users, and mirror the status here.`
            : `Add ${user} to the test group of "${reason.integrationName}" in Duo, or enable it for all users, and mirror it here.`,
      };
    case 'certificate-missing':
    case 'certificate-invalidated':
    case 'certificate-expired':
      return { ...reason, action: 'Move the device to iOS App Config; legacy certificates are no longer issued or renewed.' };
    case 'space-stale':
      return {
        ...reason,
        action: `In Ivanti, assign the Device Read Only role in that space to the API user of "${reason.integrationName}", then sync again. Until then the console cannot predict Duo's answer for this device.`,
      };
    default:
      return { ...reason, action: null };
  }
}

/** Informational findings: they do not change the answer. */
function findingsFor(user: string, records: TrustRecord[]): TrustFinding[] {
  const findings: TrustFinding[] = [];
  const current = records.filter((r) => r.removedAt === null);
  if (current.some((r) => isMaskedValue(r.uid) || isMaskedValue(r.email))) {
    findings.push({ code: 'masked-values', message: MASKED_VALUE_EXPLANATION });
  }
  const owners = current.flatMap((r) => [r.uid, r.email]).filter((v): v is string => v !== null && v !== '' && !isMaskedValue(v));
  const asked = user.toLowerCase();
  if (owners.length > 0 && !owners.some((o) => o.toLowerCase() === asked)) {
    const registered = [...new Set(current.map((r) => r.uid ?? r.email).filter((v): v is string => v !== null && !isMaskedValue(v)))].join(', ');
    findings.push({
      code: 'owner-mismatch',
      message: `In Ivanti the device is registered to ${registered}, not to ${user}. Duo may still trust it for ${user}; check that this is expected.`,
    });
  }
  return findings;
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

/** "since <when>", or that no sync ever read it to its end. */
function staleSince(space: StaleSpace): string {
  return space.since === null ? 'because no sync has read it to its end yet' : `since ${new Date(space.since).toISOString()}`;
}

function platformName(platform: DevicePlatform): string {
  return platform === 'ios' ? 'iOS' : PLATFORM_LABELS[platform];
}

function toSummary(row: TrustRecord): SyncedDeviceSummary {
  return {
    guid: row.guid,
    registrationState: row.registrationState,
    platformType: row.platformType,
    lastSeenAt: new Date(row.lastSeenAt).toISOString(),
    removedAt: row.removedAt === null ? null : new Date(row.removedAt).toISOString(),
  };
}

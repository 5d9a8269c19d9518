import type { Settings } from '../../../src-shared/contract/app';
import type { CoverageComparison, IntegrationOverview, IntegrationWarning } from '../../../src-shared/contract/integrations';
import { LEGACY_END_OF_LIFE_NOTICE } from '../../../src-shared/domain/ivanti-setup';
import type { Integration } from '../../../src-shared/domain/integration';
import { AppError } from '../../../src-shared/errors';
import type { Db } from '../db/database';
import type { CertificateLookup } from '../trust/certificate-lookup';
import { DeviceStore } from '../sync/device-store';
import { SyncRunStore } from '../sync/sync-run-store';
import type { IntegrationService } from './integration-service';
import { WizardDraftStore } from './wizard-draft-store';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The Integrations page's view: each integration with its sync state, device count and what needs attention. */
export class IntegrationOverviews {
  readonly #devices: DeviceStore;
  readonly #runs: SyncRunStore;
  readonly #drafts: WizardDraftStore;

  constructor(
    db: Db,
    private readonly integrations: IntegrationService,
    private readonly certificates: CertificateLookup,
    private readonly settings: () => Settings,
    private readonly now: () => Date,
  ) {
    this.#devices = new DeviceStore(db);
    this.#runs = new SyncRunStore(db);
    this.#drafts = new WizardDraftStore(db);
  }

  async list(): Promise<IntegrationOverview[]> {
    const integrations = await this.integrations.list();
    return integrations.map((integration) => this.overview(integration));
  }

  private overview(integration: Integration): IntegrationOverview {
    const now = this.now().getTime();
    const settings = this.settings();
    const count = this.#devices.currentCount(integration.id);
    const lastRun = this.#runs.latest(integration.id);
    const lastCompleted = this.#runs.lastCompletedAt(integration.id);
    const draft = this.#drafts.openDraftId(integration.id);
    const firstError = lastRun?.errors[0]?.message ?? null;

    const warnings: IntegrationWarning[] = [];
    if (!integration.domain || !integration.email || !integration.hasPassword) {
      const missing = [!integration.domain && 'domain', !integration.email && 'email', !integration.hasPassword && 'password in the keychain']
        .filter(Boolean)
        .join(', ');
      warnings.push({ code: 'credentials-missing', message: `API details incomplete (${missing}): syncs cannot run.` });
    }
    if (lastRun && (lastRun.status === 'failed' || lastRun.status === 'interrupted')) {
      warnings.push({ code: 'sync-failing', message: `The last sync ${lastRun.status === 'failed' ? 'failed' : 'was interrupted'}${firstError ? `: ${firstError}` : '.'}` });
    }
    const unreadable = this.#runs.staleSpaces(integration.id).map((s) => s.spaceName);
    if (unreadable.length > 0) {
      const names = unreadable.map((n) => `"${n}"`).join(', ');
      warnings.push({
        code: 'spaces-unreadable',
        message: `The last sync could not read ${unreadable.length === 1 ? 'the space' : `${unreadable.length} spaces:`} ${names}: their devices keep their last known state and are stale (verify answers "can't tell" for them). Fix: in Ivanti, give the API user the Device Read Only role in ${unreadable.length === 1 ? 'that space' : 'those spaces'}, then sync again.`,
      });
    }
    if (lastCompleted === null) {
      warnings.push({ code: 'never-synced', message: 'No sync has completed yet: no device can be trusted.' });
    } else if (now - lastCompleted > settings.staleSyncHours * HOUR_MS) {
      warnings.push({
        code: 'sync-stale',
        message: `The last completed sync is ${Math.floor((now - lastCompleted) / HOUR_MS)} hours old (limit ${settings.staleSyncHours}): the console's copy may miss recent changes in Ivanti. Sync again, or check why scheduled syncs fail.`,
      });
    }
    if (integration.platform === 'ios-certs') {
      warnings.push({ code: 'legacy-end-of-life', message: LEGACY_END_OF_LIFE_NOTICE });
      const expiring = this.certificates.expiringBefore(integration.id, now, now + settings.certificateWarningDays * DAY_MS);
      if (expiring > 0) {
        warnings.push({
          code: 'certificates-expiring',
          message: `${expiring} certificate${expiring === 1 ? '' : 's'} expire within ${settings.certificateWarningDays} days and will not renew.`,
        });
      }
    }
    if (draft) warnings.push({ code: 'setup-unfinished', message: 'Setup is not finished. Resume it to complete the remaining steps.' });

    return {
      integration,
      deviceCount: count,
      lastRun: lastRun ? { id: lastRun.id, status: lastRun.status, startedAt: lastRun.startedAt, finishedAt: lastRun.finishedAt, error: firstError } : null,
      lastCompletedSyncAt: lastCompleted === null ? null : new Date(lastCompleted).toISOString(),
      warnings,
      openDraftId: draft,
    };
  }

  /**
   * Coverage of a legacy certificate integration against its App Config replacement, by tenant guid. A legacy device
   * is covered if it is active there; the replacement covers a device once it is active and reports its Device
   * Client ID (which only happens when Duo Mobile received the managed app configuration).
   */
  async compareCoverage(legacyId: string, replacementId: string): Promise<CoverageComparison> {
    const legacy = await this.integrations.get(legacyId);
    const replacement = await this.integrations.get(replacementId);
    if (legacy.platform !== 'ios-certs' || replacement.platform !== 'ios-appconfig') {
      throw new AppError('VALIDATION_FAILED', 'Compare a legacy iOS certificate integration with an iOS (App Config) integration.');
    }
    const now = this.now().getTime();
    const legacyRows = this.#devices.activeDevices(legacyId);
    const replacementRows = this.#devices.activeDevices(replacementId);
    const replacementCovered = new Set(replacementRows.filter((r) => r.identifier !== null).map((r) => r.guid));
    const replacementActive = replacementRows.length;
    const legacyGuids = new Set(legacyRows.map((r) => r.guid));
    const onlyLegacy = legacyRows.filter((r) => !replacementCovered.has(r.guid));
    const withValidCertificate = legacyRows.filter((r) =>
      this.certificates
        .forDevice(legacyId, { identifier: r.identifier ?? '', guids: [r.guid] })
        .some((c) => c.invalidatedAt === null && c.notAfter > now),
    ).length;
    return {
      legacy: { id: legacy.id, name: legacy.name, activeDevices: legacyRows.length, withValidCertificate },
      replacement: { id: replacement.id, name: replacement.name, activeDevices: replacementActive, withIdentifier: replacementCovered.size },
      coveredByBoth: legacyRows.length - onlyLegacy.length,
      onlyLegacy: onlyLegacy.length,
      onlyReplacement: [...replacementCovered].filter((g) => !legacyGuids.has(g)).length,
      onlyLegacySample: onlyLegacy.slice(0, 50).map((r) => ({ guid: r.guid, identifier: r.identifier, deviceName: r.deviceName })),
    };
  }
}

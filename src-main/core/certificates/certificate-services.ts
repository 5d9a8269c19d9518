import type { Settings } from '../../../src-shared/contract/app';
import type { AuditLog } from '../audit/audit-log';
import type { Db } from '../db/database';
import type { EventBus } from '../events/event-bus';
import type { IntegrationService } from '../integrations/integration-service';
import type { SecretStore } from '../secrets/secret-store';
import { CaProfileService } from './ca-profile-service';
import { CertificateExpiryNotices } from './certificate-expiry-notices';
import { CertificateInventory, INTEGRATION_DELETED_REASON } from './certificate-inventory';
import { LegacyTestConfiguration, type LegacyTestDeps } from './legacy-test-configuration';
import { TestKeyVault } from './legacy-test-keys';

export interface CertificateServices {
  inventory: CertificateInventory;
  caProfiles: CaProfileService;
  legacyTests: LegacyTestConfiguration;
  expiryNotices: CertificateExpiryNotices;
}

export interface CertificateServiceDeps {
  db: Db;
  secrets: SecretStore;
  integrations: IntegrationService;
  audit: AuditLog;
  events: EventBus;
  settings: () => Settings;
  now: () => Date;
  actor: string;
  scep?: LegacyTestDeps['scep'];
}

/**
 * The legacy certificate feature, wired: inventory, CA profiles, Test Configuration with its in-memory key vault,
 * expiry notices, and what happens when an integration is deleted.
 */
export function createCertificateServices(deps: CertificateServiceDeps): CertificateServices {
  const inventory = new CertificateInventory(deps.db, deps.now);
  const caProfiles = new CaProfileService(deps.db, deps.secrets, deps.integrations, deps.audit, deps.now, deps.actor);
  const keys = new TestKeyVault(deps.now);
  const legacyTests = new LegacyTestConfiguration({ ...deps, profiles: caProfiles, inventory, keys });
  const expiryNotices = new CertificateExpiryNotices(inventory, deps.settings, deps.events, deps.now);
  expiryNotices.watchSyncs();

  // Runs inside the deletion's transaction (a failure here cancels the deletion). Duo invalidates the device
  // certificates of a deleted integration at once; the inventory says so from the same instant. The CA password's
  // keychain entry goes with the integration's other entries (IntegrationService.delete).
  deps.integrations.onDelete((integrationId) => {
    const count = inventory.invalidateIntegration(integrationId, INTEGRATION_DELETED_REASON);
    caProfiles.forget(integrationId);
    keys.dropIntegration(integrationId);
    if (count > 0) {
      deps.audit.append({
        actor: deps.actor,
        action: 'certificates.invalidated',
        target: integrationId,
        details: { count, reason: INTEGRATION_DELETED_REASON },
      });
    }
  });

  return { inventory, caProfiles, legacyTests, expiryNotices };
}

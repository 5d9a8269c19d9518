import type { Handler } from '../../../src-shared/contract';
import type { SettingsStore } from '../settings/settings-store';
import type { CaProfileService } from './ca-profile-service';
import type { CertificateInventory } from './certificate-inventory';
import type { LegacyTestConfiguration } from './legacy-test-configuration';

type CertificateChannel =
  | 'certificates.list'
  | 'certificates.expiryWarnings'
  | 'certificates.getProfile'
  | 'certificates.saveProfile'
  | 'certificates.testConfiguration'
  | 'certificates.cancelTest'
  | 'certificates.exportTestKey';

export interface CertificateHandlerDeps {
  certificates: CertificateInventory;
  caProfiles: CaProfileService;
  legacyTests: LegacyTestConfiguration;
  settings: SettingsStore;
}

export function certificateHandlers({ certificates, caProfiles, legacyTests, settings }: CertificateHandlerDeps): { [C in CertificateChannel]: Handler<C> } {
  return {
    'certificates.list': async (filter) => certificates.list(filter),
    'certificates.expiryWarnings': async () => {
      const warningDays = settings.get().certificateWarningDays;
      return { warningDays, warnings: certificates.expiryWarnings(warningDays) };
    },
    'certificates.getProfile': ({ integrationId }) => caProfiles.get(integrationId),
    'certificates.saveProfile': (input) => caProfiles.save(input),
    'certificates.testConfiguration': (input, { signal }) => legacyTests.run(input, signal),
    'certificates.cancelTest': async ({ testRunId }) => {
      legacyTests.cancel(testRunId);
      return { ok: true as const };
    },
    // The one response that may carry a private key: the admin asked for it explicitly, once (see TestKeyVault).
    'certificates.exportTestKey': ({ keyHandle, path }) => legacyTests.exportKey(keyHandle, path),
  };
}

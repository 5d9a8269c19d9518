import type { Handler } from '../../../src-shared/contract';
import type { AppInfo } from '../../../src-shared/contract/app';
import type { AuditLog } from '../audit/audit-log';
import { probeKeychain } from '../secrets/keychain-probe';
import type { SecretStore } from '../secrets/secret-store';
import type { SettingsStore } from '../settings/settings-store';

export function appHandlers({ settings, audit, secrets }: { settings: SettingsStore; audit: AuditLog; secrets: SecretStore }, info: AppInfo): {
  'app.info': Handler<'app.info'>;
  'keychain.probe': Handler<'keychain.probe'>;
  'settings.get': Handler<'settings.get'>;
  'settings.update': Handler<'settings.update'>;
} {
  return {
    'app.info': async () => info,
    'keychain.probe': () => probeKeychain(secrets),
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => {
      const updated = settings.update(patch);
      audit.append({ actor: 'settings', action: 'settings.changed', details: patch });
      return updated;
    },
  };
}

import type { Handler } from '../../../src-shared/contract';
import type { AppInfo } from '../../../src-shared/contract/app';
import type { AuditLog } from '../audit/audit-log';
import type { SettingsStore } from '../settings/settings-store';

export function appHandlers({ settings, audit }: { settings: SettingsStore; audit: AuditLog }, info: AppInfo): {
  'app.info': Handler<'app.info'>;
  'settings.get': Handler<'settings.get'>;
  'settings.update': Handler<'settings.update'>;
} {
  return {
    'app.info': async () => info,
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => {
      const updated = settings.update(patch);
      audit.append({ actor: 'settings', action: 'settings.changed', details: patch });
      return updated;
    },
  };
}

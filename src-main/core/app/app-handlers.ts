import type { Handler } from '../../../src-shared/contract';
import type { AppInfo } from '../../../src-shared/contract/app';
import type { Services } from './composition-root';

export function appHandlers(services: Services, info: AppInfo): {
  'app.info': Handler<'app.info'>;
  'settings.get': Handler<'settings.get'>;
  'settings.update': Handler<'settings.update'>;
} {
  return {
    'app.info': async () => info,
    'settings.get': async () => services.settings.get(),
    'settings.update': async (patch) => {
      const settings = services.settings.update(patch);
      services.audit.append({ actor: 'settings', action: 'settings.changed', details: patch });
      return settings;
    },
  };
}

import type { Handler } from '../../../src-shared/contract';
import type { IntegrationOverviews } from './integration-overview';
import type { IntegrationService } from './integration-service';

type IntegrationChannel =
  | 'integrations.list'
  | 'integrations.get'
  | 'integrations.create'
  | 'integrations.updateApiDetails'
  | 'integrations.setStatus'
  | 'integrations.delete'
  | 'integrations.overview'
  | 'integrations.enterConfigurationKey'
  | 'integrations.compareCoverage';

export function integrationHandlers({ integrations, overviews }: { integrations: IntegrationService; overviews: IntegrationOverviews }): { [C in IntegrationChannel]: Handler<C> } {
  return {
    'integrations.list': () => integrations.list(),
    'integrations.get': ({ id }) => integrations.get(id),
    'integrations.create': (input) => integrations.create(input),
    'integrations.updateApiDetails': ({ id, ...details }) => integrations.updateApiDetails(id, details),
    'integrations.setStatus': ({ id, status, testGroup, duoGroup }) => integrations.setStatus(id, status, testGroup, duoGroup),
    'integrations.delete': async ({ id, confirmName, purgeDevices }) => {
      await integrations.delete(id, confirmName, { purgeDevices });
      return { ok: true as const };
    },
    'integrations.overview': () => overviews.list(),
    'integrations.enterConfigurationKey': ({ id, key, confirmUnusualShape }) => integrations.enterConfigurationKey(id, key, { confirmUnusualShape }),
    'integrations.compareCoverage': ({ legacyId, replacementId }) => overviews.compareCoverage(legacyId, replacementId),
  };
}

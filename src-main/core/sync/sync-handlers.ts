import type { Handler } from '../../../src-shared/contract';
import type { DeviceRepository } from '../devices/device-repository';
import type { IntegrationService } from '../integrations/integration-service';
import type { SettingsStore } from '../settings/settings-store';
import type { SyncRunner } from './sync-engine';
import type { SyncScheduler } from './sync-scheduler';

type SyncChannel = 'sync.start' | 'sync.cancel' | 'sync.status' | 'sync.runs' | 'sync.changes';

export interface SyncHandlerDeps {
  sync: SyncRunner;
  syncScheduler: Pick<SyncScheduler, 'nextRunAt'>;
  integrations: Pick<IntegrationService, 'get'>;
  settings: SettingsStore;
  /** The changes a run shows, from the device read side that owns them. */
  deviceChanges: Pick<DeviceRepository, 'changesOfFetch'>;
}

export function syncHandlers({ sync, syncScheduler, integrations, settings, deviceChanges }: SyncHandlerDeps): { [C in SyncChannel]: Handler<C> } {
  return {
    'sync.start': async ({ integrationId, trigger }) => {
      const { runId, resumed } = await sync.start(integrationId, trigger);
      return { runId, resumed };
    },
    'sync.cancel': async ({ integrationId }) => {
      await integrations.get(integrationId);
      sync.cancel(integrationId);
      return { ok: true as const };
    },
    'sync.status': async ({ integrationId }) => {
      await integrations.get(integrationId);
      const running = sync.running(integrationId);
      const next = syncScheduler.nextRunAt(integrationId);
      return {
        integrationId,
        running: running ? { runId: running.runId, progress: running.progress } : null,
        lastRun: sync.runs.list(integrationId, 1)[0] ?? null,
        nextScheduledAt: next === null ? null : new Date(next).toISOString(),
        syncIntervalMinutes: settings.get().syncIntervalMinutes,
      };
    },
    'sync.runs': async ({ integrationId, limit, beforeId }) => sync.runs.list(integrationId, limit, beforeId),
    'sync.changes': async ({ runId, kind, limit, afterId }) => deviceChanges.changesOfFetch(sync.runs.fetchOf(runId), { kind, limit, afterId }),
  };
}

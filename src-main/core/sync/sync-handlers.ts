import type { Handler } from '../../../src-shared/contract';
import type { Services } from '../app/composition-root';

type SyncChannel = 'sync.start' | 'sync.cancel' | 'sync.status' | 'sync.runs' | 'sync.changes' | 'devices.find';

export function syncHandlers({ sync, syncScheduler, integrations, settings }: Services): { [C in SyncChannel]: Handler<C> } {
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
    'sync.changes': async ({ runId, kind, limit, afterId }) => sync.runs.changes(runId, { kind, limit, afterId }),
    'devices.find': async ({ identifier, integrationId }) => sync.devices.find(identifier, integrationId),
  };
}

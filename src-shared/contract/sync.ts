import { z } from 'zod';
import { channel, event, Ok } from './define';
import { EntityId } from '../domain/entity-id';
import { DeviceChangePage, SyncFinished, SyncProgress, SyncRun, SyncStatus } from '../domain/sync';

const IntegrationRef = z.object({ integrationId: EntityId }).strict();

export const syncChannels = {
  'sync.start': channel(
    'Start (or resume) syncing one integration\'s devices; answers at once with the run id, progress follows as sync.progress events.',
    z
      .object({
        integrationId: EntityId,
        /** Recorded in the run's history; the scheduler's runs are `scheduled` and do not come through here. */
        trigger: z.enum(['manual', 'cli', 'wizard']).default('manual'),
      })
      .strict(),
    z.object({ runId: z.number().int(), resumed: z.boolean() }),
  ),
  'sync.cancel': channel(
    'Cancel the integration\'s running sync; what was written stays, and the next start resumes from the checkpoint.',
    IntegrationRef,
    Ok,
  ),
  'sync.status': channel('The running sync (with its latest progress), the last run and the next scheduled run.', IntegrationRef, SyncStatus),
  'sync.runs': channel(
    'Sync history of one integration, newest first.',
    z.object({ integrationId: EntityId, limit: z.number().int().min(1).max(500).default(50), beforeId: z.number().int().optional() }).strict(),
    z.array(SyncRun),
  ),
  'sync.changes': channel(
    'The per-device changes one run recorded, a page at a time.',
    z
      .object({
        runId: z.number().int(),
        kind: z.enum(['added', 'changed', 'removed', 'restored']).optional(),
        limit: z.number().int().min(1).max(1000).default(200),
        afterId: z.number().int().optional(),
      })
      .strict(),
    DeviceChangePage,
  ),
};

export const syncEvents = {
  'sync.progress': event('Progress of a running sync (throttled): space, page, devices so far, rate and ETA.', SyncProgress),
  'sync.finished': event('A sync ended (completed, failed, cancelled or interrupted), with its run record.', SyncFinished),
};

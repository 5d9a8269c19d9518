import { z } from 'zod';
import { channel, event, Ok } from './define';
import { ApiEmail, ApiPassword, IvantiDomain } from '../domain/integration';
import { DeviceChangePage, SyncedDevice, SyncFinished, SyncProgress, SyncRun, SyncStatus } from '../domain/sync';
import { TestConfigurationResult, TestConfigurationStep } from '../domain/test-configuration';

const IntegrationRef = z.object({ integrationId: z.string().min(1) }).strict();

export const TestConfigurationInput = z
  .object({
    /** A saved integration: its stored domain, email and keychain password fill whatever is not given here. */
    id: z.string().min(1).optional(),
    domain: IvantiDomain.optional(),
    email: ApiEmail.optional(),
    /** Used for this test only; it is stored only if the admin then saves the API details. */
    password: ApiPassword.optional(),
    /** Chosen by the caller to match the `integrations.testStep` events of this test. */
    testRunId: z.string().min(1).max(100).optional(),
  })
  .strict()
  .refine((v) => v.id !== undefined || (v.domain !== undefined && v.email !== undefined && v.password !== undefined), {
    message: 'Enter the domain, the API user\'s email and its password, or test a saved integration.',
    path: ['domain'],
  });

export const syncChannels = {
  'sync.start': channel(
    'Start (or resume) syncing one integration\'s devices; answers at once with the run id, progress follows as sync.progress events.',
    z
      .object({
        integrationId: z.string().min(1),
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
    z.object({ integrationId: z.string().min(1), limit: z.number().int().min(1).max(500).default(50), beforeId: z.number().int().optional() }).strict(),
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
  'devices.find': channel(
    'Has this device synced? Exact lookup of a Device Client ID (or a device guid or numeric Ivanti id) in the synced devices.',
    z.object({ identifier: z.string().trim().min(1).max(512), integrationId: z.string().min(1).optional() }).strict(),
    z.array(SyncedDevice),
  ),
  'integrations.testConfiguration': channel(
    'Test Configuration: every check against the tenant, in order, stopping at the first failure.',
    TestConfigurationInput,
    TestConfigurationResult,
  ),
};

export const syncEvents = {
  'sync.progress': event('Progress of a running sync (throttled): space, page, devices so far, rate and ETA.', SyncProgress),
  'sync.finished': event('A sync ended (completed, failed, cancelled or interrupted), with its run record.', SyncFinished),
  'integrations.testStep': event(
    'One Test Configuration check changed state (running, passed, failed), while `integrations.testConfiguration` runs.',
    z.object({ testRunId: z.string().nullable(), integrationId: z.string().nullable(), step: TestConfigurationStep }),
  ),
};

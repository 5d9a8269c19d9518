import { z } from 'zod';
import { channel, event, NoInput, Ok } from './define';
import { EntityId } from '../domain/entity-id';
import {
  ApiEmail,
  ApiPassword,
  Integration,
  IntegrationName,
  IntegrationStatus,
  IvantiDomain,
  Platform,
  TestGroupDuoGroup,
  Username,
} from '../domain/integration';
import { TestConfigurationResult, TestConfigurationStep } from '../domain/test-configuration';

const Id = z.object({ id: EntityId }).strict();

export const CreateIntegrationInput = z
  .object({
    name: IntegrationName,
    platform: Platform,
    domain: IvantiDomain.optional(),
    email: ApiEmail.optional(),
    password: ApiPassword.optional(),
    /** Required for the legacy ios-certs platform: records an existing integration for management or migration. */
    acknowledgeLegacy: z.boolean().optional(),
    /** The configuration key the Duo Admin Panel shows, when already at hand (same checks as enterConfigurationKey). */
    configurationKey: z.string().max(10_000).optional(),
    confirmUnusualShape: z.boolean().optional(),
  })
  .strict();

export const ApiDetailsInput = z
  .object({
    id: EntityId,
    domain: IvantiDomain,
    email: ApiEmail,
    /** Omitted: keep the stored password. The password is only ever re-entered, never shown. */
    password: ApiPassword.optional(),
  })
  .strict();

export const SetStatusInput = z
  .object({
    id: EntityId,
    status: IntegrationStatus,
    testGroup: z.array(Username).max(10_000).optional(),
    /** The Duo group the members were read from; omitted for a test group typed by hand. */
    duoGroup: TestGroupDuoGroup.optional(),
  })
  .strict()
  .refine((v) => v.status !== 'test-group' || (v.testGroup?.length ?? 0) > 0, {
    message: 'A test group needs at least one username.',
    path: ['testGroup'],
  });

export const DeleteIntegrationInput = z
  .object({ id: EntityId, confirmName: z.string().max(200), purgeDevices: z.boolean() })
  .strict();

export const IntegrationWarningCode = z.enum([
  'credentials-missing',
  'never-synced',
  'sync-failing',
  'sync-stale',
  'spaces-unreadable',
  'certificates-expiring',
  'legacy-end-of-life',
  'setup-unfinished',
]);
export type IntegrationWarningCode = z.infer<typeof IntegrationWarningCode>;

export const IntegrationWarning = z.object({ code: IntegrationWarningCode, message: z.string() });
export type IntegrationWarning = z.infer<typeof IntegrationWarning>;

export const SyncRunSummary = z.object({
  id: z.number().int(),
  status: z.enum(['running', 'completed', 'failed', 'cancelled', 'interrupted']),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  /** First error message of the run, if any. */
  error: z.string().nullable(),
});

/** One row of the Integrations page: the integration plus what the admin should know about it at a glance. */
export const IntegrationOverview = z.object({
  integration: Integration,
  /** Synced devices still present in the tenant (removed ones excluded). */
  deviceCount: z.number().int().nonnegative(),
  lastRun: SyncRunSummary.nullable(),
  lastCompletedSyncAt: z.iso.datetime().nullable(),
  warnings: z.array(IntegrationWarning),
  /** An unfinished setup of this integration, to resume. */
  openDraftId: z.string().nullable(),
});
export type IntegrationOverview = z.infer<typeof IntegrationOverview>;

export const CoverageComparison = z.object({
  legacy: z.object({ id: z.string(), name: z.string(), activeDevices: z.number().int(), withValidCertificate: z.number().int() }),
  replacement: z.object({ id: z.string(), name: z.string(), activeDevices: z.number().int(), withIdentifier: z.number().int() }),
  /** iOS devices active in both (matched by tenant guid) that the replacement can trust (it has their identifier). */
  coveredByBoth: z.number().int(),
  /** Active under the legacy integration but not trustable by the replacement yet: they lose trust if the legacy one goes. */
  onlyLegacy: z.number().int(),
  onlyReplacement: z.number().int(),
  /** Up to 50 of the devices only the legacy integration covers, for the admin to look at. */
  onlyLegacySample: z.array(z.object({ guid: z.string(), identifier: z.string().nullable(), deviceName: z.string().nullable() })),
});
export type CoverageComparison = z.infer<typeof CoverageComparison>;

export const TestConfigurationInput = z
  .object({
    /** A saved integration: its stored domain, email and keychain password fill whatever is not given here. */
    id: EntityId.optional(),
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

export const integrationChannels = {
  'integrations.list': channel('Every integration, newest first.', NoInput, z.array(Integration)),
  'integrations.get': channel('One integration.', Id, Integration),
  'integrations.create': channel('Create an integration; it starts Disabled.', CreateIntegrationInput, Integration),
  'integrations.updateApiDetails': channel('Change the Ivanti API details.', ApiDetailsInput, Integration),
  'integrations.setStatus': channel('Disable, enable for a test group, or enable for all users.', SetStatusInput, Integration),
  'integrations.delete': channel(
    'Delete an integration: its keychain entries go, its certificates are invalidated, its synced devices are kept or purged.',
    DeleteIntegrationInput,
    Ok,
  ),
  'integrations.overview': channel('Every integration with sync state, device count and warnings.', NoInput, z.array(IntegrationOverview)),
  'integrations.enterConfigurationKey': channel(
    'Record the configuration key Duo shows for this integration (pasted; cleaned of whitespace and invisible characters). Another shape than Duo\'s example needs confirmUnusualShape.',
    z.object({ id: EntityId, key: z.string().max(10_000), confirmUnusualShape: z.boolean().optional() }).strict(),
    Integration,
  ),
  'integrations.compareCoverage': channel(
    'Device coverage of a legacy certificate integration and the App Config integration replacing it.',
    z.object({ legacyId: EntityId, replacementId: EntityId }).strict(),
    CoverageComparison,
  ),
  'integrations.testConfiguration': channel(
    'Test Configuration: every check against the tenant, in order, stopping at the first failure.',
    TestConfigurationInput,
    TestConfigurationResult,
  ),
};

export const integrationEvents = {
  'integrations.testStep': event(
    'One Test Configuration check changed state (running, passed, failed), while `integrations.testConfiguration` runs.',
    z.object({ testRunId: z.string().nullable(), integrationId: z.string().nullable(), step: TestConfigurationStep }),
  ),
};

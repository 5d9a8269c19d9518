/**
 * The optional, read-only Duo Admin API connection and what it reads (../shared/reference/duo-admin-api.md).
 * The console never writes to Duo. The secret key is write-only here: it goes in, never comes back out.
 */
import { z } from 'zod';
import { TestConfigurationError, TestConfigurationStepStatus } from './test-configuration';

export const DUO_READ_KINDS = ['groups', 'users', 'endpoints'] as const;
export const DuoReadKind = z.enum(DUO_READ_KINDS);
export type DuoReadKind = z.infer<typeof DuoReadKind>;

/** An error as a check reports it (the same shape as Test Configuration's). */
const DuoError = TestConfigurationError;

export const DuoRead = z.object({
  kind: DuoReadKind,
  status: z.enum(['completed', 'failed', 'cancelled']),
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
  /** Objects read (for groups: the groups; members are counted in `members`). Null when the read did not complete. */
  count: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type DuoRead = z.infer<typeof DuoRead>;

export const DuoConnection = z.object({
  apiHostname: z.string(),
  integrationKey: z.string(),
  /** Whether the keychain holds the secret key (never the key). */
  hasSecretKey: z.boolean(),
  updatedAt: z.number().int(),
  /** The last read of each list (absent: never read). */
  reads: z.array(DuoRead),
  /** Rows held now from the last complete reads. */
  counts: z.object({ groups: z.number().int(), members: z.number().int(), users: z.number().int(), endpoints: z.number().int() }),
});
export type DuoConnection = z.infer<typeof DuoConnection>;

export const DuoConnectInput = z
  .object({
    apiHostname: z.string().trim().min(1, 'Enter the API hostname from the Duo Admin Panel.').max(253),
    integrationKey: z.string().trim().min(1, 'Enter the integration key of the Admin API application.').max(100),
    /** Omitted to keep the one already in the keychain (changing only the hostname or the integration key). */
    secretKey: z.string().min(1).max(200).optional(),
  })
  .strict();

export const DUO_TEST_CHECKS = ['host-resolves', 'tls-valid', 'clock-agrees', 'credentials-accepted', 'read-permission'] as const;
export const DuoTestCheck = z.enum(DUO_TEST_CHECKS);
export type DuoTestCheck = z.infer<typeof DuoTestCheck>;

export const DUO_TEST_TITLES: Record<DuoTestCheck, string> = {
  'host-resolves': 'The API hostname resolves',
  'tls-valid': 'The TLS connection is valid',
  'clock-agrees': 'This computer\'s clock agrees with Duo\'s',
  'credentials-accepted': 'Duo accepts the integration key and the signature',
  'read-permission': 'The Admin API application may read users, groups and endpoints',
};

export const DuoTestStep = z.object({
  check: DuoTestCheck,
  title: z.string(),
  status: TestConfigurationStepStatus,
  detail: z.string().nullable(),
  error: DuoError.nullable(),
});
export type DuoTestStep = z.infer<typeof DuoTestStep>;

export const DuoTestResult = z.object({
  ok: z.boolean(),
  apiHostname: z.string(),
  finishedAt: z.number().int(),
  steps: z.array(DuoTestStep),
  failure: z.object({ check: DuoTestCheck, error: DuoError }).nullable(),
});
export type DuoTestResult = z.infer<typeof DuoTestResult>;

export const DuoReadSummary = z.object({
  ok: z.boolean(),
  reads: z.array(DuoRead),
});
export type DuoReadSummary = z.infer<typeof DuoReadSummary>;

export const DuoProgress = z.object({
  kind: DuoReadKind,
  /** Objects fetched so far in this list. */
  fetched: z.number().int(),
  /** Duo's `total_objects` when it sent one. */
  total: z.number().int().nullable(),
  /** "Duo is rate-limiting, retrying in 4 s", when waiting. */
  waiting: z.string().nullable(),
});
export type DuoProgress = z.infer<typeof DuoProgress>;

export const DuoGroup = z.object({
  groupId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.string().nullable(),
  members: z.array(z.object({ userId: z.string(), username: z.string().nullable() })),
});
export type DuoGroup = z.infer<typeof DuoGroup>;

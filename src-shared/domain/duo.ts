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

/**
 * How a Duo endpoint was tied to a synced Ivanti device. No documented key joins them (reference §6): `identifier`
 * only where Duo returns one (`device_udid`, certificate-trusted iOS); `likely` by user and platform (and model),
 * never certain; `none` when nothing of that user and platform is synced.
 */
export const DuoMatchKind = z.enum(['identifier', 'likely', 'none']);
export type DuoMatchKind = z.infer<typeof DuoMatchKind>;

export const DuoEndpointView = z.object({
  epkey: z.string(),
  osFamily: z.string().nullable(),
  osVersion: z.string().nullable(),
  model: z.string().nullable(),
  /** Duo's own flag: "a Duo-managed endpoint" (yes/no/unknown); null when Duo did not send it (non-Premier). Not a sign-in decision. */
  trustedEndpoint: z.enum(['yes', 'no', 'unknown']).nullable(),
  /** Last access to Duo (epoch ms). */
  lastSeenAt: z.number().int().nullable(),
  match: z.object({
    kind: DuoMatchKind,
    /** Why: "device_udid equals the synced UDID", "the only Android device of this user with model Pixel 8", … */
    note: z.string(),
    deviceId: z.number().int().nullable(),
    deviceGuid: z.string().nullable(),
    identifier: z.string().nullable(),
    deviceModel: z.string().nullable(),
  }),
  /** The console's prediction for the matched device: null when there is no device or it can't tell. */
  predicted: z.boolean().nullable(),
  predictionNote: z.string().nullable(),
  /** Set when Duo's flag and the prediction disagree: the likely cause, in one sentence. */
  disagreement: z.string().nullable(),
});
export type DuoEndpointView = z.infer<typeof DuoEndpointView>;

export const DuoUserView = z.object({
  connected: z.boolean(),
  /** When the endpoints were last read from Duo (epoch ms); null if never. */
  readAt: z.number().int().nullable(),
  /** The Duo user and which of their Duo names matched what was asked; null when Duo has no such user. */
  duoUser: z.object({ userId: z.string(), username: z.string(), matchedBy: z.enum(['username', 'alias', 'email']) }).nullable(),
  /** How the user's Ivanti devices were found: "Ivanti uid = Duo email", …; null when none were. */
  ivantiMatch: z.string().nullable(),
  /** False when no endpoint carries trusted_endpoint (Duo returns it on Premier accounts only). */
  trustedEndpointAvailable: z.boolean(),
  endpoints: z.array(DuoEndpointView),
  /** One sentence for the UI when there is nothing to compare (not connected, never read, no Duo user, non-Premier). */
  note: z.string().nullable(),
});
export type DuoUserView = z.infer<typeof DuoUserView>;

/**
 * How one test-group name matches across the systems: the Duo user it is (by Duo username, then alias, then email, in
 * the last read) and the synced Ivanti devices of that user (Ivanti `uid` or `emailAddress` equal to one of those).
 */
export const TestGroupUserMatch = z.object({
  name: z.string(),
  duoUser: z.object({ username: z.string(), matchedBy: z.enum(['username', 'alias', 'email']) }).nullable(),
  /** `how` names the Ivanti field and the value it equals, e.g. "Ivanti emailAddress = Duo email". */
  ivanti: z.object({ devices: z.number().int(), how: z.string() }).nullable(),
});
export type TestGroupUserMatch = z.infer<typeof TestGroupUserMatch>;

export const DuoDisagreement = DuoEndpointView.extend({ username: z.string() });
export type DuoDisagreement = z.infer<typeof DuoDisagreement>;

export const DuoDisagreements = z.object({
  connected: z.boolean(),
  readAt: z.number().int().nullable(),
  trustedEndpointAvailable: z.boolean(),
  /** Endpoints compared (those with trusted_endpoint and a matched device). */
  compared: z.number().int(),
  items: z.array(DuoDisagreement),
});
export type DuoDisagreements = z.infer<typeof DuoDisagreements>;

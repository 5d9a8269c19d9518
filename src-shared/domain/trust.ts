/**
 * "Why is this device (not) trusted?": the verdict the console gives for a user and a Device Client ID, predicting the
 * trusted-endpoints decision (docs/architecture.md, "A verify, end to end"). A device is trusted when at least one
 * integration for its platform passes every check. The verdict leads with the one reason that decides it and the
 * action to take (`lead`), then the supporting checks of the integrations of the device's platform (`reasons`,
 * `integrations`). Integrations of other platforms, deleted ones and unfinished setups appear only when they are the
 * reason.
 */
import { z } from 'zod';
import { IntegrationStatus, Platform } from './integration';

/** The device's platform as an admin names it; `ios` covers both iOS integrations (App Config and legacy certificates). */
export const DevicePlatform = z.enum(['android', 'ios', 'ios-appconfig', 'ios-certs']);
export type DevicePlatform = z.infer<typeof DevicePlatform>;

export const TRUST_REASON_CODES = [
  'no-integration',
  'platform-not-covered',
  'legacy-end-of-life',
  'integration-disabled',
  'user-not-in-test-group',
  'identifier-never-synced',
  'device-retired',
  'device-removed',
  'space-stale',
  'certificate-missing',
  'certificate-expired',
  'certificate-invalidated',
] as const;
export const TrustReasonCode = z.enum(TRUST_REASON_CODES);
export type TrustReasonCode = z.infer<typeof TrustReasonCode>;

/** Short names for lists and table cells; the full sentence is in each reason's `message`. */
export const TRUST_REASON_TITLES: Record<TrustReasonCode, string> = {
  'no-integration': 'No integration for this platform',
  'platform-not-covered': 'Platform not covered',
  'legacy-end-of-life': 'Legacy certificates no longer verified',
  'integration-disabled': 'Integration disabled',
  'user-not-in-test-group': 'User not in the test group',
  'identifier-never-synced': 'Identifier never synced',
  'device-retired': 'Device retired',
  'device-removed': 'Device removed from the tenant',
  'space-stale': "Can't tell: our copy of the device's space is stale",
  'certificate-missing': 'No certificate',
  'certificate-expired': 'Certificate expired',
  'certificate-invalidated': 'Certificate invalidated',
};

export const TrustReason = z.object({
  code: TrustReasonCode,
  /** One sentence for the admin, naming what is wrong and what to do. */
  message: z.string(),
  /** null for `no-integration`. */
  integrationId: z.string().nullable(),
  integrationName: z.string().nullable(),
});
export type TrustReason = z.infer<typeof TrustReason>;

export const SyncedDeviceSummary = z.object({
  guid: z.string(),
  registrationState: z.string().nullable(),
  platformType: z.string().nullable(),
  lastSeenAt: z.iso.datetime(),
  removedAt: z.iso.datetime().nullable(),
});
export type SyncedDeviceSummary = z.infer<typeof SyncedDeviceSummary>;

export const IntegrationTrustVerdict = z.object({
  integrationId: z.string(),
  integrationName: z.string(),
  platform: Platform,
  status: IntegrationStatus,
  trusted: z.boolean(),
  reasons: z.array(TrustReason),
  /** When the last completed sync of this integration finished; null if none ever did. */
  lastSyncAt: z.iso.datetime().nullable(),
  /** The synced records of this identifier in this integration (usually one). */
  devices: z.array(SyncedDeviceSummary),
});
export type IntegrationTrustVerdict = z.infer<typeof IntegrationTrustVerdict>;

/** The deciding reason, or for a trusted device the integration that trusts it, with what to do. */
export const TrustLead = z.object({
  code: z.union([TrustReasonCode, z.literal('trusted')]),
  /** One sentence: what decides the answer. */
  message: z.string(),
  /** What the admin should do; null when nothing is needed. */
  action: z.string().nullable(),
  integrationId: z.string().nullable(),
  integrationName: z.string().nullable(),
});
export type TrustLead = z.infer<typeof TrustLead>;

export const TRUST_FINDING_CODES = ['owner-mismatch', 'masked-values'] as const;

/** Informational: does not change the answer, but the admin should know (Duo may still trust the device). */
export const TrustFinding = z.object({
  code: z.enum(TRUST_FINDING_CODES),
  message: z.string(),
});
export type TrustFinding = z.infer<typeof TrustFinding>;

/** How Ivanti shows a field hidden by a GDPR privacy profile (user id, name, email, serial, IMEI, …). */
export const MASKED_VALUE = '********';
export const MASKED_VALUE_EXPLANATION =
  'Ivanti shows ******** where a GDPR privacy profile hides a value (user, name, email, serial number, IMEI). Trust does not depend on these fields; the Device Client ID is never hidden.';

export function isMaskedValue(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && /^\*{4,}$/.test(value);
}

/**
 * The three answers: `cant-tell` when the device is known only from a space our copy of which is stale (the API user
 * could not read it at the last sync) and nothing else decides: Duo decides on Ivanti's current state, which we lack.
 */
export const TrustAnswer = z.enum(['trusted', 'not-trusted', 'cant-tell']);
export type TrustAnswer = z.infer<typeof TrustAnswer>;

export const TrustVerdict = z.object({
  /** true only for the answer `trusted`. */
  trusted: z.boolean(),
  answer: TrustAnswer,
  /** The one reason that decides the answer, first; then `reasons` and `integrations` support it. */
  lead: TrustLead,
  findings: z.array(TrustFinding),
  user: z.string(),
  identifier: z.string(),
  /** As asked, or as learned from the synced records; null when neither says. */
  platform: DevicePlatform.nullable(),
  checkedAt: z.iso.datetime(),
  /** Empty when trusted; otherwise the reasons of every integration of the device's platform (the lead's included). */
  reasons: z.array(TrustReason),
  /** The integration that trusts the device, when one does. */
  trustedBy: z.object({ integrationId: z.string(), integrationName: z.string() }).nullable(),
  integrations: z.array(IntegrationTrustVerdict),
});
export type TrustVerdict = z.infer<typeof TrustVerdict>;

export const TrustQuery = z
  .object({
    user: z.string().trim().min(1, 'Enter the username that signs in.').max(256),
    identifier: z.string().trim().min(1, 'Enter the Device Client ID.').max(512),
    platform: DevicePlatform.optional(),
  })
  .strict();
export type TrustQuery = z.infer<typeof TrustQuery>;

/**
 * One synced device's answer, without a user: trusted for the users its integration applies to (all users, or the
 * test group), or the reason that decides against it. The explorer's Trust column and the device exports show it; the
 * TrustVerifier computes it with the same checks as a verdict (TrustVerifier.deviceJudge), never a rule of its own.
 */
export const DeviceTrust = z.object({
  answer: z.enum(['trusted', 'not-trusted', 'cant-tell']),
  /** `trusted`, or the deciding reason's code. */
  code: z.union([z.literal('trusted'), TrustReasonCode]),
  /** For a table cell: "Trusted: all users", "Integration disabled", … */
  label: z.string(),
  /** One sentence: for whom it is trusted, or the deciding reason's message. */
  detail: z.string(),
});
export type DeviceTrust = z.infer<typeof DeviceTrust>;

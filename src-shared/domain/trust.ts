/**
 * "Why is this device (not) trusted?": the verdict the console gives for a user and a Device Client ID, reproducing
 * the trusted-endpoints decision (DESIGN.md, "Trust decision"). A device is trusted when at least one integration for
 * its platform passes every check; otherwise every reason from every integration considered is listed, so the admin
 * sees all there is to fix at once instead of one problem per attempt.
 */
import { z } from 'zod';
import { IntegrationStatus, Platform } from './integration';

/** The device's platform as an admin names it; `ios` covers both iOS integrations (App Config and legacy certificates). */
export const DevicePlatform = z.enum(['android', 'ios', 'ios-appconfig', 'ios-certs']);
export type DevicePlatform = z.infer<typeof DevicePlatform>;

export const TRUST_REASON_CODES = [
  'no-integration',
  'integration-disabled',
  'user-not-in-test-group',
  'identifier-never-synced',
  'device-retired',
  'device-removed',
  'sync-too-old',
  'certificate-missing',
  'certificate-expired',
  'certificate-invalidated',
] as const;
export const TrustReasonCode = z.enum(TRUST_REASON_CODES);
export type TrustReasonCode = z.infer<typeof TrustReasonCode>;

/** Short names for lists and table cells; the full sentence is in each reason's `message`. */
export const TRUST_REASON_TITLES: Record<TrustReasonCode, string> = {
  'no-integration': 'No integration for this platform',
  'integration-disabled': 'Integration disabled',
  'user-not-in-test-group': 'User not in the test group',
  'identifier-never-synced': 'Identifier never synced',
  'device-retired': 'Device retired',
  'device-removed': 'Device removed from the tenant',
  'sync-too-old': 'Last sync too old',
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

export const TrustVerdict = z.object({
  trusted: z.boolean(),
  user: z.string(),
  identifier: z.string(),
  /** As asked, or as learned from the synced records; null when neither says. */
  platform: DevicePlatform.nullable(),
  checkedAt: z.iso.datetime(),
  /** Empty when trusted; otherwise every reason from every integration considered. */
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

import { z } from 'zod';
import { channel, event, NoInput, Ok } from './define';
import { EntityId } from '../domain/entity-id';
import {
  CaPassword,
  CaProfile,
  CaProfileName,
  CaType,
  CaUsername,
  CertificateRecord,
  CertificateStatus,
  CertificateSubject,
  ChallengePassword,
  ChallengeUrl,
  ScepUrl,
} from '../domain/ca-profile';
import { KeyUsageName } from '../domain/certificate';

export const SaveCaProfileInput = z
  .object({
    integrationId: EntityId,
    name: CaProfileName,
    caType: CaType.default('microsoft'),
    scepUrl: ScepUrl,
    username: CaUsername,
    /** Omitted: keep the stored password. It is only ever re-entered, never shown. */
    password: CaPassword.optional(),
    /** Empty or omitted: no challenge URL; Test Configuration then asks for a challenge password. */
    challengeUrl: z.union([ChallengeUrl, z.literal('').transform(() => undefined)]).optional(),
    subject: CertificateSubject,
  })
  .strict();

export const CertificateListInput = z
  .object({
    integrationId: EntityId.optional(),
    status: CertificateStatus.optional(),
    limit: z.number().int().min(1).max(1000).default(200),
    /** Keyset paging, newest first: the `nextBeforeId` of the previous page. */
    beforeId: z.number().int().optional(),
  })
  .strict();

export const CertificatePage = z.object({
  certificates: z.array(CertificateRecord),
  /** Pass as `beforeId` for the next page; null on the last page. */
  nextBeforeId: z.number().int().nullable(),
  /** Every certificate matching the integration filter, by status (the status filter aside), for the filter's labels. */
  counts: z.object({ active: z.number().int(), expired: z.number().int(), invalidated: z.number().int() }),
});
export type CertificatePage = z.infer<typeof CertificatePage>;

export const ExpiryWarning = z.object({
  integrationId: z.string(),
  integrationName: z.string(),
  /** Device certificates still valid that expire within the warning window. */
  count: z.number().int().positive(),
  soonestNotAfter: z.iso.datetime(),
});
export type ExpiryWarning = z.infer<typeof ExpiryWarning>;

export const LEGACY_TEST_STAGES = ['challenge', 'enroll', 'pending', 'record'] as const;
export const LegacyTestStage = z.enum(LEGACY_TEST_STAGES);
export type LegacyTestStage = z.infer<typeof LegacyTestStage>;

export const LegacyTestProgress = z.object({
  testRunId: z.string(),
  integrationId: z.string(),
  stage: LegacyTestStage,
  message: z.string(),
});
export type LegacyTestProgress = z.infer<typeof LegacyTestProgress>;

export const LegacyTestInput = z
  .object({
    integrationId: EntityId,
    /** Only for a CA profile without a challenge URL: used for this one enrollment, never stored. */
    challengePassword: ChallengePassword.optional(),
    /** Chosen by the caller to match `certificates.testProgress` events and to cancel with `certificates.cancelTest`. */
    testRunId: z.string().min(1).max(100).optional(),
  })
  .strict();

export const LegacyTestResult = z.object({
  /** The issued test certificate as the inventory recorded it. */
  certificate: CertificateRecord,
  certificatePem: z.string(),
  /** The key usage the certificate carries (empty: the CA set none, every usage allowed). */
  keyUsage: z.array(KeyUsageName),
  challengeSource: z.enum(['challenge-url', 'typed']),
  algorithms: z.object({ cipher: z.string(), digest: z.string() }),
  /**
   * The test certificate's private key stays in main's memory under this handle until `keyExpiresAt`, for an explicit
   * export (`certificates.exportTestKey`); then it is gone.
   */
  keyHandle: z.string(),
  keyExpiresAt: z.iso.datetime(),
});
export type LegacyTestResult = z.infer<typeof LegacyTestResult>;

export const ExportTestKeyInput = z
  .object({
    keyHandle: z.string().min(1).max(200),
    /** An absolute path: the key is written there (mode 0600, never over an existing file). Omitted: answered as PEM. */
    path: z.string().trim().min(1).max(4096).optional(),
  })
  .strict();

export const certificateChannels = {
  'certificates.list': channel(
    'The certificate inventory, newest first, filtered by integration and status (derived: active, expired, invalidated).',
    CertificateListInput,
    CertificatePage,
  ),
  'certificates.expiryWarnings': channel(
    'Integrations whose device certificates expire within settings.certificateWarningDays.',
    NoInput,
    z.object({ warningDays: z.number().int(), warnings: z.array(ExpiryWarning) }),
  ),
  'certificates.getProfile': channel(
    'The CA profile of a legacy certificate integration, or null when none is saved.',
    z.object({ integrationId: EntityId }).strict(),
    CaProfile.nullable(),
  ),
  'certificates.saveProfile': channel(
    'Create or change the CA profile of a legacy certificate integration; the password goes to the keychain only.',
    SaveCaProfileInput,
    CaProfile,
  ),
  'certificates.testConfiguration': channel(
    'Test Configuration of the legacy flow: a fresh NDES challenge (or the typed one), one test certificate enrolled with the identity configuration and recorded.',
    LegacyTestInput,
    LegacyTestResult,
  ),
  'certificates.cancelTest': channel(
    'Cancel a running Test Configuration; nothing is recorded.',
    z.object({ testRunId: z.string().min(1).max(100) }).strict(),
    Ok,
  ),
  'certificates.exportTestKey': channel(
    'The admin\'s explicit export of a test certificate\'s private key, once, within minutes of the test: as PEM or to a file.',
    ExportTestKeyInput,
    z.object({ pem: z.string().nullable(), path: z.string().nullable() }),
  ),
};

export const certificateEvents = {
  'certificates.testProgress': event(
    'A running legacy Test Configuration reached a stage (challenge, enroll, pending approval, record).',
    LegacyTestProgress,
  ),
};

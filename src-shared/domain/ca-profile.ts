/**
 * The legacy iOS certificate integration's certificate authority ("Duo CA" in Ivanti: name, CA type Microsoft, SCEP
 * URL, username, password, challenge URL) and its identity certificate configuration (subject, RSA 2048, SHA256 with
 * RSA, digital signature), as the seed's procedure enters them. The password is a keychain entry: this shape only
 * says whether one is stored. Facts: shared/reference/scep.md.
 */
import { z } from 'zod';
import { CertificateSummary, KeyUsageName } from './certificate';
import { isLoopbackHost } from './integration';

export const CA_TYPES = ['microsoft'] as const;
export const CaType = z.enum(CA_TYPES);
export type CaType = z.infer<typeof CaType>;
export const CA_TYPE_LABELS: Record<CaType, string> = { microsoft: 'Microsoft (NDES)' };

/** What Ivanti's identity certificate configuration uses for the Duo certificate; the console offers nothing else. */
export const IDENTITY_KEY_SIZE = 2048;
export const IDENTITY_SIGNATURE_ALGORITHM = 'sha256WithRSA';
export const IDENTITY_KEY_USAGE: KeyUsageName[] = ['digitalSignature'];

/**
 * Why a SCEP or challenge URL is not acceptable, or null. https only; plain http only to this computer (a test CA),
 * because the challenge page and the NDES account's password would otherwise cross the network in clear. src-shared has
 * no URL class (no DOM or Node types), so the scheme and authority are read by pattern; the SCEP core parses the URL
 * fully before it connects.
 */
export function caUrlProblem(text: string, what: string): string | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]*)([/?#]\S*)?$/i.exec(text.trim());
  if (!match) return `Enter the full ${what}, starting with https://.`;
  const scheme = match[1]!.toLowerCase();
  const authority = match[2]!;
  // A password in the URL would be stored and shown with it; it belongs in the keychain.
  if (authority.includes('@')) return `Put the account in the Username and Password fields, not in the ${what}.`;
  const host = /^(\[[0-9a-f:.]+\]|[^:]*)(:\d{1,5})?$/i.exec(authority)?.[1] ?? '';
  if (host === '') return `The ${what} has no valid host name.`;
  if (scheme === 'https') return null;
  if (scheme === 'http' && isLoopbackHost(host)) return null;
  if (scheme === 'http') return `The ${what} must use https:// (plain http is allowed only to this computer, for a test CA).`;
  return `The ${what} must start with https://.`;
}

const caUrl = (what: string, example: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what}, for example ${example}.`)
    .max(2048, `That ${what} is too long.`)
    .superRefine((value, ctx) => {
      const problem = caUrlProblem(value, what);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const ScepUrl = caUrl('SCEP URL', 'https://ndes.example.com/certsrv/mscep/mscep.dll');
export const ChallengeUrl = caUrl('challenge URL', 'https://ndes.example.com/certsrv/mscep_admin/');

export const CaProfileName = z.string().trim().min(1, 'Give the CA a name, for example Duo CA.').max(80, 'Keep the name under 80 characters.');

/** The account that may fetch NDES challenge passwords: DOMAIN\user, user@domain or a plain user name. */
export const CaUsername = z
  .string()
  .trim()
  .min(1, 'Enter the username from the Duo Admin Panel (DOMAIN\\user).')
  .max(256, 'That username is too long.')
  .refine((v) => !/[\s:]/.test(v.replace(/^[^\\]*\\/, '')), 'A username has no spaces or colons.');

export const CaPassword = z.string().min(1, 'Enter the password.').max(1024, 'That password is too long.');

/** A typed NDES challenge password, used for one Test Configuration and never stored. */
export const ChallengePassword = z.string().trim().min(1, 'Enter a challenge password.').max(255, 'That challenge password is too long.');

/** Splits on separators not escaped with a backslash (RFC 4514). */
function unescapedParts(text: string, separator: string): string[] {
  return text.split(new RegExp(`(?<!\\\\)${separator}`));
}

/**
 * The subject as typed (RFC 4514, most specific first: "CN=device,O=Acme"). This is the quick shape check the form
 * runs on every keystroke; the SCEP core parses it fully (known attributes, country codes) when the profile is saved.
 */
export function subjectProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter the subject from the Duo Admin Panel, for example CN=Duo Trusted Endpoints,O=Acme.';
  for (const rdn of unescapedParts(trimmed, ',')) {
    for (const pair of unescapedParts(rdn, '\\+')) {
      const match = /^\s*([A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)\s*=(.*)$/.exec(pair);
      if (!match) return `"${pair.trim()}" is not of the form NAME=value (e.g. CN=device-42).`;
      if (match[2]!.trim() === '') return `${match[1]} has no value.`;
    }
  }
  return null;
}

export const CertificateSubject = z
  .string()
  .trim()
  .max(1024, 'That subject is too long.')
  .superRefine((value, ctx) => {
    const problem = subjectProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const CaProfile = z.object({
  integrationId: z.string(),
  name: z.string(),
  caType: CaType,
  scepUrl: z.string(),
  username: z.string(),
  /** Whether the password is in the keychain. The password itself never leaves main. */
  hasPassword: z.boolean(),
  /** Null: the admin types a challenge password for each Test Configuration. */
  challengeUrl: z.string().nullable(),
  identity: z.object({
    subject: z.string(),
    keySize: z.literal(IDENTITY_KEY_SIZE),
    signatureAlgorithm: z.literal(IDENTITY_SIGNATURE_ALGORITHM),
    keyUsage: z.array(KeyUsageName),
  }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CaProfile = z.infer<typeof CaProfile>;

export const CertificatePurpose = z.enum(['test', 'device']);
export type CertificatePurpose = z.infer<typeof CertificatePurpose>;

/** Derived, never stored: invalidated wins over expired, so an admin sees why a certificate stopped counting. */
export const CertificateStatus = z.enum(['active', 'expired', 'invalidated']);
export type CertificateStatus = z.infer<typeof CertificateStatus>;

/** One row of the certificate inventory. Holds no private key: the inventory never has one. */
export const CertificateRecord = CertificateSummary.omit({ isCa: true }).extend({
  id: z.number().int(),
  integrationId: z.string(),
  integrationName: z.string(),
  /** The integration was deleted (its certificates were invalidated then). */
  integrationDeleted: z.boolean(),
  purpose: CertificatePurpose,
  /** The device's tenant guid and Device Client ID; null for test certificates. */
  deviceGuid: z.string().nullable(),
  deviceIdentifier: z.string().nullable(),
  status: CertificateStatus,
  invalidatedAt: z.iso.datetime().nullable(),
  invalidatedReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type CertificateRecord = z.infer<typeof CertificateRecord>;

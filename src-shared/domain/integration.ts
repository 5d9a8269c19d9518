import { z } from 'zod';

export const MDM = z.enum(['ivanti-neurons']);

/** `ios-certs` is the legacy certificate integration (end of life); new setups use `ios-appconfig`. */
export const Platform = z.enum(['android', 'ios-appconfig', 'ios-certs']);
export type Platform = z.infer<typeof Platform>;

/**
 * The day Duo stopped verifying Ivanti device certificates: "Duo device certificates, whose verification for Ivanti
 * EPMM and Ivanti Neurons reached end of life on 2024-10-07 (migrate to iOS Configuration)" (Duo, Trusted Endpoints:
 * MobileIron/Ivanti integration guide; shared/reference/duo-admin-api.md §5 [doc D-MI]). From this day (UTC), a device
 * that relies only on a legacy `ios-certs` integration is predicted not trusted. The only place this date lives.
 */
export const LEGACY_CERTIFICATE_END_OF_LIFE = '2024-10-07';
export const LEGACY_CERTIFICATE_END_OF_LIFE_MS = Date.parse(`${LEGACY_CERTIFICATE_END_OF_LIFE}T00:00:00Z`);

export const IntegrationStatus = z.enum(['disabled', 'test-group', 'all-users']);
export type IntegrationStatus = z.infer<typeof IntegrationStatus>;

export const PLATFORM_LABELS: Record<Platform, string> = {
  android: 'Android',
  'ios-appconfig': 'iOS (App Config)',
  'ios-certs': 'iOS certificates (legacy)',
};

export const STATUS_LABELS: Record<IntegrationStatus, string> = {
  disabled: 'Disabled',
  'test-group': 'Enabled for a test group',
  'all-users': 'Enabled for all users',
};

/** The hosts that mean "this computer": plain http is allowed to them only (the simulator, a test CA). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * What an admin pastes, reduced to the domain: `https://` and trailing slashes go (the console always speaks https to
 * Ivanti); `http://` goes only before a loopback host (the simulator), and is refused anywhere else below.
 */
function domainAsEntered(value: string): string {
  const bare = value.replace(/\/+$/, '');
  if (bare.startsWith('https://')) return bare.slice('https://'.length);
  const plain = /^http:\/\/(.*)$/.exec(bare)?.[1];
  return plain !== undefined && isLoopbackHost(plain.replace(/:\d+$/, '')) ? plain : bare;
}

const hostOf = (domain: string) => domain.replace(/:\d+$/, '');

/** host or host:port; no scheme, no path. The simulator runs on a loopback host with a port. DNS limits apply. */
export const IvantiDomain = z
  .string()
  .max(300, 'That is too long for a domain (253 characters at most).')
  .trim()
  .toLowerCase()
  .overwrite(domainAsEntered)
  .min(1, 'Enter the Ivanti Neurons domain, for example acmecorp.mobileiron.com.')
  .refine((v) => !v.startsWith('http://'), 'Use https: the console sends the API password only over https. Enter the domain alone, for example acmecorp.mobileiron.com.')
  .refine((v) => !/^[a-z][a-z0-9+.-]*:\/\//.test(v), 'Enter the domain only, for example acmecorp.mobileiron.com.')
  .refine((v) => !v.includes('/'), 'Enter the domain only, without a path.')
  .refine(
    (v) => /^(\[[0-9a-f:]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:\d{1,5})?$/.test(v),
    'That is not a valid host name (letters, digits, dots and hyphens, optionally :port).',
  )
  .refine((v) => hostOf(v).split('.').every((label) => label.length <= 63), 'Each part of a domain between dots is 63 characters at most.')
  .refine((v) => hostOf(v).length <= 253, 'A domain is 253 characters at most.')
  .refine((v) => {
    const port = /:(\d+)$/.exec(v)?.[1];
    return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  }, 'The port must be between 1 and 65535.');

export const ApiEmail = z.string().max(320, 'That email address is too long.').trim().email('Enter the API user\'s email address (its Ivanti username).');
export const ApiPassword = z.string().min(1, 'Enter the API user\'s password.').max(1024, 'That password is too long.');

/** Control characters and text-direction overrides: a name holding one can hide or disguise itself on a screen. */
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BIDI = /[\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

export const IntegrationName = z
  .string()
  .trim()
  .min(1, 'Give the integration a name.')
  .max(80, 'Keep the name under 80 characters.')
  .refine((v) => !CONTROL_OR_BIDI.test(v), 'A name cannot hold control characters or text-direction marks (such as U+202E); type it again by hand.');

export const Username = z.string().trim().min(1, 'A username cannot be empty.').max(256);

/** A Duo group as the test group records it: Duo's `group_id` and the name it had when it was chosen. */
export const TestGroupDuoGroup = z.object({ groupId: z.string().min(1).max(200), name: z.string().max(500) }).strict();
export type TestGroupDuoGroup = z.infer<typeof TestGroupDuoGroup>;

export const Integration = z.object({
  id: z.string(),
  name: z.string(),
  mdm: MDM,
  platform: Platform,
  status: IntegrationStatus,
  domain: z.string().nullable(),
  email: z.string().nullable(),
  /** Whether the API password is in the keychain. The password itself never leaves main. */
  hasPassword: z.boolean(),
  configurationKey: z.string().nullable(),
  /** False when the key was generated by an earlier version of the console instead of entered from Duo (null: no key). */
  configurationKeyFromDuo: z.boolean().nullable(),
  testGroup: z.array(z.string()),
  /** The Duo group the test group was chosen from (found again by its id, whatever it is called now); null when typed. */
  testGroupDuo: TestGroupDuoGroup.nullable(),
  /** The legacy certificate integration this App Config integration replaces, if any. */
  migratedFrom: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Integration = z.infer<typeof Integration>;

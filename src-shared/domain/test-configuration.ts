/**
 * Test Configuration: the checks the console runs against an Ivanti tenant before the API details are trusted, as
 * the UI and the CLI show them. Checks run in this order and stop at the first failure; the ones after it stay
 * `pending` so the admin sees what was not tried.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../errors';

export const TEST_CONFIGURATION_CHECKS = [
  'host-resolves',
  'tls-valid',
  'credentials-accepted',
  'spaces-visible',
  'devices-readable',
  'device-count',
] as const;
export const TestConfigurationCheck = z.enum(TEST_CONFIGURATION_CHECKS);
export type TestConfigurationCheck = z.infer<typeof TestConfigurationCheck>;

export const TEST_CONFIGURATION_TITLES: Record<TestConfigurationCheck, string> = {
  'host-resolves': 'The domain resolves',
  'tls-valid': 'The TLS connection is valid',
  'credentials-accepted': 'The API user\'s email and password are accepted',
  'spaces-visible': 'Device spaces are visible',
  'devices-readable': 'Devices can be read in every space',
  'device-count': 'Devices per space',
};

/**
 * `skipped` means "not applicable" with the reason in `detail` (a literal IP has nothing to resolve; a loopback
 * simulator speaks plain http), which is a pass for the purpose of the run.
 */
export const TestConfigurationStepStatus = z.enum(['pending', 'running', 'passed', 'failed', 'skipped']);
export type TestConfigurationStepStatus = z.infer<typeof TestConfigurationStepStatus>;

export const TestConfigurationError = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const TestConfigurationStep = z.object({
  check: TestConfigurationCheck,
  title: z.string(),
  status: TestConfigurationStepStatus,
  /** What was found, in one sentence for the admin ("resolves to 52.1.2.3", "3 spaces: Default Space, …"). */
  detail: z.string().nullable(),
  /** Set only when `status` is `failed`. */
  error: TestConfigurationError.nullable(),
});
export type TestConfigurationStep = z.infer<typeof TestConfigurationStep>;

export const SpaceAccess = z.object({
  /** The space's `dmPartitionId`. */
  id: z.number().int(),
  name: z.string(),
  defaultSpace: z.boolean(),
  /** null until that space was tried. */
  readable: z.boolean().nullable(),
  /** `totalCount` of a one-row search; null when the space is not readable or was not tried. */
  deviceCount: z.number().int().nonnegative().nullable(),
});
export type SpaceAccess = z.infer<typeof SpaceAccess>;

export const TestConfigurationResult = z.object({
  ok: z.boolean(),
  domain: z.string(),
  /** Epoch ms when the run finished. */
  finishedAt: z.number(),
  /** Always every check, in order. */
  steps: z.array(TestConfigurationStep),
  spaces: z.array(SpaceAccess),
  /** The first failed check, repeated here for callers that only need the verdict (CLI exit code, toast). */
  failure: z.object({ check: TestConfigurationCheck, error: TestConfigurationError }).nullable(),
});
export type TestConfigurationResult = z.infer<typeof TestConfigurationResult>;

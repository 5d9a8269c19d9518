import { z } from 'zod';
import { channel, event, NoInput } from './define';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  dataDir: z.string(),
  databasePath: z.string(),
  schemaVersion: z.number().int(),
  runtime: z.object({ node: z.string(), electron: z.string().nullable(), chrome: z.string().nullable() }),
  transport: z.enum(['electron', 'web-test-rig', 'cli']),
});
export type AppInfo = z.infer<typeof AppInfo>;

/**
 * A whole-number setting; its one message says what to type, for the Settings page (under the field) and the CLI.
 * Empty or not a number arrives as null (JSON has no NaN) and gets the same message.
 */
function wholeNumberSetting(min: number, max: number, message: string) {
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

export const Settings = z.object({
  /** Minutes between background syncs of every enabled integration; 0 turns scheduled sync off. */
  syncIntervalMinutes: wholeNumberSetting(0, 7 * 24 * 60, 'Enter the minutes between background syncs as a whole number, from 0 (off) to 10080 (one week).'),
  /** A completed sync older than this gets a warning on the integrations overview (it never changes a trust answer). */
  staleSyncHours: wholeNumberSetting(1, 24 * 30, 'Enter a whole number of hours, from 1 to 720 (30 days).'),
  /** Certificates expiring within this many days raise a warning. */
  certificateWarningDays: wholeNumberSetting(1, 365, 'Enter a whole number of days, from 1 to 365.'),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = { syncIntervalMinutes: 60, staleSyncHours: 24, certificateWarningDays: 30 };

/**
 * Whether the OS keychain answers. Not fatal when it does not: the console opens and shows why, and each action that
 * needs a secret fails with SECRET_STORE_UNAVAILABLE and the same advice.
 */
export const KeychainStatus = z.discriminatedUnion('available', [
  z.object({ available: z.literal(true) }),
  z.object({ available: z.literal(false), code: z.string(), message: z.string() }),
]);
export type KeychainStatus = z.infer<typeof KeychainStatus>;

export const appChannels = {
  'app.info': channel('Version, runtime and where the data lives.', NoInput, AppInfo),
  'keychain.probe': channel('Asks the OS keychain whether it answers; when it does not, why and how to fix it.', NoInput, KeychainStatus),
  'settings.get': channel('Current settings.', NoInput, Settings),
  'settings.update': channel('Change some settings; answers the full new settings.', Settings.partial().strict(), Settings),
};

export const appEvents = {
  'app.notice': event(
    'Something the admin should see that no request asked for (a scheduled sync failed, a certificate expires soon).',
    z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string(), code: z.string().optional() }),
  ),
};

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

export const Settings = z.object({
  /** Minutes between background syncs of every enabled integration; 0 turns scheduled sync off. */
  syncIntervalMinutes: z.number().int().min(0).max(7 * 24 * 60),
  /** A completed sync older than this gets a warning on the integrations overview (it never changes a trust answer). */
  staleSyncHours: z.number().int().min(1).max(24 * 30),
  /** Certificates expiring within this many days raise a warning. */
  certificateWarningDays: z.number().int().min(1).max(365),
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

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

/**
 * What the desktop app's start-up is doing to the database before the console opens (the small upgrade window shows
 * it): copying the database before an upgrade, building the indexes a stopped sync left, then each migration, then,
 * if it failed, why and where to look.
 */
export const UpgradeStatus = z.discriminatedUnion('stage', [
  z.object({ stage: z.literal('starting'), fromVersion: z.number().int(), toVersion: z.number().int() }),
  z.object({ stage: z.literal('backup'), file: z.string(), bytes: z.number(), fromVersion: z.number().int(), toVersion: z.number().int() }),
  /** Before the migrations: the indexes a stopped sync left deferred are built, `built` of `total`. */
  z.object({ stage: z.literal('indexes'), built: z.number().int(), total: z.number().int() }),
  /** A migration starts (`position` of `count` pending); most report nothing more until the next starts. */
  z.object({ stage: z.literal('migrating'), version: z.number().int(), name: z.string(), position: z.number().int(), count: z.number().int() }),
  z.object({
    stage: z.literal('migration'),
    version: z.number().int(),
    name: z.string(),
    done: z.number(),
    total: z.number(),
    /** A step SQLite runs whole (no count until it ends): the window shows a bar without a count. */
    step: z.string().optional(),
  }),
  /** The upgrade is done; the console opens the database and its window. */
  z.object({ stage: z.literal('opening') }),
  z.object({
    stage: z.literal('failed'),
    code: z.string(),
    message: z.string(),
    /** The copy taken before the upgrade, when it was written. */
    backupFile: z.string().nullable(),
    logFile: z.string(),
  }),
]);
export type UpgradeStatus = z.infer<typeof UpgradeStatus>;

export const appEvents = {
  'app.upgrade': event('What start-up is doing to the database before the console opens (the desktop upgrade window).', UpgradeStatus),
  'app.notice': event(
    'Something the admin should see that no request asked for (a scheduled sync failed, a certificate expires soon).',
    z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string(), code: z.string().optional() }),
  ),
};

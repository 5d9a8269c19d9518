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
  /** A sync older than this makes trust verification answer "last sync too old". */
  staleSyncHours: z.number().int().min(1).max(24 * 30),
  /** Certificates expiring within this many days raise a warning. */
  certificateWarningDays: z.number().int().min(1).max(365),
});
export type Settings = z.infer<typeof Settings>;

export const DEFAULT_SETTINGS: Settings = { syncIntervalMinutes: 60, staleSyncHours: 24, certificateWarningDays: 30 };

export const appChannels = {
  'app.info': channel('Version, runtime and where the data lives.', NoInput, AppInfo),
  'settings.get': channel('Current settings.', NoInput, Settings),
  'settings.update': channel('Change some settings; answers the full new settings.', Settings.partial().strict(), Settings),
};

export const appEvents = {
  'app.notice': event(
    'Something the admin should see that no request asked for (a scheduled sync failed, a certificate expires soon).',
    z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string(), code: z.string().optional() }),
  ),
};

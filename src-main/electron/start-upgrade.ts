import type { UpgradeStatus } from '../../src-shared/contract/app';
import { toErrorPayload } from '../../src-shared/errors';
import { indexBuildLine, type IndexBuildProgress } from '../core/db/deferred-indexes';
import { migrationProgressLine, upgradeBackupLine, type MigrationProgressEvent, type UpgradeBackupEvent } from '../core/db/migration';
import type { PendingUpgrade, UpgradeProgress } from '../core/db/upgrade';
import type { Logger } from '../core/log/logger';

/**
 * Start-up's database upgrade, with a window of its own while it runs (desktop-start.ts wires Electron into these
 * steps; test/electron/start-upgrade.test.ts drives them with stand-ins). Only when a database is to be upgraded
 * (and so copied first) does a small window open, before the work starts; it shows the copy, then each migration's
 * progress, and gives way to the console's window. A failed upgrade is rolled back whole (openDatabase migrates in
 * one transaction), so the window then says why, where the log and the copy are, and the app quits when it is closed:
 * the console never opens a half-upgraded database, nor a database the upgrade refused.
 */
export interface StartUpgradeSteps {
  /** What would be upgraded (`pendingUpgrade`); null opens no window and does nothing. */
  pending: PendingUpgrade | null;
  /** Opens the upgrade window; settles once its page listens. */
  openWindow(): Promise<UpgradeWindow>;
  /** Runs the upgrade off the main thread (`upgradeOnThread`); rejects with the error openDatabase threw. */
  upgrade(progress: UpgradeProgress): Promise<{ backupFile: string | null }>;
  log: Logger;
  /** The log the failure is written to, named in the window. */
  logFile: string;
}

export interface UpgradeWindow {
  show(status: UpgradeStatus): void;
  close(): void;
  /** After a failure: the admin may close the window now; settles once they have. */
  closedByAdmin(): Promise<void>;
}

export type StartUpgradeResult =
  | { outcome: 'none' }
  /** `window` stays open until the console's window is ready to show: closing the last window would quit the app. */
  | { outcome: 'upgraded'; window: UpgradeWindow | null }
  /** `shown`: the window said why and the admin closed it; otherwise the caller must say it (the window never opened). */
  | { outcome: 'failed'; error: unknown; shown: boolean };

export async function upgradeBeforeStart(steps: StartUpgradeSteps): Promise<StartUpgradeResult> {
  const { pending, log } = steps;
  if (pending === null) return { outcome: 'none' };
  log.info(`Upgrading the database from schema ${pending.fromVersion} to ${pending.toVersion}.`, { ...pending });
  let window: UpgradeWindow | null = null;
  try {
    window = await steps.openWindow();
  } catch (error) {
    // The upgrade must run either way: without its window it is only slower to watch (as before this window existed).
    log.warn('The upgrade window could not open; upgrading without it.', { error: toErrorPayload(error), reason: error instanceof Error ? error.message : String(error) });
  }
  const show = (status: UpgradeStatus) => window?.show(status);
  show({ stage: 'starting', ...pending });
  try {
    const logged = upgradeLog(log);
    await steps.upgrade({
      onBackup: (event) => {
        logged.onUpgradeBackup(event);
        show({ stage: 'backup', ...event });
      },
      onIndexBuild: (progress) => {
        logged.onDeferredIndexBuild(progress);
        show({ stage: 'indexes', ...progress });
      },
      onMigrationStart: (event) => show({ stage: 'migrating', ...event }),
      onMigration: (event) => {
        logged.onMigrationProgress(event);
        show({ stage: 'migration', ...event });
      },
    });
  } catch (error) {
    const payload = toErrorPayload(error);
    const backupFile = typeof payload.details?.backupFile === 'string' ? payload.details.backupFile : null;
    log.error('The database upgrade failed; the database is as it was before it.', { error: payload, reason: error instanceof Error ? error.message : String(error) });
    show({ stage: 'failed', code: payload.code, message: payload.message, backupFile, logFile: steps.logFile });
    if (window === null) return { outcome: 'failed', error, shown: false };
    await window.closedByAdmin();
    return { outcome: 'failed', error, shown: true };
  }
  show({ stage: 'opening' });
  return { outcome: 'upgraded', window };
}

/** What start-up writes to the log of an upgrade's copy, deferred index builds and migrations, wherever the upgrade runs. */
export function upgradeLog(log: Logger): {
  onUpgradeBackup(event: UpgradeBackupEvent): void;
  onDeferredIndexBuild(progress: IndexBuildProgress): void;
  onMigrationProgress(event: MigrationProgressEvent): void;
} {
  return {
    onUpgradeBackup: (event) => {
      const line = upgradeBackupLine(event);
      if (line !== null) log.info(line, { ...event });
    },
    onDeferredIndexBuild: (progress) => log.info(indexBuildLine(progress), { ...progress }),
    onMigrationProgress: (event) => log.info(migrationProgressLine(event), { version: event.version, done: event.done, total: event.total, step: event.step }),
  };
}

import fs from 'node:fs';
import Database from 'better-sqlite3';
import { AppError, type ErrorPayload } from '../../../src-shared/errors';
import type { IndexBuildProgress } from './deferred-indexes';
import { latestVersion, type Migration, type MigrationProgressEvent, type MigrationStartEvent, type UpgradeBackupEvent } from './migration';
import { startScriptWorker } from '../app/script-worker';
import { sqliteBinding, sqliteBindingOption } from './sqlite-binding';

/**
 * Start-up's database upgrade, off the thread that shows windows. openDatabase copies the database and runs every
 * pending migration synchronously: at a million devices ~7 s of copy and ~12 CPU-s of migration 39 alone (34 s wall at
 * load 12), during which a thread running it answers nothing. The desktop app runs that openDatabase on a worker thread
 * with its own connection (as the WAL checkpointer checkpoints on one), so its main process keeps painting the upgrade
 * window, answering the OS and relaying progress as it arrives; then it opens the upgraded database as on any start.
 */

/** A database that the next openDatabase would upgrade. */
export interface PendingUpgrade {
  fromVersion: number;
  toVersion: number;
}

/**
 * Whether openDatabase would migrate an existing database (and so copy it first), read without writing anything. Null
 * for a new or empty file (its schema is created in a moment), an up-to-date one, and one that cannot be read here:
 * openDatabase then refuses it (damaged, locked, newer) with its own message, as on any start.
 */
export function pendingUpgrade(file: string, migrations: readonly Migration[]): PendingUpgrade | null {
  const latest = latestVersion(migrations);
  let db: Database.Database | null = null;
  try {
    if ((fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) === 0) return null;
    // No wait for a lock: a database another program holds is refused by openDatabase, with its own message.
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0, ...sqliteBindingOption() });
    const current = db.pragma('user_version', { simple: true }) as number;
    return current > 0 && current < latest ? { fromVersion: current, toVersion: latest } : null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** What the upgrade thread says, in order: the copy starting, the deferred indexes built, each migration's progress, then the end. */
export type FromUpgradeThread =
  | { type: 'backup'; event: UpgradeBackupEvent }
  | { type: 'index-build'; progress: IndexBuildProgress }
  | { type: 'migration-start'; event: MigrationStartEvent }
  | { type: 'migration'; event: MigrationProgressEvent }
  | { type: 'done'; schemaVersion: number; backupFile: string | null }
  /** `reason` is the thrown error's own text, for the log (the payload of an unexpected error names none). */
  | { type: 'failed'; error: ErrorPayload; reason: string };

export interface UpgradeThreadData {
  file: string;
  sqliteBinding: string | null;
}

export interface UpgradeProgress {
  onBackup(event: UpgradeBackupEvent): void;
  onIndexBuild(progress: IndexBuildProgress): void;
  onMigrationStart(event: MigrationStartEvent): void;
  onMigration(event: MigrationProgressEvent): void;
}

/**
 * Runs openDatabase (checks, copy, migrations, statistics) on the upgrade thread (`script`: upgrade-worker.js beside
 * the bundle, or upgrade-worker.ts through tsx in tests), relaying its progress; settles once the thread has closed its
 * connection. Rejects with the AppError openDatabase threw (a failed upgrade is rolled back whole: one transaction).
 */
export function upgradeOnThread(file: string, script: string, progress: UpgradeProgress): Promise<{ backupFile: string | null }> {
  const workerData: UpgradeThreadData = { file, sqliteBinding: sqliteBinding() };
  return new Promise((resolve, reject) => {
    let settled: { backupFile: string | null } | AppError | null = null;
    const worker = startScriptWorker(script, { workerData });
    worker.on('message', (message: FromUpgradeThread) => {
      if (message.type === 'backup') progress.onBackup(message.event);
      else if (message.type === 'index-build') progress.onIndexBuild(message.progress);
      else if (message.type === 'migration-start') progress.onMigrationStart(message.event);
      else if (message.type === 'migration') progress.onMigration(message.event);
      else if (message.type === 'done') settled = { backupFile: message.backupFile };
      else settled = new AppError(message.error.code, message.error.message, { ...message.error.details, reason: message.reason });
    });
    worker.on('error', (error) => {
      settled ??= new AppError('DB_MIGRATION_FAILED', `The database upgrade could not run: ${error.message}. The database was not changed.`, { reason: error.message });
    });
    // The thread's connection is closed by the time it exits: the database is then free for the console to open.
    worker.on('exit', (code) => {
      if (settled === null) settled = new AppError('DB_MIGRATION_FAILED', `The database upgrade stopped before it finished (exit code ${code}); it was rolled back.`, { exitCode: code });
      if (settled instanceof AppError) reject(settled);
      else resolve(settled);
    });
  });
}

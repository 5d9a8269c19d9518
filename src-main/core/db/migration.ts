import type Database from 'better-sqlite3';

/**
 * One schema step. Append-only: a released migration is never edited, a change is a new, higher version. All pending
 * migrations run in one transaction and `user_version` moves with them, so a failure leaves the previous schema.
 */
export interface Migration {
  version: number;
  name: string;
  /** `progress` is for the few migrations that rewrite many rows: start-up shows how far they are. */
  up(db: Database.Database, progress: MigrationProgress): void;
}

/** The schema version the migrations end at: what a database opened with them is migrated to. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/**
 * How far a long migration is: `done` of `total` rows. A migration whose work over the rows is one statement (an ALTER
 * TABLE DROP COLUMN, a CREATE INDEX) names it as `step` when it starts (done 0): SQLite gives no count inside a
 * statement, so start-up says that step runs whole, instead of "0 of N" for as long as it takes (migration 39's DROP
 * COLUMN: ~12 CPU-s at a million devices).
 */
export type MigrationProgress = (done: number, total: number, step?: string) => void;

/** What openDatabase reports as each pending migration of an existing database starts (`position` of `count`). */
export interface MigrationStartEvent {
  version: number;
  name: string;
  position: number;
  count: number;
}

/** What openDatabase reports while a long migration runs. */
export interface MigrationProgressEvent {
  version: number;
  name: string;
  done: number;
  total: number;
  /** The statement now running over all `total` rows, which reports nothing until it ends. */
  step?: string;
}

/** The sentence start-up shows (CLI stderr, the app's log) while a long migration runs. */
export function migrationProgressLine(p: MigrationProgressEvent): string {
  const upgrading = `Upgrading the database to schema ${p.version} (${p.name})`;
  const total = p.total.toLocaleString('en-US');
  if (p.step !== undefined) return `${upgrading}: ${p.step} (${total} devices in one step: no count until it is done).`;
  return `${upgrading}: ${p.done.toLocaleString('en-US')} of ${total} devices.`;
}

/**
 * What openDatabase reports before it copies a database it is about to upgrade (the copy an upgrade is undone from):
 * one VACUUM INTO, with no count of its own (0.74 s for 100,000 devices, 142 MB; est. ~7 s at a million).
 */
export interface UpgradeBackupEvent {
  file: string;
  /** The database's size: its file and its WAL. */
  bytes: number;
  fromVersion: number;
  toVersion: number;
}

/**
 * Below this a copy takes a moment (est. ~0.1 s at 16 MiB, from the 142 MB above): start-up says nothing of it, as
 * it says nothing of a migration with no devices to rewrite.
 */
const QUIET_BACKUP_BELOW_BYTES = 16 * 1024 * 1024;

/** The sentence start-up shows (CLI stderr, the app's log) while it copies the database before upgrading it; null for a copy that takes a moment. */
export function upgradeBackupLine(e: UpgradeBackupEvent): string | null {
  if (e.bytes < QUIET_BACKUP_BELOW_BYTES) return null;
  const megabytes = Math.round(e.bytes / 1_000_000).toLocaleString('en-US');
  return `Copying the database (${megabytes} MB) to ${e.file} before upgrading it from schema ${e.fromVersion} to ${e.toVersion} (one step: no count until it is done).`;
}

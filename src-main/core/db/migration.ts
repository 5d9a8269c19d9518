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

/** How far a long migration is: `done` of `total` rows. */
export type MigrationProgress = (done: number, total: number) => void;

/** What openDatabase reports while a long migration runs. */
export interface MigrationProgressEvent {
  version: number;
  name: string;
  done: number;
  total: number;
}

/** The sentence start-up shows (CLI stderr, the app's log) while a long migration runs. */
export function migrationProgressLine(p: MigrationProgressEvent): string {
  return `Upgrading the database to schema ${p.version} (${p.name}): ${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} devices.`;
}

import type Database from 'better-sqlite3';

/**
 * One schema step. Append-only: a released migration is never edited, a change is a new, higher version. All pending
 * migrations run in one transaction and `user_version` moves with them, so a failure leaves the previous schema.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { pendingUpgrade, upgradeOnThread } from '../../../src-main/core/db/upgrade';
import type { IndexBuildProgress } from '../../../src-main/core/db/deferred-indexes';
import type { MigrationProgressEvent, MigrationStartEvent, UpgradeBackupEvent } from '../../../src-main/core/db/migration';
import { AppError } from '../../../src-shared/errors';
import { migrationsUpTo } from '../../support/database-at-version';
import { deferDeviceIndexes } from '../../support/deferred-device-indexes';
import { useTempDir } from '../../support/temp-dir';
import { UPGRADE_WORKER_SOURCE } from '../../support/upgrade-worker-source';

const tempDir = useTempDir('tec-upgrade-');
const LATEST = Math.max(...migrations.map((m) => m.version));

function databaseAt(version: number): string {
  const file = path.join(tempDir(), 'console.sqlite');
  openDatabase({ file, migrations: migrationsUpTo(version) }).db.close();
  return file;
}

describe('pendingUpgrade', () => {
  it('names an existing database of an older schema, and nothing that openDatabase would not copy and migrate', () => {
    expect(pendingUpgrade(databaseAt(38), migrations)).toEqual({ fromVersion: 38, toVersion: LATEST });
    expect(pendingUpgrade(databaseAt(LATEST), migrations)).toBeNull();
    const missing = path.join(tempDir(), 'none.sqlite');
    expect(pendingUpgrade(missing, migrations)).toBeNull();
    expect(fs.existsSync(missing)).toBe(false);
    const empty = path.join(tempDir(), 'empty.sqlite');
    fs.writeFileSync(empty, '');
    expect(pendingUpgrade(empty, migrations)).toBeNull();
    const damaged = path.join(tempDir(), 'damaged.sqlite');
    fs.writeFileSync(damaged, 'not a database at all, but long enough to be read as one');
    expect(pendingUpgrade(damaged, migrations)).toBeNull();
  });
});

describe('upgradeOnThread', () => {
  it('runs openDatabase on its own thread, relays the copy and the migrations in order, and leaves the database upgraded and closed', async () => {
    const file = databaseAt(38);
    const seen: (UpgradeBackupEvent | IndexBuildProgress | MigrationStartEvent | MigrationProgressEvent)[] = [];
    const { backupFile } = await upgradeOnThread(file, UPGRADE_WORKER_SOURCE, {
      onBackup: (e) => seen.push(e),
      onIndexBuild: (p) => seen.push(p),
      onMigrationStart: (e) => seen.push(e),
      onMigration: (e) => seen.push(e),
    });
    expect(seen[0]).toMatchObject({ file: backupFile, fromVersion: 38, toVersion: LATEST });
    // Every migration's start, counted or not (this database has no devices: none reports a count); no index was
    // deferred, so no index build is told of.
    const pending = migrations.filter((m) => m.version > 38).sort((a, b) => a.version - b.version);
    expect(seen.slice(1)).toEqual(pending.map((m, i) => ({ version: m.version, name: m.name, position: i + 1, count: pending.length })));
    expect(fs.existsSync(backupFile!)).toBe(true);
    // Closed by the thread: an exclusive lock is granted at once.
    const db = new Database(file, { timeout: 0 });
    try {
      db.exec('BEGIN EXCLUSIVE; COMMIT');
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    } finally {
      db.close();
    }
  });

  it('relays the build of the indexes a stopped sync left, counted, after the copy and before the first migration', async () => {
    const file = databaseAt(38);
    const total = deferDeviceIndexes(file);
    const seen: string[] = [];
    await upgradeOnThread(file, UPGRADE_WORKER_SOURCE, {
      onBackup: () => seen.push('backup'),
      onIndexBuild: (p) => seen.push(`indexes ${p.built} of ${p.total}`),
      onMigrationStart: (e) => seen.push(`migrating ${e.version}`),
      onMigration: () => seen.push('migration'),
    });
    const builds = Array.from({ length: total + 1 }, (_, built) => `indexes ${built} of ${total}`);
    expect(seen.slice(0, total + 3)).toEqual(['backup', ...builds, 'migrating 39']);
  });

  it('rejects in our words, leaving the database as it was, when its thread cannot start', async () => {
    const file = databaseAt(38);
    const error = await upgradeOnThread(file, path.join(tempDir(), 'upgrade-worker.js'), { onBackup: () => undefined, onIndexBuild: () => undefined, onMigrationStart: () => undefined, onMigration: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'DB_MIGRATION_FAILED', message: expect.stringMatching(/^The database upgrade could not run: .*The database was not changed\.$/) });
    expect(pendingUpgrade(file, migrations)).toEqual({ fromVersion: 38, toVersion: LATEST });
  });

  it('rejects with what openDatabase threw, from its thread', async () => {
    const file = databaseAt(LATEST);
    const future = new Database(file);
    future.pragma('user_version = 9999');
    future.close();
    const error = await upgradeOnThread(file, UPGRADE_WORKER_SOURCE, { onBackup: () => undefined, onIndexBuild: () => undefined, onMigrationStart: () => undefined, onMigration: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'DB_NEWER_SCHEMA' });
  });
});

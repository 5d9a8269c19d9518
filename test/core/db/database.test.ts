import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openAnotherConnection, openDatabase } from '../../../src-main/core/db/database';
import { DeferredIndexes, type IndexBuildProgress } from '../../../src-main/core/db/deferred-indexes';
import type { Migration } from '../../../src-main/core/db/migration';
import { migrations } from '../../../src-main/core/db/migrations';
import { SYNC_WORKER_PAGE_CACHE_KIB } from '../../../src-main/core/sync/thread-limits';
import { AppError } from '../../../src-shared/errors';
import { useCloseAfterEach } from '../../support/close-after-each';
import { migrationsUpTo } from '../../support/database-at-version';
import { deferDeviceIndexes } from '../../support/deferred-device-indexes';
import { sha256File, useTempDir } from '../../support/temp-dir';

const tempDir = useTempDir();
const closeAfterEach = useCloseAfterEach();

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/** An SQLite file with a valid header and a run of broken pages in the middle. */
function damagedDatabase(): string {
  const file = path.join(tempDir(), 'console.sqlite');
  const raw = closeAfterEach(new Database(file));
  raw.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v);');
  const insert = raw.prepare('INSERT INTO t (v) VALUES (?)');
  raw.transaction(() => {
    for (let i = 0; i < 5000; i += 1) insert.run(`value-${i}-${'x'.repeat(50)}`);
  })();
  raw.close();
  const bytes = fs.readFileSync(file);
  // Overwrite a run of pages in the middle of the file, keeping the 100-byte header intact.
  bytes.fill(0xa5, 4096 * 3, 4096 * 8);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('openDatabase', () => {
  it('creates a new database at the latest schema, in WAL mode with foreign keys and a busy timeout', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const { db, schemaVersion, backupFile } = openDatabase({ file, migrations });
    closeAfterEach(db);
    expect(schemaVersion).toBe(Math.max(...migrations.map((m) => m.version)));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(backupFile).toBeNull();
  });

  it('applies only pending migrations, in one transaction, and backs the old file up first', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const v1: Migration = { version: 1, name: 'one', up: (db) => db.exec('CREATE TABLE a (x INTEGER)') };
    const v2: Migration = { version: 2, name: 'two', up: (db) => db.exec('CREATE TABLE b (y INTEGER)') };
    const started: unknown[] = [];
    // A new database's schema is created in a moment: nothing to report.
    const first = openDatabase({ file, migrations: [v1], onMigrationStart: (e) => started.push(e) });
    expect(started).toEqual([]);
    closeAfterEach(first.db);
    first.db.prepare('INSERT INTO a VALUES (42)').run();
    first.db.close();

    const backups: { file: string; bytes: number; fromVersion: number; toVersion: number; existed: boolean }[] = [];
    const second = openDatabase({
      file,
      migrations: [v1, v2],
      now: () => new Date('2026-01-02T03:04:05Z'),
      // Told before the copy is made, so start-up can say what it waits for.
      onUpgradeBackup: (backup) => backups.push({ ...backup, existed: fs.existsSync(backup.file) }),
      onMigrationStart: (e) => started.push(e),
    });
    expect(started).toEqual([{ version: 2, name: 'two', position: 1, count: 1 }]);
    closeAfterEach(second.db);
    expect(second.schemaVersion).toBe(2);
    expect(second.backupFile).toMatch(/before-v1-upgrade-2026-01-02T03-04-05-000Z\.bak$/);
    expect(backups).toEqual([{ file: second.backupFile, bytes: expect.any(Number), fromVersion: 1, toVersion: 2, existed: false }]);
    expect(backups[0]!.bytes).toBeGreaterThan(0);
    const backup = closeAfterEach(new Database(second.backupFile as string, { readonly: true }));
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare('SELECT x FROM a').get()).toEqual({ x: 42 });
  });

  it('builds the indexes a stopped sync left deferred before it migrates, and says so, counted, before the first migration starts', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    openDatabase({ file, migrations: migrationsUpTo(38) }).db.close();
    const total = deferDeviceIndexes(file);
    expect(total).toBeGreaterThan(1);
    const events: ({ indexes: IndexBuildProgress } | { migration: number })[] = [];
    const opened = openDatabase({
      file,
      migrations,
      onDeferredIndexBuild: (progress) => events.push({ indexes: progress }),
      onMigrationStart: (event) => events.push({ migration: event.version }),
    });
    closeAfterEach(opened.db);
    // Told before each build, and once all are built; then the migrations start.
    const builds = Array.from({ length: total + 1 }, (_, built) => ({ indexes: { built, total } }));
    expect(events.slice(0, total + 1)).toEqual(builds);
    const pending = migrations.filter((m) => m.version > 38).map((m) => ({ migration: m.version }));
    expect(events.slice(total + 1)).toEqual(pending.sort((a, b) => a.migration - b.migration));
    expect(new DeferredIndexes(opened.db).pending()).toEqual([]);

    // Nothing deferred, nothing said.
    const again = path.join(tempDir(), 'again.sqlite');
    openDatabase({ file: again, migrations: migrationsUpTo(38) }).db.close();
    const quiet: IndexBuildProgress[] = [];
    closeAfterEach(openDatabase({ file: again, migrations, onDeferredIndexBuild: (progress) => quiet.push(progress) }).db);
    expect(quiet).toEqual([]);
  });

  it('rolls a failing migration back completely and says which schema it could not reach', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const good: Migration = { version: 1, name: 'good', up: (db) => db.exec('CREATE TABLE a (x INTEGER)') };
    openDatabase({ file, migrations: [good] }).db.close();
    const half: Migration = {
      version: 2,
      name: 'half',
      up: (db) => {
        db.exec('CREATE TABLE b (y INTEGER)');
        db.exec('THIS IS NOT SQL');
      },
    };
    const error = errorOf(() => openDatabase({ file, migrations: [good, half] }));
    expect(error.code).toBe('DB_MIGRATION_FAILED');
    const db = closeAfterEach(new Database(file, { readonly: true }));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    // Where the copy taken before it is, for the upgrade window to name.
    const backupFile = error.details?.backupFile as string;
    expect(backupFile).toMatch(/before-v1-upgrade-.*\.bak$/);
    expect(closeAfterEach(new Database(backupFile, { readonly: true })).pragma('user_version', { simple: true })).toBe(1);
  });

  it('upgrades nothing when the copy before the upgrade cannot be written, says where, and leaves a file it did not write', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const v1: Migration = { version: 1, name: 'one', up: (db) => db.exec('CREATE TABLE a (x INTEGER)') };
    const v2: Migration = { version: 2, name: 'two', up: (db) => db.exec('CREATE TABLE b (y INTEGER)') };
    openDatabase({ file, migrations: [v1] }).db.close();
    const now = () => new Date('2026-01-02T03:04:05Z');
    // VACUUM INTO refuses a target that exists and is not empty.
    const target = `${file}.before-v1-upgrade-2026-01-02T03-04-05-000Z.bak`;
    fs.writeFileSync(target, 'not ours to remove');
    const error = errorOf(() => openDatabase({ file, migrations: [v1, v2], now }));
    expect(error.code).toBe('DB_MIGRATION_FAILED');
    expect(error.message).toContain(`could not be written to ${target}`);
    expect(error.message).toContain('Nothing was upgraded');
    expect(fs.readFileSync(target, 'utf8')).toBe('not ours to remove');
    const db = closeAfterEach(new Database(file, { readonly: true }));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
  });

  it('refuses a database from a newer version and leaves the file byte for byte as it was', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const raw = closeAfterEach(new Database(file));
    raw.pragma('user_version = 99');
    raw.exec('CREATE TABLE future (z INTEGER)');
    raw.close();
    const before = sha256File(file);
    const error = errorOf(() => openDatabase({ file, migrations }));
    expect(error.code).toBe('DB_NEWER_SCHEMA');
    expect(error.message).toMatch(/newer version/);
    expect(error.details).toMatchObject({ schemaVersion: 99 });
    expect(sha256File(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a file that is not SQLite and leaves it untouched', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    fs.writeFileSync(file, 'this is a spreadsheet someone saved over the database\n'.repeat(200));
    const before = sha256File(file);
    const error = errorOf(() => openDatabase({ file, migrations }));
    expect(error.code).toBe('DB_CORRUPT');
    expect(sha256File(file)).toBe(before);
  });

  it('refuses a damaged SQLite file (valid header, broken pages) and leaves it untouched', () => {
    const file = damagedDatabase();
    const before = sha256File(file);
    const error = errorOf(() => openDatabase({ file, migrations }));
    expect(error.code).toBe('DB_CORRUPT');
    expect(sha256File(file)).toBe(before);
  });

  it('does not read the whole file again when the upgrade thread has just checked it', () => {
    // Broken pages only quick_check reads: refused when checked, opened when the caller says it was checked already.
    const file = damagedDatabase();
    expect(errorOf(() => openDatabase({ file, migrations: [] })).code).toBe('DB_CORRUPT');
    closeAfterEach(openDatabase({ file, migrations: [], checkedIntact: true }).db);
  });

  it('reports a database locked by another program instead of waiting forever or overwriting it', () => {
    const file = path.join(tempDir(), 'console.sqlite');
    openDatabase({ file, migrations }).db.close();
    const holder = closeAfterEach(new Database(file));
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const error = errorOf(() => openDatabase({ file, migrations, busyTimeoutMs: 50 }));
      expect(error.code).toBe('DB_LOCKED');
      expect(error.message).toMatch(/locked by another program/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    // Once the other program lets go, the same file opens normally: nothing was damaged.
    const reopened = openDatabase({ file, migrations });
    closeAfterEach(reopened.db);
    expect(reopened.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('openAnotherConnection', () => {
  it("keeps SQLite's page cache unless given one, as the sync worker's connection is (SYNC_WORKER_PAGE_CACHE_KIB)", () => {
    const file = path.join(tempDir(), 'console.sqlite');
    closeAfterEach(openDatabase({ file, migrations }).db);
    const cacheSize = (db: Database.Database) => db.pragma('cache_size', { simple: true });
    expect(cacheSize(closeAfterEach(openAnotherConnection(file)))).toBe(-16000);
    expect(cacheSize(closeAfterEach(openAnotherConnection(file, undefined, SYNC_WORKER_PAGE_CACHE_KIB)))).toBe(-4000);
  });
});

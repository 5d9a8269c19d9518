import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../../src-shared/errors';
import { ensureDirectory, PRIVATE_FILE_MODE, tightenFile } from '../app/local-paths';
import { registerNameKey } from '../duo/name-key';
import { registerPhraseCheck } from '../devices/device-search-text';
import { DeferredIndexes, withSortsOnDisk, type IndexBuildProgress } from './deferred-indexes';
import { latestVersion, type Migration, type MigrationProgressEvent, type MigrationStartEvent, type UpgradeBackupEvent } from './migration';
import { refreshPlannerStatistics } from './planner-statistics';
import { sqliteBindingOption } from './sqlite-binding';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  file: string;
  migrations: readonly Migration[];
  /** How long a writer waits for another connection's lock before giving up. */
  busyTimeoutMs?: number;
  now?: () => Date;
  /** Called while a migration that rewrites many rows runs (they run in one transaction: a kill mid-way rolls back). */
  onMigrationProgress?: (event: MigrationProgressEvent) => void;
  /**
   * Called as each migration of an existing database starts, counted or not: most report no progress, and one that
   * builds an index still takes seconds at a million devices (the upgrade window names what runs).
   */
  onMigrationStart?: (event: MigrationStartEvent) => void;
  /** Called as the copy taken before migrating an existing database starts. */
  onUpgradeBackup?: (event: UpgradeBackupEvent) => void;
  /**
   * Called before each index a stopped bulk load left deferred is built, and once all are, ahead of the migrations:
   * est. ~12 s at a million devices (not measured here) that start-up would otherwise spend saying nothing.
   */
  onDeferredIndexBuild?: (progress: IndexBuildProgress) => void;
  /**
   * The file was checked (and upgraded) by openDatabase moments ago in this process, on the upgrade thread: its
   * quick_check is not run again. It reads every page: 0.11 CPU-s for a 110 MB database, est. ~1.4 s at a million
   * devices (1.35 GB), on the thread that opens the console's window.
   */
  checkedIntact?: boolean;
}

export interface OpenedDatabase {
  db: Db;
  schemaVersion: number;
  /** Path of the copy taken before migrating, when a migration ran on an existing database. */
  backupFile: string | null;
}

/** The database file and the WAL and shared-memory files SQLite keeps beside it. */
const DATABASE_FILES = ['', '-wal', '-shm'];
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (or creates) the console's database. Order matters: everything that can refuse the file (not SQLite, damaged,
 * locked, from a newer version) is checked with reads only, before the first write (WAL switch, migration), so a
 * refused file is left exactly as it was.
 */
export function openDatabase(options: OpenDatabaseOptions): OpenedDatabase {
  const { file, migrations } = options;
  const latest = latestVersion(migrations);
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  if (existed) assertSqliteHeader(file);
  ensureDirectory(path.dirname(file), 'data folder');
  // Created owner-only before SQLite opens it: SQLite gives the WAL and SHM files the database file's mode. Files of an
  // older installation are tightened here, at every start.
  if (!existed) fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const companion of DATABASE_FILES) tightenFile(`${file}${companion}`, 'database file');

  let db: Db;
  try {
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000, ...sqliteBindingOption() });
  } catch (error) {
    throw translateOpenError(error, file);
  }
  try {
    const current = readUserVersion(db, file);
    if (current > latest) {
      throw new AppError(
        'DB_NEWER_SCHEMA',
        `The database at ${file} was written by a newer version of the console (schema ${current}; this version knows up to ${latest}). Update the console, or point it at another data directory. The file was not changed.`,
        { file, schemaVersion: current, supportedVersion: latest },
      );
    }
    if (existed && options.checkedIntact !== true) assertIntact(db, file);
    configure(db, file);
    for (const companion of DATABASE_FILES) tightenFile(`${file}${companion}`, 'database file');
    let backupFile: string | null = null;
    const pending = migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
    if (pending.length > 0 && existed && current > 0) {
      backupFile = backupFileOf(file, current, (options.now ?? (() => new Date()))());
      const bytes = ['', '-wal'].reduce((sum, companion) => sum + (fs.statSync(`${file}${companion}`, { throwIfNoEntry: false })?.size ?? 0), 0);
      options.onUpgradeBackup?.({ file: backupFile, bytes, fromVersion: current, toVersion: latest });
      backUp(db, backupFile);
    }
    if (pending.length > 0) {
      // A migration may name any index; one left deferred by a bulk load that crashed is built first.
      withSortsOnDisk(db, () => new DeferredIndexes(db).buildAll(options.onDeferredIndexBuild));
      migrate(db, pending, { onProgress: options.onMigrationProgress, onStart: existed ? options.onMigrationStart : undefined }, backupFile);
      // The connection plans with the statistics it loaded at open until it loads its schema anew, and a migration may
      // drop some (0038): loaded anew here, as a connection opened now would.
      db.pragma('writable_schema = RESET');
      // A migration that rebuilds indexes drops their planner statistics with them (0018 rebuilds twelve); without them
      // the explorer's plans guess until the next sync refreshes them. Sampled: about a second at a million devices.
      if (current > 0) refreshPlannerStatistics(db);
    }
    return { db, schemaVersion: readUserVersion(db, file), backupFile };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Another connection (for another thread) to a database that openDatabase already opened in this process, and so
 * checked and migrated: configured the same way, without the checks, which at a million devices take seconds. With
 * `pageCacheKib`, its page cache is that many KiB instead of SQLite's default (16,000 KiB in this build).
 */
export function openAnotherConnection(file: string, busyTimeoutMs = 5000, pageCacheKib?: number): Db {
  let db: Db;
  try {
    db = new Database(file, { timeout: busyTimeoutMs, fileMustExist: true, ...sqliteBindingOption() });
  } catch (error) {
    throw translateOpenError(error, file);
  }
  try {
    configure(db, file);
    if (pageCacheKib !== undefined) db.pragma(`cache_size = ${-pageCacheKib}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function assertSqliteHeader(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = fs.readSync(fd, header, 0, 16, 0);
    if (read < 16 || !header.equals(SQLITE_HEADER)) {
      throw corrupt(file, 'it is not an SQLite database');
    }
  } finally {
    fs.closeSync(fd);
  }
}

function readUserVersion(db: Db, file: string): number {
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    throw translateOpenError(error, file);
  }
}

function assertIntact(db: Db, file: string): void {
  let rows: { quick_check: string }[];
  try {
    rows = db.pragma('quick_check') as { quick_check: string }[];
  } catch (error) {
    throw translateOpenError(error, file);
  }
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0) throw corrupt(file, problems.slice(0, 3).join('; '));
}

function configure(db: Db, file: string): void {
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Statement journals in memory: a write that fires a trigger (devices → FTS queue, migration 0004) keeps one, and
    // on disk it spilled to a temp file for every row (~30 µs a device insert, measured).
    db.pragma('temp_store = MEMORY');
    registerNameKey(db);
    registerPhraseCheck(db);
  } catch (error) {
    throw translateOpenError(error, file);
  }
}

function backupFileOf(file: string, fromVersion: number, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${file}.before-v${fromVersion}-upgrade-${stamp}.bak`;
}

function backUp(db: Db, target: string): void {
  const existed = fs.existsSync(target);
  try {
    // VACUUM INTO writes a consistent copy through SQLite itself, WAL contents included.
    db.prepare('VACUUM INTO ?').run(target);
  } catch (error) {
    // A copy cut short (a full disk) is no backup: removed, so nobody restores from it (a file that was there before
    // is not ours, and stays). Nothing was migrated yet.
    if (!existed) fs.rmSync(target, { force: true });
    throw new AppError(
      'DB_MIGRATION_FAILED',
      `The copy of the database taken before upgrading it could not be written to ${target} (${error instanceof Error ? error.message : String(error)}). Nothing was upgraded: the database is as it was. Free some disk space and start the console again.`,
      { file: target },
    );
  }
  tightenFile(target, 'database backup');
}

interface MigrationListeners {
  onProgress?: (event: MigrationProgressEvent) => void;
  onStart?: (event: MigrationStartEvent) => void;
}

function migrate(db: Db, pending: readonly Migration[], { onProgress, onStart }: MigrationListeners, backupFile: string | null): void {
  const run = db.transaction(() => {
    for (const [index, migration] of pending.entries()) {
      onStart?.({ version: migration.version, name: migration.name, position: index + 1, count: pending.length });
      // A migration with no rows to rewrite (a new database) has nothing to report: start-up stays quiet.
      migration.up(db, (done, total, step) => {
        if (total > 0) onProgress?.({ version: migration.version, name: migration.name, done, total, ...(step === undefined ? {} : { step }) });
      });
      db.pragma(`user_version = ${migration.version}`);
    }
  });
  try {
    run.immediate();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const last = pending[pending.length - 1];
    throw new AppError(
      'DB_MIGRATION_FAILED',
      `Upgrading the database to schema ${last.version} failed and was rolled back; the data is as it was before.`,
      { reason: error instanceof Error ? error.message : String(error), ...(backupFile === null ? {} : { backupFile }) },
    );
  }
}

function corrupt(file: string, reason: string): AppError {
  return new AppError(
    'DB_CORRUPT',
    `The database at ${file} is damaged (${reason}). The console did not change it. Restore a backup, or move the file away to start fresh.`,
    { file },
  );
}

function translateOpenError(error: unknown, file: string): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new AppError(
      'DB_LOCKED',
      `The database at ${file} is locked by another program (another console window or a running 'tec' command?). Close it and try again.`,
      { file },
    );
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return corrupt(file, 'SQLite cannot read it');
  return new AppError('DB_OPEN_FAILED', `The database at ${file} could not be opened: ${(error as Error).message}`, { file });
}

/**
 * Databases at a chosen schema version, for migration tests (one per migration, as Signal tests each of its own).
 *
 * A migration test builds a database at the version before its migration, writes rows with plain SQL of that
 * version's schema (not with today's repositories, which expect the latest schema), upgrades to the migration's
 * version, and checks the rows and the query plans the migration is for:
 *
 *     const databases = useDatabaseAtVersion();
 *     it('keeps every device', () => {
 *       const db = databases.at(5);
 *       db.prepare('INSERT INTO …').run(…);
 *       const upgraded = databases.upgrade(db, 6);
 *       expect(upgraded.prepare('SELECT …').all()).toEqual(…);
 *     });
 *
 * Every connection it opens is closed after each test, whatever the test did.
 */
import path from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Db, type OpenedDatabase } from '../../src-main/core/db/database';
import type { Migration } from '../../src-main/core/db/migration';
import { migrations } from '../../src-main/core/db/migrations';
import { useTempDir } from './temp-dir';

export interface DatabasesAtVersion {
  /** A new database file at schema `version`: migrations 1..`version` applied, as a console of that version left it. */
  at(version: number): Db;
  /**
   * Closes `db` and opens its file again with migrations up to `version` (default: all of them), as the next console
   * version does on start-up. The migrations run through the app's own openDatabase (one transaction, backup first).
   */
  upgrade(db: Db, version?: number): Db;
  /** What the last upgrade reported (schema version reached, backup file). */
  lastUpgrade(): OpenedDatabase;
}

/** The app's migrations up to and including `version`; refuses a version no migration has. */
export function migrationsUpTo(version: number): Migration[] {
  if (version !== 0 && !migrations.some((m) => m.version === version)) {
    throw new Error(`no migration has version ${version} (known: ${migrations.map((m) => m.version).join(', ')})`);
  }
  return migrations.filter((m) => m.version <= version);
}

export function useDatabaseAtVersion(): DatabasesAtVersion {
  const tempDir = useTempDir('tec-migration-');
  const open = new Set<Db>();
  let last: OpenedDatabase | null = null;
  afterEach(() => {
    for (const db of open) if (db.open) db.close();
    open.clear();
    last = null;
  });

  function openAt(file: string, version: number): OpenedDatabase {
    const opened = openDatabase({ file, migrations: migrationsUpTo(version), now: () => new Date('2026-11-28T12:00:00Z') });
    open.add(opened.db);
    return opened;
  }

  return {
    at(version) {
      const opened = openAt(path.join(tempDir(), 'console.sqlite'), version);
      if (opened.schemaVersion !== version) throw new Error(`expected schema ${version}, got ${opened.schemaVersion}`);
      return opened.db;
    },
    upgrade(db, version = Math.max(...migrations.map((m) => m.version))) {
      const file = db.name;
      db.close();
      open.delete(db);
      last = openAt(file, version);
      return last.db;
    },
    lastUpgrade() {
      if (!last) throw new Error('no upgrade yet in this test');
      return last;
    },
  };
}

/** The schema as SQLite stores it (every table, index, trigger and view with its SQL), in a stable order. */
export function schemaDump(db: Db): string {
  const rows = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as {
    type: string;
    name: string;
    tbl_name: string;
    sql: string | null;
  }[];
  return rows.map((r) => `${r.type} ${r.name} ON ${r.tbl_name}\n${r.sql ?? ''}`).join('\n\n');
}

/**
 * Closes `db` and upgrades its file with every migration, as start-up does; what migration `version` reported as
 * [done, total], or [done, total, step] where it named a step that runs whole.
 */
export function progressOfUpgrade(db: Db, version: number): ([number, number] | [number, number, string])[] {
  const file = db.name;
  db.close();
  const events: ([number, number] | [number, number, string])[] = [];
  openDatabase({
    file,
    migrations,
    onMigrationProgress: (p) => p.version === version && events.push(p.step === undefined ? [p.done, p.total] : [p.done, p.total, p.step]),
  }).db.close();
  return events;
}

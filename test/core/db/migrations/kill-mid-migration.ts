import path from 'node:path';
import { expect } from 'vitest';
import { openDatabase, type Db } from '../../../../src-main/core/db/database';
import { migrations } from '../../../../src-main/core/db/migrations';
import { killChildWhen } from '../../../support/kill-child';

/**
 * Upgrades the database file in a real child process (migrate-until-killed.ts), SIGKILLs it once the first batch of a
 * long migration has been rewritten inside the migration's transaction, and answers how the child ended and what it
 * printed. The caller then reopens the file and checks that nothing of the interrupted upgrade remains.
 */
export function killMidMigration(file: string): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  return killChildWhen(path.join(__dirname, 'migrate-until-killed.ts'), [file], (out) => out.includes('paused\n'));
}

/**
 * The whole kill test of a long migration to `version + 1`: reads `before` (a database at `version`) with `snapshot` and
 * closes it, kills the upgrade of its file mid-way, checks the database is still whole at `version` (`snapshot` reads
 * the same, `untouched` finds nothing of the new schema), then reopens it with every migration, checks it intact and
 * returns it, upgraded, for the caller's checks of the result.
 */
export async function expectKillLeavesVersion(before: Db, version: number, check: { snapshot(db: Db): unknown; untouched(db: Db): void }): Promise<Db> {
  const file = before.name;
  const rows = check.snapshot(before);
  before.close();
  const { signal, out } = await killMidMigration(file);
  expect(signal).toBe('SIGKILL');
  expect(out).not.toContain('finished');

  const { db: inspect, schemaVersion } = openDatabase({ file, migrations: migrations.filter((m) => m.version <= version) });
  expect(schemaVersion).toBe(version);
  expect(check.snapshot(inspect)).toEqual(rows);
  check.untouched(inspect);
  inspect.close();

  const { db, schemaVersion: upgraded } = openDatabase({ file, migrations });
  expect(upgraded).toBe(migrations.at(-1)!.version);
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  return db;
}

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
 * The whole kill test of a long migration to `version + 1`: kills the upgrade of `file` mid-way, checks the database
 * is still whole at `version` (`snapshot` reads the same as `before`, `untouched` finds nothing of the new schema), then
 * reopens it with every migration and returns it, upgraded, for the caller's checks of the result.
 */
export async function expectKillLeavesVersion(
  file: string,
  version: number,
  check: { snapshot(db: Db): unknown; before: unknown; untouched(db: Db): void },
): Promise<Db> {
  const { signal, out } = await killMidMigration(file);
  expect(signal).toBe('SIGKILL');
  expect(out).not.toContain('finished');

  const { db: inspect, schemaVersion } = openDatabase({ file, migrations: migrations.filter((m) => m.version <= version) });
  expect(schemaVersion).toBe(version);
  expect(check.snapshot(inspect)).toEqual(check.before);
  check.untouched(inspect);
  inspect.close();

  const { db, schemaVersion: upgraded } = openDatabase({ file, migrations });
  expect(upgraded).toBe(migrations.at(-1)!.version);
  return db;
}

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { upgradeOnThread } from '../../src-main/core/db/upgrade';
import { migrationsUpTo } from '../support/database-at-version';
import { ELECTRON_UPGRADE_WORKER, ensureElectronBuilt } from '../support/fresh-build';
import { useTempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');
const tempDir = useTempDir('tec-upgrade-worker-bundle-');

// `npm test` builds the Electron bundles before the tests; a single test file run may not have, or built them before
// the sources changed (a new migration the bundle would not know).
beforeAll(() => void ensureElectronBuilt(), 360_000);

describe('the upgrade thread as the Electron bundle ships it', () => {
  it('upgrades a database of an older schema, beside the main bundle where main.ts names it', async () => {
    const file = path.join(tempDir(), 'console.sqlite');
    openDatabase({ file, migrations: migrationsUpTo(38) }).db.close();
    const stages: string[] = [];
    const { backupFile } = await upgradeOnThread(file, ELECTRON_UPGRADE_WORKER, { onBackup: () => stages.push('backup'), onIndexBuild: () => stages.push('indexes'), onMigrationStart: () => stages.push('start'), onMigration: () => stages.push('migration') });
    expect(stages[0]).toBe('backup');
    expect(fs.existsSync(backupFile!)).toBe(true);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(Math.max(...migrations.map((m) => m.version)));
    } finally {
      db.close();
    }
    const main = fs.readFileSync(path.join(ROOT, 'src-main/electron/main.ts'), 'utf8');
    expect(main).toContain("const UPGRADE_WORKER = path.join(__dirname, 'upgrade-worker.js');");
    expect(main).toMatch(/startDesktopApp\([\s\S]*upgradeWorker: UPGRADE_WORKER/);
  });
});

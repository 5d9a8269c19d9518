import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src-main/core/app/data-dir';
import { openDatabase } from '../../src-main/core/db/database';
import { migrationsUpTo } from '../support/database-at-version';
import { deferDeviceIndexes } from '../support/deferred-device-indexes';
import { useTempDir } from '../support/temp-dir';
import { runTec } from './cli-harness';

const tempDir = useTempDir('tec-cli-upgrade-');

describe('tec upgrading an older database', () => {
  it('says on stderr, counted, that it builds the indexes a stopped sync left, and keeps stdout for the answer', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const file = path.join(dataDir, DATABASE_FILE);
    openDatabase({ file, migrations: migrationsUpTo(38) }).db.close();
    const total = deferDeviceIndexes(file);
    const run = await runTec(['integration', 'list', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    // No devices: no migration has rows to count, and the copy takes a moment (upgradeBackupLine says nothing of it).
    expect(run.stderr.trimEnd().split('\n')).toEqual(Array.from({ length: total + 1 }, (_, built) => `Building the device indexes a stopped sync left: ${built} of ${total} built.`));
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});

/**
 * The upgrade thread (upgrade.ts `upgradeOnThread`): openDatabase with every migration, on a connection of its own,
 * posting its progress; it closes the connection before it ends. Built as its own entry beside the Electron bundle
 * (out/main/upgrade-worker.js); tests run this source through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorPayload } from '../../../src-shared/errors';
import { openDatabase } from './database';
import { migrations } from './migrations';
import { useSqliteBinding } from './sqlite-binding';
import type { FromUpgradeThread, UpgradeThreadData } from './upgrade';

const port = parentPort;
if (!port) throw new Error('upgrade-worker runs as a worker thread only.');
const post = (message: FromUpgradeThread): void => port.postMessage(message);

const { file, sqliteBinding } = workerData as UpgradeThreadData;
useSqliteBinding(sqliteBinding);
try {
  const opened = openDatabase({
    file,
    migrations,
    onUpgradeBackup: (event) => post({ type: 'backup', event }),
    onDeferredIndexBuild: (progress) => post({ type: 'index-build', progress }),
    onMigrationStart: (event) => post({ type: 'migration-start', event }),
    onMigrationProgress: (event) => post({ type: 'migration', event }),
  });
  opened.db.close();
  post({ type: 'done', schemaVersion: opened.schemaVersion, backupFile: opened.backupFile });
} catch (error) {
  post({ type: 'failed', error: toErrorPayload(error), reason: error instanceof Error ? error.message : String(error) });
}

import { createCore, type Core } from '../core/app/composition-root';
import { resolveDataDir } from '../core/app/data-dir';
import { indexBuildLine } from '../core/db/deferred-indexes';
import { migrationProgressLine, upgradeBackupLine } from '../core/db/migration';
import type { CliIo } from './cli-io';
import { APP_VERSION } from './version';

/** The CLI's core: the same services and data directory as the desktop app (`--data-dir` / TEC_DATA_DIR override). */
export function openCore(io: Pick<CliIo, 'env' | 'syncWorker'> & Partial<Pick<CliIo, 'stderr'>>, dataDirOverride?: string): Core {
  const dataDir = dataDirOverride ?? resolveDataDir(io.env);
  return createCore({
    dataDir,
    version: APP_VERSION,
    transport: 'cli',
    syncWorker: io.syncWorker,
    // A long upgrade says how far it is on stderr, so stdout stays the command's answer (JSON included).
    onMigrationProgress: (p) => io.stderr?.write(`${migrationProgressLine(p)}\n`),
    onDeferredIndexBuild: (p) => io.stderr?.write(`${indexBuildLine(p)}\n`),
    onUpgradeBackup: (backup) => {
      const line = upgradeBackupLine(backup);
      if (line !== null) io.stderr?.write(`${line}\n`);
    },
  });
}

import { createCore, type Core } from '../core/app/composition-root';
import { resolveDataDir } from '../core/app/data-dir';
import { APP_VERSION } from './version';

/** The CLI's core: the same services and data directory as the desktop app (`--data-dir` / TEC_DATA_DIR override). */
export function openCore(env: NodeJS.ProcessEnv, dataDirOverride?: string): Core {
  const dataDir = dataDirOverride ?? resolveDataDir(env);
  return createCore({ dataDir, version: APP_VERSION, transport: 'cli' });
}

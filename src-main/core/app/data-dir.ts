import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'Trusted Endpoints Console';
export const DATABASE_FILE = 'console.sqlite';
/** Where exports started from the app land, inside the data directory. */
export const EXPORTS_FOLDER = 'exports';

/**
 * The app's data directory, computed the way Electron computes `app.getPath('userData')` for our product name, so the
 * `tec` CLI finds the same database as the desktop app. TEC_DATA_DIR overrides both.
 */
export function resolveDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (env.TEC_DATA_DIR) return path.resolve(env.TEC_DATA_DIR);
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
  }
}

import { join } from 'node:path';

export interface LogDirectoryInputs {
  platform: NodeJS.Platform;
  homeDir: string;
  /** The app's data directory (Electron `userData`), which the CLI resolves the same way. */
  userDataDir: string;
  /** The product name, as Electron's `app.getName()` answers in a packaged app. */
  appName: string;
}

/**
 * The platform's standard place for this app's logs, the same answer as Electron's `app.getPath('logs')`, so the `tec`
 * CLI started from plain Node (npm install from source) writes where the app does and "Open logs folder" shows both:
 * macOS `~/Library/Logs/<app name>`; elsewhere `<userData>/logs` (Electron's default on Windows and Linux).
 */
export function defaultLogDirectory(inputs: LogDirectoryInputs): string {
  if (inputs.platform === 'darwin') return join(inputs.homeDir, 'Library', 'Logs', inputs.appName);
  return join(inputs.userDataDir, 'logs');
}

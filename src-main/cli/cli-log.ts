import os from 'node:os';
import { PRODUCT_NAME, resolveDataDir } from '../core/app/data-dir';
import { defaultLogDirectory } from '../core/log/log-directory';
import { openFileLogger, type Logger } from '../core/log/logger';

/**
 * `cli.log`, beside the app's `main.log` (the folder "Open logs folder" shows): one line when a command starts and one
 * when it ends, with its exit code and, on failure, the error's code and message. Arguments are not logged (they can
 * carry tenant values); every line is redacted by the Logger anyway. A log that cannot be written never fails a
 * command.
 */
export function openCliLog(env: NodeJS.ProcessEnv): { log: Logger; close(): void } {
  const directory = defaultLogDirectory({ platform: process.platform, homeDir: os.homedir(), userDataDir: resolveDataDir(env), appName: PRODUCT_NAME });
  const { logger, file } = openFileLogger({ directory, fileName: 'cli.log' }, { scope: 'cli' });
  return { log: logger, close: () => file.close() };
}

import path from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeTheme, net, protocol, session, shell } from 'electron';
import { createCore } from '../core/app/composition-root';
import { chooseSqliteBinding, resolvedSqlitePackage, useSqliteBinding } from '../core/db/sqlite-binding';
import { main as runCli } from '../cli/main';
import { toErrorPayload } from '../../src-shared/errors';
import { extractCliArgs } from './cli-mode';
import { startDesktopApp } from './desktop-start';
import { assertNativeModulesLoadable } from './native-modules-check';

// The thin Electron layer: hands Electron's objects to the start-up sequence (desktop-start.ts, tested in plain Node).

const cliArgs = extractCliArgs(process.argv);
/** Syncs run on their own thread (electron.vite.config.ts builds it beside this file), never stalling the UI's IPC. */
const SYNC_WORKER = path.join(__dirname, 'sync-worker.js');
/** Start-up's database upgrade runs on its own thread (the same config builds it here), so its window keeps painting. */
const UPGRADE_WORKER = path.join(__dirname, 'upgrade-worker.js');

// The window follows the OS light or dark appearance; the renderer's tokens answer it through prefers-color-scheme
// (src-renderer/src/shared/ui/tokens.css). 'system' is Electron's default, set here so no later change can drift from it.
nativeTheme.themeSource = 'system';

if (cliArgs !== null) {
  // `<app> --cli …`: the installed app doubles as `tec` (the fuses forbid ELECTRON_RUN_AS_NODE). No window, no lock.
  app.dock?.hide();
  void runCliMode(cliArgs);
} else {
  startDesktopApp(
    { app, BrowserWindow, Menu, dialog, ipcMain, session, protocol, net, shell, clipboard },
    {
      env: process.env,
      platform: process.platform,
      arch: process.arch,
      versions: process.versions,
      loadModule: require,
      sqlitePackage: resolvedSqlitePackage,
      createCore,
      bundleDir: __dirname,
      syncWorker: SYNC_WORKER,
      upgradeWorker: UPGRADE_WORKER,
    },
  );
}

async function runCliMode(args: string[]): Promise<void> {
  // Unpackaged, better-sqlite3 comes from the Electron build beside node_modules, whose own is Node's (as desktop-start.ts).
  useSqliteBinding(chooseSqliteBinding({ electronVersion: process.versions.electron, isPackaged: app.isPackaged, sqlitePackage: resolvedSqlitePackage, platform: process.platform, arch: process.arch }));
  try {
    assertNativeModulesLoadable(require, process.versions);
  } catch (error) {
    process.stderr.write(`tec: ${toErrorPayload(error).code}: ${toErrorPayload(error).message}\n`);
    app.exit(1);
    return;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const code = await runCli(args, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal: controller.signal, syncWorker: SYNC_WORKER });
  app.exit(code);
}

import os from 'node:os';
import path from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, session, shell } from 'electron';
import { createCore, type Core } from '../core/app/composition-root';
import { resolveDataDir } from '../core/app/data-dir';
import { chooseSqliteBinding, resolvedSqlitePackage, useSqliteBinding } from '../core/db/sqlite-binding';
import { openFileLogger } from '../core/log/logger';
import type { RotatingLogFile } from '../core/log/rotating-log-file';
import { main as runCli } from '../cli/main';
import { toErrorPayload } from '../../src-shared/errors';
import { showAboutDialog } from './about';
import { extractCliArgs } from './cli-mode';
import { assertNativeModulesLoadable } from './native-modules-check';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { EVENT_CHANNEL } from './ipc-channels';
import { registerIpcTransport } from './ipc-transport';
import {
  APP_ENTRY_URL,
  externalUrlToOpen,
  isAllowedNavigation,
  isPermissionGranted,
} from './security-policy';
import { createMainWindow } from './window-options';

// The thin Electron layer: window, protocol, IPC transport. Everything else lives in core and runs without Electron.

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const trustedWebContentsIds = new Set<number>();
let mainWindow: BrowserWindow | null = null;
let core: Core | null = null;
let logFile: RotatingLogFile | null = null;

// Unpackaged (npm start, npm run dev) better-sqlite3 comes from the Electron build beside node_modules, whose own is Node's.
useSqliteBinding(chooseSqliteBinding({ electronVersion: process.versions.electron, isPackaged: app.isPackaged, sqlitePackage: resolvedSqlitePackage, platform: process.platform, arch: process.arch }));
const cliArgs = extractCliArgs(process.argv);
/** Syncs run on their own thread (electron.vite.config.ts builds it beside this file), never stalling the UI's IPC. */
const SYNC_WORKER = path.join(__dirname, 'sync-worker.js');

if (cliArgs !== null) {
  // `<app> --cli …`: the installed app doubles as `tec` (the fuses forbid ELECTRON_RUN_AS_NODE). No window, no lock.
  app.dock?.hide();
  void runCliMode(cliArgs);
} else {
  startDesktop();
}

async function runCliMode(args: string[]): Promise<void> {
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

function startDesktop(): void {
  registerAppScheme();
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    // Two processes writing one database and one sync schedule would fight; the second start focuses the first window.
    app.quit();
  } else {
    app.on('second-instance', () => {
      if (!mainWindow) return;
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    });
    app.on('web-contents-created', (_event, contents) => hardenContents(contents));
    app.whenReady().then(start).catch((error: unknown) => {
      console.error('Trusted Endpoints Console could not start:', toErrorPayload(error).message);
      app.exit(1);
    });
    app.on('window-all-closed', () => app.quit());
    app.on('will-quit', () => {
      core?.close();
      logFile?.close();
    });
  }
}

function start(): void {
  if (process.env.TEC_DATA_DIR) app.setPath('userData', path.resolve(process.env.TEC_DATA_DIR));
  const dataDir = process.env.TEC_DATA_DIR ? path.resolve(process.env.TEC_DATA_DIR) : app.getPath('userData') || resolveDataDir();
  const opened = openFileLogger({ directory: app.getPath('logs'), fileName: 'main.log' }, { scope: 'main' });
  logFile = opened.file;
  const log = opened.logger;
  try {
    // A package whose native modules were built for Node's ABI instead of Electron's must stop loudly, not half-work.
    assertNativeModulesLoadable(require, process.versions);
  } catch (error) {
    log.error('native modules unusable', { error: toErrorPayload(error) });
    dialog.showErrorBox('Trusted Endpoints Console cannot start', toErrorPayload(error).message);
    app.exit(1);
    return;
  }
  core = createCore({
    dataDir,
    version: app.getVersion(),
    transport: 'electron',
    runtime: { electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null },
    syncWorker: SYNC_WORKER,
  });
  // Background sync runs only while the app is open (never from the CLI or the rig); core.close() stops it.
  core.services.syncScheduler.start();

  for (const ses of [session.defaultSession]) {
    ses.setPermissionRequestHandler((_wc, permission, callback) => callback(isPermissionGranted(permission)));
    ses.setPermissionCheckHandler((_wc, permission) => isPermissionGranted(permission));
  }
  serveRenderer(path.join(__dirname, '../renderer'));
  registerIpcTransport({ ipcMain, handlers: core.handlers, trustedWebContentsIds, devServerUrl, log });
  Menu.setApplicationMenu(buildMenu(core));
  core.events.subscribe((name, payload) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (trustedWebContentsIds.has(window.webContents.id)) window.webContents.send(EVENT_CHANNEL, name, payload);
    }
  });
  createWindow();
}

function createWindow(): void {
  mainWindow = createMainWindow(BrowserWindow, path.join(__dirname, '../preload/index.cjs'));
  const id = mainWindow.webContents.id;
  trustedWebContentsIds.add(id);
  mainWindow.on('closed', () => {
    trustedWebContentsIds.delete(id);
    mainWindow = null;
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  void mainWindow.loadURL(devServerUrl ?? APP_ENTRY_URL);
}

function hardenContents(contents: Electron.WebContents): void {
  const refuseNavigation = (event: Electron.Event, url: string) => {
    if (!isAllowedNavigation(url, devServerUrl)) event.preventDefault();
  };
  contents.on('will-navigate', refuseNavigation);
  contents.on('will-redirect', refuseNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrlToOpen(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
}

function buildMenu(current: Core): Menu {
  const about = () =>
    void showAboutDialog(
      { dialog, clipboard, shell },
      { info: current.info, logDir: app.getPath('logs'), os: { platform: process.platform, arch: process.arch, release: os.release() } },
      mainWindow ?? undefined,
    );
  return Menu.buildFromTemplate([
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : [{ label: 'File', submenu: [{ role: 'quit' as const }] }]),
    { role: 'editMenu' },
    { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    {
      role: 'help',
      submenu: [
        { label: 'About Trusted Endpoints Console', click: about },
        { label: 'Open Logs Folder', click: () => void shell.openPath(app.getPath('logs')) },
      ],
    },
  ]);
}

import path from 'node:path';
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { createCore, type Core } from '../core/app/composition-root';
import { resolveDataDir } from '../core/app/data-dir';
import { toErrorPayload } from '../../src-shared/errors';
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
  app.on('will-quit', () => core?.close());
}

function start(): void {
  if (process.env.TEC_DATA_DIR) app.setPath('userData', path.resolve(process.env.TEC_DATA_DIR));
  const dataDir = process.env.TEC_DATA_DIR ? path.resolve(process.env.TEC_DATA_DIR) : app.getPath('userData') || resolveDataDir();
  core = createCore({
    dataDir,
    version: app.getVersion(),
    transport: 'electron',
    runtime: { electron: process.versions.electron ?? null, chrome: process.versions.chrome ?? null },
  });

  for (const ses of [session.defaultSession]) {
    ses.setPermissionRequestHandler((_wc, permission, callback) => callback(isPermissionGranted(permission)));
    ses.setPermissionCheckHandler((_wc, permission) => isPermissionGranted(permission));
  }
  serveRenderer(path.join(__dirname, '../renderer'));
  registerIpcTransport({ ipcMain, handlers: core.handlers, trustedWebContentsIds, devServerUrl, log: console });
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

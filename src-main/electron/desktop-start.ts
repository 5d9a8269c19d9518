import os from 'node:os';
import path from 'node:path';
import type {
  BrowserWindow as ElectronBrowserWindow,
  BrowserWindowConstructorOptions,
  Clipboard,
  Dialog,
  IpcMain,
  MenuItemConstructorOptions,
  MessageBoxOptions,
  Net,
  Protocol,
  Session,
  Shell,
} from 'electron';
import type { Core, CoreOptions } from '../core/app/composition-root';
import { DATABASE_FILE } from '../core/app/data-dir';
import { migrations } from '../core/db/migrations';
import { pendingUpgrade, upgradeOnThread } from '../core/db/upgrade';
import { chooseSqliteBinding, useSqliteBinding, type SqliteRuntime } from '../core/db/sqlite-binding';
import { UI_SYNC_WORKER_NICENESS } from '../core/sync/worker-sync-engine';
import { openFileLogger, type Logger } from '../core/log/logger';
import { toErrorPayload, type ErrorPayload } from '../../src-shared/errors';
import type { UpgradeStatus } from '../../src-shared/contract/app';
import { showAboutDialog } from './about';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { EVENT_CHANNEL } from './ipc-channels';
import { registerIpcTransport } from './ipc-transport';
import { registerFileDialogs } from './file-dialogs';
import { assertNativeModulesLoadable, type ModuleLoader, type RuntimeVersions } from './native-modules-check';
import { APP_ENTRY_URL, externalUrlToOpen, isAllowedNavigation, isPermissionGranted } from './security-policy';
import { upgradeBeforeStart, upgradeLog, type UpgradeWindow } from './start-upgrade';
import { PageRecovery, pageFailureLog, ReloadGuard, upgradePageFailureLog, type PageFailureButton } from './page-recovery';
import { DEFAULT_WINDOW_READY_WAIT_MS, handOverWarning, handOverWhenReady, watchPageFailures, type PageFailure } from './window-hand-over';
import { createMainWindow, createUpgradeWindow } from './window-options';

/**
 * The desktop app's start-up sequence. Every Electron object arrives as a parameter (as window-options.ts takes its
 * BrowserWindow class), so this file never imports electron at run time and test/electron/desktop-start.test.ts
 * drives the real sequence, with the real core, SQLite and keychain, through stand-ins of Electron's objects.
 *
 * Order is the point: the native modules are checked before the core opens the database; permission handlers exist
 * before any window; a database to upgrade is upgraded on its own thread, in a window of its own, before the core
 * opens it (start-upgrade.ts); the IPC transport is registered before the renderer loads; the scheduler starts once
 * the core exists. A start-up failure is shown in a dialog (code, what to do, the data and log folders), never only logged;
 * so is the console's page failing later (page-recovery.ts), with Reload offered.
 */

/** The parts of Electron's objects this sequence uses, typed as Electron declares them. */
export interface ElectronWebContents {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'did-fail-load', listener: (event: unknown, errorCode: number, errorDescription: string, validatedURL: string, isMainFrame: boolean) => void): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  reload(): void;
}

export interface ElectronWindow {
  readonly webContents: ElectronWebContents;
  isMinimized(): boolean;
  restore(): void;
  focus(): void;
  show(): void;
  close(): void;
  setClosable(closable: boolean): void;
  on(event: 'closed', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
  loadURL(url: string): Promise<void>;
}

export interface ElectronWindowClass<W extends ElectronWindow> {
  new (options: BrowserWindowConstructorOptions): W;
  getAllWindows(): W[];
}

export interface ElectronApp {
  readonly isPackaged: boolean;
  readonly dock?: { hide(): void };
  enableSandbox(): void;
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<void>;
  on(event: 'second-instance' | 'window-all-closed' | 'activate', listener: () => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: ElectronWebContents) => void): unknown;
  on(event: 'will-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
  exit(exitCode?: number): void;
  getPath(name: 'userData' | 'logs' | 'documents'): string;
  setPath(name: 'userData', value: string): void;
  getVersion(): string;
}

export interface ElectronMenuClass<M> {
  buildFromTemplate(template: MenuItemConstructorOptions[]): M;
  setApplicationMenu(menu: M | null): void;
}

export interface DesktopElectron<W extends ElectronWindow = ElectronWindow, M = unknown> {
  app: ElectronApp;
  BrowserWindow: ElectronWindowClass<W>;
  Menu: ElectronMenuClass<M>;
  dialog: Pick<Dialog, 'showMessageBox' | 'showSaveDialog'>;
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  session: { defaultSession: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> };
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>;
  net: Pick<Net, 'fetch'>;
  shell: Pick<Shell, 'openPath' | 'openExternal' | 'showItemInFolder'>;
  clipboard: Pick<Clipboard, 'writeText'>;
}

export interface DesktopStartOptions {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  arch: string;
  versions: RuntimeVersions & { chrome?: string };
  /** Where better-sqlite3 is installed: an unpackaged app loads the Electron build kept beside it. */
  sqlitePackage: SqliteRuntime['sqlitePackage'];
  /** `require` in the Electron main: the native check loads better-sqlite3 and keytar through it. */
  loadModule: ModuleLoader;
  createCore(options: CoreOptions): Core;
  /** Where the main bundle lives: the preload and the renderer are built beside it (out/preload, out/renderer). */
  bundleDir: string;
  /** Syncs run on their own thread, never stalling the UI's IPC. */
  syncWorker: string;
  /** Start-up's database upgrade runs on its own thread, so the upgrade window keeps painting (core/db/upgrade.ts). */
  upgradeWorker: string;
  /** How long quitting waits for the core (and the sync worker's connection) to close. */
  quitWaitMs?: number;
  /** How long the console's window may take to become ready before it is shown anyway (window-hand-over.ts). */
  windowReadyWaitMs?: number;
}

/** Long enough for a sync worker to roll back its open transaction and close; short enough that quitting never hangs. */
export const DEFAULT_QUIT_WAIT_MS = 5000;

export const START_FAILURE_BUTTONS = ['Open data folder', 'Open log folder', 'Quit'] as const;

/** The dialog shown when the console cannot start: what failed, its code, what to do, and where to look. */
export function buildStartFailureContent(error: ErrorPayload, folders: { dataDir: string; logDir: string }): Pick<MessageBoxOptions, 'title' | 'message' | 'detail'> {
  return {
    title: 'Trusted Endpoints Console cannot start',
    message: START_FAILURE_HEADLINES[error.code] ?? 'The console could not open its data.',
    detail: [error.message, ...(START_FAILURE_ADVICE[error.code] ? [START_FAILURE_ADVICE[error.code]] : []), '', `Error code: ${error.code}`, `Data folder: ${folders.dataDir}`, `Log folder: ${folders.logDir}`].join('\n'),
  };
}

const START_FAILURE_HEADLINES: Record<string, string> = {
  DB_NEWER_SCHEMA: 'The database was written by a newer version of the console.',
  DB_LOCKED: 'The database is in use by another program.',
  DB_CORRUPT: 'The database is damaged.',
  DB_MIGRATION_FAILED: 'The database could not be upgraded.',
  LOCAL_DATA: 'The console cannot use its data folder.',
  NATIVE_MODULE_ABI_MISMATCH: 'This copy of the console was packaged with parts built for another runtime.',
  NATIVE_MODULE_LOAD_FAILED: 'A part of the console could not be loaded.',
};

/** What to do, where the error's own message names no way out that works from the desktop app. */
const START_FAILURE_ADVICE: Record<string, string> = {
  LOCAL_DATA: 'To keep the data in another folder, start the console with TEC_DATA_DIR set to a folder you can write.',
};

export interface DesktopApp {
  /** Settles when start-up has finished: the window is loading, or the failure dialog was answered. */
  ready: Promise<void>;
}

export function startDesktopApp<W extends ElectronWindow, M>(electron: DesktopElectron<W, M>, options: DesktopStartOptions): DesktopApp {
  const { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } = electron;
  const devServerUrl = !app.isPackaged ? options.env.ELECTRON_RENDERER_URL : undefined;
  const trustedWebContentsIds = new Set<number>();
  let mainWindow: W | null = null;
  let core: Core | null = null;
  let closeLog: (() => void) | null = null;
  /** The main log, once start-up has opened it. */
  let mainLog: Logger | null = null;
  /** Stops the wait for the console's window to become ready (its timer included), while it waits. */
  let stopHandOver: (() => void) | null = null;
  let quitting: Promise<void> | null = null;
  /** The upgrade thread, while it runs: quitting waits for it, so it never leaves a copy cut short. */
  let upgrading: Promise<unknown> | null = null;
  /** Start-up failed and says so itself (dialog or upgrade window), then exits with 1: closing its window must not quit with 0. */
  let startFailed = false;
  /** What quitting exits with: 1 once the admin quit because the console's page failed (page-recovery.ts). */
  let quitExitCode = 0;

  registerAppScheme(electron.protocol);
  app.enableSandbox();
  if (!app.requestSingleInstanceLock()) {
    // Two processes writing one database and one sync schedule would fight; the second start focuses the first window.
    app.quit();
    return { ready: Promise.resolve() };
  }
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  // macOS keeps an app in the Dock with no window; clicking it there opens the window again.
  app.on('window-all-closed', () => {
    if (options.platform !== 'darwin' && !startFailed) app.quit();
  });
  app.on('activate', () => {
    if (core && mainLog && BrowserWindow.getAllWindows().length === 0) createWindow(mainLog);
  });
  app.on('will-quit', (event) => {
    if (!core && !closeLog) return;
    // Exit only once the core has closed: the sync worker rolls back and closes its connection first (bounded).
    event.preventDefault();
    quitting ??= Promise.resolve(upgrading)
      .catch(() => undefined)
      .then(closeEverything)
      .then(() => app.exit(quitExitCode));
  });

  const ready = app.whenReady().then(start);
  return { ready };

  async function start(): Promise<void> {
    if (options.env.TEC_DATA_DIR) app.setPath('userData', path.resolve(options.env.TEC_DATA_DIR));
    const dataDir = app.getPath('userData');
    const logDir = app.getPath('logs');
    const opened = openFileLogger({ directory: logDir, fileName: 'main.log' }, { scope: 'main' });
    closeLog = () => opened.file.close();
    const log = opened.logger;
    mainLog = log;
    // Unpackaged (npm start, npm run dev) better-sqlite3 comes from the Electron build beside node_modules, whose own is
    // Node's; the native check below loads the chosen binary, so a missing or wrong build stops here, before any database.
    useSqliteBinding(
      chooseSqliteBinding({ electronVersion: options.versions.electron, isPackaged: app.isPackaged, sqlitePackage: options.sqlitePackage, platform: options.platform, arch: options.arch }),
    );
    try {
      // A package whose native modules were built for Node's ABI instead of Electron's must stop loudly, not half-work.
      assertNativeModulesLoadable(options.loadModule, options.versions);
    } catch (error) {
      await showStartFailure(error, { dataDir, logDir }, log);
      return;
    }
    // Before any window, the upgrade window included.
    for (const ses of [session.defaultSession]) {
      ses.setPermissionRequestHandler((_wc, permission, callback) => callback(isPermissionGranted(permission)));
      ses.setPermissionCheckHandler((_wc, permission) => isPermissionGranted(permission));
    }
    serveRenderer(electron, path.join(options.bundleDir, '../renderer'));
    const databaseFile = path.join(dataDir, DATABASE_FILE);
    const upgradeRun = upgradeBeforeStart({
      pending: pendingUpgrade(databaseFile, migrations),
      openWindow: () => openUpgradeWindow(log),
      upgrade: (progress) => upgradeOnThread(databaseFile, options.upgradeWorker, progress),
      log,
      logFile: path.join(logDir, 'main.log'),
    });
    upgrading = upgradeRun;
    const upgrade = await upgradeRun;
    upgrading = null;
    // The admin quit while it ran (on Linux the upgrade window can be closed): the upgrade finished, nothing opens.
    if (quitting) return;
    if (upgrade.outcome === 'failed') {
      if (upgrade.shown) exitAfterFailure();
      else await showStartFailure(upgrade.error, { dataDir, logDir }, log);
      return;
    }
    try {
      core = options.createCore({
        dataDir,
        version: app.getVersion(),
        transport: 'electron',
        runtime: { electron: options.versions.electron ?? null, chrome: options.versions.chrome ?? null },
        syncWorker: options.syncWorker,
        // Behind the UI: this thread, which serves its IPC, gets a core first when both want one.
        syncWorkerNiceness: UI_SYNC_WORKER_NICENESS,
        // Checked on the upgrade thread a moment ago: not read whole again on this one.
        databaseCheckedIntact: upgrade.outcome === 'upgraded',
        // An upgrade the upgrade thread did not run (none was pending when start-up looked) is logged the same way.
        ...upgradeLog(log),
      });
    } catch (error) {
      // Set first: the upgrade window closing now is not the admin quitting (the dialog says what failed).
      startFailed = true;
      if (upgrade.outcome === 'upgraded') upgrade.window?.close();
      await showStartFailure(error, { dataDir, logDir }, log);
      return;
    }
    const opening = core;
    // Background sync runs only while the app is open (never from the CLI or the rig); core.close() stops it.
    opening.services.syncScheduler.start();
    // A bulk load's index build that a crash stopped is finished now, in the sync worker, not at the next sync; the
    // window opens meanwhile (the explorer answers correctly without the indexes, only slower).
    opening.services.sync
      .finishIndexBuild(upgradeLog(log).onDeferredIndexBuild)
      .catch((error: unknown) => log.warn('The device indexes a stopped sync left were not all built; the next sync builds the rest.', { error: toErrorPayload(error) }));
    registerIpcTransport({ ipcMain, handlers: opening.handlers, trustedWebContentsIds, devServerUrl, log });
    registerFileDialogs({
      ipcMain,
      dialog,
      shell,
      // The dialog is modal to the window that asked.
      windowOf: (sender) => (BrowserWindow.getAllWindows().find((w) => w.webContents.id === sender.id) as unknown as ElectronBrowserWindow | undefined) ?? null,
      documentsDir: () => app.getPath('documents'),
      trustedWebContentsIds,
      devServerUrl,
      log,
    });
    Menu.setApplicationMenu(buildMenu(opening, logDir));
    opening.events.subscribe((name, payload) => {
      for (const window of BrowserWindow.getAllWindows()) {
        if (trustedWebContentsIds.has(window.webContents.id)) window.webContents.send(EVENT_CHANNEL, name, payload);
      }
    });
    createWindow(log, upgrade.outcome === 'upgraded' ? upgrade.window : null);
    // Not fatal: the window opens either way, and the renderer asks `keychain.probe` for its banner.
    const keychain = await opening.handlers['keychain.probe'](undefined, { signal: new AbortController().signal });
    if (!keychain.available) log.warn('keychain unavailable', { code: keychain.code, message: keychain.message });
  }

  async function showStartFailure(error: unknown, folders: { dataDir: string; logDir: string }, log: Logger): Promise<void> {
    startFailed = true;
    const payload = toErrorPayload(error);
    log.error('start-up failed', { error: payload, reason: error instanceof Error ? error.message : String(error) });
    const content = buildStartFailureContent(payload, folders);
    const quit = START_FAILURE_BUTTONS.indexOf('Quit');
    await askUntilDecided(
      { type: 'error', ...content, buttons: START_FAILURE_BUTTONS, defaultId: quit, cancelId: quit, noLink: true },
      { 'Open data folder': folders.dataDir, 'Open log folder': folders.logDir },
    );
    exitAfterFailure();
  }

  /**
   * Shows the box until a button that opens no folder is pressed, and answers that button. A folder button opens its
   * folder and leaves the box up, so the admin can open each and still read the advice. Modal to `parent` when given.
   */
  async function askUntilDecided<B extends string>(
    box: Omit<MessageBoxOptions, 'buttons'> & { buttons: readonly B[]; cancelId: number },
    folders: Partial<Record<B, string>>,
    parent?: W,
  ): Promise<B> {
    const options: MessageBoxOptions = { ...box, buttons: [...box.buttons] };
    for (;;) {
      const { response } = parent ? await dialog.showMessageBox(parent as unknown as ElectronBrowserWindow, options) : await dialog.showMessageBox(options);
      const button = box.buttons[response] ?? box.buttons[box.cancelId];
      const folder = folders[button];
      if (folder === undefined) return button;
      await shell.openPath(folder);
    }
  }

  function exitAfterFailure(): void {
    startFailed = true;
    closeLog?.();
    closeLog = null;
    app.exit(1);
  }

  /** The small window the upgrade shows its progress in; it can be closed only once the upgrade has failed. */
  async function openUpgradeWindow(log: Logger): Promise<UpgradeWindow> {
    const window = createUpgradeWindow(BrowserWindow, path.join(options.bundleDir, '../preload/index.cjs'));
    let open = true;
    const closed = new Promise<void>((resolve) =>
      window.on('closed', () => {
        open = false;
        resolve();
      }),
    );
    const url = `${devServerUrl ?? APP_ENTRY_URL}#upgrade`;
    // Loaded means its page has run its script, and so listens for the statuses sent from now on.
    await window.loadURL(url);
    window.show();
    let last: UpgradeStatus | null = null;
    const send = (status: UpgradeStatus) => {
      if (open) window.webContents.send(EVENT_CHANNEL, 'app.upgrade', status);
    };
    // A page that crashes or fails to load later is loaded again (in a new renderer process after a crash), and told
    // the last status once it listens: the admin keeps watching an upgrade that may run for minutes. Once only within
    // PAGE_RELOAD_GUARD_MS; a failure right after is only logged (upgradePageFailureLog).
    const guard = new ReloadGuard();
    watchPageFailures(window.webContents, (failure) => {
      if (!open) return;
      const reloading = !guard.failedAgain();
      log.warn(upgradePageFailureLog(failure, reloading), { ...failure });
      if (!reloading) return;
      guard.reloaded();
      void window.loadURL(url).then(
        () => {
          if (last !== null) send(last);
        },
        // did-fail-load reports it too, to this watcher.
        () => undefined,
      );
    });
    return {
      show: (status) => {
        last = status;
        send(status);
      },
      close: () => {
        if (open) window.close();
      },
      closedByAdmin: () => {
        // Set before the admin can close it: that close ends the app with 1 (exitAfterFailure), not as a quit.
        startFailed = true;
        if (open) window.setClosable(true);
        return closed;
      },
    };
  }

  async function closeEverything(): Promise<void> {
    stopHandOver?.();
    stopHandOver = null;
    const closing = core?.close();
    core = null;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.quitWaitMs ?? DEFAULT_QUIT_WAIT_MS)));
    await Promise.race([closing?.catch(() => undefined), bound]);
    clearTimeout(timer);
    closeLog?.();
    closeLog = null;
  }

  /**
   * `upgradeWindow` closes once this one shows: closing it first would leave no window, and the app would quit. It
   * shows when ready, or anyway once its page failed, its renderer died (then the admin is asked what to do) or the
   * wait ran out (a warning in the log).
   */
  function createWindow(log: Logger, upgradeWindow: UpgradeWindow | null = null): void {
    const window = createMainWindow(BrowserWindow, path.join(options.bundleDir, '../preload/index.cjs'));
    mainWindow = window;
    const id = window.webContents.id;
    trustedWebContentsIds.add(id);
    let open = true;
    window.on('closed', () => {
      open = false;
      trustedWebContentsIds.delete(id);
      if (mainWindow === window) mainWindow = null;
    });
    stopHandOver?.();
    stopHandOver = handOverWhenReady(window, options.windowReadyWaitMs ?? DEFAULT_WINDOW_READY_WAIT_MS, (reason) => {
      stopHandOver = null;
      const warning = handOverWarning(reason);
      if (warning !== null) log.warn(warning, { ...reason });
      window.show();
      upgradeWindow?.close();
    });
    // After the hand-over's listeners: a page that fails before it is ready has its window shown first, then the box.
    const recovery = new PageRecovery(app.getPath('logs'));
    watchPageFailures(window.webContents, (failure) =>
      void recoverPage(failure).catch((error: unknown) => log.error('The box asking what to do about the failed page could not be shown.', { error: toErrorPayload(error) })),
    );
    // loadURL rejects when the load fails; did-fail-load reports that same failure, to the hand-over and the recovery.
    const loadPage = () => void window.loadURL(devServerUrl ?? APP_ENTRY_URL).catch(() => undefined);
    loadPage();

    /** Logs the failure and asks the admin (the window was shown by the hand-over, if it was not yet): Reload or Quit. */
    async function recoverPage(failure: PageFailure): Promise<void> {
      log.error(pageFailureLog(failure), { ...failure });
      if (quitting) return;
      const box = recovery.ask(failure);
      if (!box) return;
      let button: PageFailureButton;
      try {
        button = await askUntilDecided(box, { 'Open Logs Folder': app.getPath('logs') }, window);
      } finally {
        recovery.answered();
      }
      // Closed or quitting while the box was up: there is nothing left to reload, and the quit is under way.
      if (!open || quitting) return;
      if (button === 'Quit') {
        quitExitCode = 1;
        app.quit();
        return;
      }
      recovery.reloaded();
      // Electron's documented way back after the renderer is gone: reload() loads the page in a new process. After a
      // failed load the URL that failed may not be the page's (or none committed): the console's entry is loaded again.
      if (failure.kind === 'renderer-gone') window.webContents.reload();
      else loadPage();
    }
  }

  function hardenContents(contents: ElectronWebContents): void {
    const refuseNavigation = (event: { preventDefault(): void }, url: string) => {
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

  function buildMenu(current: Core, logDir: string): M {
    const about = () =>
      void showAboutDialog(electron, { info: current.info, logDir, os: { platform: options.platform, arch: process.arch, release: os.release() } });
    return Menu.buildFromTemplate([
      ...(options.platform === 'darwin' ? [{ role: 'appMenu' as const }] : [{ label: 'File', submenu: [{ role: 'quit' as const }] }]),
      { role: 'editMenu' },
      { label: 'View', submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
      {
        role: 'help',
        submenu: [
          { label: 'About Trusted Endpoints Console', click: about },
          { label: 'Open Logs Folder', click: () => void shell.openPath(logDir) },
        ],
      },
    ]);
  }
}

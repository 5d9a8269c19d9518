import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../src-main/core/app/composition-root';
import { openDatabase } from '../../src-main/core/db/database';
import { migrations } from '../../src-main/core/db/migrations';
import { DATABASE_FILE } from '../../src-main/core/app/data-dir';
import { electronSqliteBindingPath, resolvedSqlitePackage, sqliteBinding, useSqliteBinding } from '../../src-main/core/db/sqlite-binding';
import { deferDeviceIndexes } from '../support/deferred-device-indexes';
import { useTempDir } from '../support/temp-dir';
import { at, BUNDLE_DIR, quit, startApp, type StartOverrides } from './desktop-harness';
import { until } from '../support/until';
import { threadNiceness, threadsAt } from '../support/thread-niceness';
import { UI_SYNC_WORKER_NICENESS } from '../../src-main/core/sync/worker-sync-engine';
import { invokeEvent } from './electron-edge';

const tempDir = useTempDir('tec-desktop-start-');
const nodeRequire = createRequire(import.meta.url);

describe('the desktop start-up sequence', () => {
  it('runs every step, in this order, with these arguments', async () => {
    const app = await startApp(tempDir);
    expect(app.calls).toEqual([
      'protocol.registerSchemesAsPrivileged app',
      'app.enableSandbox',
      'app.requestSingleInstanceLock',
      'app.on second-instance',
      'app.on web-contents-created',
      'app.on window-all-closed',
      'app.on activate',
      'app.on will-quit',
      'app.whenReady',
      'require better-sqlite3',
      'require keytar',
      'session.setPermissionRequestHandler',
      'session.setPermissionCheckHandler',
      'protocol.handle app',
      `createCore ${app.dataDir}`,
      'syncScheduler.start',
      'sync.finishIndexBuild',
      'ipcMain.handle tec:invoke',
      'ipcMain.handle tec:choose-save-path',
      'ipcMain.handle tec:show-in-folder',
      'Menu.buildFromTemplate',
      'Menu.setApplicationMenu',
      `new BrowserWindow preload=${path.join(BUNDLE_DIR, '../preload/index.cjs')}`,
      'window.loadURL app://console/index.html',
    ]);
    await quit(app);
  });

  it('finishes, in the sync worker, the indexes a stopped sync left, and says how far it is in the log; the worker runs behind the UI', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const file = path.join(dataDir, DATABASE_FILE);
    openDatabase({ file, migrations }).db.close();
    const total = deferDeviceIndexes(file);
    expect(threadsAt(UI_SYNC_WORKER_NICENESS), 'no thread runs at the worker\'s niceness before it starts').toEqual([]);
    const own = threadNiceness().get(process.pid);
    const app = await startApp(tempDir, { dataDir });
    const logged = () => fs.readFileSync(path.join(app.logs, 'main.log'), 'utf8');
    await until('the log says every index is built', () => fs.existsSync(path.join(app.logs, 'main.log')) && logged().includes(`${total} of ${total} built.`));
    for (let built = 0; built <= total; built++) expect(logged()).toContain(`Building the device indexes a stopped sync left: ${built} of ${total} built.`);
    // The desktop lowers its sync worker (kept after the build) below the main thread, which serves the UI.
    expect(UI_SYNC_WORKER_NICENESS).toBeGreaterThan(0);
    expect(threadsAt(UI_SYNC_WORKER_NICENESS).length).toBeGreaterThan(0);
    expect(threadNiceness().get(process.pid)).toBe(own);
    await quit(app);
  });

  it('checks the native modules before the core opens the database', async () => {
    const app = await startApp(tempDir);
    expect(at(app.calls, 'require better-sqlite3')).toBeLessThan(at(app.calls, 'createCore'));
    expect(at(app.calls, 'require keytar')).toBeLessThan(at(app.calls, 'createCore'));
    expect(fs.existsSync(path.join(app.dataDir, DATABASE_FILE))).toBe(true);
    await quit(app);
  });

  it('unpackaged under Electron, chooses the Electron build of better-sqlite3 before the native check opens it', async () => {
    // The start step keeps an Electron-ABI build beside node_modules; here Node's own build stands in for it (an
    // Electron build cannot load in this Node), copied to the place the chooser names.
    const real = resolvedSqlitePackage();
    const nodeModules = path.join(tempDir(), 'node_modules');
    const sqlitePackage = () => ({ dir: path.join(nodeModules, 'better-sqlite3'), version: real.version });
    const binding = electronSqliteBindingPath({ nodeModules, sqliteVersion: real.version, electronVersion: '45.0.0', platform: process.platform, arch: process.arch });
    fs.mkdirSync(path.dirname(binding), { recursive: true });
    fs.copyFileSync(path.join(real.dir, 'build', 'Release', 'better_sqlite3.node'), binding);
    try {
      const app = await startApp(tempDir, { isPackaged: false, sqlitePackage });
      expect(sqliteBinding()).toBe(binding);
      expect(app.calls).toContain('window.loadURL app://console/index.html');
      // The process really loaded the copy (Linux names every mapped library in /proc/self/maps).
      if (process.platform === 'linux') expect(fs.readFileSync('/proc/self/maps', 'utf8')).toContain(binding);
      await quit(app);
    } finally {
      useSqliteBinding(null);
    }
  });

  it('hands the core its data folder, the Electron runtime and the sync worker beside the main bundle', async () => {
    const app = await startApp(tempDir, { env: { TEC_DATA_DIR: path.join(tempDir(), 'chosen') } });
    const info = app.cores[0].info;
    expect(info.dataDir).toBe(path.join(path.dirname(info.dataDir), 'chosen'));
    expect(at(app.calls, 'app.setPath userData')).toBeLessThan(at(app.calls, 'createCore'));
    expect(info).toMatchObject({ transport: 'electron', runtime: { electron: '45.0.0', chrome: '140.0.0' } });
    await quit(app);
  });

  it('sets the permission handlers before the window exists', async () => {
    const app = await startApp(tempDir);
    expect(at(app.calls, 'session.setPermissionRequestHandler')).toBeLessThan(at(app.calls, 'new BrowserWindow'));
    expect(at(app.calls, 'session.setPermissionCheckHandler')).toBeLessThan(at(app.calls, 'new BrowserWindow'));
    await quit(app);
  });

  it('registers the IPC transport before the renderer loads, and it answers the window', async () => {
    const app = await startApp(tempDir);
    expect(at(app.calls, 'ipcMain.handle tec:invoke')).toBeLessThan(at(app.calls, 'window.loadURL'));
    const envelope = await app.electron.ipcMain.invoke('tec:invoke', invokeEvent(app.window().webContents), 'app.info', {});
    expect(envelope).toMatchObject({ ok: true, value: { transport: 'electron', dataDir: app.dataDir } });
    await quit(app);
  });

  it('starts the background scheduler once the core exists', async () => {
    const app = await startApp(tempDir);
    expect(at(app.calls, 'syncScheduler.start')).toBeGreaterThan(at(app.calls, 'createCore'));
    await quit(app);
  });

  it('probes the keychain at start-up and tells the window through the contract', async () => {
    const app = await startApp(tempDir);
    const envelope = await app.electron.ipcMain.invoke('tec:invoke', invokeEvent(app.window().webContents), 'keychain.probe', {});
    expect(envelope).toEqual({ ok: true, value: { available: true } });
    await quit(app);
  });

  it('relays core events to its own window only', async () => {
    const app = await startApp(tempDir);
    app.cores[0].events.emit('app.notice', { level: 'info', message: 'hello' });
    expect(app.window().webContents.sent).toEqual([['tec:event', 'app.notice', { level: 'info', message: 'hello' }]]);
    await quit(app);
  });

  it('loads the dev server only when not packaged', async () => {
    // Under Node's versions (no electron), so the unpackaged app keeps node_modules' better-sqlite3.
    const versions = { modules: process.versions.modules, node: process.versions.node };
    const app = await startApp(tempDir, { isPackaged: false, versions, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173/' } });
    expect(app.calls).toContain('window.loadURL http://localhost:5173/');
    await quit(app);
  });

  it('on quit, waits for the core (and its sync worker) to close before exiting', async () => {
    const app = await startApp(tempDir);
    expect(await quit(app)).toBe(true);
    expect(at(app.calls, 'core.closed')).toBeLessThan(at(app.calls, 'app.exit 0'));
    expect(app.cores[0].services.db.open).toBe(false);
  });

  it('on quit, exits after a bounded wait when the core never finishes closing', async () => {
    const app = await startApp(tempDir, {
      quitWaitMs: 20,
      createCore: (options) => {
        const core = createCore(options);
        const close = core.close;
        core.close = () => {
          void close();
          return new Promise<void>(() => undefined); // a sync worker that never answers
        };
        return core;
      },
    });
    await quit(app);
    expect(app.calls).toContain('app.exit 0');
  });

  it('on macOS, keeps running with no window and opens one again from the Dock', async () => {
    const app = await startApp(tempDir, { platform: 'darwin' });
    app.window().close();
    app.electron.app.emit('window-all-closed');
    expect(app.calls).not.toContain('app.quit');
    app.electron.app.emit('activate');
    expect(app.electron.BrowserWindow.getAllWindows()).toHaveLength(1);
    await quit(app);
  });

  it('elsewhere, quits when the last window closes', async () => {
    const app = await startApp(tempDir, { platform: 'linux' });
    app.window().close();
    app.electron.app.emit('window-all-closed');
    expect(app.calls).toContain('app.quit');
    await quit(app);
  });

  it('a second instance quits at once and never opens the database', async () => {
    const app = await startApp(tempDir, { lockGranted: false });
    expect(app.calls.slice(-1)).toEqual(['app.quit']);
    expect(app.calls).not.toContain('app.whenReady');
    expect(fs.existsSync(path.join(app.dataDir, DATABASE_FILE))).toBe(false);
  });
});

type StartedApp = Awaited<ReturnType<typeof startApp>>;
/** The main log so far (a start that logged nothing has not created it yet). */
const logOf = (app: StartedApp) => {
  const file = path.join(app.logs, 'main.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
};
/** The console's window (the first one made: these starts have no upgrade window). */
const consoleWindow = (app: StartedApp) => app.electron.BrowserWindow.windows[0];

describe("the console's window always shows, ready or not", () => {
  const SHOWN_ANYWAY = "The console's window is shown although";

  it('shows once it is ready to show, and not before', async () => {
    const app = await startApp(tempDir);
    const window = consoleWindow(app);
    expect(window.shows).toBe(0);
    window.emit('ready-to-show');
    expect(window.shows).toBe(1);
    expect(logOf(app)).not.toContain(SHOWN_ANYWAY);
    await quit(app);
  });

  it('shows when its page fails to load, before the box that asks what to do, and is not shown again when it becomes ready after', async () => {
    const app = await startApp(tempDir, { dialogAnswers: [0] });
    const window = consoleWindow(app);
    // A frame inside the page failing is the page's business: the window waits on.
    window.webContents.failLoad(-105, 'ERR_NAME_NOT_RESOLVED', 'https://example.invalid/', false);
    expect(window.shows).toBe(0);
    window.webContents.failLoad(-6, 'ERR_FILE_NOT_FOUND', 'app://console/index.html', true);
    expect(window.shows).toBe(1);
    expect(at(app.calls, 'window.show')).toBeLessThan(at(app.calls, 'dialog.showMessageBox'));
    expect(logOf(app)).toContain("The console's page failed to load (ERR_FILE_NOT_FOUND, code -6, app://console/index.html)");
    expect(logOf(app)).not.toContain(SHOWN_ANYWAY);
    await until('the page is loaded again', () => app.calls.filter((c) => c === 'window.loadURL app://console/index.html').length === 2, { everyMs: 1 });
    window.emit('ready-to-show');
    expect(window.shows).toBe(1);
    await quit(app);
  });

  it('shows when its renderer process is gone before it was ready, before the box that asks what to do', async () => {
    const app = await startApp(tempDir, { dialogAnswers: [0] });
    const window = consoleWindow(app);
    window.webContents.renderProcessGone('crashed', 139);
    expect(window.shows).toBe(1);
    expect(at(app.calls, 'window.show')).toBeLessThan(at(app.calls, 'dialog.showMessageBox'));
    expect(logOf(app)).toContain("The console's page process ended (crashed, exit code 139)");
    await until('the page is reloaded', () => app.calls.includes('webContents.reload'), { everyMs: 1 });
    await quit(app);
  });

  it('shows once the wait for it has run out, says so in the log, and is not shown again when it becomes ready after', async () => {
    const app = await startApp(tempDir, { windowReadyWaitMs: 1 });
    const window = consoleWindow(app);
    await until('the window shows without ever being ready', () => window.shows > 0, { everyMs: 1 });
    expect(logOf(app)).toContain(`${SHOWN_ANYWAY} its page was not ready after 0.001 s`);
    window.emit('ready-to-show');
    expect(window.shows).toBe(1);
    await quit(app);
  });

  it('quitting stops the wait: the window is not shown while the app closes', async () => {
    const app = await startApp(tempDir);
    await quit(app);
    consoleWindow(app).emit('ready-to-show');
    expect(consoleWindow(app).shows).toBe(0);
  });
});

describe("when the console's page fails, at start or later, the admin is asked what to do", () => {
  const PAGE = 'app://console/index.html';
  const loads = (app: StartedApp) => app.calls.filter((c) => c === `window.loadURL ${PAGE}`).length;
  /** Answered boxes so far (the stand-in records a box as it is shown; its answer follows on the next turn). */
  const boxes = (app: StartedApp) => app.electron.dialogs as { message: string; detail: string; buttons: string[]; defaultId: number }[];
  /** A start whose console window became ready, the admin answering its boxes with `dialogAnswers`. */
  const readyConsole = async (dialogAnswers: number[]) => {
    const app = await startApp(tempDir, { dialogAnswers });
    const window = consoleWindow(app);
    window.emit('ready-to-show');
    return { app, window };
  };

  it('a renderer that crashes while in use: the box is modal to the window, says nothing is lost, and Reload reloads the page', async () => {
    const { app, window } = await readyConsole([0]);
    window.webContents.renderProcessGone('oom', -536870904);
    await until('the page is reloaded', () => app.calls.includes('webContents.reload'), { everyMs: 1 });
    expect(boxes(app)).toHaveLength(1);
    expect(app.electron.dialogParents).toEqual([window]);
    expect(boxes(app)[0]).toMatchObject({ type: 'error', buttons: ['Reload', 'Open Logs Folder', 'Quit'], defaultId: 0 });
    expect(boxes(app)[0].message).toContain('its page ended unexpectedly (oom, exit code -536870904)');
    expect(boxes(app)[0].detail).toContain('Nothing is lost');
    expect(logOf(app)).toContain("The console's page process ended (oom, exit code -536870904)");
    expect(window.shows).toBe(1);
    // The app goes on: the core was not closed, and quitting later exits as usual.
    expect(app.calls).not.toContain('core.close');
    await quit(app);
    expect(app.calls.slice(-1)).toEqual(['app.exit 0']);
  });

  it('a page that crashes again right after its reload: no Reload is offered the second time', async () => {
    // Reload, then (failed again) Quit.
    const { app, window } = await readyConsole([0, 1]);
    window.webContents.renderProcessGone('crashed', 139);
    await until('the page is reloaded', () => app.calls.includes('webContents.reload'), { everyMs: 1 });
    window.webContents.renderProcessGone('crashed', 139);
    await until('the admin quits from the second box', () => app.calls.includes('app.quit'), { everyMs: 1 });
    expect(boxes(app).map((box) => box.buttons)).toEqual([
      ['Reload', 'Open Logs Folder', 'Quit'],
      ['Open Logs Folder', 'Quit'],
    ]);
    expect(boxes(app)[1].message).toMatch(/It happened again right after a reload\.$/);
    expect(app.calls.filter((c) => c === 'webContents.reload')).toHaveLength(1);
    await quit(app);
  });

  it('Open Logs Folder opens the log folder and leaves the box up; Quit then quits, closing the core, with exit code 1', async () => {
    const { app, window } = await readyConsole([1, 2]);
    window.webContents.renderProcessGone('killed', 9);
    await until('the admin quits', () => app.calls.includes('app.quit'), { everyMs: 1 });
    expect(app.electron.opened).toEqual([app.logs]);
    expect(boxes(app)).toHaveLength(2);
    expect(app.calls).not.toContain('webContents.reload');
    // app.quit() makes Electron close the windows and emit will-quit: the core closes, then the app exits with 1.
    expect(await quit(app)).toBe(true);
    expect(app.calls.slice(-3)).toEqual(['core.close', 'core.closed', 'app.exit 1']);
  });

  it("a page that cannot load at start: Reload loads the console's page again", async () => {
    const app = await startApp(tempDir, { dialogAnswers: [0] });
    const window = consoleWindow(app);
    window.webContents.failLoad(-6, 'ERR_FILE_NOT_FOUND', PAGE, true);
    await until('the page is loaded again', () => loads(app) === 2, { everyMs: 1 });
    expect(window.shows).toBe(1);
    expect(boxes(app)[0].message).toBe("The console's window could not load its page (ERR_FILE_NOT_FOUND, code -6).");
    expect(app.calls).not.toContain('webContents.reload');
    await quit(app);
  });

  it("a first load that fails as Electron's does (loadURL rejects too): the box, Reload loads the page again, nothing left unhandled", async () => {
    const app = await startApp(tempDir, { dialogAnswers: [0], whileStarting: (electron) => (electron.BrowserWindow.failNextLoad = { errorCode: -6, errorDescription: 'ERR_FILE_NOT_FOUND' }) });
    const window = consoleWindow(app);
    await until('the page is loaded again', () => loads(app) === 2, { everyMs: 1 });
    expect(window.shows).toBe(1);
    expect(boxes(app)).toHaveLength(1);
    expect(logOf(app)).toContain(`The console's page failed to load (ERR_FILE_NOT_FOUND, code -6, ${PAGE})`);
    await quit(app);
  });

  it("a page that cannot load later (the window was ready): Reload loads the console's page again", async () => {
    const { app, window } = await readyConsole([0]);
    window.webContents.failLoad(-2, 'ERR_FAILED', PAGE, true);
    await until('the page is loaded again', () => loads(app) === 2, { everyMs: 1 });
    expect(boxes(app)).toHaveLength(1);
    expect(logOf(app)).toContain(`The console's page failed to load (ERR_FAILED, code -2, ${PAGE})`);
    await quit(app);
  });

  it('asks nothing for a frame inside the page failing, a load a navigation replaced, or a renderer that exits cleanly', async () => {
    const app = await startApp(tempDir);
    const window = consoleWindow(app);
    window.emit('ready-to-show');
    window.webContents.failLoad(-105, 'ERR_NAME_NOT_RESOLVED', 'https://example.invalid/', false);
    window.webContents.failLoad(-3, 'ERR_ABORTED', PAGE, true);
    window.webContents.renderProcessGone('clean-exit', 0);
    await quit(app);
    expect(boxes(app)).toEqual([]);
    expect(app.calls).not.toContain('webContents.reload');
    expect(loads(app)).toBe(1);
  });
});

describe('start-up failures are shown in a dialog', () => {
  /** Starts, answers the failure dialog with "Open data folder", "Open log folder", then "Quit". */
  async function failedStart(options: StartOverrides) {
    const app = await startApp(tempDir, { ...options, dialogAnswers: [0, 1, 2] });
    expect(app.calls).not.toContain('syncScheduler.start');
    expect(app.calls.some((c) => c.startsWith('new BrowserWindow'))).toBe(false);
    expect(app.calls.slice(-1)).toEqual(['app.exit 1']);
    expect(app.electron.opened).toEqual([app.dataDir, app.logs]);
    expect(app.electron.dialogs).toHaveLength(3);
    const dialog = app.electron.dialogs[0];
    expect(dialog).toMatchObject({ type: 'error', title: 'Trusted Endpoints Console cannot start', buttons: ['Open data folder', 'Open log folder', 'Quit'] });
    expect(dialog.detail).toContain(`Data folder: ${app.dataDir}`);
    expect(dialog.detail).toContain(`Log folder: ${app.logs}`);
    expect(fs.readFileSync(path.join(app.logs, 'main.log'), 'utf8')).toContain('start-up failed');
    return dialog as { message: string; detail: string };
  }

  it('a database from a newer version', async () => {
    const dataDir = path.join(tempDir(), 'data');
    fs.mkdirSync(dataDir);
    const future = new Database(path.join(dataDir, DATABASE_FILE));
    future.pragma('user_version = 9999');
    future.close();
    const dialog = await failedStart({ dataDir });
    expect(dialog.message).toBe('The database was written by a newer version of the console.');
    expect(dialog.detail).toContain('Error code: DB_NEWER_SCHEMA');
    expect(dialog.detail).toMatch(/Update the console, or point it at another data directory/);
  });

  it('a database locked by another program', async () => {
    const dataDir = path.join(tempDir(), 'data');
    fs.mkdirSync(dataDir);
    const holder = new Database(path.join(dataDir, DATABASE_FILE));
    holder.exec('CREATE TABLE t (x INTEGER)');
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const dialog = await failedStart({ dataDir });
      expect(dialog.message).toBe('The database is in use by another program.');
      expect(dialog.detail).toContain('Error code: DB_LOCKED');
      expect(dialog.detail).toMatch(/Close it and try again/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('a damaged database', async () => {
    const dataDir = path.join(tempDir(), 'data');
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, DATABASE_FILE), 'this is not a database, it is a note someone saved over it');
    const dialog = await failedStart({ dataDir });
    expect(dialog.message).toBe('The database is damaged.');
    expect(dialog.detail).toContain('Error code: DB_CORRUPT');
    expect(dialog.detail).toMatch(/Restore a backup, or move the file away/);
  });

  it('a data folder it cannot write', async () => {
    const blocker = path.join(tempDir(), 'a-file');
    fs.writeFileSync(blocker, 'where the data folder should be');
    const dialog = await failedStart({ dataDir: path.join(blocker, 'data') });
    expect(dialog.message).toBe('The console cannot use its data folder.');
    expect(dialog.detail).toContain('Error code: LOCAL_DATA');
    expect(dialog.detail).toMatch(/cannot be used: part of the path is a file, not a folder/);
    expect(dialog.detail).toMatch(/start the console with TEC_DATA_DIR set to a folder you can write/);
  });

  it('a native module that cannot load, before the database is touched', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const dialog = await failedStart({
      dataDir,
      loadModule: (id: string) => nodeRequire(id === 'better-sqlite3' ? path.join(tempDir(), 'missing', 'better-sqlite3') : id),
    });
    expect(dialog.message).toBe('A part of the console could not be loaded.');
    expect(dialog.detail).toContain('Error code: NATIVE_MODULE_LOAD_FAILED');
    expect(fs.existsSync(path.join(dataDir, DATABASE_FILE))).toBe(false);
  });
});

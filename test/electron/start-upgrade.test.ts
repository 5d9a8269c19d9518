import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { UpgradeStatus } from '../../src-shared/contract/app';
import { DATABASE_FILE } from '../../src-main/core/app/data-dir';
import { migrations } from '../../src-main/core/db/migrations';
import { openFileLogger } from '../../src-main/core/log/logger';
import { upgradeBeforeStart, type StartUpgradeSteps, type UpgradeWindow } from '../../src-main/electron/start-upgrade';
import { AppError } from '../../src-shared/errors';
import { useDatabaseAtVersion } from '../support/database-at-version';
import { useTempDir } from '../support/temp-dir';
import { until } from '../support/until';
import { seedSearchableDevices } from '../core/db/migrations/searchable-devices';
import { deferDeviceIndexes } from '../support/deferred-device-indexes';
import { at, quit, startApp } from './desktop-harness';
import type { StandInBrowserWindow, StandInElectron } from './electron-edge';

const tempDir = useTempDir('tec-start-upgrade-');
const databases = useDatabaseAtVersion();
const LATEST = Math.max(...migrations.map((m) => m.version));
const UPGRADE_URL = 'app://console/index.html#upgrade';

/** A data folder holding a console database at schema 38 with 30 devices, as the console of that version left it. */
function dataDirAt38(): string {
  const at38 = databases.upgrade(seedSearchableDevices(databases.at(24), 30), 38);
  const dataDir = path.join(tempDir(), 'data');
  fs.mkdirSync(dataDir);
  const file = at38.name;
  at38.close();
  fs.copyFileSync(file, path.join(dataDir, DATABASE_FILE));
  return dataDir;
}

function schemaOf(dataDir: string): number {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/** What the upgrade window was told, in order. */
function statusesIn(window: StandInBrowserWindow): UpgradeStatus[] {
  return window.webContents.sent.filter(([channel, name]) => channel === 'tec:event' && name === 'app.upgrade').map(([, , status]) => status as UpgradeStatus);
}

function windowsOf(electron: StandInElectron): StandInBrowserWindow[] {
  return electron.BrowserWindow.windows;
}

describe('the desktop start-up upgrades an older database in a window of its own', () => {
  it('opens the upgrade window before the work starts, shows the copy and each migration, and gives way to the console once its window shows', async () => {
    const dataDir = dataDirAt38();
    const app = await startApp(tempDir, { dataDir });
    const [upgradeWindow, mainWindow] = windowsOf(app.electron);
    expect(upgradeWindow.options).toMatchObject({ closable: false, resizable: false, show: false });
    // The main window's security settings exactly (test/electron/security-policy.test.ts checks those, item by item).
    expect(upgradeWindow.options.webPreferences).toEqual(mainWindow.options.webPreferences);
    // The window exists and has loaded before anything is copied or migrated; the console opens the database after.
    expect(at(app.calls, 'window.loadURL app://console/index.html#upgrade')).toBeLessThan(at(app.calls, 'createCore'));
    expect(at(app.calls, 'session.setPermissionRequestHandler')).toBeLessThan(at(app.calls, 'new BrowserWindow'));
    expect(at(app.calls, 'protocol.handle app')).toBeLessThan(at(app.calls, 'new BrowserWindow'));
    expect(app.calls.filter((c) => c.startsWith('window.loadURL'))).toEqual([`window.loadURL ${UPGRADE_URL}`, 'window.loadURL app://console/index.html']);

    const statuses = statusesIn(upgradeWindow);
    expect(statuses[0]).toEqual({ stage: 'starting', fromVersion: 38, toVersion: LATEST });
    expect(statuses[1]).toMatchObject({ stage: 'backup', fromVersion: 38, toVersion: LATEST });
    const backupFile = (statuses[1] as Extract<UpgradeStatus, { stage: 'backup' }>).file;
    expect(path.dirname(backupFile)).toBe(dataDir);
    expect(fs.existsSync(backupFile)).toBe(true);
    // Migration 39 rewrites every device row in one statement: it says so (no count), then that it is done.
    expect(statuses.filter((s) => s.stage === 'migration' && s.version === 39)).toEqual([
      expect.objectContaining({ done: 0, total: 30, step: expect.any(String) }),
      { stage: 'migration', version: 39, name: expect.any(String), done: 30, total: 30 },
    ]);
    expect(statuses.at(-1)).toEqual({ stage: 'opening' });
    // Each migration as it starts, counted or not: the window names what runs.
    const pending = migrations.filter((m) => m.version > 38).sort((a, b) => a.version - b.version);
    expect(statuses.filter((s) => s.stage === 'migrating')).toEqual(pending.map((m, i) => ({ stage: 'migrating', version: m.version, name: m.name, position: i + 1, count: pending.length })));
    expect(statuses.findIndex((s) => s.stage === 'migrating' && s.version === 39)).toBeLessThan(statuses.findIndex((s) => s.stage === 'migration' && s.version === 39));
    expect(app.cores[0].info.schemaVersion).toBe(LATEST);
    // The thread checked the file: the console's open does not read it whole again (on the thread of the windows).
    expect(app.coreOptions[0]).toMatchObject({ databaseCheckedIntact: true });
    expect(mainWindow.webContents.sent.filter(([, name]) => name === 'app.upgrade')).toEqual([]);

    // Closing the upgrade window before the console's shows would leave no window (and quit the app on Windows/Linux).
    expect(upgradeWindow.closed).toBe(false);
    mainWindow.emit('ready-to-show');
    expect(upgradeWindow.closed).toBe(true);
    expect(mainWindow.closed).toBe(false);
    expect(mainWindow.shows).toBe(1);
    const logged = fs.readFileSync(path.join(app.logs, 'main.log'), 'utf8');
    expect(logged).toContain('Upgrading the database from schema 38 to');
    // Each migration's progress goes to the log as well as to the window (migrationProgressLine).
    expect(logged).toContain('Upgrading the database to schema 39 (');
    expect(logged).not.toContain("The console's window is shown although");
    await quit(app);
  });

  it('builds the indexes a stopped sync left before migrating, and says so, counted, in the window and the log', async () => {
    const dataDir = dataDirAt38();
    const total = deferDeviceIndexes(path.join(dataDir, DATABASE_FILE));
    const app = await startApp(tempDir, { dataDir });
    const [upgradeWindow] = windowsOf(app.electron);
    const statuses = statusesIn(upgradeWindow);
    const builds = Array.from({ length: total + 1 }, (_, built) => ({ stage: 'indexes', built, total }));
    // After the copy (which holds the database as the stopped sync left it), before the first migration starts.
    expect(statuses.map((s) => s.stage).slice(0, 2)).toEqual(['starting', 'backup']);
    expect(statuses.slice(2, total + 3)).toEqual(builds);
    expect(statuses[total + 3]).toMatchObject({ stage: 'migrating', version: 39, position: 1 });
    const logged = fs.readFileSync(path.join(app.logs, 'main.log'), 'utf8');
    for (let built = 0; built <= total; built++) expect(logged).toContain(`Building the device indexes a stopped sync left: ${built} of ${total} built.`);
    expect(logged.indexOf(`${total} of ${total} built.`)).toBeLessThan(logged.indexOf('Upgrading the database to schema 39 ('));
    await quit(app);
  });

  // Without these, the upgrade window would say "Opening the console…" forever, over a window never shown.
  it.each([
    {
      what: "the console's page fails to load",
      overrides: {},
      trigger: (main: StandInBrowserWindow) => main.webContents.failLoad(-6, 'ERR_FILE_NOT_FOUND', 'app://console/index.html', true),
      // The page recovery logs the failure, and asks the admin (here: Reload) once the window has shown.
      logged: "The console's page failed to load (ERR_FILE_NOT_FOUND, code -6",
    },
    {
      what: "the console's renderer process is gone",
      overrides: {},
      trigger: (main: StandInBrowserWindow) => main.webContents.renderProcessGone('launch-failed', 1),
      logged: "The console's page process ended (launch-failed, exit code 1)",
    },
    { what: "the console's window is not ready in time", overrides: { windowReadyWaitMs: 1 }, trigger: () => undefined, logged: "The console's window is shown although its page was not ready after 0.001 s" },
  ])('gives way to the console all the same when $what, and says why in the log', async ({ overrides, trigger, logged }) => {
    const app = await startApp(tempDir, { dataDir: dataDirAt38(), ...overrides, dialogAnswers: [0] });
    const [upgradeWindow, mainWindow] = windowsOf(app.electron);
    trigger(mainWindow);
    await until('the upgrade window gives way', () => upgradeWindow.closed, { everyMs: 1 });
    expect(mainWindow.shows).toBe(1);
    expect(mainWindow.closed).toBe(false);
    expect(fs.readFileSync(path.join(app.logs, 'main.log'), 'utf8')).toContain(logged);
    // Ready after all: shown once only.
    mainWindow.emit('ready-to-show');
    expect(mainWindow.shows).toBe(1);
    await quit(app);
  });

  it("keeps the upgrade in view when its window's page crashes: loads it again and tells it the last status; a crash right after is only logged", async () => {
    const dataDir = dataDirAt38();
    let crashesDone = false;
    const app = await startApp(tempDir, {
      dataDir,
      whileStarting: (electron) => {
        void (async () => {
          await until('the upgrade window has been told the upgrade starts', () => windowsOf(electron).length > 0 && statusesIn(windowsOf(electron)[0]).length > 0, { everyMs: 1 });
          const window = windowsOf(electron)[0];
          const before = window.webContents.sent.length;
          window.webContents.renderProcessGone('crashed', 139);
          expect(electron.calls.filter((c) => c === `window.loadURL ${UPGRADE_URL}`)).toHaveLength(2);
          await until('the page loaded again is told something', () => window.webContents.sent.length > before, { everyMs: 1 });
          // The status it had when its process ended, sent again once the new page listens, before anything newer.
          expect(window.webContents.sent[before]).toEqual(window.webContents.sent[before - 1]);
          window.webContents.renderProcessGone('crashed', 139);
          expect(electron.calls.filter((c) => c === `window.loadURL ${UPGRADE_URL}`)).toHaveLength(2);
          crashesDone = true;
        })();
      },
    });
    await until('both crashes are handled', () => crashesDone, { everyMs: 1 });
    const [upgradeWindow, mainWindow] = windowsOf(app.electron);
    // The upgrade went on to its end, and the window was told each step of it.
    expect(statusesIn(upgradeWindow).at(-1)).toEqual({ stage: 'opening' });
    expect(app.cores[0].info.schemaVersion).toBe(LATEST);
    const logged = fs.readFileSync(path.join(app.logs, 'main.log'), 'utf8');
    expect(logged).toContain("The upgrade window's page process ended (crashed, exit code 139). Loading it again; the upgrade goes on meanwhile.");
    expect(logged).toContain("The upgrade window's page process ended (crashed, exit code 139). It failed again right after it was loaded again, so it is left as it is");
    mainWindow.emit('ready-to-show');
    expect(upgradeWindow.closed).toBe(true);
    await quit(app);
  });

  it('opens no upgrade window for a database that is up to date', async () => {
    const dataDir = dataDirAt38();
    await quit(await startApp(tempDir, { dataDir }));
    const again = await startApp(tempDir, { dataDir });
    expect(again.calls.filter((c) => c.startsWith('new BrowserWindow'))).toHaveLength(1);
    expect(again.calls.filter((c) => c.startsWith('window.loadURL'))).toEqual(['window.loadURL app://console/index.html']);
    expect(again.coreOptions[0]).toMatchObject({ databaseCheckedIntact: false });
    await quit(again);
  });

  it('quit while the upgrade runs (Linux lets the window close), exits only once the upgrade has finished, and opens nothing', async () => {
    const dataDir = dataDirAt38();
    let schemaAtExit: number | null = null;
    const app = await startApp(tempDir, {
      dataDir,
      whileStarting: (electron) => {
        void (async () => {
          await until('the upgrade window has loaded', () => electron.calls.includes(`window.loadURL ${UPGRADE_URL}`), { everyMs: 1 });
          windowsOf(electron)[0].close();
          electron.app.emit('window-all-closed');
          electron.app.emit('will-quit', { preventDefault: () => undefined });
          await until('the app exits', () => electron.calls.some((c) => c.startsWith('app.exit')), { everyMs: 1 });
          schemaAtExit = schemaOf(dataDir);
        })();
      },
    });
    await until('the app exits', () => schemaAtExit !== null, { everyMs: 5 });
    expect(schemaAtExit).toBe(LATEST);
    expect(app.calls.filter((c) => c.startsWith('app.exit') || c === 'app.quit')).toEqual(['app.quit', 'app.exit 0']);
    expect(app.calls.some((c) => c.startsWith('createCore'))).toBe(false);
    expect(app.calls.filter((c) => c.startsWith('new BrowserWindow'))).toHaveLength(1);
  });

  it('on failure, says why in the window with where the log and the copy are, leaves the database at its schema, opens nothing, and quits with 1 once the window is closed', async () => {
    const dataDir = dataDirAt38();
    // Migration 40 creates this trigger: one of that name already there makes the upgrade fail half-way.
    const db = new Database(path.join(dataDir, DATABASE_FILE));
    db.exec('CREATE TRIGGER integrations_delete_devices AFTER DELETE ON integrations BEGIN SELECT 1; END');
    db.close();
    let failedStatus: UpgradeStatus | undefined;
    const app = await startApp(tempDir, {
      dataDir,
      whileStarting: (electron) => {
        void (async () => {
          await until('the upgrade window says the upgrade failed', () => windowsOf(electron).length > 0 && statusesIn(windowsOf(electron)[0]).some((s) => s.stage === 'failed'), { everyMs: 5 });
          const window = windowsOf(electron)[0];
          failedStatus = statusesIn(window).at(-1);
          // Still open, and now closable: the app waits for the admin to read it.
          expect(electron.calls).not.toContain('app.exit 1');
          expect(electron.calls.at(-1)).toBe('window.setClosable true');
          // As Electron does: the last window closed, then 'window-all-closed'.
          window.close();
          electron.app.emit('window-all-closed');
        })();
      },
    });
    expect(failedStatus).toMatchObject({ stage: 'failed', code: 'DB_MIGRATION_FAILED', logFile: path.join(app.logs, 'main.log') });
    const failed = failedStatus as Extract<UpgradeStatus, { stage: 'failed' }>;
    expect(failed.message).toMatch(/rolled back; the data is as it was before/);
    expect(failed.backupFile).not.toBeNull();
    expect(fs.existsSync(failed.backupFile!)).toBe(true);
    // Rolled back whole: schema 38 still, and the console never opened it.
    expect(schemaOf(dataDir)).toBe(38);
    expect(app.calls.some((c) => c.startsWith('createCore'))).toBe(false);
    expect(app.calls.filter((c) => c.startsWith('new BrowserWindow'))).toHaveLength(1);
    expect(app.calls).not.toContain('app.quit');
    expect(app.calls.at(-1)).toBe('app.exit 1');
    expect(fs.readFileSync(path.join(app.logs, 'main.log'), 'utf8')).toContain('The database upgrade failed');
  });
});

describe('upgradeBeforeStart', () => {
  function steps(overrides: Partial<StartUpgradeSteps>, record: string[]): StartUpgradeSteps {
    const window: UpgradeWindow = {
      show: (status) => void record.push(`show ${status.stage}`),
      close: () => void record.push('close'),
      closedByAdmin: async () => void record.push('closedByAdmin'),
    };
    const logs = openFileLogger({ directory: tempDir(), fileName: 'main.log' }, { scope: 'main' });
    return {
      pending: { fromVersion: 38, toVersion: LATEST },
      openWindow: async () => {
        record.push('openWindow');
        return window;
      },
      upgrade: async (progress) => {
        record.push('upgrade');
        progress.onBackup({ file: '/data/console.sqlite.bak', bytes: 1, fromVersion: 38, toVersion: LATEST });
        return { backupFile: '/data/console.sqlite.bak' };
      },
      log: logs.logger,
      logFile: '/logs/main.log',
      ...overrides,
    };
  }

  it('does nothing, and opens no window, when nothing is to be upgraded', async () => {
    const record: string[] = [];
    expect(await upgradeBeforeStart(steps({ pending: null }, record))).toEqual({ outcome: 'none' });
    expect(record).toEqual([]);
  });

  it('upgrades without a window when the window cannot open', async () => {
    const record: string[] = [];
    const result = await upgradeBeforeStart(steps({ openWindow: () => Promise.reject(new Error('no display')) }, record));
    expect(result).toEqual({ outcome: 'upgraded', window: null });
    expect(record).toEqual(['upgrade']);
  });

  it('leaves a failure for the caller to say when no window could show it', async () => {
    const record: string[] = [];
    const error = new AppError('DB_MIGRATION_FAILED', 'failed');
    const result = await upgradeBeforeStart(steps({ openWindow: () => Promise.reject(new Error('no display')), upgrade: () => Promise.reject(error) }, record));
    expect(result).toEqual({ outcome: 'failed', error, shown: false });
  });

  it('shows a failure, then waits for the admin to close the window', async () => {
    const record: string[] = [];
    const result = await upgradeBeforeStart(steps({ upgrade: () => Promise.reject(new AppError('DB_MIGRATION_FAILED', 'failed', { backupFile: '/b' })) }, record));
    expect(result).toMatchObject({ outcome: 'failed', shown: true });
    expect(record).toEqual(['openWindow', 'show starting', 'show failed', 'closedByAdmin']);
  });
});

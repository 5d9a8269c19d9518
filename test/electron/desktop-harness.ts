import { createRequire } from 'node:module';
import path from 'node:path';
import { expect } from 'vitest';
import { createCore, type Core, type CoreOptions } from '../../src-main/core/app/composition-root';
import { resolvedSqlitePackage } from '../../src-main/core/db/sqlite-binding';
import { startDesktopApp, type DesktopStartOptions } from '../../src-main/electron/desktop-start';
import { SYNC_WORKER_SOURCE } from '../support/sync-worker-source';
import { UPGRADE_WORKER_SOURCE } from '../support/upgrade-worker-source';
import { until } from '../support/until';
import { StandInElectron } from './electron-edge';

const nodeRequire = createRequire(import.meta.url);
/** Where a test's main bundle "lives": the preload and renderer paths are derived from it. */
export const BUNDLE_DIR = '/app/out/main';

/**
 * One desktop start, driven as Electron would: the real sequence, the real core (SQLite in a temp folder, the private
 * keyring from with-keyring.sh), Electron's objects as stand-ins. `calls` records Electron calls and the core's
 * creation and closing in the order they happened.
 */
export type StartOverrides = Partial<DesktopStartOptions> & {
  dataDir?: string;
  lockGranted?: boolean;
  isPackaged?: boolean;
  /** Buttons the admin presses in the dialogs the start shows, in order. */
  dialogAnswers?: number[];
  /** Called as the start begins, to act while it runs (close the upgrade window it waits on). */
  whileStarting?: (electron: StandInElectron) => void;
};

export async function startApp(tempDir: () => string, overrides: StartOverrides = {}) {
  const dataDir = overrides.dataDir ?? path.join(tempDir(), 'data');
  const logs = path.join(tempDir(), 'logs');
  const electron = new StandInElectron({ userData: dataDir, logs }, { lockGranted: overrides.lockGranted, isPackaged: overrides.isPackaged });
  electron.dialogAnswers.push(...(overrides.dialogAnswers ?? []));
  const cores: Core[] = [];
  const givenCoreOptions: CoreOptions[] = [];
  const options: DesktopStartOptions = {
    env: {},
    platform: 'linux',
    arch: process.arch,
    sqlitePackage: resolvedSqlitePackage,
    versions: { modules: process.versions.modules, node: process.versions.node, electron: '45.0.0', chrome: '140.0.0' },
    loadModule: (id) => {
      electron.calls.push(`require ${id}`);
      return nodeRequire(id);
    },
    createCore: (coreOptions: CoreOptions) => {
      electron.calls.push(`createCore ${coreOptions.dataDir}`);
      givenCoreOptions.push(coreOptions);
      const core = createCore(coreOptions);
      cores.push(core);
      const start = core.services.syncScheduler.start.bind(core.services.syncScheduler);
      core.services.syncScheduler.start = () => {
        electron.calls.push('syncScheduler.start');
        start();
      };
      const finishIndexBuild = core.services.sync.finishIndexBuild.bind(core.services.sync);
      core.services.sync.finishIndexBuild = (onProgress) => {
        electron.calls.push('sync.finishIndexBuild');
        return finishIndexBuild(onProgress);
      };
      const close = core.close;
      core.close = () => {
        electron.calls.push('core.close');
        return close().then(() => void electron.calls.push('core.closed'));
      };
      return core;
    },
    bundleDir: BUNDLE_DIR,
    syncWorker: SYNC_WORKER_SOURCE,
    upgradeWorker: UPGRADE_WORKER_SOURCE,
    ...overrides,
  };
  const started = startDesktopApp(electron.modules, options);
  overrides.whileStarting?.(electron);
  await started.ready;
  return { electron, dataDir, logs, cores, coreOptions: givenCoreOptions, calls: electron.calls, window: () => electron.BrowserWindow.getAllWindows()[0] };
}

/** Index of the first call starting with `prefix`; fails (instead of answering -1) when the call never happened. */
export function at(calls: string[], prefix: string): number {
  const index = calls.findIndex((call) => call.startsWith(prefix));
  expect(index, `expected a call starting with "${prefix}" in:\n${calls.join('\n')}`).toBeGreaterThanOrEqual(0);
  return index;
}

export async function quit(app: Awaited<ReturnType<typeof startApp>>) {
  let prevented = false;
  app.electron.app.emit('will-quit', { preventDefault: () => (prevented = true) });
  await until('the app calls app.exit after will-quit', () => app.calls.some((c) => c.startsWith('app.exit')), { everyMs: 1 });
  return prevented;
}


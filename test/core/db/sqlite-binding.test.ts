import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without type declarations
import { electronSqliteBindingPath as startStepPath } from '../../../resources/start/prepare-electron.mjs';
import { openAnotherConnection, openDatabase } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import {
  chooseSqliteBinding,
  electronSqliteBindingPath,
  resolvedSqlitePackage,
  useSqliteBinding,
  type SqliteRuntime,
} from '../../../src-main/core/db/sqlite-binding';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { WalCheckpointer } from '../../../src-main/core/sync/wal-checkpointer';
import { WorkerSyncEngine } from '../../../src-main/core/sync/worker-sync-engine';
import { assertNativeModulesLoadable } from '../../../src-main/electron/native-modules-check';
import { DEMO_CREDENTIALS, startSimulator } from '../../simulator/ivanti-simulator';
import { SYNC_WORKER_SOURCE } from '../../support/sync-worker-source';
import { useCloseAfterEach } from '../../support/close-after-each';
import { checkpointerEnd, useShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { INTEGRATION_ID, openSyncDatabase } from '../sync/sync-fixture';
import type { SyncWorkerData } from '../../../src-main/core/sync/sync-worker-protocol';

/**
 * The app loads better-sqlite3's Electron build through `nativeBinding`, while tests and `tec` keep node_modules' Node
 * build. No Electron build can be made here (no Electron headers), so a copy of Node's build, at another path, stands
 * in for it: loading it proves which file a connection loaded (the process's list of shared objects names it).
 */

const require = createRequire(import.meta.url);
const nodeBuild = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const tempDir = useTempDir('tec-sqlite-binding-');

afterEach(() => useSqliteBinding(null));
const closeAfterEach = useCloseAfterEach();
const shutDownAfterEach = useShutDownAfterEach();

function runtime(overrides: Partial<SqliteRuntime>): SqliteRuntime {
  return {
    electronVersion: '45.5.0',
    isPackaged: false,
    sqlitePackage: () => ({ dir: '/checkout/node_modules/better-sqlite3', version: '12.11.1' }),
    platform: 'linux',
    arch: 'x64',
    ...overrides,
  };
}

/** A loadable binary at a path of its own: the stand-in for the Electron build. */
function standInBuild(name: string): string {
  const file = path.join(tempDir(), name, 'better_sqlite3.node');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(nodeBuild, file);
  return file;
}

function loadedSharedObjects(): string[] {
  return (process.report.getReport() as unknown as { sharedObjects: string[] }).sharedObjects;
}

describe('choosing the better-sqlite3 binary', () => {
  it('keeps node_modules\' own build under Node (tests, tec, the rig)', () => {
    expect(chooseSqliteBinding(runtime({ electronVersion: undefined }))).toBeNull();
  });

  it('keeps the packaged app on the build it was packaged with', () => {
    const asked: string[] = [];
    const chosen = chooseSqliteBinding(runtime({ isPackaged: true, sqlitePackage: () => (asked.push('asked'), { dir: '/x', version: '1' }) }));
    expect(chosen).toBeNull();
    expect(asked).toEqual([]);
  });

  it('takes the Electron build beside node_modules when Electron runs the checkout (npm start, npm run dev)', () => {
    expect(chooseSqliteBinding(runtime({}))).toBe(
      '/checkout/node_modules/.cache/tec-electron-abi/better-sqlite3-12.11.1-electron-45.5.0-linux-x64/better_sqlite3.node',
    );
  });

  it('looks where the start step builds it', () => {
    const build = { nodeModules: '/checkout/node_modules', sqliteVersion: '12.11.1', electronVersion: '45.5.0', platform: 'darwin', arch: 'arm64' } as const;
    expect(electronSqliteBindingPath(build)).toBe(startStepPath(build));
  });

  it('finds the installed better-sqlite3 and its version', () => {
    const found = resolvedSqlitePackage();
    expect(found.dir).toBe(path.dirname(require.resolve('better-sqlite3/package.json')));
    expect(found.version).toBe((require('better-sqlite3/package.json') as { version: string }).version);
  });
});

describe('loading the chosen binary', () => {
  it('opens the database, and further connections, with the chosen binary', () => {
    const binding = standInBuild('electron-build');
    expect(loadedSharedObjects()).not.toContain(binding);
    useSqliteBinding(binding);
    const file = path.join(tempDir(), 'console.sqlite');
    const db = closeAfterEach(openDatabase({ file, migrations }).db);
    expect(loadedSharedObjects()).toContain(binding);
    const other = closeAfterEach(openAnotherConnection(file));
    expect(other.pragma('user_version', { simple: true })).toBe(db.pragma('user_version', { simple: true }));
  });

  it('refuses to open when the chosen binary cannot be loaded, naming it', () => {
    const broken = path.join(tempDir(), 'better_sqlite3.node');
    fs.writeFileSync(broken, 'not a shared library');
    useSqliteBinding(broken);
    expect(() => openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations })).toThrow(broken);
  });

  it('probes the chosen binary in the start-up check', () => {
    const broken = path.join(tempDir(), 'better_sqlite3.node');
    fs.writeFileSync(broken, 'not a shared library');
    expect(() => assertNativeModulesLoadable(require, process.versions)).not.toThrow();
    useSqliteBinding(broken);
    expect(() => assertNativeModulesLoadable(require, process.versions)).toThrow(/better-sqlite3 could not be loaded/);
  });

  it('hands the binary to the WAL checkpoint thread', async () => {
    const file = path.join(tempDir(), 'console.sqlite');
    const db = closeAfterEach(openDatabase({ file, migrations }).db);
    const binding = standInBuild('checkpoint-thread');
    useSqliteBinding(binding);
    const checkpointer = new WalCheckpointer(db, 1, 1);
    shutDownAfterEach(checkpointerEnd(checkpointer));
    checkpointer.acquire();
    await checkpointer.commit(() => db.exec('CREATE TABLE t (x)'));
    // Waits for the checkpoint the first commit asked for: the thread has opened its connection by then.
    await checkpointer.commit(() => db.exec('INSERT INTO t VALUES (1)'));
    // Checked before release(): Node unloads an addon that only a worker loaded once that worker exits.
    expect(loadedSharedObjects()).toContain(binding);
    checkpointer.release();
  });

  it('hands the binary to the sync worker', async () => {
    const file = path.join(tempDir(), 'console.sqlite');
    openDatabase({ file, migrations }).db.close();
    const broken = path.join(tempDir(), 'better_sqlite3.node');
    fs.writeFileSync(broken, 'not a shared library');
    const source = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(SYNC_WORKER_SOURCE)});`;
    const workerData: SyncWorkerData = { databaseFile: file, sqliteBinding: broken, niceness: 0 };
    const worker = new Worker(source, { eval: true, workerData });
    try {
      const [error] = (await once(worker, 'error')) as [Error];
      expect(error.message).toContain(broken);
    } finally {
      await worker.terminate();
    }
  }, 20_000);

  it('has the sync engine start its worker with the chosen binary', async () => {
    const tenant = await startSimulator({ devices: 20, seed: 'sqlite-binding' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const binding = standInBuild('sync-worker');
    useSqliteBinding(binding);
    const engine = new WorkerSyncEngine({
      db,
      script: SYNC_WORKER_SOURCE,
      events: new EventBus(),
      now: () => new Date(),
      credentials: async () => ({ domain: tenant.domain, ...DEMO_CREDENTIALS }),
    });
    try {
      const started = await engine.start(INTEGRATION_ID, 'manual');
      expect(await started.finished).toMatchObject({ status: 'completed', devicesSeen: 20 });
      // Checked while the worker lives: Node unloads an addon that only a worker loaded once that worker exits.
      expect(loadedSharedObjects()).toContain(binding);
    } finally {
      await engine.shutdown();
      await tenant.close();
    }
  });
});

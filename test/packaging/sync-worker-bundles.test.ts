import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/core/events/event-bus';
import { WorkerSyncEngine } from '../../src-main/core/sync/worker-sync-engine';
import { BUILT_SYNC_WORKER, ensureCliBuilt } from '../cli/built-cli';
import { activeGuids, INTEGRATION_ID, openSyncDatabase, sorted } from '../core/sync/sync-fixture';
import { startSimulator, type RunningSimulator } from '../simulator/ivanti-simulator';
import { ELECTRON_MAIN, ELECTRON_SYNC_WORKER, ensureElectronBuilt } from '../support/fresh-build';
import { useTempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');
const tempDir = useTempDir('tec-sync-worker-bundle-');
let tenant: RunningSimulator;

beforeAll(async () => {
  // `npm test` builds the bundles before the tests; a single test file run may not have, or built them before the
  // sources changed.
  ensureCliBuilt();
  ensureElectronBuilt();
  tenant = await startSimulator({ devices: 1_500, seed: 'bundled-worker' });
}, 480_000);

afterAll(async () => {
  await tenant?.close();
});

describe('the sync worker as the bundles ship it', () => {
  it.each([
    ['the Electron main bundle', ELECTRON_SYNC_WORKER],
    ['the tec bundle', BUILT_SYNC_WORKER],
  ])('syncs from %s', async (_name, script) => {
    const db = openSyncDatabase(tempDir());
    const engine = new WorkerSyncEngine({
      db,
      script,
      events: new EventBus(),
      now: () => new Date(),
      credentials: async () => ({ domain: tenant.domain, ...tenant.credentials }),
    });
    try {
      const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
      expect(run).toMatchObject({ status: 'completed', complete: true, devicesSeen: 1_500 });
      expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
    } finally {
      await engine.shutdown();
      db.close();
    }
  });

  it('is the script each entry point hands the core: beside the Electron main (desktop and --cli) and beside tec', () => {
    const main = fs.readFileSync(path.join(ROOT, 'src-main/electron/main.ts'), 'utf8');
    expect(main).toContain("const SYNC_WORKER = path.join(__dirname, 'sync-worker.js');");
    // startDesktopApp hands options.syncWorker to createCore (test/electron/desktop-start.test.ts checks it).
    expect(main).toMatch(/startDesktopApp\([\s\S]*syncWorker: SYNC_WORKER/);
    expect(main).toMatch(/runCli\(args, \{[^}]*syncWorker: SYNC_WORKER/);
    expect(path.dirname(ELECTRON_SYNC_WORKER)).toBe(path.join(ROOT, 'out', 'main'));
    expect(fs.existsSync(ELECTRON_MAIN)).toBe(true);

    const entry = fs.readFileSync(path.join(ROOT, 'src-main/cli/entry.ts'), 'utf8');
    expect(entry).toContain("syncWorker: path.join(__dirname, 'sync-worker.cjs')");
    expect(path.dirname(BUILT_SYNC_WORKER)).toBe(path.dirname(path.join(ROOT, 'out', 'cli', 'tec.cjs')));
    expect(fs.readFileSync(path.join(ROOT, 'src-main/cli/open-core.ts'), 'utf8')).toContain('syncWorker: io.syncWorker');
  });
});

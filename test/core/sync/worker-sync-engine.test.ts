import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/db/database';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { WorkerSyncEngine } from '../../../src-main/core/sync/worker-sync-engine';
import { createCore } from '../../../src-main/core/app/composition-root';
import { dispatch } from '../../../src-main/core/app/dispatch';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import type { Envelope } from '../../../src-shared/contract';
import type { DeviceRow } from '../../../src-shared/domain/device';
import { requirePrivateKeyring } from '../../support/keyring';
import type { EventName } from '../../../src-shared/contract';
import type { SyncFinished, SyncProgress } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import { DEMO_CREDENTIALS, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/ivanti-simulator';
import { startSimulatorProcess, type SimulatorProcess } from '../../support/simulator-process';
import { SYNC_WORKER_SOURCE } from '../../support/sync-worker-source';
import { useTempDir } from '../../support/temp-dir';
import { DeviceStore } from '../../../src-main/core/sync/device-store';
import { seedDevices } from '../../support/seed-devices';
import { activeGuids, INTEGRATION_ID, integrityCheck, openSyncDatabase, removedGuids, sorted } from './sync-fixture';
import { until } from '../../support/until';
import { threadNiceness, threadsAt } from '../../support/thread-niceness';
import { runInProcessOfItsOwn } from '../../support/lone-process';

const tempDir = useTempDir('tec-sync-worker-');
const DYING_WORKER = path.join(__dirname, 'fixtures', 'dying-sync-worker.ts');
const LATE_EVENT_WORKER = path.join(__dirname, 'fixtures', 'late-event-sync-worker.ts');
const SLOW_CATCH_UP_WORKER = path.join(__dirname, 'fixtures', 'slow-catch-up-sync-worker.ts');
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const tenant = await startSimulator(options);
  cleanups.push(() => tenant.close());
  return tenant;
}

/** `credentials`: the tenant's user (default the simulator's demo user), or how reading the keychain fails. */
function workerEngine(db: Db, domain: string, options: { script?: string; credentials?: typeof DEMO_CREDENTIALS | AppError; searchIndexBehind?: () => boolean } = {}) {
  const bus = new EventBus();
  const events: { name: EventName; payload: unknown }[] = [];
  bus.subscribe((name, payload) => events.push({ name, payload }));
  const { credentials = DEMO_CREDENTIALS } = options;
  const engine = new WorkerSyncEngine({
    db,
    script: options.script ?? SYNC_WORKER_SOURCE,
    events: bus,
    now: () => new Date(),
    credentials: async () => {
      if (credentials instanceof AppError) throw credentials;
      return { domain, ...credentials };
    },
    searchIndexBehind: options.searchIndexBehind,
  });
  cleanups.push(() => engine.shutdown());
  return { engine, events, bus };
}

/** The sync database in `dir`, closed after the test once every engine made on it has shut down (cleanups run last first). */
function syncDatabase(dir: string): Db {
  const db = openSyncDatabase(dir);
  cleanups.push(() => db.close());
  return db;
}

const count = (db: Db, sql: string): number => db.prepare(sql).pluck().get() as number;

describe('WorkerSyncEngine (syncs on the sync worker thread)', () => {
  it('syncs on its own thread: devices keep being written while the calling thread is blocked, and the search index follows there', async () => {
    // The tenant runs in another process: blocking this thread must not stop it from answering.
    const tenant: SimulatorProcess = await startSimulatorProcess({ devices: 12_000, seed: 'worker-thread' });
    cleanups.push(() => tenant.close());
    const db = syncDatabase(tempDir());
    const { engine, events } = workerEngine(db, tenant.domain);

    const started = await engine.start(INTEGRATION_ID, 'manual');
    expect(started).toMatchObject({ resumed: false });
    expect(engine.isRunning(INTEGRATION_ID)).toBe(true);
    const stored = () => count(db, 'SELECT COUNT(*) FROM devices');
    await until('the first devices are stored', () => stored() > 0);

    // Block this thread (no event loop turn at all) until the stored count grows: only another thread can grow it.
    const before = stored();
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const deadline = Date.now() + 30_000;
    while (stored() === before && Date.now() < deadline) Atomics.wait(pause, 0, 0, 20);
    expect(stored(), 'devices written while the calling thread was blocked').toBeGreaterThan(before);

    const run = await started.finished;
    expect(run).toMatchObject({ id: started.runId, status: 'completed', complete: true, devicesSeen: 12_000, added: 12_000 });
    expect(engine.isRunning(INTEGRATION_ID)).toBe(false);
    expect(engine.running(INTEGRATION_ID)).toBeNull();
    expect(activeGuids(db)).toHaveLength(12_000);
    expect(engine.runs.get(started.runId)).toMatchObject({ status: 'completed', devicesSeen: 12_000 });

    // The events reach this thread's bus: progress that grows to the total, then one finished event with the run.
    const progress = events.filter((e) => e.name === 'sync.progress').map((e) => e.payload as SyncProgress);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.runId === started.runId && p.integrationId === INTEGRATION_ID)).toBe(true);
    expect(Math.max(...progress.map((p) => p.devicesSoFar))).toBe(12_000);
    const finished = events.filter((e) => e.name === 'sync.finished').map((e) => e.payload as SyncFinished);
    expect(finished).toEqual([{ integrationId: INTEGRATION_ID, runId: started.runId, run }]);
    // Nobody on this thread indexes: the worker's connection catches the search index up and empties its queue.
    await until('the worker has indexed every device', () => count(db, 'SELECT COUNT(*) FROM devices_fts_pending') === 0);
    expect(count(db, 'SELECT COUNT(*) FROM devices_fts')).toBe(12_000);
    expect(integrityCheck(db)).toBe('ok');
  });

  it("at the app's start, finishes on its thread an index build that a stopped bulk load left, reporting progress", async () => {
    const db = syncDatabase(tempDir());
    seedDevices(db, { count: 2_000, seed: 'worker-build' });
    const store = new DeviceStore(db);
    // The seeded devices' tenant: not empty, so its unique key stays.
    const tenant = db.prepare('SELECT tenant FROM device_tenants').pluck().get() as string;
    const left = db.transaction(() => store.deferIndexes(tenant))();
    expect(left).toBeGreaterThan(5);
    const { engine } = workerEngine(db, '127.0.0.1:9');
    const progress: unknown[] = [];
    expect(await engine.finishIndexBuild((p) => progress.push(p))).toBe(left);
    expect(progress.at(-1)).toEqual({ built: left, total: left });
    expect(progress).toHaveLength(left + 1);
    expect(store.deferredIndexes()).toEqual([]);
    // Nothing left: the worker is not asked again.
    expect(await engine.finishIndexBuild()).toBe(0);
  });

  it("at the app's start, catches up on its thread a search index that an upgrade queued again, with no index to build", async () => {
    const db = syncDatabase(tempDir());
    seedDevices(db, { count: 2_000, seed: 'worker-requeue' });
    const index = new DeviceSearchIndex(db);
    index.catchUp();
    // What an upgrade that makes the search index again does (migrations 0035, 0036): every device queued.
    db.exec('INSERT INTO devices_fts_pending (device_id, indexed) SELECT id, 1 FROM devices WHERE true ON CONFLICT DO NOTHING');
    expect(index.isBehind()).toBe(true);
    expect(new DeviceStore(db).deferredIndexes()).toEqual([]);
    const { engine } = workerEngine(db, '127.0.0.1:9', { searchIndexBehind: () => index.isBehind() });
    expect(await engine.finishIndexBuild()).toBe(0);
    // This thread applied nothing: the worker's connection did.
    expect(index.isBehind()).toBe(false);
    expect(count(db, 'SELECT COUNT(*) FROM devices_fts')).toBe(2_000);
    expect(integrityCheck(db)).toBe('ok');
  });

  it('cancels on request and resumes the same run on the next start, converging to the exact set', async () => {
    const tenant = await simulator({ devices: 10_000, seed: 'worker-cancel', slowMs: 60, faults: { slow: 1 } });
    const db = syncDatabase(tempDir());
    const { engine } = workerEngine(db, tenant.domain, { credentials: tenant.credentials });
    const started = await engine.start(INTEGRATION_ID, 'manual');
    await until('paging is under way', () => (engine.running(INTEGRATION_ID)?.progress?.page ?? 0) >= 3);
    expect(engine.cancel(INTEGRATION_ID)).toBe(true);
    const cancelled = await started.finished;
    expect(cancelled).toMatchObject({ id: started.runId, status: 'cancelled', complete: false, removed: 0 });
    expect(cancelled.devicesSeen).toBeLessThan(10_000);
    expect(engine.cancel(INTEGRATION_ID)).toBe(false);

    // A cancel asked for while the worker is still claiming the run is not lost.
    const starting = engine.start(INTEGRATION_ID, 'manual');
    expect(engine.cancel(INTEGRATION_ID)).toBe(true);
    const cancelledEarly = await starting;
    expect(cancelledEarly).toMatchObject({ runId: started.runId, resumed: true });
    expect(await cancelledEarly.finished).toMatchObject({ id: started.runId, status: 'cancelled' });

    const resumed = await engine.start(INTEGRATION_ID, 'manual');
    expect(resumed).toMatchObject({ runId: started.runId, resumed: true });
    expect(await resumed.finished).toMatchObject({ id: started.runId, status: 'completed', complete: true, devicesSeen: 10_000 });
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
  });

  it('runs one sync per integration in the process, across engines and their workers', async () => {
    const tenant = await simulator({ devices: 6_000, seed: 'worker-twice', slowMs: 150, faults: { slow: 1 } });
    const dir = tempDir();
    const db = syncDatabase(dir);
    const first = workerEngine(db, tenant.domain, { credentials: tenant.credentials });
    const started = await first.engine.start(INTEGRATION_ID, 'manual');
    await expect(first.engine.start(INTEGRATION_ID, 'manual')).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING' });
    // A second console core in this process (its own connection and worker) must not take the live run for a crashed one.
    const { openAnotherConnection } = await import('../../../src-main/core/db/database');
    const otherDb = openAnotherConnection(db.name);
    cleanups.push(() => otherDb.close());
    const second = workerEngine(otherDb, tenant.domain, { credentials: tenant.credentials });
    await expect(second.engine.start(INTEGRATION_ID, 'manual')).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING' });
    expect(second.engine.isRunning(INTEGRATION_ID)).toBe(false);
    expect(await started.finished).toMatchObject({ status: 'completed', devicesSeen: 6_000 });
    expect(count(db, 'SELECT COUNT(*) FROM sync_runs')).toBe(1);
  });

  it('ends the runs of a worker that dies as interrupted, tells the bus, and the next start resumes them on a new worker', async () => {
    const tenant = await simulator({ devices: 10_000, seed: 'worker-dies', slowMs: 30, faults: { slow: 1 } });
    const db = syncDatabase(tempDir());
    const dying = workerEngine(db, tenant.domain, { script: DYING_WORKER, credentials: tenant.credentials });
    const started = await dying.engine.start(INTEGRATION_ID, 'manual');
    const run = await started.finished;
    expect(run).toMatchObject({ id: started.runId, status: 'interrupted', complete: false });
    expect(run.errors).toContainEqual({ code: 'SYNC_FAILED', message: expect.stringContaining('sync worker stopped unexpectedly') });
    expect(dying.events.filter((e) => e.name === 'sync.finished').map((e) => (e.payload as SyncFinished).run.status)).toEqual(['interrupted']);
    expect(dying.engine.isRunning(INTEGRATION_ID)).toBe(false);
    const stored = count(db, 'SELECT COUNT(*) FROM devices');
    expect(stored).toBeGreaterThanOrEqual(2_000);
    expect(stored).toBeLessThan(10_000);

    const healthy = workerEngine(db, tenant.domain, { credentials: tenant.credentials });
    const resumed = await healthy.engine.start(INTEGRATION_ID, 'manual');
    expect(resumed).toMatchObject({ runId: started.runId, resumed: true });
    expect(await resumed.finished).toMatchObject({ status: 'completed', complete: true, devicesSeen: 10_000 });
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
    expect(removedGuids(db)).toEqual([]);
    expect(integrityCheck(db)).toBe('ok');
  });

  it('once shutdown has begun, no message of the worker reaches the bus: the caller closes its database right after', async () => {
    // A listener that reads the database after it was closed threw inside the worker's message handler and ended the
    // process (tec exit 1 after a completed sync; seen in CI).
    const tenant = await simulator({ devices: 200, seed: 'worker-late-event' });
    const db = syncDatabase(tempDir());
    const { engine, events } = workerEngine(db, tenant.domain, { script: LATE_EVENT_WORKER, credentials: tenant.credentials });
    expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', devicesSeen: 200 });
    const before = events.length;
    await engine.shutdown();
    expect(events.slice(before)).toEqual([]);
  });

  it('holds the process open while its caller awaits the worker: a catch-up asked for after a run settled gets its answer', () => {
    // The stand-in worker settles the run at once and answers the catch-up 300 ms later; the process has nothing else
    // alive meanwhile.
    const source = (file: string) => JSON.stringify(path.join(__dirname, file));
    const script = `
      const { WorkerSyncEngine } = require(${source('../../../src-main/core/sync/worker-sync-engine.ts')});
      const { EventBus } = require(${source('../../../src-main/core/events/event-bus.ts')});
      const { openSyncDatabase, INTEGRATION_ID } = require(${source('./sync-fixture.ts')});
      (async () => {
        const db = openSyncDatabase(${JSON.stringify(tempDir())});
        const engine = new WorkerSyncEngine({ db, script: ${JSON.stringify(SLOW_CATCH_UP_WORKER)}, events: new EventBus(), now: () => new Date(), credentials: async () => ({ domain: 'unused.example', username: 'u', password: 'p' }) });
        const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
        process.stdout.write(run.status + ', ');
        process.stdout.write('caught up: ' + (await engine.catchUpSearchIndex()));
      })();`;
    const out = runInProcessOfItsOwn(script);
    expect(out).toBe('completed, caught up: true');
  }, 60_000);

  it('on shutdown leaves a running sync to resume from its last committed page, and refuses new starts', async () => {
    const tenant = await simulator({ devices: 10_000, seed: 'worker-shutdown', slowMs: 60, faults: { slow: 1 } });
    const db = syncDatabase(tempDir());
    const closing = workerEngine(db, tenant.domain, { credentials: tenant.credentials });
    const started = await closing.engine.start(INTEGRATION_ID, 'manual');
    await until('paging is under way', () => (closing.engine.running(INTEGRATION_ID)?.progress?.page ?? 0) >= 3);
    await closing.engine.shutdown();
    expect(await started.finished).toMatchObject({ id: started.runId, status: 'interrupted' });
    await expect(closing.engine.start(INTEGRATION_ID, 'manual')).rejects.toMatchObject({ code: 'SYNC_FAILED', message: expect.stringContaining('shutting down') });
    expect(count(db, `SELECT COUNT(*) FROM sync_runs WHERE status = 'running'`)).toBe(1);

    const next = workerEngine(db, tenant.domain, { credentials: tenant.credentials });
    const resumed = await next.engine.start(INTEGRATION_ID, 'manual');
    expect(resumed).toMatchObject({ runId: started.runId, resumed: true });
    expect(await resumed.finished).toMatchObject({ status: 'completed', devicesSeen: 10_000 });
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
  });

  it('refuses a start it cannot make, with the reason, and is left idle', async () => {
    const tenant = await simulator({ devices: 10, seed: 'worker-refusals' });
    const db = syncDatabase(tempDir());
    const missingScript = workerEngine(db, tenant.domain, { script: path.join(tempDir(), 'sync-worker.js') });
    await expect(missingScript.engine.start(INTEGRATION_ID, 'manual')).rejects.toMatchObject({ code: 'SYNC_FAILED', message: expect.stringContaining('sync worker') });
    expect(missingScript.engine.isRunning(INTEGRATION_ID)).toBe(false);

    const { engine: noKeychainEntry } = workerEngine(db, tenant.domain, {
      credentials: new AppError('CREDENTIALS_MISSING', 'The keychain has no password for this integration.'),
    });
    await expect(noKeychainEntry.start(INTEGRATION_ID, 'manual')).rejects.toMatchObject({ code: 'CREDENTIALS_MISSING' });
    expect(noKeychainEntry.isRunning(INTEGRATION_ID)).toBe(false);

    // Errors the run meets on the worker come back as the run's outcome, with their own codes.
    const wrongPassword = workerEngine(db, tenant.domain, { credentials: { ...tenant.credentials, password: 'not-the-password' } });
    const run = await (await wrongPassword.engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(run).toMatchObject({ status: 'failed', errors: [expect.objectContaining({ code: 'IVANTI_AUTH_REJECTED' })] });
  });

  it('keeps the search index while it syncs: a catch-up request indexes everything stored before it, and this thread writes none', async () => {
    const tenant = await simulator({ devices: 10_000, seed: 'worker-index', slowMs: 60, faults: { slow: 1 } });
    const db = syncDatabase(tempDir());
    const { engine } = workerEngine(db, tenant.domain, { credentials: tenant.credentials });
    const here = new DeviceSearchIndex(db, { deferWhile: () => engine.ownsSearchIndex() });
    expect(engine.ownsSearchIndex()).toBe(false);
    expect(await engine.catchUpSearchIndex()).toBe(false);

    const started = await engine.start(INTEGRATION_ID, 'manual');
    expect(engine.ownsSearchIndex()).toBe(true);
    await until('devices are stored', () => count(db, 'SELECT COUNT(*) FROM devices') >= 500);
    expect(here.catchUp(), 'this thread defers to the worker').toBe(0);
    const storedBefore = count(db, 'SELECT MAX(id) FROM devices');
    expect(await engine.catchUpSearchIndex()).toBe(true);
    expect(count(db, `SELECT COUNT(*) FROM devices_fts_pending WHERE device_id <= ${storedBefore}`)).toBe(0);

    await started.finished;
    await until('the worker reports the work after the run done', () => !engine.ownsSearchIndex());
    expect(count(db, 'SELECT COUNT(*) FROM devices_fts_pending')).toBe(0);
    expect(count(db, 'SELECT COUNT(*) FROM devices_fts')).toBe(10_000);
    expect(await engine.catchUpSearchIndex()).toBe(false);
  });

  it('runs the sync worker, and the threads it starts, at the niceness the core is given; the calling thread keeps its own', async () => {
    requirePrivateKeyring();
    const tenant = await simulator({ devices: 3_000, seed: 'worker-niceness' });
    const core = createCore({ dataDir: tempDir(), version: 'test', transport: 'cli', syncWorker: SYNC_WORKER_SOURCE, syncWorkerNiceness: 6 });
    cleanups.push(() => core.close());
    const own = threadNiceness().get(process.pid);
    expect(threadsAt(6), 'no thread runs at 6 before the worker starts').toEqual([]);
    const integration = await core.services.integrations.create({ name: 'Niceness', platform: 'android', domain: tenant.domain, ...tenant.credentials });
    const started = await core.services.sync.start(integration.id, 'manual');
    // Threads the worker starts for a run may end with it: look while it runs.
    let most = 0;
    await until('the run has ended', () => {
      most = Math.max(most, threadsAt(6).length);
      return !core.services.sync.isRunning(integration.id);
    }, { everyMs: 5 });
    expect(await started.finished).toMatchObject({ status: 'completed', devicesSeen: 3_000 });
    expect(most, 'the worker and a thread it started').toBeGreaterThanOrEqual(2);
    expect(threadNiceness().get(process.pid)).toBe(own);
    await core.close();
    expect(threadsAt(6), 'none once the worker has ended').toEqual([]);
  });

  it('answers a device search during a sync with the devices stored before it, through the app core', async () => {
    requirePrivateKeyring();
    const tenant = await simulator({ devices: 10_000, seed: 'worker-search', slowMs: 60, faults: { slow: 1 } });
    const core = createCore({ dataDir: tempDir(), version: 'test', transport: 'cli', syncWorker: SYNC_WORKER_SOURCE });
    cleanups.push(() => core.close());
    const call = async <T>(channel: string, input: unknown): Promise<T> => {
      const envelope = (await dispatch(core.handlers, channel, input, { signal: new AbortController().signal })) as Envelope<T>;
      if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`);
      return envelope.value;
    };
    const { id } = await call<{ id: string }>('integrations.create', { name: 'Worker search', platform: 'android', domain: tenant.domain, ...tenant.credentials });
    await call('sync.start', { integrationId: id, trigger: 'manual' });
    const db = core.services.db;
    await until('devices are stored', () => count(db, 'SELECT COUNT(*) FROM devices') >= 500);
    const stored = db.prepare('SELECT serial_number FROM devices WHERE serial_number IS NOT NULL ORDER BY id DESC LIMIT 1').pluck().get() as string;
    expect(core.services.searchIndex.catchUp(), 'the core defers to the worker while it syncs').toBe(0);

    const { rows } = await call<{ rows: DeviceRow[] }>('devices.search', { query: { text: stored }, offset: 0, limit: 10 });
    expect(rows.map((r) => r.serialNumber)).toContain(stored);
    expect(core.services.sync.isRunning(id), 'the search was answered while the sync ran').toBe(true);
    const run = await core.services.sync.running(id)!.finished;
    expect(run).toMatchObject({ status: 'completed', devicesSeen: 10_000 });
  });
});

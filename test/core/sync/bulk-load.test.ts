/**
 * The bulk path of a large first sync (issue 19): the explorer's indexes of `devices` are set aside while the rows load
 * and built in one pass each at the end. A crash at any point of it leaves a database that opens intact, answers
 * correctly meanwhile, and whose next sync finishes the load and the build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex, SearchIndexBuild, searchIndexBuildFile } from '../../../src-main/core/devices/device-search-index';
import { DeviceStore, KEY_CORRECTING_TRIGGERS } from '../../../src-main/core/sync/device-store';
import { DeviceRecordCodec, RECORD_CONTEXT_COLUMNS, type StoredRecordRow } from '../../../src-main/core/sync/device-record-codec';
import { EventBus } from '../../../src-main/core/events/event-bus';
import type { SyncProgress } from '../../../src-shared/domain/sync';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
import { type RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { seedDevicesInBlocks } from '../../support/seed-devices';
import { killChildWhen } from '../../support/kill-child';
import { withShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { CertificateTable } from '../trust/trust-scenario';
import { activeGuids, engineFor as newEngine, INTEGRATION_ID, integrityCheck, openSyncDatabase, sorted } from './sync-fixture';

const CHILD = path.join(__dirname, 'fixtures', 'bulk-sync-until-killed.ts');
const tempDir = useTempDir('tec-bulk-');
const closeAfterEach = useCloseAfterEach();
const engineFor = withShutDownAfterEach(newEngine);
const simulator = useSimulatorsAfterEach();

/** The indexes of `devices` as a database with every migration has them. */
function freshIndexes(): unknown[] {
  return fresh(devicesIndexes);
}

/** The triggers of `devices` as a database with every migration has them. */
function freshTriggers(): unknown[] {
  return fresh(devicesTriggers);
}

function fresh(read: (db: Db) => unknown[]): unknown[] {
  const db = openDatabase({ file: path.join(tempDir(), 'fresh.sqlite'), migrations }).db;
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const devicesIndexes = (db: Db) => db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices' ORDER BY name").all();
const devicesTriggers = (db: Db) => db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'devices' ORDER BY name").all();
/** Loaded rows whose integration key names no integration, or whose space key is not what the space's trigger would have made it. */
const wrongKeys = (db: Db) =>
  db
    .prepare(
      `SELECT COUNT(*) FROM devices d
        WHERE d.integration_key IS NULL OR d.integration_key NOT IN (SELECT key FROM integrations)
           OR d.space_key IS NOT (SELECT key FROM device_space_names WHERE name = d.space_name)`,
    )
    .pluck()
    .get() as number;
const ftsBehind = (db: Db) => db.prepare('SELECT COUNT(*) FROM devices_fts_pending').pluck().get() as number;

/** A database whose integration is enabled for all users, so a verdict can say trusted. */
function enabledDatabase(dir: string): Db {
  const db = openSyncDatabase(dir);
  db.prepare("UPDATE integrations SET status = 'all-users' WHERE id = ?").run(INTEGRATION_ID);
  return db;
}

/**
 * What the console answers about a few stored devices: "has it synced?" (find), the explorer's text search sorted by
 * check-in (a sort index named with INDEXED BY when it exists), its first page and count, and a trust verdict.
 */
function answers(db: Db): unknown {
  const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date('2026-12-06T00:00:00Z'));
  const store = new DeviceStore(db);
  const verifier = new TrustVerifier(db, new CertificateTable(), () => new Date());
  const sample = db
    .prepare('SELECT guid, client_device_identifier AS identifier, serial_number AS serial, uid FROM devices WHERE client_device_identifier IS NOT NULL ORDER BY id LIMIT 3 OFFSET 40')
    .all() as { guid: string; identifier: string; serial: string | null; uid: string }[];
  expect(sample).toHaveLength(3);
  const guids = (rows: { guid: string }[]) => rows.map((r) => r.guid);
  return {
    found: sample.map((d) => guids(store.find(d.identifier))),
    searched: sample.map((d) => guids(repository.search({ text: d.serial ?? d.identifier, sort: { column: 'lastCheckin', direction: 'desc' } }, { offset: 0, limit: 20 }))),
    firstPage: guids(repository.search({ sort: { column: 'lastCheckin', direction: 'desc' } }, { offset: 0, limit: 20 })),
    byModel: guids(repository.search({ sort: { column: 'model', direction: 'asc' } }, { offset: 0, limit: 20 })),
    count: repository.count({}),
    verdicts: sample.map((d) => verifier.verify({ user: d.uid, identifier: d.identifier }).answer),
  };
}

/** The same answers from a copy of the database whose deferred indexes were all built: what they must be. */
function answersWithIndexesBuilt(db: Db): unknown {
  const copy = path.join(tempDir(), 'built.sqlite');
  db.prepare('VACUUM INTO ?').run(copy);
  const built = openDatabase({ file: copy, migrations }).db;
  try {
    const store = new DeviceStore(built);
    while (store.buildDeferredIndex() !== null);
    return answers(built);
  } finally {
    built.close();
  }
}

/** Runs the bulk sync in a real child process and SIGKILLs it once `killWhen` holds for its output. */
async function killChild(dir: string, domain: string, mode: 'load' | 'pause-in-build', killWhen: (out: string) => boolean): Promise<string> {
  const { signal, out } = await killChildWhen(CHILD, [dir, domain, mode], killWhen);
  expect(signal).toBe('SIGKILL');
  return out;
}

/** After a kill: the file opens intact, the bulk load is still recorded, and answers are those of a fully built copy. */
function expectIntactAndAnswering(dir: string): Db {
  const db = closeAfterEach(openDatabase({ file: path.join(dir, 'console.sqlite'), migrations }).db);
  expect(integrityCheck(db)).toBe('ok');
  expect(new DeviceStore(db).deferredIndexes().length).toBeGreaterThan(0);
  expect(answers(db)).toEqual(answersWithIndexesBuilt(db));
  return db;
}

/** The next sync resumes the killed run, finishes the load and the build: the schema is whole and the devices exact. */
async function expectNextSyncFinishes(db: Db, tenant: RunningSimulator, onProgress?: (progress: SyncProgress) => void): Promise<void> {
  const events = new EventBus();
  if (onProgress) events.subscribe((name, payload) => name === 'sync.progress' && onProgress(payload as SyncProgress));
  const { engine } = engineFor(db, tenant, { events, progressIntervalMs: 0, bulkLoadFrom: 1_000, maintenance: () => new DeviceSearchIndex(db).catchUp() });
  const resumed = await engine.start(INTEGRATION_ID, 'manual');
  expect(resumed.resumed).toBe(true);
  expect(await resumed.finished).toMatchObject({ status: 'completed', complete: true });
  expect(new DeviceStore(db).deferredIndexes()).toEqual([]);
  expect(devicesIndexes(db)).toEqual(freshIndexes());
  expect(devicesTriggers(db)).toEqual(freshTriggers());
  expect(wrongKeys(db)).toBe(0);
  expect(ftsBehind(db)).toBe(0);
  expect(integrityCheck(db)).toBe('ok');
  expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
  expect(answers(db)).toEqual(answersWithIndexesBuilt(db));
}

describe('bulk first sync', () => {
  it('sets the explorer indexes aside while it loads and builds them at its end: the schema ends as a fresh database has it', async () => {
    const tenant = await simulator({ devices: 3_000, seed: 'bulk-first' });
    const db = closeAfterEach(enabledDatabase(tempDir()));
    const store = new DeviceStore(db);
    const searchIndex = new DeviceSearchIndex(db);
    // Sampled at each progress event, which the engine emits on its thread right after a chunk commits.
    const bus = new EventBus();
    const deferredWhileLoading: number[] = [];
    const behindWhileLoading: number[] = [];
    const keyTriggersWhileLoading: number[] = [];
    const wrongKeysWhileLoading: number[] = [];
    const buildFileWhileLoading: boolean[] = [];
    const notices: string[] = [];
    bus.subscribe((name, payload) => {
      const progress = payload as SyncProgress;
      if (name !== 'sync.progress') return;
      if (progress.notice?.startsWith('Building the device indexes')) notices.push(progress.notice);
      if (progress.phase !== 'paging') return;
      deferredWhileLoading.push(store.deferredIndexes().length);
      behindWhileLoading.push(ftsBehind(db));
      keyTriggersWhileLoading.push((devicesTriggers(db) as { name: string }[]).filter((trigger) => KEY_CORRECTING_TRIGGERS.includes(trigger.name)).length);
      wrongKeysWhileLoading.push(wrongKeys(db));
      buildFileWhileLoading.push(fs.existsSync(searchIndexBuildFile(db.name)));
    });
    // The search index is built on another thread from the load's start, and moved in after the indexes are built.
    const moved: Promise<number>[] = [];
    const moveIn = SearchIndexBuild.prototype.moveIn;
    const spy = vi.spyOn(SearchIndexBuild.prototype, 'moveIn').mockImplementation(function (this: SearchIndexBuild) {
      const devices = moveIn.call(this);
      moved.push(devices);
      return devices;
    });
    onTestFinished(() => spy.mockRestore());
    const { engine } = engineFor(db, tenant, { events: bus, bulkLoadFrom: 1_000, progressIntervalMs: 0, maintenance: () => searchIndex.catchUp() });
    const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(run).toMatchObject({ status: 'completed', added: 3_000 });
    expect(await Promise.all(moved)).toEqual([3_000]);
    expect(fs.existsSync(searchIndexBuildFile(db.name))).toBe(false);
    // While loading, the indexes were set aside and the search index waited for the end.
    expect(deferredWhileLoading.length).toBeGreaterThan(5);
    // Every index: the tenant had no device, so its unique key and the Ivanti id index went too; and the two insert
    // triggers that correct a row's keys, which the load's rows never needed (it writes them right).
    expect(Math.min(...deferredWhileLoading)).toBe(freshIndexes().length + KEY_CORRECTING_TRIGGERS.length);
    expect(keyTriggersWhileLoading.every((present) => present === 0)).toBe(true);
    expect(wrongKeysWhileLoading.every((wrong) => wrong === 0)).toBe(true);
    expect(behindWhileLoading.at(-1)).toBeGreaterThan(2_000);
    // The search index's thread followed the whole load (in the file it builds in), and the queue waited for its move.
    expect(buildFileWhileLoading.every((present) => present)).toBe(true);
    expect(notices.at(-1)).toMatch(/^Building the device indexes after loading 3,000 devices in bulk \(\d+ of \d+\)\.$/);
    expect(store.deferredIndexes()).toEqual([]);
    expect(devicesIndexes(db)).toEqual(freshIndexes());
    expect(devicesTriggers(db)).toEqual(freshTriggers());
    expect(ftsBehind(db)).toBe(0);
    expect(integrityCheck(db)).toBe('ok');
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
    expect((answers(db) as { verdicts: string[] }).verdicts).toContain('trusted');
    // Each record, compressed on another thread while the page before it was written, is stored with its own device,
    // in a block (migration 0037) that counts the devices in it.
    const codec = DeviceRecordCodec.of(db);
    const stored = db.prepare(`SELECT raw_record, record_block, ${RECORD_CONTEXT_COLUMNS.join(', ')} FROM devices ORDER BY guid`).all() as (StoredRecordRow & {
      raw_record: Buffer;
    })[];
    expect(stored.filter((row) => row.record_block === null)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS blocks, sum(live) AS live FROM device_record_blocks').get()).toEqual({ blocks: db.prepare('SELECT count(DISTINCT record_block) FROM devices').pluck().get(), live: 3_000 });
    expect(db.prepare('SELECT count(*) FROM device_record_blocks b WHERE live != (SELECT count(*) FROM devices WHERE record_block = b.id)').pluck().get()).toBe(0);
    const sent = new Map([...tenant.expectedDevices({ spaces: 'all' })].map((record) => [record.guid, JSON.stringify(record)]));
    expect(stored.map((row) => codec.decode(row.raw_record, row, row.guid!))).toEqual(stored.map((row) => sent.get(row.guid!)));
  });

  it('a tenant smaller than the threshold is loaded row by row, its indexes kept up to date', async () => {
    const tenant = await simulator({ devices: 600, seed: 'bulk-small' });
    const db = closeAfterEach(enabledDatabase(tempDir()));
    const store = new DeviceStore(db);
    const bus = new EventBus();
    const deferred: number[] = [];
    bus.subscribe((name) => {
      if (name === 'sync.progress') deferred.push(store.deferredIndexes().length);
    });
    const { engine } = engineFor(db, tenant, { events: bus, bulkLoadFrom: 1_000, progressIntervalMs: 0 });
    expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', added: 600 });
    expect(deferred.length).toBeGreaterThan(1);
    expect(deferred.every((n) => n === 0)).toBe(true);
    expect(devicesIndexes(db)).toEqual(freshIndexes());
  });

  it('shut down while the start-up build runs: shutdown waits for it, and what it did not build stays set aside for the next start', async () => {
    const tenant = await simulator({ devices: 10, seed: 'bulk-shutdown-in-build' });
    const db = closeAfterEach(enabledDatabase(tempDir()));
    // Loaded in bulk, its indexes still set aside: what a load stopped after its last row leaves for the next start.
    await seedDevicesInBlocks(db, { count: 3_000, seed: 'bulk-shutdown-in-build', referenceTime: Date.now() });
    const left = new DeviceStore(db).deferredIndexes().length;
    expect(left).toBeGreaterThan(2);
    const { engine } = engineFor(db, tenant, { maintenance: () => new DeviceSearchIndex(db).catchUp() });
    const progress: number[] = [];
    let settled = false;
    const finishing = engine.finishIndexBuild(({ built }) => progress.push(built));
    const outcome = finishing.then(
      (built) => ({ built }),
      (error: unknown) => ({ error }),
    );
    void outcome.then(() => (settled = true));
    // Asked once the first index is built: the build goes on between indexes, on the event loop.
    await vi.waitUntil(() => progress.length >= 2);
    await engine.shutdown();
    expect(settled).toBe(true);
    expect(await outcome).toMatchObject({ error: { code: 'CANCELLED' } });
    const deferred = new DeviceStore(db).deferredIndexes().length;
    expect(deferred).toBeGreaterThan(0);
    expect(deferred).toBeLessThan(left);
    expect(integrityCheck(db)).toBe('ok');
  });

  it('killed with SIGKILL while it loads: the database opens intact, answers correctly, and the next sync finishes load and build', { timeout: 240_000 }, async () => {
    const tenant = await simulator({ devices: 8_000, seed: 'bulk-kill-load', slowMs: 15, faults: { slow: 1 } });
    const dir = tempDir();
    enabledDatabase(dir).close();
    // Killed from outside at whatever instant it is at once six chunks are stored: usually inside a chunk's transaction.
    const out = await killChild(dir, tenant.domain, 'load', (text) => /progress paging ([6-9]|\d\d+) /.test(text));
    expect(out).not.toContain('Building the device indexes');
    const db = expectIntactAndAnswering(dir);
    // The search index was being built on another thread as the load queued devices, in a file the kill left behind.
    expect(fs.existsSync(searchIndexBuildFile(db.name))).toBe(true);
    // Killed while the unique key was set aside: the resumed run takes the load over from the rows stored and goes on
    // without it; the build at its end succeeds, so no guid was stored twice.
    expect(new DeviceStore(db).deferredIndexes()[0]).toBe('devices_key');
    const keyWhileLoading: boolean[] = [];
    const hasKey = () => db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'devices_key'").pluck().get() === 1;
    const stored = db.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(8_000);
    // At the app's start: the load is not over, so its resumed run keeps the indexes aside until it ends.
    expect(await engineFor(db, tenant).engine.finishIndexBuild()).toBe(0);
    expect(new DeviceStore(db).deferredIndexes().length).toBeGreaterThan(0);
    await expectNextSyncFinishes(db, tenant, (progress) => progress.phase === 'paging' && keyWhileLoading.push(hasKey()));
    expect(fs.existsSync(searchIndexBuildFile(db.name))).toBe(false);
    expect(keyWhileLoading.length).toBeGreaterThan(5);
    expect(keyWhileLoading.every((key) => !key)).toBe(true);
  });

  it('killed with SIGKILL while it builds the indexes: the database opens intact, answers correctly, and the next sync finishes the build', { timeout: 240_000 }, async () => {
    const tenant = await simulator({ devices: 4_000, seed: 'bulk-kill-build' });
    const dir = tempDir();
    enabledDatabase(dir).close();
    const out = await killChild(dir, tenant.domain, 'pause-in-build', (text) => text.includes('paused\n'));
    expect(out).not.toContain('finished');
    const db = expectIntactAndAnswering(dir);
    // The search index was being built on another thread, in a file the kill left behind.
    expect(fs.existsSync(searchIndexBuildFile(db.name))).toBe(true);
    // The unique key was built first before the kill, and every other index (the Ivanti id index next) is still set
    // aside, with the key-correcting insert triggers.
    expect((devicesIndexes(db) as { name: string }[]).map((index) => index.name)).toEqual(['devices_key']);
    expect(new DeviceStore(db).deferredIndexes()[0]).toBe('devices_ivanti_id');
    expect(new DeviceStore(db).deferredIndexes()).toHaveLength(freshIndexes().length - 1 + KEY_CORRECTING_TRIGGERS.length);
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(4_000);
    // At the app's start, before any sync: the build is finished, with progress, and the search index caught up.
    const { engine } = engineFor(db, tenant, { maintenance: () => new DeviceSearchIndex(db).catchUp() });
    const progress: unknown[] = [];
    const left = freshIndexes().length - 1 + KEY_CORRECTING_TRIGGERS.length;
    expect(await engine.finishIndexBuild((p) => progress.push(p))).toBe(left);
    expect(progress).toEqual(Array.from({ length: left + 1 }, (_, built) => ({ built, total: left })));
    expect(fs.existsSync(searchIndexBuildFile(db.name))).toBe(false);
    expect(new DeviceStore(db).deferredIndexes()).toEqual([]);
    expect(devicesIndexes(db)).toEqual(freshIndexes());
    expect(devicesTriggers(db)).toEqual(freshTriggers());
    expect(ftsBehind(db)).toBe(0);
    expect(answers(db)).toEqual(answersWithIndexesBuilt(db));
    await expectNextSyncFinishes(db, tenant);
  });
});

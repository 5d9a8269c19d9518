/**
 * Issue 19: a re-sync of a tenant where nothing changed writes no device row and no sighting row (presence is the run's
 * seen set, core/sync/run-seen-set.ts) and does not grow the devices table or its indexes. TEMP triggers on the
 * engine's own connection count every insert, update and delete of those rows. A re-sync stopped mid-way resumes with
 * what it had seen, so it marks exactly the devices the tenant lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import { DeviceRecordCodec } from '../../../src-main/core/sync/device-record-codec';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { WorkerSyncEngine } from '../../../src-main/core/sync/worker-sync-engine';
import type { RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { SYNC_WORKER_SOURCE } from '../../support/sync-worker-source';
import { withShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { until } from '../../support/until';
import { activeGuids, engineFor as newEngine, INTEGRATION_ID, openSyncDatabase, removedGuids, sorted } from './sync-fixture';

const tempDir = useTempDir('tec-unchanged-resync-');
const closeAfterEach = useCloseAfterEach();
const startTenant = useSimulatorsAfterEach();
let tenant: RunningSimulator | undefined;
const engineFor = withShutDownAfterEach(newEngine);

/** Counts every insert, update and delete of a device row or a sighting row, through TEMP triggers on `db`. */
function countPresenceWrites(db: Db): () => { devices: number; sightings: number } {
  db.exec('CREATE TEMP TABLE presence_writes (name TEXT PRIMARY KEY, n INTEGER NOT NULL)');
  for (const table of ['devices', 'device_sightings']) {
    db.prepare('INSERT INTO presence_writes VALUES (?, 0)').run(table);
    for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
      db.exec(
        `CREATE TEMP TRIGGER count_${table}_${event.toLowerCase()} AFTER ${event} ON main.${table} BEGIN UPDATE presence_writes SET n = n + 1 WHERE name = '${table}'; END`,
      );
    }
  }
  const count = db.prepare('SELECT n FROM temp.presence_writes WHERE name = ?').pluck();
  return () => ({ devices: count.get('devices') as number, sightings: count.get('device_sightings') as number });
}

/** Pages held by the devices table and its indexes, after the WAL is folded into the file. */
function devicePages(db: Db): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return db.prepare("SELECT COUNT(*) FROM dbstat WHERE name = 'devices' OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices')").pluck().get() as number;
}

/** The run history: one row a run, which an unchanged re-sync adds as any run does. */
const RUN_HISTORY = new Set(['sync_runs', 'sync_runs_integration']);

/**
 * Pages held by each table and index but the run history, and the file's pages in use but theirs, once the WAL is
 * folded into the file and emptied (retried while the sync's checkpoint thread takes its last checkpoint: a TRUNCATE
 * checkpoint that meets another answers busy and leaves the WAL as it was).
 */
async function fileLayout(db: Db): Promise<{ pages: Record<string, number>; usedExceptRunHistory: number; wal: number }> {
  await until('the WAL is checkpointed and emptied', () => (db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]!.busy === 0);
  const objects = db.prepare('SELECT name, COUNT(*) AS pages FROM dbstat GROUP BY name ORDER BY name').all() as { name: string; pages: number }[];
  const pages = Object.fromEntries(objects.filter((o) => !RUN_HISTORY.has(o.name)).map((o) => [o.name, o.pages]));
  const runHistory = objects.filter((o) => RUN_HISTORY.has(o.name)).reduce((n, o) => n + o.pages, 0);
  const used = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
  return { pages, usedExceptRunHistory: used - runHistory, wal: fs.statSync(`${db.name}-wal`, { throwIfNoEntry: false })?.size ?? 0 };
}

describe('re-sync of an unchanged tenant', () => {
  it('writes no device row and no sighting row, and does not grow the devices table or its indexes', async () => {
    tenant = await startTenant({ devices: 1500, seed: 'unchanged-resync' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant);
    expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', added: tenant.deviceCount() });

    const writes = countPresenceWrites(db);
    const pagesBefore = devicePages(db);
    const resync = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(resync).toMatchObject({ status: 'completed', complete: true, devicesSeen: tenant.deviceCount(), added: 0, changed: 0, removed: 0 });
    expect(writes()).toEqual({ devices: 0, sightings: 0 });
    expect(devicePages(db)).toBe(pagesBefore);
    // What the run saw went with it.
    expect(db.prepare('SELECT COUNT(*) FROM sync_seen').pluck().get()).toBe(0);
  });

  it('starts no helper thread: only a bulk load does, and a re-sync hashes its records on the syncing thread', async () => {
    tenant = await startTenant({ devices: 3000, seed: 'unchanged-resync-hashing' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant, { pageRows: 250, bulkLoadFrom: 1000 });
    const compressor = vi.spyOn(DeviceRecordCodec.prototype, 'compressor');
    try {
      expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', added: tenant.deviceCount() });
      expect(compressor).toHaveBeenCalledTimes(1);
      compressor.mockClear();
      expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', changed: 0, devicesSeen: tenant.deviceCount() });
      // Devices check in at random, some twice: five times as many check-ins as devices move all but ~0.7 % of them.
      tenant.mutate({ checkIn: 5 * tenant.deviceCount() });
      expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed', changed: 0, devicesSeen: tenant.deviceCount() });
      expect(compressor).not.toHaveBeenCalled();
    } finally {
      compressor.mockRestore();
    }
  });

  it('starts no WAL checkpoint thread: its chunks and the search index catch-ups between them write nothing', async () => {
    tenant = await startTenant({ devices: 1500, seed: 'unchanged-resync-checkpoints' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    // Chunks of 25 devices (the fewest), sixty of them, and a search index catch-up every 100 devices, fifteen of them,
    // each with nothing to index in a re-sync of unchanged devices: counted, either would start the thread.
    const { engine } = engineFor(db, tenant, { maintenance: () => 0, maintenanceEveryDevices: 100, targetWriteMs: 0.001 });
    await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    // The thread turns SQLite's automatic checkpoints off on the sync's connection while it runs (WalCheckpointer).
    const autocheckpoints = new Set<number>();
    const started = await engine.start(INTEGRATION_ID, 'manual');
    const watch = setInterval(() => autocheckpoints.add(db.pragma('wal_autocheckpoint', { simple: true }) as number), 1);
    const resync = await started.finished.finally(() => clearInterval(watch));
    expect(resync).toMatchObject({ status: 'completed', added: 0, changed: 0, removed: 0 });
    expect([...autocheckpoints]).toEqual([1000]);
  });

  it('leaves the database file as large as it was, the run history aside, synced on the worker thread as the app syncs', async () => {
    tenant = await startTenant({ devices: 1500, seed: 'unchanged-resync-file' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const engine = new WorkerSyncEngine({ db, script: SYNC_WORKER_SOURCE, events: new EventBus(), now: () => new Date(), credentials: async () => ({ domain: tenant!.domain, ...tenant!.credentials }) });
    const sync = async () => {
      expect(await (await engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed' });
      // `finished` settles before the worker's search index catch-up and planner statistics: the file waits for them.
      await until('the worker has done the work after the run', () => !engine.ownsSearchIndex());
      return fileLayout(db);
    };
    try {
      await sync();
      const first = await sync();
      const second = await sync();
      expect(second.wal).toBe(0);
      expect(second.pages).toEqual(first.pages);
      expect(second.usedExceptRunHistory).toBe(first.usedExceptRunHistory);
    } finally {
      await engine.shutdown();
    }
  });

  it('stores a device that only checked in with one narrow row update: its record as sent, no sighting, no change recorded', async () => {
    tenant = await startTenant({ devices: 1500, seed: 'checked-in' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant);
    const first = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    const records = () => new Map([...tenant!.expectedDevices()].map((d) => [d.guid as string, d]));
    const before = records();
    tenant.mutate({ checkIn: 300 });
    const after = records();
    const checkedIn = [...after.keys()].filter((guid) => JSON.stringify(after.get(guid)) !== JSON.stringify(before.get(guid)));
    expect(checkedIn.length).toBeGreaterThan(200);
    const columns = db.prepare('SELECT * FROM devices WHERE guid = ?');
    const untouched = (row: Record<string, unknown>) => ({ ...row, raw_record: null, record_hash: null, last_checkin: null });
    const rowsBefore = new Map(checkedIn.map((guid) => [guid, columns.get(guid) as Record<string, unknown>]));

    const writes = countPresenceWrites(db);
    const resync = await (await engine.start(INTEGRATION_ID, 'manual')).finished;

    expect(resync).toMatchObject({ status: 'completed', complete: true, added: 0, changed: 0, removed: 0 });
    expect(writes()).toEqual({ devices: checkedIn.length, sightings: 0 });
    expect(db.prepare('SELECT COUNT(*) FROM device_changes WHERE run_id = ?').pluck().get(resync.id)).toBe(0);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date());
    for (const guid of checkedIn) {
      const row = columns.get(guid) as Record<string, unknown> & { id: number; last_checkin: number | null };
      expect(row.last_checkin).toBe(after.get(guid)!.lastCheckin);
      expect(untouched(row)).toEqual(untouched(rowsBefore.get(guid)!));
      // The drawer's raw record is what the tenant sent last.
      expect(repository.detail(row.id).raw).toEqual(after.get(guid));
    }
    expect(first.id).toBeLessThan(resync.id);
  });

  it('tells a device that only checked in by its record hash alone: its stored record is not inflated and compared', async () => {
    tenant = await startTenant({ devices: 400, seed: 'checked-in-by-hash' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant);
    await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(db.prepare("SELECT COUNT(*) FROM devices WHERE typeof(record_hash) <> 'blob' OR length(record_hash) <> 16").pluck().get()).toBe(0);
    const before = new Map([...tenant.expectedDevices()].map((d) => [d.guid as string, JSON.stringify(d)]));
    tenant.mutate({ checkIn: 100 });
    const checkedIn = [...tenant.expectedDevices()].filter((d) => JSON.stringify(d) !== before.get(d.guid as string));
    expect(checkedIn.length).toBeGreaterThan(50);
    // Their stored records made unreadable: comparing them field by field would fail the run (DB_CORRUPT).
    const damage = db.prepare("UPDATE devices SET raw_record = x'ff00' WHERE guid = ?");
    for (const device of checkedIn) damage.run(device.guid);

    const resync = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(resync).toMatchObject({ status: 'completed', complete: true, added: 0, changed: 0, removed: 0 });
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date());
    const idOf = db.prepare('SELECT id FROM devices WHERE guid = ?').pluck();
    for (const device of checkedIn) expect(repository.detail(idOf.get(device.guid) as number).raw).toEqual(device);
  });

  it('stopped mid-way and resumed, marks exactly the devices the tenant no longer has as removed', async () => {
    tenant = await startTenant({ devices: 3000, seed: 'resync-resumed', slowMs: 15 });
    const dir = tempDir();
    let db = closeAfterEach(openSyncDatabase(dir));
    const first = engineFor(db, tenant, { pageRows: 100, progressIntervalMs: 0 });
    expect(await (await first.engine.start(INTEGRATION_ID, 'manual')).finished).toMatchObject({ status: 'completed' });
    tenant.mutate({ remove: 40 });
    const gone = difference(activeGuids(db), tenant.expectedGuids());
    expect(gone).toHaveLength(40);

    // Slow pages, so the re-sync is stopped (its database closed under it, as a crash leaves it) well inside its first space.
    tenant.setFaults({ slow: 1 });
    const started = await first.engine.start(INTEGRATION_ID, 'manual');
    await until('six pages are read', () => (first.engine.running(INTEGRATION_ID)?.progress?.page ?? 0) >= 6, { everyMs: 5 });
    await first.engine.shutdown();
    db.close();
    await started.finished;
    tenant.setFaults({});

    db = closeAfterEach(openDatabase({ file: path.join(dir, 'console.sqlite'), migrations }).db);
    expect(db.prepare('SELECT status FROM sync_runs WHERE id = ?').pluck().get(started.runId)).toBe('running');
    const second = engineFor(db, tenant, { pageRows: 100 });
    const resumed = await second.engine.start(INTEGRATION_ID, 'manual');
    expect(resumed).toMatchObject({ runId: started.runId, resumed: true });
    expect(await resumed.finished).toMatchObject({ status: 'completed', complete: true, removed: 40, added: 0, devicesSeen: tenant.deviceCount() });
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
    expect(removedGuids(db)).toEqual(sorted(gone));
  });

  it('still says when a sync last saw each device: the re-sync that found it unchanged, or for a device gone, the last one that saw it', async () => {
    tenant = await startTenant({ devices: 600, seed: 'resync-last-seen' });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    let clock = Date.parse('2026-12-01T08:00:00Z');
    const { engine } = engineFor(db, tenant, { now: () => new Date(clock) });
    const first = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    const before = [...tenant.expectedGuids()];

    clock = Date.parse('2026-12-02T08:00:00Z');
    const writes = countPresenceWrites(db);
    const unchanged = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(writes()).toEqual({ devices: 0, sightings: 0 });
    expect(unchanged.id).toBeGreaterThan(first.id);
    const seen = (guid: string) => engine.devices.find(guid, INTEGRATION_ID)[0]!;
    tenant.mutate({ remove: 1 });
    const [lost] = difference(before, tenant.expectedGuids()) as [string];
    const kept = before.find((guid) => guid !== lost)!;
    expect(seen(kept)).toMatchObject({ lastSeenAt: '2026-12-02T08:00:00.000Z', removedAt: null });
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(clock));
    // The drawer: its "last seen" run too.
    const drawer = (guid: string) => repository.detail(db.prepare('SELECT id FROM devices WHERE guid = ?').pluck().get(guid) as number);
    expect(drawer(kept)).toMatchObject({ lastSeenAt: '2026-12-02T08:00:00.000Z', lastSeenRun: unchanged.id, removedRun: null });

    clock = Date.parse('2026-12-03T08:00:00Z');
    const third = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(third).toMatchObject({ removed: 1 });
    expect(seen(lost)).toMatchObject({ lastSeenAt: '2026-12-02T08:00:00.000Z', removedAt: '2026-12-03T08:00:00.000Z' });
    expect(seen(kept)).toMatchObject({ lastSeenAt: '2026-12-03T08:00:00.000Z', removedAt: null });
    expect(drawer(lost)).toMatchObject({ lastSeenAt: '2026-12-02T08:00:00.000Z', lastSeenRun: unchanged.id, removedRun: third.id });
    expect(drawer(kept)).toMatchObject({ lastSeenAt: '2026-12-03T08:00:00.000Z', lastSeenRun: third.id, removedRun: null });
  });
});

function difference(before: Iterable<string>, after: Iterable<string>): string[] {
  const kept = new Set(after);
  return [...before].filter((guid) => !kept.has(guid));
}

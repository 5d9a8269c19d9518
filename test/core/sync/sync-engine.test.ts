import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SyncProgress, SyncRun } from '../../../src-shared/domain/sync';
import { DEFAULT_AND_RESTRICTED_SPACES, type RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { withShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { activeGuids, engineFor as newEngine, integrityCheck, INTEGRATION_ID, openSyncDatabase, quickRetryingClient, removedGuids, sorted } from './sync-fixture';
import { until } from '../../support/until';

const tempDir = useTempDir('tec-sync-');
const simulator = useSimulatorsAfterEach();
const closeAfterEach = useCloseAfterEach();
const engineFor = withShutDownAfterEach(newEngine);

/** Spaces in list order small → large, so churn also hits spaces the sync has already finished. */
const SMALL_FIRST = [
  { id: 501, name: 'Contractors', share: 10 },
  { id: 502, name: 'EU Staff', share: 20, gdpr: true },
  { id: 503, name: 'Default Space', share: 70, defaultSpace: true },
];

function difference(expected: Iterable<string>, actual: Iterable<string>): { missing: string[]; extra: string[] } {
  const want = new Set(expected);
  const have = new Set(actual);
  return { missing: [...want].filter((g) => !have.has(g)).slice(0, 5), extra: [...have].filter((g) => !want.has(g)).slice(0, 5) };
}

describe('sync engine against the simulated tenant', () => {
  it(
    'with every fault switched on, syncing 50,000 devices ends with exactly the tenant\'s device set and an intact database',
    { timeout: 240_000 },
    async () => {
      const tenant = await simulator({
        devices: 50_000,
        seed: 'all-faults',
        spaces: SMALL_FIRST,
        slowMs: 100,
        // Devices are enrolled, removed and updated during the first 120 requests: across the small spaces once they are
        // finished and into the large one while it is read. The tenant then holds still so "exact" has a meaning.
        faults: { '429': 0.04, '5xx': 0.03, drop: 0.03, truncate: 0.03, slow: 0.04, churn: { next: 120 } },
      });
      const db = closeAfterEach(openSyncDatabase(tempDir()));
      const { engine } = engineFor(db, tenant);

      const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;

      const faults = tenant.stats().faults;
      for (const name of ['429', '5xx', 'drop', 'truncate', 'slow', 'churn'] as const) expect(faults[name], `fault ${name} happened`).toBeGreaterThan(0);
      expect(run).toMatchObject({ status: 'completed', complete: true });
      expect(difference(tenant.expectedGuids(), activeGuids(db))).toEqual({ missing: [], extra: [] });
      expect(activeGuids(db)).toHaveLength(tenant.deviceCount());
      // Devices the churn removed after the sync had stored them are kept, marked removed, by this complete run only.
      const removed = removedGuids(db);
      const present = new Set(tenant.expectedGuids());
      expect(removed.filter((guid) => present.has(guid))).toEqual([]);
      const removals = db.prepare("SELECT run_id, COUNT(*) AS n FROM device_changes WHERE kind = 'removed' GROUP BY run_id").all() as { run_id: number; n: number }[];
      expect(removals.every((r) => r.run_id === run.id)).toBe(true);
      expect(removals.reduce((sum, r) => sum + r.n, 0)).toBe(removed.length);
      expect(run.removed).toBe(removed.length);
      expect(db.prepare('SELECT COUNT(*) - COUNT(DISTINCT guid) FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').pluck().get(INTEGRATION_ID)).toBe(0);
      expect(integrityCheck(db)).toBe('ok');
    },
  );

  it('marks devices missing from a complete run as removed (kept, not deleted) and restores one that comes back', async () => {
    // Two tenants from the same seed hold the same devices; the second then loses 7 and enrols 3. Syncing the first,
    // the second, then the first again shows removals, and the same devices coming back.
    const before = await simulator({ devices: 1_200, seed: 'removals' });
    const after = await simulator({ devices: 1_200, seed: 'removals' });
    after.mutate({ remove: 7, add: 3 });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    // One tenant seen at two moments: the integration's domain stays the first's (devices are keyed by tenant and guid),
    // while the client talks to whichever simulator holds the tenant's state of the moment.
    const syncAgainst = async (tenant: RunningSimulator) =>
      (await engineFor(db, before, { connect: (credentials, hooks) => quickRetryingClient({ ...credentials, domain: tenant.domain }, hooks) }).engine.start(INTEGRATION_ID, 'manual'))
        .finished;
    const kinds = (runId: number) => db.prepare('SELECT kind, COUNT(*) AS n FROM device_changes WHERE run_id = ? GROUP BY kind ORDER BY kind').all(runId);
    const remaining = new Set(after.expectedGuids());
    const gone = sorted([...before.expectedGuids()].filter((g) => !remaining.has(g)));
    expect(gone).toHaveLength(7);

    await syncAgainst(before);
    const second = await syncAgainst(after);
    expect(second).toMatchObject({ status: 'completed', complete: true, removed: 7, added: 3 });
    expect(removedGuids(db)).toEqual(gone);
    expect(activeGuids(db)).toEqual(sorted(after.expectedGuids()));
    expect(kinds(second.id)).toEqual([
      { kind: 'added', n: 3 },
      { kind: 'removed', n: 7 },
    ]);
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(1_203);

    const third = await syncAgainst(before);
    expect(third).toMatchObject({ status: 'completed', removed: 3, restored: 7, added: 0 });
    expect(activeGuids(db)).toEqual(sorted(before.expectedGuids()));
    expect(kinds(third.id)).toEqual([
      { kind: 'removed', n: 3 },
      { kind: 'restored', n: 7 },
    ]);
  });

  it('completeness is per space: a readable space marks its missing devices removed, a 403 space keeps its devices', async () => {
    const tenant = await simulator({
      devices: 900,
      seed: 'forbidden',
      spaces: DEFAULT_AND_RESTRICTED_SPACES,
    });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant);
    const first = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(first).toMatchObject({ status: 'completed', complete: true, removed: 0 });
    const inRestricted = sorted(db.prepare('SELECT guid FROM devices WHERE space_id = 2').pluck().all() as string[]);
    expect(inRestricted.length).toBeGreaterThan(200);

    // The API user loses Device Read Only in "Restricted"; devices are deleted in both spaces between runs.
    tenant.setDeviceRead(2, false);
    tenant.mutate({ remove: 40 });
    const second = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(second).toMatchObject({ status: 'completed', complete: false });
    expect(second.errors).toContainEqual(expect.objectContaining({ code: 'IVANTI_SPACE_FORBIDDEN', space: 'Restricted' }));

    const readableNow = sorted(tenant.expectedGuids());
    const stillStored = new Set(activeGuids(db));
    // Every device deleted from the readable space is marked removed, and only those...
    const removedFromDefault = sorted(db.prepare('SELECT guid FROM devices WHERE space_id = 1 AND removed_at IS NOT NULL').pluck().all() as string[]);
    expect(removedFromDefault.length).toBeGreaterThan(0);
    expect(second.removed).toBe(removedFromDefault.length);
    expect(sorted(db.prepare('SELECT guid FROM devices WHERE space_id = 1 AND removed_at IS NULL').pluck().all() as string[])).toEqual(readableNow);
    // ...while the unreadable space keeps every device as last seen, deleted in Ivanti or not.
    for (const guid of inRestricted) expect(stillStored.has(guid)).toBe(true);
    expect(db.prepare("SELECT COUNT(*) FROM device_changes WHERE kind = 'removed' AND device_id IN (SELECT id FROM devices WHERE space_id = 2)").pluck().get()).toBe(0);

    // The space becomes readable again: the next run is complete, and what it lost meanwhile is removed now.
    tenant.setDeviceRead(2, true);
    const third = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(third).toMatchObject({ status: 'completed', complete: true });
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
    expect(third.removed).toBe(inRestricted.filter((g) => !new Set(tenant.expectedGuids()).has(g)).length);
  });

  it('a run that could read no space at all is failed, and removes nothing', async () => {
    const tenant = await simulator({ devices: 300, seed: 'all-forbidden', spaces: [{ id: 1, name: 'Only', share: 1, defaultSpace: true }] });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant);
    await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    tenant.setDeviceRead(1, false);
    const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(run).toMatchObject({ status: 'failed', complete: false, removed: 0 });
    expect(activeGuids(db)).toHaveLength(300);
  });

  it('resumes a cancelled run with the same run id, marks no removal while cancelled, and converges to the exact set', async () => {
    const tenant = await simulator({ devices: 6_000, seed: 'cancel', slowMs: 30, faults: { slow: 1 } });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant, { progressIntervalMs: 0 });
    await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    tenant.mutate({ remove: 40, add: 40, update: 40 });

    const started = await engine.start(INTEGRATION_ID, 'manual');
    const cancelWhenPaging = setInterval(() => {
      if ((engine.running(INTEGRATION_ID)?.progress?.page ?? 0) > 3) engine.cancel(INTEGRATION_ID);
    }, 5);
    const cancelled = await started.finished;
    clearInterval(cancelWhenPaging);
    expect(cancelled).toMatchObject({ status: 'cancelled', complete: false, removed: 0 });
    expect(removedGuids(db)).toEqual([]);

    const resumed = await engine.start(INTEGRATION_ID, 'manual');
    expect(resumed).toMatchObject({ runId: started.runId, resumed: true });
    const run = await resumed.finished;
    expect(run).toMatchObject({ id: started.runId, status: 'completed', complete: true, removed: 40, added: 40 });
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
    expect(db.prepare('SELECT COUNT(*) FROM sync_runs').pluck().get()).toBe(2);
  });

  it('resumes a run whose process stopped mid-page (database closed under it) from its last committed page', async () => {
    const tenant = await simulator({ devices: 5_000, seed: 'crash', slowMs: 20, faults: { slow: 1 } });
    const dir = tempDir();
    let db = closeAfterEach(openSyncDatabase(dir));
    const first = engineFor(db, tenant, { progressIntervalMs: 0 });
    const started = await first.engine.start(INTEGRATION_ID, 'manual');
    await until('four pages are read', () => (first.engine.running(INTEGRATION_ID)?.progress?.page ?? 0) >= 4, { everyMs: 5 });
    await first.engine.shutdown();
    db.close();
    await started.finished;

    const { openDatabase } = await import('../../../src-main/core/db/database');
    const { migrations } = await import('../../../src-main/core/db/migrations');
    db = closeAfterEach(openDatabase({ file: `${dir}/console.sqlite`, migrations }).db);
    const row = db.prepare('SELECT status, pages FROM sync_runs WHERE id = ?').get(started.runId) as { status: string; pages: number };
    expect(row.status).toBe('running');
    expect(row.pages).toBeGreaterThanOrEqual(4);
    const second = engineFor(db, tenant);
    const resumed = await second.engine.start(INTEGRATION_ID, 'manual');
    expect(resumed).toMatchObject({ runId: started.runId, resumed: true });
    expect(await resumed.finished).toMatchObject({ status: 'completed', complete: true, devicesSeen: 5_000, added: 5_000 });
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
  });

  it('shutdown settles only once the WAL checkpoint thread has closed its connection: the database closed next is the last one', async () => {
    const tenant = await simulator({ devices: 5_000, seed: 'shutdown-wal', slowMs: 20, faults: { slow: 1 } });
    const dir = tempDir();
    const db = openSyncDatabase(dir);
    const { engine } = engineFor(db, tenant, { progressIntervalMs: 0 });
    const started = await engine.start(INTEGRATION_ID, 'manual');
    await until('two pages are stored', () => (engine.running(INTEGRATION_ID)?.progress?.page ?? 0) >= 2, { everyMs: 5 });
    await engine.shutdown();
    db.close();
    // SQLite removes the -wal and -shm files when the last connection to the database closes. Had the checkpoint
    // thread outlived the engine, it would still hold its connection here (and write those files after this point).
    expect(fs.existsSync(path.join(dir, 'console.sqlite-wal'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'console.sqlite-shm'))).toBe(false);
    expect(await started.finished).toMatchObject({ status: 'interrupted' });
  });

  it('records which fields changed, leaving out check-in times that move on every sync', async () => {
    const tenant = await simulator({ devices: 3, seed: 'fields', spaces: [{ id: 9, name: 'Only space' }] });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant);
    await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    const records = () => new Map([...tenant.expectedDevices()].map((d) => [d.guid as string, d]));
    // Each update moves the device's check-in time and toggles its compliance; every fifth update of a device also
    // flips its registration state. A sync after each update records exactly what changed in the one updated device.
    let flips = 0;
    for (let i = 0; i < 40 && flips === 0; i++) {
      const before = records();
      tenant.mutate({ update: 1 });
      const after = records();
      const updated = [...after.keys()].filter((guid) => JSON.stringify(after.get(guid)) !== JSON.stringify(before.get(guid)));
      expect(updated).toHaveLength(1);
      const [guid] = updated as [string];
      const [was, is] = [before.get(guid)!, after.get(guid)!];

      const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;

      const changes = db.prepare("SELECT d.guid, c.fields FROM device_changes c JOIN devices d ON d.id = c.device_id WHERE c.run_id = ? AND c.kind = 'changed'").all(run.id) as { guid: string; fields: string }[];
      expect(changes.map((c) => c.guid)).toEqual([guid]);
      expect(run.changed).toBe(1);
      const fields = JSON.parse(changes[0]!.fields) as Record<string, [unknown, unknown]>;
      expect(fields.complianceState).toEqual([was.complianceState, is.complianceState]);
      expect(Object.keys(fields)).not.toContain('lastCheckin');
      if (was.registrationState !== is.registrationState) {
        expect(fields.registrationState).toEqual([was.registrationState, is.registrationState]);
        flips++;
      } else {
        expect(Object.keys(fields)).not.toContain('registrationState');
      }
      // The stored record is the new one, check-in time included.
      expect(db.prepare('SELECT last_checkin FROM devices WHERE guid = ?').pluck().get(guid)).toBe(is.lastCheckin);
    }
    expect(flips).toBe(1);
  });

  it('asks for the next two pages before writing the current one, wastes no request, and stores exactly the tenant\'s devices', async () => {
    const tenant = await simulator({ devices: 1_000, seed: 'ahead', spaces: [{ id: 9, name: 'Only space' }] });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    // Devices stored when each page was asked for: with the next two pages asked for while the current one is written
    // (not a bulk load: 1,000 devices), the second and third requests go out before any device of the first page is stored.
    const storedAtRequest: number[] = [];
    const starts: number[] = [];
    const stored = db.prepare('SELECT COUNT(*) FROM devices').pluck();
    const { engine } = engineFor(db, tenant, {
      pageRows: 200,
      connect: (credentials, hooks) => {
        const client = quickRetryingClient(credentials, hooks);
        return {
          listSpaces: (signal) => client.listSpaces(signal),
          searchDeviceRecords: (search, signal) => {
            storedAtRequest.push(stored.get() as number);
            starts.push(search.start);
            return client.searchDeviceRecords(search, signal);
          },
          close: () => client.close(),
        };
      },
    });

    const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;

    expect(run).toMatchObject({ status: 'completed', devicesSeen: 1_000, added: 1_000 });
    expect(storedAtRequest.slice(0, 3)).toEqual([0, 0, 0]);
    // The pass: pages of 200 overlapping by 5, each asked for once and none past the end; then the reconciliation
    // round's read of the end.
    expect(starts).toEqual([0, 195, 390, 585, 780, 975, 995]);
    expect(activeGuids(db)).toEqual(sorted(tenant.expectedGuids()));
  });

  it('runs one sync per integration at a time', async () => {
    const tenant = await simulator({ devices: 2_000, seed: 'twice', slowMs: 20, faults: { slow: 1 } });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine } = engineFor(db, tenant);
    const started = await engine.start(INTEGRATION_ID, 'manual');
    await expect(engine.start(INTEGRATION_ID, 'manual')).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING' });
    // Another engine on the same database (another window, a tec command) is refused too while the owner lives.
    await expect(engineFor(db, tenant).engine.start(INTEGRATION_ID, 'manual')).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING' });
    await started.finished;
  });

  it('reports progress with space, page, devices so far, rate and ETA, then one finished event', async () => {
    const tenant = await simulator({ devices: 3_000, seed: 'progress', slowMs: 10, faults: { slow: 1 } });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { engine, events } = engineFor(db, tenant, { progressIntervalMs: 0 });
    const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;

    const progress = events.filter((e) => e.name === 'sync.progress').map((e) => e.payload as SyncProgress);
    const paging = progress.filter((p) => p.phase === 'paging');
    expect(paging.length).toBeGreaterThan(5);
    expect(new Set(paging.map((p) => p.space))).toEqual(new Set(['Default Space', 'EU Staff', 'Contractors']));
    expect(paging.map((p) => p.devicesSoFar)).toEqual(paging.map((p) => p.devicesSoFar).sort((a, b) => a - b));
    expect(paging.some((p) => p.devicesPerSecond > 0 && p.etaSeconds !== null)).toBe(true);
    expect(paging.at(-1)).toMatchObject({ integrationId: INTEGRATION_ID, runId: run.id, devicesSoFar: 3_000, devicesExpected: 3_000 });
    const finished = events.filter((e) => e.name === 'sync.finished');
    expect(finished).toHaveLength(1);
    expect((finished[0]!.payload as { run: SyncRun }).run).toMatchObject({ id: run.id, status: 'completed' });
  });
});

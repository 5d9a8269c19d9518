/**
 * A bulk load of a tenant with no device sets the unique key (tenant, guid) aside (issue 19): the store that set it
 * aside keeps the tenant's guids itself, and every other writer builds the key before it writes.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import type { IvantiDevice } from '../../../src-main/core/ivanti/ivanti-wire';
import { DeviceStore, type PageContext } from '../../../src-main/core/sync/device-store';
import type { RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { useTempDir } from '../../support/temp-dir';
import { integrityCheck, openSyncDatabase, parsedTenant } from './sync-fixture';

const tempDir = useTempDir('tec-key-aside-');
const closeAfterEach = useCloseAfterEach();
const startTenant = useSimulatorsAfterEach();
let tenant: RunningSimulator | undefined;

const TENANT = 'tenant.example';

async function tenantDevices(db: Db, devices: number): Promise<{ parsed: IvantiDevice[]; context: (page: number) => PageContext }> {
  tenant = await startTenant({ devices, seed: 'key-aside' });
  return parsedTenant(db, tenant, TENANT);
}

const keyExists = (db: Db) => db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'devices_key'").pluck().get() === 1;
const ivantiIdIndexExists = (db: Db) => db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'devices_ivanti_id'").pluck().get() === 1;
const storedGuids = (db: Db) => db.prepare('SELECT guid FROM devices ORDER BY guid').pluck().all() as string[];
const guidsOf = (devices: readonly IvantiDevice[]) => devices.map((d) => d.guid).sort();

/** Builds what the load set aside, as its end does: the unique key's build fails on a guid stored twice. */
function buildAll(store: DeviceStore): void {
  while (store.buildDeferredIndex() !== null);
}

describe('the unique key set aside by a bulk load', () => {
  it('is set aside only for a tenant with no device, and a device the load meets again is found and updated, not stored twice', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 30);
    const store = new DeviceStore(db);
    db.transaction(() => store.deferIndexes(TENANT))();
    expect(store.deferredIndexes()[0]).toBe('devices_key');
    expect(keyExists(db)).toBe(false);
    db.transaction(() => store.writePage(context(1), parsed.slice(0, 20)))();
    // Pages that overlap (an offset drifted): ten devices again, one of them renamed.
    const renamed: IvantiDevice = { ...parsed[12]!, deviceName: 'Renamed twin', raw: { ...parsed[12]!.raw, deviceName: 'Renamed twin' } };
    const again = [...parsed.slice(10, 12), renamed, ...parsed.slice(13, 30)];
    expect(db.transaction(() => store.writePage(context(2), again))()).toMatchObject({ added: 10, changed: 1 });
    expect(keyExists(db)).toBe(false);
    expect(storedGuids(db)).toEqual(guidsOf(parsed));
    expect(db.prepare('SELECT device_name FROM devices WHERE guid = ?').pluck().get(renamed.guid)).toBe('Renamed twin');
    buildAll(store);
    expect(keyExists(db)).toBe(true);
    // The tenant has devices now: another bulk load of it keeps its key.
    db.transaction(() => store.deferIndexes(TENANT))();
    expect(store.deferredIndexes()).not.toContain('devices_key');
    expect(keyExists(db)).toBe(true);
    buildAll(store);
  });

  it('never takes a row of a rolled-back page for its device, even when another device was given its id since', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 20);
    const store = new DeviceStore(db);
    db.transaction(() => store.deferIndexes(TENANT))();
    const [first, second] = [parsed.slice(0, 10), parsed.slice(10, 20)];
    expect(() =>
      db.transaction(() => {
        store.writePage(context(1), first);
        throw new Error('the page failed after its write');
      })(),
    ).toThrow('the page failed');
    // The next page's devices take the rolled-back rows' ids; then the first page again.
    db.transaction(() => store.writePage(context(2), second))();
    expect(db.transaction(() => store.writePage(context(3), first))()).toMatchObject({ added: 10 });
    expect(storedGuids(db)).toEqual(guidsOf(parsed));
    buildAll(store);
    expect(keyExists(db)).toBe(true);
  });

  it("is built first by any other writer of the devices (another process's), and the load goes on with it, storing each guid once", async () => {
    const dir = tempDir();
    const db = closeAfterEach(openSyncDatabase(dir));
    const { parsed, context } = await tenantDevices(db, 30);
    const loading = new DeviceStore(db);
    db.transaction(() => loading.deferIndexes(TENANT))();
    db.transaction(() => loading.writePage(context(1), parsed.slice(0, 10)))();
    // Another connection to the file, as the `tec` CLI has: it writes some of the same devices and some new ones.
    const other = closeAfterEach(openDatabase({ file: path.join(dir, 'console.sqlite'), migrations }).db);
    const otherStore = new DeviceStore(other);
    other.transaction(() => otherStore.writePage(context(2), parsed.slice(5, 20)))();
    expect(keyExists(db)).toBe(true);
    expect(loading.deferredIndexes()).not.toContain('devices_key');
    // With the Ivanti id index, which a load that looks its devices up through the key may seek by.
    expect(ivantiIdIndexExists(db)).toBe(true);
    expect(loading.deferredIndexes()).not.toContain('devices_ivanti_id');
    // The loading store sees the key back and looks its devices up through it: those the other wrote are not stored again.
    expect(db.transaction(() => loading.writePage(context(3), parsed.slice(10, 30)))()).toMatchObject({ added: 10 });
    expect(storedGuids(db)).toEqual(guidsOf(parsed));
    buildAll(loading);
    expect(integrityCheck(db)).toBe('ok');
  });

  it('is taken over by a store resuming the load, from the rows stored, and the store that held it before builds the key before it writes again', async () => {
    const dir = tempDir();
    const db = closeAfterEach(openSyncDatabase(dir));
    const { parsed, context } = await tenantDevices(db, 30);
    const first = new DeviceStore(db);
    db.transaction(() => first.deferIndexes(TENANT))();
    db.transaction(() => first.writePage(context(1), parsed.slice(0, 10)))();
    // The resumed run's store, on a connection of its own (after a crash: the process that set the key aside is gone).
    const resumed = closeAfterEach(openDatabase({ file: path.join(dir, 'console.sqlite'), migrations }).db);
    const resuming = new DeviceStore(resumed);
    expect(resumed.transaction(() => resuming.resumeKeyAside(TENANT))()).toBe(true);
    expect(resumed.transaction(() => resuming.writePage(context(2), parsed.slice(5, 20)))()).toMatchObject({ added: 10 });
    expect(keyExists(db)).toBe(false);
    // The first store still runs (not a crash, after all): the schema changed since it set the key aside.
    expect(db.transaction(() => first.writePage(context(3), parsed.slice(15, 30)))()).toMatchObject({ added: 10 });
    expect(keyExists(db)).toBe(true);
    expect(storedGuids(db)).toEqual(guidsOf(parsed));
    expect(resumed.transaction(() => resuming.resumeKeyAside(TENANT))()).toBe(false);
    buildAll(first);
  });

  it("is built first when a page of another tenant is written, or after any change of the schema since it was set aside", async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 20);
    const store = new DeviceStore(db);
    db.transaction(() => store.deferIndexes(TENANT))();
    db.transaction(() => store.writePage({ ...context(1), tenant: 'other.example' }, parsed.slice(0, 5)))();
    expect(keyExists(db)).toBe(true);
    // Set aside again for a tenant of its own, then the schema changes under the load (here: a table added).
    db.transaction(() => store.deferIndexes('third.example'))();
    expect(keyExists(db)).toBe(false);
    db.transaction(() => store.writePage({ ...context(2), tenant: 'third.example' }, parsed.slice(0, 10)))();
    expect(keyExists(db)).toBe(false);
    db.exec('CREATE TABLE unrelated (x)');
    db.transaction(() => store.writePage({ ...context(3), tenant: 'third.example' }, parsed.slice(5, 20)))();
    expect(keyExists(db)).toBe(true);
    expect(db.prepare("SELECT COUNT(*) FROM devices WHERE tenant_key = (SELECT key FROM device_tenants WHERE tenant = 'third.example')").pluck().get()).toBe(20);
    buildAll(store);
  });

  it('takes the Ivanti id index aside with it; an unparsable record met in the load builds that index at once and is sighted by its id, the key staying aside', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 30);
    const store = new DeviceStore(db);
    db.transaction(() => store.deferIndexes(TENANT))();
    expect(store.deferredIndexes().slice(0, 2)).toEqual(['devices_key', 'devices_ivanti_id']);
    expect(ivantiIdIndexExists(db)).toBe(false);
    db.transaction(() => store.writePage(context(1), parsed.slice(0, 20)))();
    expect(ivantiIdIndexExists(db)).toBe(false);
    // A later pass meets the fifth device's record unparsable: the device counts as seen in that pass, by its id.
    const later = { ...context(2), pass: 2 };
    expect(db.transaction(() => store.touchUnparsed(later, parsed[4]!.id))()).toBe(true);
    expect(later.seen.has(later.space.id, 2, db.prepare('SELECT id FROM devices WHERE guid = ?').pluck().get(parsed[4]!.guid) as number)).toBe(true);
    expect(db.transaction(() => store.touchUnparsed(later, 987_654_321))()).toBe(false);
    expect(ivantiIdIndexExists(db)).toBe(true);
    expect(store.deferredIndexes()).not.toContain('devices_ivanti_id');
    // The store built it itself: the load goes on without the key, and a device met again is found, not stored twice.
    expect(db.transaction(() => store.writePage(context(3), parsed.slice(10, 30)))()).toMatchObject({ added: 10 });
    expect(keyExists(db)).toBe(false);
    expect(storedGuids(db)).toEqual(guidsOf(parsed));
    buildAll(store);
    expect(keyExists(db)).toBe(true);
  });

  it('is followed by the Ivanti id index: a load whose end was stopped between the two builds builds that index before it writes again', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 20);
    const store = new DeviceStore(db);
    db.transaction(() => store.deferIndexes(TENANT))();
    db.transaction(() => store.writePage(context(1), parsed.slice(0, 10)))();
    expect(store.buildDeferredIndex()).toBe('devices_key');
    expect(ivantiIdIndexExists(db)).toBe(false);
    const resumed = new DeviceStore(db);
    expect(db.transaction(() => resumed.writePage(context(2), parsed.slice(5, 20)))()).toMatchObject({ added: 10 });
    expect(ivantiIdIndexExists(db)).toBe(true);
    expect(storedGuids(db)).toEqual(guidsOf(parsed));
    buildAll(resumed);
    expect(integrityCheck(db)).toBe('ok');
  });
});

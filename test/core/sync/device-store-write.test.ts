/**
 * DeviceStore.writePage, one chunk at a time (issue 19): what a chunk's write asks the database, and a chunk that
 * names one device twice. DeviceStore.renameSpaces, which every complete run calls for the spaces it read.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Db } from '../../../src-main/core/db/database';
import { DeviceRecord, ReceivedSearchAnswer, type IvantiDevice } from '../../../src-main/core/ivanti/ivanti-wire';
import { DeviceStore, type PageContext, type PageWriteResult } from '../../../src-main/core/sync/device-store';
import type { RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { sqlRunCountsDuring } from '../../support/query-plans';
import { useTempDir } from '../../support/temp-dir';
import { deviceNameSortKey } from '../../../src-shared/domain/device-name-key';
import { normalizeDeviceIdentifier } from '../../../src-shared/domain/device-identifier';
import { INTEGRATION_ID, openSyncDatabase, parsedTenant } from './sync-fixture';

const tempDir = useTempDir('tec-device-store-write-');
const closeAfterEach = useCloseAfterEach();
const startTenant = useSimulatorsAfterEach();
let tenant: RunningSimulator | undefined;

/** The simulated tenant's devices as the sync parses them, and a page context for a new run in its first space. */
async function tenantDevices(db: Db, devices: number, seed: string): Promise<{ parsed: IvantiDevice[]; context: (page: number) => PageContext }> {
  tenant = await startTenant({ devices, seed });
  return parsedTenant(db, tenant, 'tenant.example');
}

/** The devices' records as a search page brings them: parsed from the page's body, each with its text in it. */
function pageRecords(devices: readonly IvantiDevice[], text: (raw: unknown) => string): DeviceRecord[] {
  const body = `{"result":{"searchResults":[${devices.map((device) => text(device.raw)).join(',')}],"totalCount":${devices.length}}}`;
  const records = (JSON.parse(body) as { result: { searchResults: unknown[] } }).result.searchResults;
  const page = new ReceivedSearchAnswer(body, records.length, records);
  return records.map((raw, index) => new DeviceRecord(raw, page, index));
}

/** `write` with a new store of `of`, in one transaction. */
function written<T>(of: Db, write: (store: DeviceStore) => T): T {
  return of.transaction(() => write(new DeviceStore(of)))();
}

describe('DeviceStore.writePage', () => {
  it("looks the chunk's stored devices up in one statement, not one per device", async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 40, 'one-lookup');
    // By guid: the lookup of what is stored (a device's own sighting and record are read by its id).
    const lookups = (counts: Map<string, number>) => [...counts].filter(([sql]) => /\bguid\b/.test(sql) && sql.trimStart().startsWith('SELECT')).reduce((n, [, c]) => n + c, 0);
    const first = sqlRunCountsDuring(db, () => new DeviceStore(db), (store) => db.transaction(() => store.writePage(context(1), parsed))());
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(parsed.length);
    expect(lookups(first)).toBe(1);
    // Again, every device now stored (an unchanged re-sync's chunk).
    const again = sqlRunCountsDuring(db, () => new DeviceStore(db), (store) => db.transaction(() => store.writePage(context(2), parsed))());
    expect(lookups(again)).toBe(1);
  });

  it('finds a re-synced chunk by Ivanti id and each stored device by its guid, also when ids moved between devices', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 6, 'ids-moved');
    const [a, b, c, d, ...rest] = parsed as [IvantiDevice, IvantiDevice, IvantiDevice, IvantiDevice, ...IvantiDevice[]];
    const withId = (device: IvantiDevice, id: number): IvantiDevice => ({ ...device, id, raw: { ...device.raw, id } });
    db.transaction(() => new DeviceStore(db).writePage(context(1), parsed))();
    const rowsBefore = db.prepare('SELECT id, guid FROM devices ORDER BY id').all();
    // a and b swap their Ivanti ids, c takes one no stored device has, d stays as it was.
    const moved = [withId(a, b.id), withId(b, a.id), withId(c, 987_654_321), d, ...rest];
    const byId = (counts: Map<string, number>) => [...counts].filter(([sql]) => /\bivanti_id IN\b/.test(sql)).reduce((n, [, count]) => n + count, 0);
    let result: PageWriteResult | undefined;
    // The first chunk a store writes is sought by guid; once one found its devices stored, the next is sought by id.
    const counts = sqlRunCountsDuring(db, () => new DeviceStore(db), (store) => {
      db.transaction(() => store.writePage(context(2), parsed))();
      result = db.transaction(() => store.writePage(context(3), moved))();
    });
    expect(byId(counts)).toBe(1);
    expect(result).toMatchObject({ added: 0, changed: 3, restored: 0 });
    // The same rows, each with its own device's new id: none added, none given another device's record.
    expect(db.prepare('SELECT id, guid FROM devices ORDER BY id').all()).toEqual(rowsBefore);
    const ivantiIdOf = db.prepare('SELECT ivanti_id FROM devices WHERE guid = ?').pluck();
    expect(moved.map((device) => ivantiIdOf.get(device.guid))).toEqual(moved.map((device) => device.id));
  });

  it("writes the history and sightings of a chunk's new devices in one statement each, in the order of the chunk", async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 50, 'added-together');
    const writes = (counts: Map<string, number>, table: string) => [...counts].filter(([sql]) => sql.trimStart().startsWith(`INSERT INTO ${table}`)).reduce((n, [, c]) => n + c, 0);
    // A first sync's chunk: every device new.
    const first = sqlRunCountsDuring(db, () => new DeviceStore(db), (store) => db.transaction(() => store.writePage(context(1), parsed.slice(0, 40)))());
    expect([writes(first, 'device_changes'), writes(first, 'device_sightings')]).toEqual([1, 1]);
    // New devices between stored ones, one renamed, and a new one the chunk names twice: each change comes in the
    // chunk's order, and every device is sighted by this page.
    const rename = (device: IvantiDevice, name: string): IvantiDevice => ({ ...device, deviceName: name, raw: { ...device.raw, deviceName: name } });
    const [a, b, c, d] = parsed.slice(40, 44) as [IvantiDevice, IvantiDevice, IvantiDevice, IvantiDevice];
    const chunk = [a, b, rename(parsed[2]!, 'Renamed stored'), c, parsed[3]!, d, rename(a, 'Renamed new')];
    db.transaction(() => new DeviceStore(db).writePage(context(2), chunk))();
    const history = db
      .prepare('SELECT d.guid, c.kind FROM device_changes c JOIN devices d ON d.id = c.device_id WHERE c.id > (SELECT MAX(id) - 6 FROM device_changes) ORDER BY c.id')
      .all();
    expect(history).toEqual([
      { guid: a.guid, kind: 'added' },
      { guid: b.guid, kind: 'added' },
      { guid: parsed[2]!.guid, kind: 'changed' },
      { guid: c.guid, kind: 'added' },
      { guid: d.guid, kind: 'added' },
      { guid: a.guid, kind: 'changed' },
    ]);
    const sightedBy = (guid: string) => db.prepare('SELECT s.last_seen_page FROM device_sightings s JOIN devices d ON d.id = s.device_id WHERE d.guid = ?').pluck().all(guid);
    for (const device of [a, b, c, d, parsed[2]!]) expect(sightedBy(device.guid)).toEqual([2]);
    expect(sightedBy(parsed[3]!.guid)).toEqual([1]);
  });

  it("inserts a new device's row as a rewrite of a stored one writes it, column for column", async () => {
    // A new device's INSERT binds its parameters by position (2c5e170); a changed device's UPDATE binds them by name.
    // Two columns of one type swapped in the INSERT (last_seen_at and last_seen_run are both integers) would pass the
    // STRICT table: the rewritten row is the oracle for every column.
    const inserted = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(inserted, 12, 'insert-by-position');
    written(inserted, (store) => store.writePage(context(3), parsed));
    const rewritten = closeAfterEach(openSyncDatabase(tempDir()));
    const other = parsedTenant(rewritten, tenant!, 'tenant.example');
    const renamed = other.parsed.map((device) => ({ ...device, deviceName: 'Before', raw: { ...device.raw, deviceName: 'Before' } }));
    written(rewritten, (store) => store.writePage(other.context(3), renamed));
    expect(written(rewritten, (store) => store.writePage(other.context(3), other.parsed))).toMatchObject({ added: 0, changed: parsed.length });
    const rows = (of: Db) => (of.prepare('SELECT * FROM devices ORDER BY guid').all() as Record<string, unknown>[]).map(({ id: _id, ...row }) => row);
    expect(rows(inserted)).toEqual(rows(rewritten));
    // Not vacuous: the page's context is in the row.
    expect(rows(inserted)[0]).toMatchObject({ first_seen_at: 2_003, last_seen_at: 2_003, last_seen_page: 3 });
  });

  it('tells stored records unchanged by their text in the page, and by the records themselves where the text is written otherwise', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 40, 'page-texts');
    written(db, (store) => store.writePage(context(1), parsed));
    const texts = vi.spyOn(DeviceRecord.prototype, 'text');
    try {
      // As JSON.stringify writes them (the simulator's, and the stored hashes'): each record's text is hashed.
      const store = new DeviceStore(db);
      expect(db.transaction(() => store.writePage(context(2), pageRecords(parsed, (raw) => JSON.stringify(raw))))()).toMatchObject({ added: 0, changed: 0, rowsWritten: 0 });
      expect(texts).toHaveBeenCalledTimes(parsed.length);
      // Written with a space after the opening brace, the texts hash to what no stored record does: the first record
      // is hashed again from what was parsed (nothing written), and this run no longer asks for the texts.
      texts.mockClear();
      const spaced = db.transaction(() => store.writePage(context(3), pageRecords(parsed, (raw) => `{ ${JSON.stringify(raw).slice(1)}`)))();
      expect(spaced).toMatchObject({ added: 0, changed: 0, rowsWritten: 0 });
      expect(texts).toHaveBeenCalledTimes(1);
      // A record changed in the page is changed, whichever way its text is written.
      const renamed = parsed.map((device, i) => (i === 7 ? { ...device, raw: { ...device.raw, deviceName: 'Renamed' } } : device));
      expect(written(db, (other) => other.writePage(context(4), pageRecords(renamed, (raw) => JSON.stringify(raw))))).toMatchObject({ added: 0, changed: 1 });
      expect(db.prepare('SELECT device_name FROM devices WHERE guid = ?').pluck().get(parsed[7]!.guid)).toBe('Renamed');
    } finally {
      texts.mockRestore();
    }
  });

  it('stores a device the chunk names twice once, as its later record says, with both records of it in the history', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 6, 'repeated-guid');
    const [device, ...others] = parsed;
    const renamed: IvantiDevice = { ...device!, deviceName: 'Renamed twin', raw: { ...device!.raw, deviceName: 'Renamed twin' } };
    const store = new DeviceStore(db);
    const result = db.transaction(() => store.writePage(context(1), [device!, ...others, renamed]))();
    expect(result).toMatchObject({ added: parsed.length, changed: 1, newInRun: parsed.length });
    expect(db.prepare('SELECT device_name FROM devices WHERE guid = ?').pluck().all(device!.guid)).toEqual(['Renamed twin']);
    const changes = db.prepare('SELECT c.kind, c.fields FROM device_changes c JOIN devices d ON d.id = c.device_id WHERE d.guid = ? ORDER BY c.id').all(device!.guid);
    expect(changes).toEqual([
      { kind: 'added', fields: null },
      { kind: 'changed', fields: JSON.stringify({ deviceName: [device!.deviceName, 'Renamed twin'] }) },
    ]);
  });

  it('gives each written device the folded name and identifier keys, stored only where lower() is not them, also after a rename', async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    const { parsed, context } = await tenantDevices(db, 3, 'folded-keys');
    const named = (device: IvantiDevice, deviceName: string, clientDeviceIdentifier: string): IvantiDevice => ({
      ...device,
      deviceName,
      clientDeviceIdentifier,
      raw: { ...device.raw, deviceName, clientDeviceIdentifier },
    });
    const keys = () =>
      db.prepare('SELECT device_name_key, device_name_key_override, identifier_key, identifier_key_override FROM devices WHERE guid = ?').raw().get(parsed[0]!.guid);
    const store = new DeviceStore(db);
    // Accents and padding (migrations 24 and 33: SQLite's lower() folds A-Z alone).
    db.transaction(() => store.writePage(context(1), [named(parsed[0]!, ' Ádám’s Pixel ', ' ÄB12-CD ')]))();
    expect(keys()).toEqual([deviceNameSortKey(' Ádám’s Pixel '), 'adam’s pixel', normalizeDeviceIdentifier(' ÄB12-CD '), 'äb12-cd']);
    // Renamed in plain ASCII: the keys follow and nothing is stored beside them.
    db.transaction(() => store.writePage(context(2), [named(parsed[0]!, 'Grace Tablet', 'AB12-CD')]))();
    expect(keys()).toEqual(['grace tablet', null, 'ab12-cd', null]);
    // Plain ASCII with padding, which lower() keeps: the trimmed keys are stored.
    db.transaction(() => store.writePage(context(3), [named(parsed[0]!, ' Grace Tablet\t', ' AB12-CD ')]))();
    expect(keys()).toEqual(['grace tablet', 'grace tablet', 'ab12-cd', 'ab12-cd']);
    // Not ASCII, unpadded: lower() leaves Ä as it is, so the key is stored though toLowerCase would give it.
    db.transaction(() => store.writePage(context(4), [named(parsed[0]!, 'Ádám', 'ÄB12-CD')]))();
    expect(keys()).toEqual(['adam', 'adam', 'äb12-cd', 'äb12-cd']);
  });
});

describe('DeviceStore.renameSpaces', () => {
  it("gives each space's sightings its name as read, in one statement, and leaves other spaces' and integrations' alone", async () => {
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    tenant = await startTenant({ devices: 12, seed: 'space-rename' });
    const { parsed, context } = parsedTenant(db, tenant, 'tenant.example');
    db.prepare("INSERT INTO integrations (id, name, mdm, platform, created_at, updated_at) VALUES ('other', 'Other', 'ivanti-neurons', 'android', 0, 0)").run();
    const store = new DeviceStore(db);
    // Four devices in each of three spaces, sighted by the run's integration; the first space's also by another one.
    const spaces = [
      { id: 1, name: 'One' },
      { id: 2, name: 'Two' },
      { id: 3, name: 'Three' },
    ];
    db.transaction(() => {
      spaces.forEach((space, i) => store.writePage({ ...context(i + 1), space }, parsed.slice(4 * i, 4 * i + 4)));
      store.writePage({ ...context(4), integrationIds: ['other'], space: spaces[0]! }, parsed.slice(0, 4));
    })();
    const names = () =>
      db
        .prepare(
          `SELECT i.id AS integration, s.space_id AS space, n.name, COUNT(*) AS sightings FROM device_sightings s
             JOIN integrations i ON i.key = s.integration_key JOIN device_space_names n ON n.key = s.space_key
            GROUP BY i.id, s.space_id, n.name ORDER BY i.id, s.space_id`,
        )
        .all();
    expect(names()).toEqual([
      { integration: INTEGRATION_ID, space: 1, name: 'One', sightings: 4 },
      { integration: INTEGRATION_ID, space: 2, name: 'Two', sightings: 4 },
      { integration: INTEGRATION_ID, space: 3, name: 'Three', sightings: 4 },
      { integration: 'other', space: 1, name: 'One', sightings: 4 },
    ]);

    // The run read spaces 1 and 2, both renamed in Ivanti since: one UPDATE, whatever the number of spaces.
    const counts = sqlRunCountsDuring(
      db,
      () => null,
      () =>
        store.renameSpaces(
          [INTEGRATION_ID],
          [
            { id: 1, name: 'Uno' },
            { id: 2, name: 'Dos' },
          ],
        ),
    );
    expect([...counts].filter(([sql]) => /^\s*UPDATE device_sightings/.test(sql)).map(([, n]) => n)).toEqual([1]);
    expect(names()).toEqual([
      { integration: INTEGRATION_ID, space: 1, name: 'Uno', sightings: 4 },
      { integration: INTEGRATION_ID, space: 2, name: 'Dos', sightings: 4 },
      { integration: INTEGRATION_ID, space: 3, name: 'Three', sightings: 4 },
      { integration: 'other', space: 1, name: 'One', sightings: 4 },
    ]);
    // Names as stored already: nothing is written again.
    const before = db.prepare('SELECT total_changes()').pluck().get() as number;
    store.renameSpaces([INTEGRATION_ID], [{ id: 1, name: 'Uno' }]);
    expect(db.prepare('SELECT total_changes()').pluck().get()).toBe(before);
  });
});

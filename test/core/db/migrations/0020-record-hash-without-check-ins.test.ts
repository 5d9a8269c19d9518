import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../src-main/core/db/database';
import { migrations } from '../../../../src-main/core/db/migrations';
import { parseIvantiDevice, type IvantiDevice } from '../../../../src-main/core/ivanti/ivanti-wire';
import type { Migration } from '../../../../src-main/core/db/migration';
import { DeviceRecordCodec, RECORD_CONTEXT_COLUMNS, type RecordContext } from '../../../../src-main/core/sync/device-record-codec';
import { deviceColumns } from '../../../../src-main/core/sync/device-row';
import { compareRecordHashes, recordHash } from '../../../../src-main/core/sync/record-hash';
import { generateDevice } from '../../../simulator/device-generator';
import { hashText } from '../../../simulator/seeded-random';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { STORED_KEY_COLUMNS, storedKeys } from './stored-keys';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-12-06T08:00:00Z');
const TENANT = 'acmecorp.mobileiron.com';
const SPACES = [
  { id: 1, name: 'Default Space' },
  { id: 7, name: 'EU Staff' },
];

/** Records whose text makes leaving out the check-in times less than obvious. */
const ODD_RECORDS: Record<string, unknown>[] = [
  // A custom attribute named like a check-in field, before and after the real one.
  { customAttributes: { attrs: { lastCheckin: ['5'] } }, id: 9, guid: 'odd-1', platformType: 'ANDROID', registrationState: 'ACTIVE', lastCheckin: 5 },
  { id: 10, guid: 'odd-2', platformType: 'IOS', registrationState: 'ACTIVE', clientLastCheckin: '1764998400000', nested: { clientLastCheckin: '1764998400000' } },
  // No check-in times at all, and text that needs escaping.
  { id: 11, guid: 'odd-3', platformType: 'OTHER', registrationState: 'RETIRED', deviceName: 'ünïcødé "quoted" \\ \n' },
];

/** A console at schema 19 after a sync of `count` simulated devices and the odd records: records compressed, hashes as base64 text. */
function syncedAt19(count: number): { db: Db; devices: { device: IvantiDevice; spaceId: number }[] } {
  const db = databases.at(19);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, created_at, updated_at) VALUES ('int-a', 'Acme Android', 'ivanti-neurons', 'android', 1, 1);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, 'int-a', 'manual', 'completed', 10, 20, 1);
  `);
  const codec = DeviceRecordCodec.of(db);
  // Schema 19 stored the identifier's and the name's keys themselves (migrations 0024 and 0033 made them computed).
  const columns = STORED_KEY_COLUMNS;
  const insert = db.prepare(
    `INSERT INTO devices (tenant, integration_id, integration_key, ${columns.join(', ')}, first_seen_at, last_seen_at, last_seen_run)
     VALUES ('${TENANT}', 'int-a', 1, ${columns.map((c) => `@${c}`).join(', ')}, 15, 20, 1)`,
  );
  const ctx = { seedHash: hashText('0020'), referenceTime: NOW };
  const records = [...Array.from({ length: count }, (_, i) => generateDevice(ctx, i, { ...SPACES[i % 2]!, gdpr: false })), ...ODD_RECORDS];
  const devices: { device: IvantiDevice; spaceId: number }[] = [];
  db.transaction(() => {
    records.forEach((record, i) => {
      const parsed = parseIvantiDevice(record);
      if (!parsed.ok) throw new Error(parsed.problems.join('; '));
      const space = SPACES[i % 2]!;
      const text = JSON.stringify(parsed.device.raw);
      // As schema 19's sync hashed it: SHA-1 of the whole text and the space, base64.
      const old = createHash('sha1').update(text).update('\0').update(String(space.id)).digest('base64');
      insert.run({ ...deviceColumns(parsed.device, space, codec), ...storedKeys(parsed.device), record_hash: old });
      devices.push({ device: parsed.device, spaceId: space.id });
    });
  })();
  return { db, devices };
}

const hashOf = (db: Db) => db.prepare('SELECT record_hash FROM devices WHERE guid = ?').pluck();

describe('migration 0020: record hashes without check-in times', () => {
  it('gives every stored record, in 16 bytes, the hash a re-sync computes, so the first re-sync after it finds an unchanged tenant unchanged', () => {
    const { db: before, devices } = syncedAt19(200);
    const textBytes = before.prepare('SELECT SUM(length(record_hash)) FROM devices').pluck().get() as number;
    const db = databases.upgrade(before, 20);

    expect(db.prepare("SELECT COUNT(*) FROM devices WHERE typeof(record_hash) <> 'blob' OR length(record_hash) <> 16").pluck().get()).toBe(0);
    expect(db.prepare('SELECT SUM(length(record_hash)) FROM devices').pluck().get()).toBe(16 * devices.length);
    expect(textBytes).toBe(28 * devices.length);
    const stored = hashOf(db);
    for (const { device, spaceId } of devices) {
      expect(compareRecordHashes(stored.get(device.guid), recordHash(device.raw, spaceId)), device.guid).toBe('unchanged');
    }
    // The same record checked in since: told apart by the hash alone. Changed in a custom attribute named like a
    // check-in field: a change.
    const odd = devices.find((d) => d.device.guid === 'odd-1')!;
    expect(compareRecordHashes(stored.get('odd-1'), recordHash({ ...odd.device.raw, lastCheckin: 6 }, odd.spaceId))).toBe('checked-in');
    expect(compareRecordHashes(stored.get('odd-1'), recordHash({ ...odd.device.raw, customAttributes: { attrs: { lastCheckin: ['6'] } } }, odd.spaceId))).toBe('changed');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('gives a record it cannot read an empty hash, which the next sync takes for a change', () => {
    const { db: before, devices } = syncedAt19(3);
    before.prepare("UPDATE devices SET raw_record = x'ff00' WHERE guid = ?").run(devices[0]!.device.guid);
    // A record whose row no longer holds the values it was written with (its checksum fails).
    before.prepare("UPDATE devices SET device_name = 'renamed' WHERE guid = ?").run(devices[1]!.device.guid);
    const db = databases.upgrade(before, 20);
    const stored = hashOf(db);
    expect(stored.get(devices[0]!.device.guid)).toEqual(Buffer.alloc(0));
    expect(stored.get(devices[1]!.device.guid)).toEqual(Buffer.alloc(0));
    expect(compareRecordHashes(stored.get(devices[0]!.device.guid), recordHash(devices[0]!.device.raw, devices[0]!.spaceId))).toBe('changed');
    expect(compareRecordHashes(stored.get(devices[2]!.device.guid), recordHash(devices[2]!.device.raw, devices[2]!.spaceId))).toBe('unchanged');
  });

  it('leaves the connection reading the dictionaries every later migration adds (the codec it read with is not kept)', () => {
    const before = databases.at(19);
    const file = before.name;
    before.close();
    // As a later migration adding a dictionary (docs/architecture.md): records written from then on name it.
    const addsDictionary: Migration = {
      version: migrations.at(-1)!.version + 1,
      name: 'a further record dictionary',
      up: (db) => db.prepare('INSERT INTO device_record_dictionaries (id, dictionary) SELECT MAX(id) + 1, ? FROM device_record_dictionaries').run(Buffer.from('"deviceName":"')),
    };
    const { db } = openDatabase({ file, migrations: [...migrations, addsDictionary] });
    try {
      const newest = db.prepare('SELECT MAX(id) FROM device_record_dictionaries').pluck().get() as number;
      const row = Object.fromEntries(RECORD_CONTEXT_COLUMNS.map((c) => [c, null])) as unknown as RecordContext;
      expect(DeviceRecordCodec.of(db).encode('{"deviceName":"x"}', row)[0]! & 0x7f).toBe(newest);
    } finally {
      db.close();
    }
  });

  it('reports its progress while it hashes the devices', () => {
    const { db: before } = syncedAt19(1);
    // The one record's row, copied under other guids: each copy is inflated (and refused: its row is not the one it was
    // written with), as many rows as a real upgrade reads.
    before.exec(`WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 21000)
      INSERT INTO devices (tenant, integration_id, integration_key, guid, platform_type, registration_state, space_id, space_name, raw_record, record_hash,
                           first_seen_at, last_seen_at, last_seen_run)
      SELECT tenant, integration_id, integration_key, 'copy-' || i, platform_type, registration_state, space_id, space_name, raw_record, record_hash, 15, 20, 1
        FROM devices, n WHERE devices.id = 1`);
    const total = before.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    const events = progressOfUpgrade(before, 20);
    expect(events[0]).toEqual([0, total]);
    expect(events.at(-1)).toEqual([total, total]);
    expect(events.length).toBeGreaterThanOrEqual(3);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../../src-main/core/audit/audit-log';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { EventBus } from '../../../../src-main/core/events/event-bus';
import { ExportService } from '../../../../src-main/core/export/export-service';
import { parseIvantiDevice, type IvantiDevice } from '../../../../src-main/core/ivanti/ivanti-wire';
import { DeviceStore } from '../../../../src-main/core/sync/device-store';
import { RunSeenSet } from '../../../../src-main/core/sync/run-seen-set';
import { deviceColumns } from '../../../../src-main/core/sync/device-row';
import { generateDevice } from '../../../simulator/device-generator';
import { hashText } from '../../../simulator/seeded-random';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { useTempDir } from '../../../support/temp-dir';
import { expectKillLeavesVersion } from './kill-mid-migration';
import { STORED_KEY_COLUMNS, storedKeys } from './stored-keys';

const databases = useDatabaseAtVersion();
const exportDir = useTempDir('tec-migration-export-');
const NOW = Date.parse('2026-11-28T12:00:00Z');
const TENANT = 'acmecorp.mobileiron.com';
const SPACES = [
  { id: 1, name: 'Default Space', gdpr: false },
  { id: 2, name: 'Privacy', gdpr: true },
];

/** Records whose text stresses an exact round trip: key order, escapes, non-Latin text, numbers, fields the console does not know. */
const ODD_RECORDS: Record<string, unknown>[] = [
  { zeta: 1, alpha: 'order kept', id: 9, guid: 'odd-1', platformType: 'ANDROID', registrationState: 'ACTIVE' },
  { guid: 'odd-2', id: 10, platformType: 'IOS', registrationState: 'ACTIVE', deviceName: 'ünïcødé 😀 日本 "quoted" \\ \n\t\u2028', nested: { deep: [1.5, -0, 1e21, null, true] } },
  { guid: 'odd-3', id: 11, platformType: 'OTHER', registrationState: 'RETIRED', customAttributes: { attrs: { costCenter: ['4711'], empty: [] } }, big: 9007199254740991 },
];

interface Synced {
  db: Db;
  /** Each device's raw JSON text as schema 13 stored it, by guid. */
  raws: Map<string, string>;
  devices: IvantiDevice[];
}

/** A console at schema 13 after one sync of `count` simulated devices (and the odd records), with history and sightings. */
function syncedAt13(count: number): Synced {
  const db = databases.at(13);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at)
      VALUES ('int-a', 'Acme Android', 'ivanti-neurons', 'android', 'all-users', '${TENANT}', 'api@acme.example', 1, 1);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, 'int-a', 'manual', 'completed', 10, 20, 1);
  `);
  // Schema 13 stored the identifier's and the name's keys themselves (migrations 0024 and 0033 made them computed).
  const columns = STORED_KEY_COLUMNS.filter((c) => c !== 'raw_record');
  const insert = db.prepare(
    `INSERT INTO devices (tenant, integration_id, ${columns.join(', ')}, raw, first_seen_at, last_seen_at, last_seen_run)
     VALUES ('${TENANT}', 'int-a', ${columns.map((c) => `@${c}`).join(', ')}, @raw, 15, 20, 1)`,
  );
  const sight = db.prepare("INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run) VALUES (?, 'int-a', ?, ?, 15, 20, 1)");
  const added = db.prepare("INSERT INTO device_changes (run_id, integration_id, device_id, guid, kind, at) VALUES (1, 'int-a', ?, ?, 'added', 20)");
  const ctx = { seedHash: hashText('0014'), referenceTime: NOW };
  const records = [...Array.from({ length: count }, (_, i) => generateDevice(ctx, i, SPACES[i % 2]!)), ...ODD_RECORDS];
  const raws = new Map<string, string>();
  const devices: IvantiDevice[] = [];
  // Schema 12 had no compressed column: the record's columns as the sync mapped them, and its JSON text as `raw`.
  const noCompression = {
    encode: () => Buffer.alloc(0),
    storeBlock: () => {
      throw new Error('schema 12 had no record blocks');
    },
  };
  db.transaction(() => {
    records.forEach((record, i) => {
      const parsed = parseIvantiDevice(record);
      if (!parsed.ok) throw new Error(parsed.problems.join('; '));
      const space = SPACES[i % 2]!;
      const { raw_record: _none, record_block: _noBlock, ...row } = deviceColumns(parsed.device, space, noCompression);
      const raw = JSON.stringify(parsed.device.raw);
      // Schema 13's record_hash was text (base64), replaced by migration 0020.
      const id = insert.run({ ...row, ...storedKeys(parsed.device), record_hash: row.record_hash.toString('base64'), raw }).lastInsertRowid;
      sight.run(id, space.id, space.name);
      added.run(id, row.guid);
      raws.set(row.guid, raw);
      devices.push(parsed.device);
    });
  })();
  db.prepare(`INSERT INTO device_changes (run_id, integration_id, device_id, guid, kind, fields, at) VALUES (1, 'int-a', 1, ?, 'changed', '{"deviceName":["a","b"]}', 20)`).run(
    devices[0]!.guid,
  );
  return { db, raws, devices };
}

/** A console at schema 13 with `count` devices of small records (guid-1 … guid-N), written in one statement. */
function bulkAt13(count: number): Db {
  const db = databases.at(13);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, created_at, updated_at) VALUES ('int-a', 'Acme Android', 'ivanti-neurons', 'android', 1, 1);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, 'int-a', 'manual', 'completed', 10, 20, 1);
  `);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO devices (id, tenant, integration_id, guid, platform_type, registration_state, raw, record_hash, first_seen_at, last_seen_at, last_seen_run)
     SELECT i, '${TENANT}', 'int-a', 'guid-' || i, 'ANDROID', 'ACTIVE', json_object('guid', 'guid-' || i, 'note', ?), 'h', 15, 20, 1 FROM n`,
  ).run(count, 'x'.repeat(40));
  return db;
}

function history(db: Db) {
  return db.prepare('SELECT id, device_id, guid, kind, fields FROM device_changes ORDER BY id').all();
}

describe('migration 0014: device records stored compressed', () => {
  it('keeps every raw record exactly as the tenant sent it, for the drawer and the export, in under half the bytes', async () => {
    const { db: before, raws } = syncedAt13(200);
    const rawBytes = before.prepare('SELECT SUM(length(CAST(raw AS BLOB))) FROM devices').pluck().get() as number;
    const hashes = before.prepare('SELECT id, record_hash FROM devices ORDER BY id').all();
    const changes = history(before);
    const sightings = before.prepare('SELECT * FROM device_sightings ORDER BY device_id').all();

    const at14 = databases.upgrade(before, 14);
    expect(at14.prepare("SELECT COUNT(*) FROM pragma_table_info('devices') WHERE name = 'raw'").pluck().get()).toBe(0);
    // Unchanged: the hashes an unchanged re-sync compared then (until migration 0020), the history, the sightings.
    expect(at14.prepare('SELECT id, record_hash FROM devices ORDER BY id').all()).toEqual(hashes);
    const db = databases.upgrade(at14);
    expect(history(db)).toEqual(changes);
    // Migration 29 keys a sighting's space by its name's key, migration 32 its integration: the same sightings, the
    // name and the id read through the keys.
    const sightingsNow = db
      .prepare(
        `SELECT s.*, i.id AS integration_id, n.name AS space_name
           FROM device_sightings s JOIN integrations i ON i.key = s.integration_key LEFT JOIN device_space_names n ON n.key = s.space_key ORDER BY s.device_id, i.id`,
      )
      .all() as Record<string, unknown>[];
    expect(sightingsNow.map(({ space_key: _key, integration_key: _integration, ...sighting }) => sighting)).toEqual(sightings);
    expect(db.prepare('SELECT SUM(length(raw_record)) FROM devices').pluck().get()).toBeLessThan(rawBytes / 2);

    // The drawer's raw view: the same object as before, for every device.
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    for (const { id, guid } of db.prepare('SELECT id, guid FROM devices').all() as { id: number; guid: string }[]) {
      expect(repository.detail(id).raw, guid).toEqual(JSON.parse(raws.get(guid)!));
    }
    // The export's raw column: the same JSON text as the record stored before (the export wrote JSON.parse(raw)).
    const file = path.join(exportDir(), 'devices.json');
    const service = new ExportService(db, repository, new AuditLog(db, () => new Date(NOW)), new EventBus().emit, exportDir(), () => new Date(NOW), 'tester');
    await service.write({ kind: 'devices', format: 'json', query: { presence: 'all' }, includeRaw: true }, file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { devices: { guid: string; raw: unknown }[] };
    expect(exported.devices).toHaveLength(raws.size);
    for (const device of exported.devices) expect(JSON.stringify(device.raw), device.guid).toBe(raws.get(device.guid));
  });

  it('leaves a migrated record unchanged for the next sync, and diffs a changed one against the stored record', () => {
    const { db: before, devices } = syncedAt13(20);
    const db = databases.upgrade(before);
    db.exec("INSERT INTO sync_runs (id, integration_id, trigger, status, started_at) VALUES (2, 'int-a', 'manual', 'running', 30)");
    const store = new DeviceStore(db);
    const [first, ...rest] = devices;
    const flipped = { ...first!, raw: { ...first!.raw, registrationState: 'RETIRED', lastCheckin: NOW + 1 } };
    const writes = db.prepare("SELECT COUNT(*) FROM devices WHERE last_seen_run = 2").pluck();
    const bySpace = (i: number) => SPACES[i % 2]!;
    const seen = RunSeenSet.load(db, 2);
    let changed = 0;
    let added = 0;
    db.transaction(() => {
      [flipped, ...rest].forEach((device, i) => {
        const result = store.writePage({ tenant: TENANT, integrationIds: ['int-a'], runId: 2, page: i + 1, pass: 1, space: bySpace(i), seen, at: NOW }, [device]);
        changed += result.changed;
        added += result.added;
      });
    })();
    expect({ changed, added }).toEqual({ changed: 1, added: 0 });
    // Only the changed record was rewritten; its change names the field, with the value stored before.
    expect(writes.get()).toBe(1);
    expect(db.prepare("SELECT fields FROM device_changes WHERE run_id = 2 AND kind = 'changed'").pluck().get()).toBe(
      JSON.stringify({ registrationState: [first!.raw.registrationState, 'RETIRED'] }),
    );
  });

  it('reports its progress while it rewrites the devices', () => {
    const events = progressOfUpgrade(bulkAt13(45_000), 14);
    expect(events[0]).toEqual([0, 45_000]);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events[events.length - 1]).toEqual([45_000, 45_000]);
  });

  it('survives a SIGKILL mid-way: the database stays at schema 13, whole, and the next start compresses it', async () => {
    const count = 30_000;
    const before = bulkAt13(count);
    const snapshot = (db: Db) => db.prepare('SELECT COUNT(*) AS n, SUM(length(raw)) AS bytes, SUM(id) AS ids FROM devices').get();
    const db = await expectKillLeavesVersion(before, 13, {
      snapshot,
      untouched: (inspect) => expect(inspect.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'device_record_dictionaries'").pluck().get()).toBe(0),
    });
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(count);
    expect(repository.detail(count).raw).toEqual({ guid: `guid-${count}`, note: 'x'.repeat(40) });
    db.close();
    // Builds, upgrades and inspects a 30,000-row database twice: slow on a loaded machine, not a timing check.
  }, 240_000);
});

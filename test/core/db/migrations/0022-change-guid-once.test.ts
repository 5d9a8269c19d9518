import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { purgeSyncedDevices } from '../../../../src-main/core/sync/device-store';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { ACME_ANDROID, ANDROID, seedFirstRun, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-12-06T12:00:00Z');
const OTHER = 'c3e8f1a2-2d4b-4f6c-9e7a-8b0c1d2e3f40';

/** A console at schema 21: two devices, each with an 'added' change recorded (with its guid, as before 0022). */
function at21(): Db {
  const db = databases.at(21);
  seedIntegrations(db, [ACME_ANDROID, { id: OTHER, name: 'Other Android', platform: 'android' }]);
  seedFirstRun(db);
  db.exec(`
    INSERT INTO devices (id, tenant, integration_id, guid, device_name, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, 't', '${ANDROID}', 'guid-1', 'One', x'00', 15, 20, 1), (2, 't', '${ANDROID}', 'guid-2', 'Two', x'00', 15, 20, 1);
    INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, '${ANDROID}', 1, 'Default Space', 15, 20, 1), (2, '${ANDROID}', 1, 'Default Space', 15, 20, 1), (2, '${OTHER}', 1, 'Default Space', 15, 20, 1);
    INSERT INTO device_changes (run_id, integration_id, device_id, guid, kind, fields, at)
      VALUES (1, '${ANDROID}', 1, 'guid-1', 'added', NULL, 20), (1, '${ANDROID}', 2, 'guid-2', 'added', NULL, 20);
  `);
  return db;
}

describe('migration 0022: device changes name the guid only once the device is gone', () => {
  it('reads changes recorded before and after it with their device guid', () => {
    let db = databases.upgrade(at21(), 22);
    // As the sync records a change now: the guid is left to the device row.
    db.exec(`INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (2, '${OTHER}', 'manual', 'completed', 30, 40, 1);
             INSERT INTO device_changes (run_id, integration_id, device_id, guid, kind, fields, at) VALUES (2, '${OTHER}', 2, '', 'changed', '{"deviceName":["Two","2"]}', 40)`);
    // Today's repository reads today's schema (migration 26 keys a change's integration): the later migrations run too.
    db = databases.upgrade(db);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(repository.changesOfFetch(1, { limit: 10 }).changes.map((c) => [c.guid, c.deviceName])).toEqual([
      ['guid-1', 'One'],
      ['guid-2', 'Two'],
    ]);
    expect(repository.changesOfFetch(2, { limit: 10 }).changes.map((c) => c.guid)).toEqual(['guid-2']);
    const exported = repository.changeExportQuery({ integration: { id: OTHER, sharedFetches: null } });
    expect((db.prepare(exported.sql).all(...exported.params) as { guid: string }[]).map((c) => c.guid)).toEqual(['guid-2']);
  });

  it('writes the guid into a device’s changes before its row is deleted, so its history still names it', () => {
    let db = databases.upgrade(at21(), 22);
    db.exec(`INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (2, '${OTHER}', 'manual', 'completed', 30, 40, 1);
             INSERT INTO device_changes (run_id, integration_id, device_id, guid, kind, fields, at) VALUES (2, '${OTHER}', 2, '', 'changed', NULL, 40)`);
    // Today's purge reads today's schema; migration 23 keeps this trigger's guid copy (and detaches the id too).
    db = databases.upgrade(db);
    // The other integration is purged: device 2, which it alone still sees after that, is not deleted...
    purgeSyncedDevices(db, ANDROID);
    expect(db.prepare('SELECT id FROM devices').pluck().all()).toEqual([2]);
    expect(db.prepare('SELECT guid FROM device_changes WHERE run_id = 2').pluck().all()).toEqual(['']);
    // ...until a plain delete of the row (any writer): its change keeps the guid.
    db.prepare('DELETE FROM devices WHERE id = 2').run();
    expect(db.prepare('SELECT guid FROM device_changes WHERE run_id = 2').pluck().all()).toEqual(['guid-2']);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(repository.changesOfFetch(2, { limit: 10 }).changes.map((c) => [c.guid, c.deviceName])).toEqual([['guid-2', null]]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { purgeSyncedDevices } from '../../../../src-main/core/sync/device-store';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { ACME_ANDROID, ANDROID, seedFirstRun, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-12-06T12:00:00Z');
const IOS = 'c3e8f1a2-2d4b-4f6c-9e7a-8b0c1d2e3f40';

/** A console at schema 25: two integrations of one tenant, devices 1 and 2, and the history each integration's runs recorded. */
function at25(): Db {
  const db = databases.at(25);
  seedIntegrations(db, [ACME_ANDROID, { id: IOS, name: 'Acme iOS', platform: 'ios-appconfig' }]);
  seedFirstRun(db);
  db.exec(`
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (2, '${IOS}', 'manual', 'completed', 30, 40, 1);
    INSERT INTO devices (id, tenant, integration_id, guid, device_name, platform_type, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, 't', '${ANDROID}', 'guid-1', 'One', 'ANDROID', x'00', 15, 20, 1), (2, 't', '${IOS}', 'guid-2', 'Two', 'IOS', x'00', 35, 40, 2);
    INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, '${ANDROID}', 1, 'Default Space', 15, 20, 1), (2, '${IOS}', 1, 'Default Space', 35, 40, 2);
    INSERT INTO device_changes (id, run_id, integration_id, device_id, guid, kind, fields, at) VALUES
      (3, 1, '${ANDROID}', 1, '', 'added', NULL, 20),
      (7, 1, '${ANDROID}', NULL, 'guid-gone', 'removed', NULL, 20),
      (8, 2, '${IOS}', 2, '', 'added', NULL, 40),
      (9, 2, '${IOS}', 1, '', 'changed', '{"deviceName":["1","One"]}', 40);
  `);
  return db;
}

describe('migration 0026: integration keys in the device change history', () => {
  it('names each change’s integration by its key, keeping every change as it was', () => {
    const db = databases.upgrade(at25(), 26);
    const keys = db.prepare('SELECT id, key FROM integrations ORDER BY key').all();
    expect(keys).toEqual([
      { id: ANDROID, key: 1 },
      { id: IOS, key: 2 },
    ]);
    expect(db.prepare('SELECT id, run_id, integration_key, device_id, guid, kind, fields, at FROM device_changes ORDER BY id').all()).toEqual([
      { id: 3, run_id: 1, integration_key: 1, device_id: 1, guid: '', kind: 'added', fields: null, at: 20 },
      { id: 7, run_id: 1, integration_key: 1, device_id: null, guid: 'guid-gone', kind: 'removed', fields: null, at: 20 },
      { id: 8, run_id: 2, integration_key: 2, device_id: 2, guid: '', kind: 'added', fields: null, at: 40 },
      { id: 9, run_id: 2, integration_key: 2, device_id: 1, guid: '', kind: 'changed', fields: '{"deviceName":["1","One"]}', at: 40 },
    ]);
    expect(db.prepare("SELECT name FROM pragma_table_info('device_changes')").pluck().all()).not.toContain('integration_id');
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE tbl_name = 'device_changes' AND type = 'index' ORDER BY name").pluck().all()).toEqual([
      'device_changes_device',
      'device_changes_run',
    ]);
    // The change export names the integration by its id, and selects an integration's changes by it (today's code, on
    // today's schema).
    const latest = databases.upgrade(db);
    const repository = new DeviceRepository(latest, new DeviceSearchIndex(latest), () => new Date(NOW));
    const query = repository.changeExportQuery({ integration: { id: IOS, sharedFetches: null } });
    expect(latest.prepare(query.sql).all(...query.params)).toMatchObject([
      { id: 8, integration_id: IOS, guid: 'guid-2' },
      { id: 9, integration_id: IOS, guid: 'guid-1' },
    ]);
    expect(query.total).toBe(2);
    const shared = repository.changeExportQuery({ integration: { id: ANDROID, sharedFetches: { runIds: [2], platformType: 'ANDROID' } } });
    expect((latest.prepare(shared.sql).all(...shared.params) as { id: number; integration_id: string }[]).map((c) => [c.id, c.integration_id])).toEqual([
      [3, ANDROID],
      [7, ANDROID],
      [9, IOS],
    ]);
  });

  it('keeps detaching a deleted device’s history, and the purge of an integration still forgets its changes', () => {
    const db = databases.upgrade(at25());
    db.prepare('DELETE FROM devices WHERE id = 2').run();
    expect(db.prepare('SELECT device_id, guid FROM device_changes WHERE id = 8').get()).toEqual({ device_id: null, guid: 'guid-2' });
    purgeSyncedDevices(db, ANDROID);
    expect(db.prepare('SELECT id FROM device_changes ORDER BY id').pluck().all()).toEqual([8, 9]);
  });

  it('reports its progress while it copies the history', () => {
    const events = progressOfUpgrade(at25(), 26);
    expect(events[0]).toEqual([0, 2]);
    expect(events[events.length - 1]).toEqual([2, 2]);
  });
});

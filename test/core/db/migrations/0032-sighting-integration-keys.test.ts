import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { DeviceRepository, SIGHTED_BY } from '../../../../src-main/core/devices/device-repository';
import { DeviceStore, purgeSyncedDevices, retireSightings } from '../../../../src-main/core/sync/device-store';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { ACME_ANDROID, ANDROID, seedFirstRun, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-11-28T12:00:00Z');
const IOS = 'c3e8f1a2-2d4b-4f6c-9e7a-8b0c1d2e3f40';
const IDENTIFIER = 'AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12';

/**
 * A console at schema 31: an Android and an iOS integration of one tenant (keys 1 and 2, the iOS one created first so
 * that the keys' order is not the ids' order), one device both saw (the iOS one no longer), one only Android saw.
 */
function at31(): Db {
  const db = databases.at(31);
  seedIntegrations(db, [{ id: IOS, name: 'Acme iOS', platform: 'ios-appconfig' }, ACME_ANDROID]);
  seedFirstRun(db);
  db.exec(`
    INSERT INTO device_tenants (key, tenant) VALUES (1, 't');
    INSERT INTO device_space_names (key, name) VALUES (1, 'Default Space'), (2, 'Everyone');
    INSERT INTO devices (id, tenant_key, integration_id, guid, platform_type, registration_state, space_id, space_key, client_device_identifier, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, 1, '${ANDROID}', 'guid-1', 'ANDROID', 'ACTIVE', 1, 1, '${IDENTIFIER}', x'00', 15, 20, 1),
             (2, 1, '${ANDROID}', 'guid-2', 'ANDROID', 'ACTIVE', NULL, NULL, NULL, x'00', 15, 20, 1);
    INSERT INTO device_sightings (device_id, integration_id, space_id, space_key, first_seen_at, last_seen_at, last_seen_run, last_seen_page, removed_at, removed_run)
      VALUES (1, '${ANDROID}', 1, 1, 15, 20, 1, 3, NULL, NULL), (1, '${IOS}', 1, 2, 15, 18, 1, 2, 19, 1),
             (2, '${ANDROID}', NULL, NULL, 15, 20, 1, 4, NULL, NULL);
  `);
  return db;
}

describe('migration 0032: integration keys in the device sightings', () => {
  it('names each sighting’s integration by its key, keeping every sighting as it was', () => {
    const db = databases.upgrade(at31(), 32);
    const columns = db.prepare("SELECT name FROM pragma_table_info('device_sightings')").pluck().all();
    expect(columns).not.toContain('integration_id');
    expect(db.prepare("SELECT name FROM pragma_index_info((SELECT name FROM pragma_index_list('device_sightings') WHERE origin = 'pk'))").pluck().all()).toEqual([
      'device_id',
      'integration_key',
    ]);
    expect(
      db
        .prepare(
          `SELECT s.device_id, i.id, s.space_id, s.space_key, s.first_seen_at, s.last_seen_at, s.last_seen_run, s.last_seen_page, s.removed_at, s.removed_run
             FROM device_sightings s JOIN integrations i ON i.key = s.integration_key ORDER BY s.device_id, s.integration_key`,
        )
        .raw()
        .all(),
    ).toEqual([
      [1, IOS, 1, 2, 15, 18, 1, 2, 19, 1],
      [1, ANDROID, 1, 1, 15, 20, 1, 3, null, null],
      [2, ANDROID, null, null, 15, 20, 1, 4, null, null],
    ]);
  });

  it('gives every reader the integration ids it gave before, and purges by the key', () => {
    const db = databases.upgrade(at31());
    const store = new DeviceStore(db);
    // "Has it synced?": each integration's own sighting (its space, whether still there), found by id.
    expect(store.find(IDENTIFIER, IOS).map((d) => [d.integrationId, d.spaceName, d.removedAt])).toEqual([[IOS, 'Everyone', new Date(19).toISOString()]]);
    expect(store.find(IDENTIFIER, ANDROID).map((d) => [d.integrationId, d.spaceName, d.removedAt])).toEqual([[ANDROID, 'Default Space', null]]);
    expect(store.trustRecords(IDENTIFIER, [ANDROID, IOS]).map((r) => [r.integrationId, r.spaceName, r.removedAt])).toEqual([
      [IOS, 'Everyone', 19],
      [ANDROID, 'Default Space', null],
    ]);
    expect(store.currentCount(ANDROID)).toBe(2);
    // The explorer's rows list the integrations that still see each device by id (the iOS one no longer sees guid-1),
    // and its integration filter finds them by the key.
    expect(db.prepare(`SELECT d.guid, ${SIGHTED_BY} FROM devices d ORDER BY d.id`).raw().all()).toEqual([
      ['guid-1', JSON.stringify([ANDROID])],
      ['guid-2', JSON.stringify([ANDROID])],
    ]);
    db.prepare('UPDATE device_sightings SET removed_at = NULL WHERE device_id = 1').run();
    expect(db.prepare(`SELECT ${SIGHTED_BY} FROM devices d WHERE d.id = 1`).pluck().get()).toBe(JSON.stringify([IOS, ANDROID]));
    db.prepare('UPDATE device_sightings SET removed_at = 19 WHERE device_id = 1 AND integration_key = 1').run();
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(repository.search({ integrationId: ANDROID }, { offset: 0, limit: 50 }).map((r) => r.guid)).toEqual(['guid-1', 'guid-2']);
    // Deleting an integration with its devices kept retires its sightings; purging forgets them and the devices only
    // it saw.
    retireSightings(db, ANDROID, 30);
    expect(store.find(IDENTIFIER, ANDROID).map((d) => d.removedAt)).toEqual([new Date(30).toISOString()]);
    purgeSyncedDevices(db, ANDROID);
    expect(db.prepare('SELECT id FROM devices ORDER BY id').pluck().all()).toEqual([1]);
    expect(store.trustRecords(IDENTIFIER, [ANDROID, IOS]).map((r) => r.integrationId)).toEqual([IOS]);
  });

  it('reports its progress while it copies the sightings', () => {
    const events = progressOfUpgrade(at31(), 32);
    expect(events[0]).toEqual([0, 2]);
    expect(events[events.length - 1]).toEqual([2, 2]);
  });
});

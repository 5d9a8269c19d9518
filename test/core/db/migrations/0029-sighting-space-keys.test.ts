import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceStore } from '../../../../src-main/core/sync/device-store';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { ACME_ANDROID, ANDROID, seedFirstRun, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();
const IOS = 'c3e8f1a2-2d4b-4f6c-9e7a-8b0c1d2e3f40';
const IDENTIFIER = 'AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12';

/**
 * A console at schema 28: one device seen by two integrations of its tenant, each in a space of its own name (the iOS
 * one's name known only to its sighting, as after a rename), and a device whose sighting has no space.
 */
function at28(): Db {
  const db = databases.at(28);
  seedIntegrations(db, [ACME_ANDROID, { id: IOS, name: 'Acme iOS', platform: 'ios-appconfig' }]);
  seedFirstRun(db);
  db.exec(`
    INSERT INTO device_tenants (key, tenant) VALUES (1, 't');
    INSERT INTO devices (id, tenant_key, integration_id, guid, platform_type, registration_state, space_id, space_name, client_device_identifier, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, 1, '${ANDROID}', 'guid-1', 'ANDROID', 'ACTIVE', 1, 'Default Space', '${IDENTIFIER}', x'00', 15, 20, 1),
             (2, 1, '${ANDROID}', 'guid-2', 'ANDROID', 'ACTIVE', NULL, NULL, NULL, x'00', 15, 20, 1);
    INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run, last_seen_page, removed_at, removed_run)
      VALUES (1, '${ANDROID}', 1, 'Default Space', 15, 20, 1, 3, NULL, NULL), (1, '${IOS}', 1, 'Everyone', 15, 18, 1, 2, 19, 1),
             (2, '${ANDROID}', NULL, NULL, 15, 20, 1, 4, NULL, NULL);
  `);
  return db;
}

describe('migration 0029: space keys in the device sightings', () => {
  it('names each sighting’s space by its name’s key, keeping every sighting as it was', () => {
    const db = databases.upgrade(at28(), 29);
    expect(db.prepare("SELECT name FROM pragma_table_info('device_sightings')").pluck().all()).not.toContain('space_name');
    expect(
      db
        .prepare(
          `SELECT s.device_id, s.integration_id, s.space_id, n.name, s.first_seen_at, s.last_seen_at, s.last_seen_run, s.last_seen_page, s.removed_at, s.removed_run
             FROM device_sightings s LEFT JOIN device_space_names n ON n.key = s.space_key ORDER BY s.device_id, s.integration_id`,
        )
        .raw()
        .all(),
    ).toEqual([
      [1, ANDROID, 1, 'Default Space', 15, 20, 1, 3, null, null],
      [1, IOS, 1, 'Everyone', 15, 18, 1, 2, 19, 1],
      [2, ANDROID, null, null, 15, 20, 1, 4, null, null],
    ]);
    // "Has it synced?" and the trust records give each integration's space by name, as before (today's store, on
    // today's schema).
    const store = new DeviceStore(databases.upgrade(db));
    expect(store.find(IDENTIFIER, IOS).map((d) => d.spaceName)).toEqual(['Everyone']);
    expect(store.find(IDENTIFIER, ANDROID).map((d) => d.spaceName)).toEqual(['Default Space']);
    expect(store.trustRecords(IDENTIFIER, [ANDROID, IOS]).map((r) => [r.integrationId, r.spaceName])).toEqual([
      [ANDROID, 'Default Space'],
      [IOS, 'Everyone'],
    ]);
    // A space renamed in Ivanti: the fetch's sightings in it take the new name's key.
    store.renameSpaces([IOS], [{ id: 1, name: 'All staff' }]);
    expect(store.find(IDENTIFIER, IOS).map((d) => d.spaceName)).toEqual(['All staff']);
    expect(store.find(IDENTIFIER, ANDROID).map((d) => d.spaceName)).toEqual(['Default Space']);
  });

  it('reports its progress while it copies the sightings', () => {
    const events = progressOfUpgrade(at28(), 29);
    expect(events[0]).toEqual([0, 2]);
    expect(events[events.length - 1]).toEqual([2, 2]);
  });
});

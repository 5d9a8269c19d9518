import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceStore } from '../../../../src-main/core/sync/device-store';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';
import { ACME_ANDROID, ANDROID, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();
const OTHER = 'c3e8f1a2-2d4b-4f6c-9e7a-8b0c1d2e3f40';
const ACME = 'acmecorp.mobileiron.com';
const SHARED = 'na1.mobileiron.com/api-user@example.com';

/** A console at schema 26: the same guid and Ivanti id in two tenants, and a second device in the first. */
function at26(): Db {
  const db = databases.at(26);
  seedIntegrations(db, [ACME_ANDROID, { id: OTHER, name: 'Shared Android', platform: 'android' }]);
  db.exec(`
    INSERT INTO devices (id, tenant, integration_id, guid, ivanti_id, client_device_identifier, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, '${ACME}', '${ANDROID}', 'guid-1', 101, 'aa11', x'00', 1, 1, 1),
             (2, '${SHARED}', '${OTHER}', 'guid-1', 101, 'bb22', x'00', 1, 1, 1),
             (3, '${ACME}', '${ANDROID}', 'guid-3', 103, 'cc33', x'00', 1, 1, 1);
    INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, '${ANDROID}', 1, 'Default Space', 1, 1, 1), (2, '${OTHER}', 1, 'Default Space', 1, 1, 1), (3, '${ANDROID}', 1, 'Default Space', 1, 1, 1);
  `);
  return db;
}

describe('migration 0027: the device rows and their keys name the tenant by a key', () => {
  it('keys each tenant once and keeps every device in its tenant, the text gone from the row', () => {
    const db = databases.upgrade(at26(), 27);
    expect(db.prepare('SELECT d.id, t.tenant FROM devices d JOIN device_tenants t ON t.key = d.tenant_key ORDER BY d.id').all()).toEqual([
      { id: 1, tenant: ACME },
      { id: 2, tenant: SHARED },
      { id: 3, tenant: ACME },
    ]);
    expect(db.prepare('SELECT COUNT(*) FROM device_tenants').pluck().get()).toBe(2);
    expect((db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('devices') as string[]).filter((c) => c.startsWith('tenant'))).toEqual(['tenant_key']);
    // (tenant, guid) is still the device's unique key.
    expect(() => db.prepare("INSERT INTO devices (tenant_key, integration_id, guid, record_hash, first_seen_at, last_seen_at, last_seen_run) SELECT tenant_key, integration_id, guid, x'00', 1, 1, 1 FROM devices WHERE id = 1").run()).toThrow(/UNIQUE constraint failed: devices.tenant_key, devices.guid/);
  });

  it('lets today’s store find, count and key the devices it had, each by one seek of its index', () => {
    // Today's store reads today's schema: the later migrations run too.
    const db = databases.upgrade(at26());
    const store = new DeviceStore(db);
    expect(store.storedDevices(ACME)).toBe(2);
    expect(store.storedDevices(SHARED)).toBe(1);
    expect(store.storedDevices('unknown.example.com')).toBe(0);
    // By guid and by Ivanti id, in every tenant; by the identifier, the one device.
    expect(new Set(store.find('guid-1').map((d) => d.clientDeviceIdentifier))).toEqual(new Set(['aa11', 'bb22']));
    expect(store.find('103').map((d) => d.guid)).toEqual(['guid-3']);
    expect(store.find('BB22').map((d) => d.guid)).toEqual(['guid-1']);
    expect(queryPlan(db, 'SELECT id FROM devices WHERE tenant_key = ? AND guid = ?', [1, 'guid-1'])).toMatch(/SEARCH devices USING COVERING INDEX devices_key \(tenant_key=\? AND guid=\?\)/);
    expect(queryPlan(db, 'SELECT id FROM devices WHERE tenant_key = ? AND ivanti_id = ?', [1, 101])).toMatch(/SEARCH devices USING COVERING INDEX devices_ivanti_id \(tenant_key=\? AND ivanti_id=\?\)/);
  });
});

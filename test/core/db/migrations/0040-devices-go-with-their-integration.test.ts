import { describe, expect, it } from 'vitest';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { NOW, seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();

describe('migration 0040: devices deleted with their integration', () => {
  it('deletes an integration’s devices with it, so the next integration, which takes its key, lists none of them', () => {
    // Schema 39: devices of integration 'i-1' (key 1), listed under it by its key alone.
    const db = databases.upgrade(databases.upgrade(seedSearchableDevices(databases.at(24), 30), 39));
    const devicesOf = (key: number) => db.prepare('SELECT count(*) FROM devices WHERE integration_key = ?').pluck().get(key) as number;
    expect(devicesOf(1)).toBe(30);
    db.exec(`INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at) VALUES ('i-2', 'Other', 'ivanti-neurons', 'ios-appconfig', 'all-users', 2, 2)`);
    expect(db.prepare("SELECT key FROM integrations WHERE id = 'i-2'").pluck().get()).toBe(2);

    db.prepare("DELETE FROM integrations WHERE id = 'i-1'").run();
    expect(devicesOf(1)).toBe(0);
    expect(db.prepare("SELECT count(*) FROM integrations WHERE id = 'i-2'").pluck().get()).toBe(1);

    // The key the deleted integration held goes to the next one made (0018's trigger: MAX(key) + 1), once it is the
    // largest: it must find no devices under it.
    db.prepare("DELETE FROM integrations WHERE id = 'i-2'").run();
    db.exec(`INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at) VALUES ('i-3', 'New', 'ivanti-neurons', 'android', 'all-users', 3, 3)`);
    expect(db.prepare("SELECT key FROM integrations WHERE id = 'i-3'").pluck().get()).toBe(1);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(repository.search({ presence: 'all', sort: { column: 'uid', direction: 'asc' } }, { offset: 0, limit: 10 })).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM devices').pluck().get()).toBe(0);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

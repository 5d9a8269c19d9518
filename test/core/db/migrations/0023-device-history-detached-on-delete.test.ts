import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { ANDROID, seedFirstRun, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-12-06T12:00:00Z');

/**
 * A console at schema 22: devices 1 and 2, each with its history; device 2's id was held before by a device that is
 * gone ('guid-gone', recorded with its guid before 0022), and device 3 is gone with its id not taken yet.
 */
function at22(): Db {
  const db = databases.at(22);
  seedIntegrations(db);
  seedFirstRun(db);
  db.exec(`
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (2, '${ANDROID}', 'manual', 'completed', 30, 40, 1);
    INSERT INTO devices (id, tenant, integration_id, guid, device_name, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES (1, 't', '${ANDROID}', 'guid-1', 'One', x'00', 15, 20, 1), (2, 't', '${ANDROID}', 'guid-2', 'Two', x'00', 35, 40, 2);
    INSERT INTO device_changes (id, run_id, integration_id, device_id, guid, kind, fields, at) VALUES
      (1, 1, '${ANDROID}', 1, 'guid-1', 'added', NULL, 20),
      (2, 1, '${ANDROID}', 2, 'guid-gone', 'added', NULL, 20),
      (3, 1, '${ANDROID}', 3, 'guid-3', 'added', NULL, 20),
      (4, 2, '${ANDROID}', 1, '', 'changed', '{"deviceName":["1","One"]}', 40),
      (5, 2, '${ANDROID}', 2, '', 'added', NULL, 40);
  `);
  return db;
}

function historyOf(db: Db, deviceId: number): number[] {
  return db.prepare('SELECT id FROM device_changes WHERE device_id = ? ORDER BY id').pluck().all(deviceId) as number[];
}

describe('migration 0023: a deleted device’s history is detached from its id', () => {
  it('detaches the history a database holds for a device that is gone, even where a new device took its id', () => {
    const db = databases.upgrade(at22(), 23);
    expect(db.prepare('SELECT id, device_id, guid FROM device_changes ORDER BY id').all()).toEqual([
      { id: 1, device_id: 1, guid: 'guid-1' },
      { id: 2, device_id: null, guid: 'guid-gone' },
      { id: 3, device_id: null, guid: 'guid-3' },
      { id: 4, device_id: 1, guid: '' },
      { id: 5, device_id: 2, guid: '' },
    ]);
    // A device's history is read by device_id (DeviceRepository.detail).
    expect(historyOf(db, 2)).toEqual([5]);
    expect(historyOf(db, 1)).toEqual([1, 4]);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(repository.changesOfFetch(1, { limit: 10 }).changes.map((c) => [c.guid, c.deviceName])).toEqual([
      ['guid-1', 'One'],
      ['guid-gone', null],
      ['guid-3', null],
    ]);
  });

  it('detaches a device’s history when its row is deleted, naming its guid, so the id it frees starts clean', () => {
    const db = databases.upgrade(at22(), 23);
    db.prepare('DELETE FROM devices WHERE id = 2').run();
    expect(db.prepare('SELECT id, device_id, guid FROM device_changes WHERE id IN (2, 5) ORDER BY id').all()).toEqual([
      { id: 2, device_id: null, guid: 'guid-gone' },
      { id: 5, device_id: null, guid: 'guid-2' },
    ]);
    db.exec(`INSERT INTO devices (tenant, integration_id, guid, record_hash, first_seen_at, last_seen_at, last_seen_run) VALUES ('t', '${ANDROID}', 'guid-new', x'00', 50, 50, 2)`);
    expect(db.prepare("SELECT id FROM devices WHERE guid = 'guid-new'").pluck().get()).toBe(2);
    expect(historyOf(db, 2)).toEqual([]);
  });

  it('reports its progress while it walks the history', () => {
    const events = progressOfUpgrade(at22(), 23);
    expect(events[0]).toEqual([0, 2]);
    expect(events[events.length - 1]).toEqual([2, 2]);
  });
});

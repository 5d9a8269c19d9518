import { describe, expect, it } from 'vitest';
import { deviceNameSortKey } from '../../../../src-shared/domain/device-name-key';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();

describe('migration 0011: folded device name for sorting', () => {
  it('keeps every device, stores each name folded (case, accents) in an indexed column, and sorts by it', () => {
    const before = databases.at(10);
    before.exec(`
      INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at)
        VALUES ('int-a', 'Phones', 'ivanti-neurons', 'android', 'all-users', 1, 1);
      INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, 'int-a', 'manual', 'completed', 1, 2, 1);
    `);
    const names = ['device-1', 'Ada phone', 'Ünal tablet', null, 'ÉMILE', 'bob'];
    const insert = before.prepare(
      `INSERT INTO devices (integration_id, guid, device_name, platform_type, registration_state, raw, record_hash, first_seen_at, last_seen_at, last_seen_run)
       VALUES ('int-a', ?, ?, 'ANDROID', 'ACTIVE', '{}', 'h', 1, 2, 1)`,
    );
    names.forEach((name, i) => insert.run(`guid-${i}`, name));
    const rows = before.prepare('SELECT id, guid, device_name FROM devices ORDER BY id').all();

    const db = databases.upgrade(before, 11);
    expect(databases.lastUpgrade().schemaVersion).toBe(11);
    expect(db.prepare('SELECT id, guid, device_name FROM devices ORDER BY id').all()).toEqual(rows);
    const keys = db.prepare('SELECT device_name AS name, device_name_key AS key FROM devices').all() as { name: string | null; key: string | null }[];
    for (const { name, key } of keys) expect(key).toBe(deviceNameSortKey(name));
    expect(db.prepare('SELECT device_name FROM devices WHERE device_name IS NOT NULL ORDER BY device_name_key').pluck().all()).toEqual([
      'Ada phone',
      'bob',
      'device-1',
      'ÉMILE',
      'Ünal tablet',
    ]);
    // As the explorer reads it (device-selection.ts names the sort index): walked in order, no sort step.
    const plan = queryPlan(db, 'SELECT id FROM devices d INDEXED BY devices_by_device_name_key WHERE removed_at IS NULL ORDER BY device_name_key LIMIT 10', []);
    expect(plan).toMatch(/devices_by_device_name_key/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'devices_by_device_name'").get()).toBeUndefined();
  });

  it('folds case, accents and the letters Unicode does not decompose', () => {
    expect(deviceNameSortKey('  Ådám’s ÏPAD ')).toBe('adam’s ipad');
    expect(deviceNameSortKey('Straße Œuvre Øystein Łukasz')).toBe('strasse oeuvre oystein lukasz');
    expect(deviceNameSortKey(null)).toBeNull();
  });
});

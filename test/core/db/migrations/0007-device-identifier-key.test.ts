import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { normalizeDeviceIdentifier } from '../../../../src-shared/domain/device-identifier';
import { runTec } from '../../../cli/cli-harness';
import { expectKillLeavesVersion } from './kill-mid-migration';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();

/**
 * A schema-6 database as the previous console left it: an integration, a completed sync run, `count` devices (iOS
 * upper-case UUID-like ids, Android hex ids, some without an id) and their change history.
 */
function schemaSixWithDevices(count: number): Db {
  const db = databases.at(6);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at)
      VALUES ('int-i', 'iPhones', 'ivanti-neurons', 'ios-appconfig', 'all-users', 1, 1);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, 'int-i', 'manual', 'completed', 1, 2, 1);
  `);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO devices (integration_id, guid, client_device_identifier, platform_type, registration_state, raw, record_hash, first_seen_at, last_seen_at, last_seen_run)
     SELECT 'int-i', 'guid-' || i,
            CASE WHEN i % 10 = 0 THEN NULL WHEN i % 2 = 0 THEN printf('%064x', i) ELSE printf(' ABCDEF%08d-1234-ABCD-EF01-%012d ', i, i) END,
            CASE WHEN i % 2 = 0 THEN 'ANDROID' ELSE 'IOS' END, 'ACTIVE', '{}', 'h', 1, 2, 1
       FROM n`,
  ).run(count);
  db.exec(`INSERT INTO device_changes (run_id, integration_id, guid, kind, at) SELECT 1, 'int-i', guid, 'added', 2 FROM devices`);
  return db;
}

const snapshot = (db: Db) => ({
  devices: db.prepare('SELECT id, guid, client_device_identifier, platform_type, registration_state FROM devices ORDER BY id').all(),
  changes: db.prepare('SELECT * FROM device_changes ORDER BY id').all(),
  runs: db.prepare('SELECT * FROM sync_runs').all(),
});

describe('migration 0007: normalized Device Client ID', () => {
  it('keeps every device, run and change, and stores each identifier trimmed and lower-cased in an indexed column', () => {
    const before = schemaSixWithDevices(1_000);
    const rows = snapshot(before);
    const db = databases.upgrade(before, 7);
    expect(databases.lastUpgrade().schemaVersion).toBe(7);
    expect(snapshot(db)).toEqual(rows);
    const keys = db.prepare('SELECT client_device_identifier AS id, identifier_key AS key FROM devices').all() as { id: string | null; key: string | null }[];
    for (const { id, key } of keys) expect(key).toBe(id === null ? null : normalizeDeviceIdentifier(id));
    expect(keys.filter((k) => k.key !== null && /[A-Z\s]/.test(k.key))).toEqual([]);
    expect(queryPlan(db, 'SELECT guid FROM devices WHERE identifier_key = ?', ['x'])).toMatch(/USING INDEX devices_identifier_key/);
  });

  it('reports its progress while it rewrites the devices', () => {
    const events = progressOfUpgrade(schemaSixWithDevices(45_000), 7);
    expect(events[0]).toEqual([0, 40_500]);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events[events.length - 1]).toEqual([40_500, 40_500]);
  });

  it('says nothing when there are no devices to rewrite (a new database)', async () => {
    const dataDir = path.dirname(databases.at(6).name);
    const run = await runTec(['integration', 'list', '--json'], { env: { TEC_DATA_DIR: dataDir } });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const fresh = await runTec(['integration', 'list', '--json'], { env: { TEC_DATA_DIR: path.join(dataDir, 'new') } });
    expect(fresh.stderr).toBe('');
  });

  it('says at start-up of tec how far the upgrade is (stderr, so JSON on stdout stays clean)', async () => {
    const before = schemaSixWithDevices(25_000);
    const dataDir = path.dirname(before.name);
    before.close();
    const run = await runTec(['devices', 'find', 'abcdef00000001-1234-abcd-ef01-000000000001', '--json'], { env: { TEC_DATA_DIR: dataDir } });
    expect(run.stderr).toContain('Upgrading the database to schema 7 (normalized Device Client ID, indexed): 0 of 22,500 devices.');
    expect(run.stderr).toContain('22,500 of 22,500 devices.');
    expect(JSON.parse(run.stdout)).toHaveLength(1);
  });

  it('survives a kill mid-way: the database stays at schema 6, whole, and the next start upgrades it', async () => {
    const before = schemaSixWithDevices(60_000);
    const db = await expectKillLeavesVersion(before, 6, {
      snapshot,
      untouched: (inspect) => expect(inspect.prepare("SELECT COUNT(*) FROM pragma_table_info('devices') WHERE name = 'identifier_key'").pluck().get()).toBe(0),
    });
    expect(db.prepare('SELECT COUNT(*) FROM devices WHERE identifier_key IS NOT NULL').pluck().get()).toBe(54_000);
    db.close();
    // Builds a 60,000-row database, then upgrades it through every later migration: slow on a loaded machine, not a
    // timing check (as the kill tests of 0012, 0018 and 0019).
  }, 240_000);
});

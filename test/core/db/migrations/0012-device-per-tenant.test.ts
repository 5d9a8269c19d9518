import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../src-main/core/db/database';
import { migrations } from '../../../../src-main/core/db/migrations';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { expectKillLeavesVersion } from './kill-mid-migration';
import { migrationsUpTo, useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();
const LATEST = Math.max(...migrations.map((m) => m.version));

/**
 * Integrations as a console of an earlier version left them: an Android and an iOS App Config integration of one
 * tenant (same host, entered in different case, same API user), and two integrations on the shared regional host
 * na1.mobileiron.com with different API users (two tenants there).
 */
const INTEGRATIONS = `
  INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at) VALUES
    ('int-a', 'Acme Android', 'ivanti-neurons', 'android', 'all-users', 'acmecorp.mobileiron.com', 'api@acme.example', 1, 1),
    ('int-i', 'Acme iOS', 'ivanti-neurons', 'ios-appconfig', 'all-users', 'ACMECORP.mobileiron.com', 'API@acme.example', 2, 2),
    ('int-n1', 'North A', 'ivanti-neurons', 'android', 'all-users', 'na1.mobileiron.com', 'a@north.example', 3, 3),
    ('int-n2', 'North B', 'ivanti-neurons', 'android', 'all-users', 'na1.mobileiron.com', 'b@south.example', 4, 4);
`;

/**
 * A database at `version` (2..11) with synced devices and their history: both Acme integrations synced the same
 * `count` devices (even ones Android, odd ones iOS); the iOS integration's copies are newer (seen later, another name);
 * device 1 was removed for the Android integration only, device 2 for both; the na1 integrations each synced a device
 * with the same guid (two tenants: two devices).
 */
function syncedAt(version: number, count: number): Db {
  const db = databases.at(version);
  db.exec(`${INTEGRATIONS}
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES
      (1, 'int-a', 'manual', 'completed', 10, 20, 1), (2, 'int-i', 'manual', 'completed', 30, 40, 1),
      (3, 'int-n1', 'manual', 'completed', 50, 60, 1), (4, 'int-n2', 'manual', 'completed', 70, 80, 1);
  `);
  const withKey = version >= 7;
  const insert = (integration: string, run: number, seenAt: number, names: string, removedAt: string, spaceId: number) =>
    db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO devices (integration_id, guid, ivanti_id, space_id, space_name, client_device_identifier, ${withKey ? 'identifier_key, ' : ''}platform_type,
                              registration_state, device_name, raw, record_hash, first_seen_at, last_seen_at, last_seen_run, removed_at, removed_run)
         SELECT ?, 'guid-' || i, i, ?, 'Space ' || ?, 'CLIENT-' || i, ${withKey ? "'client-' || i, " : ''}CASE WHEN i % 2 = 0 THEN 'ANDROID' ELSE 'IOS' END,
                'ACTIVE', ? || ' ' || i, '{}', 'h', ?, ?, ?, ${removedAt}, CASE WHEN ${removedAt} IS NULL THEN NULL ELSE ? END
           FROM n`,
      )
      .run(count, integration, spaceId, spaceId, names, seenAt - 5, seenAt, run, run);
  insert('int-a', 1, 20, 'Old name', 'CASE WHEN i IN (1, 2) THEN 20 END', 7);
  insert('int-i', 2, 40, 'New name', 'CASE WHEN i = 2 THEN 40 END', 8);
  db.exec(`
    INSERT INTO devices (integration_id, guid, platform_type, registration_state, device_name, raw, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES ('int-n1', 'same-guid', 'ANDROID', 'ACTIVE', 'North phone', '{}', 'h', 55, 60, 3),
             ('int-n2', 'same-guid', 'ANDROID', 'ACTIVE', 'South phone', '{}', 'h', 75, 80, 4);
    INSERT INTO device_changes (run_id, integration_id, guid, kind, at) SELECT last_seen_run, integration_id, guid, 'added', last_seen_at FROM devices;
    INSERT INTO device_changes (run_id, integration_id, guid, kind, fields, at) VALUES (1, 'int-a', 'guid-3', 'changed', '{"deviceName":["a","b"]}', 20);
  `);
  return db;
}

interface DeviceAfter {
  id: number;
  tenant: string;
  guid: string;
  integration_id: string;
  device_name: string;
  first_seen_at: number;
  removed_at: number | null;
}

/** SQL for a device's tenant text and integration id and a change's integration id at any schema from 12 on (migrations 26, 27 and 39 keyed them). */
function keyedColumns(db: Db): { tenant: string; deviceIntegration: string; changeIntegration: string } {
  const has = (table: string, column: string) => db.prepare('SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?').pluck().get(table, column) === 1;
  return {
    tenant: has('devices', 'tenant_key') ? '(SELECT t.tenant FROM device_tenants t WHERE t.key = d.tenant_key)' : 'd.tenant',
    deviceIntegration: has('devices', 'integration_id') ? 'd.integration_id' : '(SELECT i.id FROM integrations i WHERE i.key = d.integration_key)',
    changeIntegration: has('device_changes', 'integration_key') ? '(SELECT i.id FROM integrations i WHERE i.key = c.integration_key)' : 'c.integration_id',
  };
}

function checkMerged(db: Db, count: number): void {
  const keyed = keyedColumns(db);
  const devices = db
    .prepare(`SELECT d.id, ${keyed.tenant} AS tenant, d.guid, ${keyed.deviceIntegration} AS integration_id, d.device_name, d.first_seen_at, d.removed_at FROM devices d ORDER BY d.id`)
    .all() as DeviceAfter[];
  const acme = devices.filter((d) => d.tenant === 'acmecorp.mobileiron.com');
  // Each Acme device once, whatever the number of integrations that synced it.
  expect(acme).toHaveLength(count);
  expect(new Set(acme.map((d) => d.guid)).size).toBe(count);
  // The newest record is kept, first seen as early as any copy, listed under the integration of its platform.
  for (const device of acme) {
    const i = Number(device.guid.slice(5));
    expect(device).toMatchObject({ device_name: `New name ${i}`, first_seen_at: 15, integration_id: i % 2 === 0 ? 'int-a' : 'int-i' });
    expect(device.removed_at).toBe(i === 2 ? 40 : null);
  }
  // Shared host, different API users: two tenants, two devices.
  expect(devices.filter((d) => d.guid === 'same-guid').map((d) => [d.tenant, d.device_name])).toEqual([
    ['na1.mobileiron.com/a@north.example', 'North phone'],
    ['na1.mobileiron.com/b@south.example', 'South phone'],
  ]);
  // What each integration saw, in which space, and whether it still sees it (named by its key since migration 32).
  const sightings = db
    .prepare(
      `SELECT i.id AS integration_id, s.space_id, s.removed_at, s.last_seen_run
         FROM device_sightings s JOIN devices d ON d.id = s.device_id JOIN integrations i ON i.key = s.integration_key WHERE d.guid = ? ORDER BY i.id`,
    )
    .all('guid-1');
  expect(sightings).toEqual([
    { integration_id: 'int-a', space_id: 7, removed_at: 20, last_seen_run: 1 },
    { integration_id: 'int-i', space_id: 8, removed_at: null, last_seen_run: 2 },
  ]);
  expect(db.prepare('SELECT COUNT(*) FROM device_sightings').pluck().get()).toBe(2 * count + 2);
  // Every change kept, each pointing at the row of its device.
  expect(db.prepare('SELECT COUNT(*) FROM device_changes').pluck().get()).toBe(2 * count + 3);
  expect(db.prepare('SELECT COUNT(*) FROM device_changes c LEFT JOIN devices d ON d.id = c.device_id WHERE d.guid IS NOT c.guid').pluck().get()).toBe(0);
  const third = acme.find((d) => d.guid === 'guid-3')!;
  expect(db.prepare(`SELECT ${keyed.changeIntegration} AS integration_id, c.kind FROM device_changes c WHERE c.device_id = ? ORDER BY c.id`).all(third.id)).toEqual([
    { integration_id: 'int-a', kind: 'added' },
    { integration_id: 'int-i', kind: 'added' },
    { integration_id: 'int-a', kind: 'changed' },
  ]);
}

describe('migration 0012: one device per tenant, with sightings per integration', () => {
  it.each([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])('merges the copies of a database at schema %i into one device per tenant, keeping history and sightings', (version) => {
    const db = databases.upgrade(syncedAt(version, 40));
    expect(databases.lastUpgrade().schemaVersion).toBe(LATEST);
    checkMerged(db, 40);
    // The explorer and search see each device once (the merged-away copies left the search index).
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date('2026-11-28T12:00:00Z'));
    expect(repository.count({ presence: 'all' })).toBe(42);
    expect(repository.count({ presence: 'all', text: 'New' })).toBe(40);
    expect(repository.count({ presence: 'all', text: 'Old' })).toBe(0);
    expect(repository.facets({}).integrations).toEqual([
      // 20 iOS and 20 Android devices; device 2 (Android) is gone for both integrations.
      { id: 'int-i', name: 'Acme iOS', count: 20 },
      { id: 'int-a', name: 'Acme Android', count: 19 },
      { id: 'int-n1', name: 'North A', count: 1 },
      { id: 'int-n2', name: 'North B', count: 1 },
    ]);
    const third = db.prepare("SELECT id FROM devices WHERE guid = 'guid-3'").pluck().get() as number;
    expect(repository.detail(third).history.map((h) => h.kind)).toEqual(['changed', 'added', 'added']);
  });

  it('upgrades a schema-1 database (no devices yet) to the new keying', () => {
    const before = databases.at(1);
    before.exec(INTEGRATIONS);
    // To schema 12: migration 18 drops device_sightings_presence (the removal pass reads the primary key instead).
    const db = databases.upgrade(before, 12);
    expect(db.prepare('SELECT COUNT(*) FROM integrations').pluck().get()).toBe(4);
    expect(queryPlan(db, 'SELECT id FROM devices WHERE tenant = ? AND guid = ?', ['t', 'g'])).toMatch(/USING (COVERING )?INDEX devices_key/);
    expect(queryPlan(db, 'SELECT device_id FROM device_sightings WHERE integration_id = ? AND last_seen_run < ? AND removed_at IS NULL', ['i', 1])).toMatch(
      /USING (COVERING )?INDEX device_sightings_presence/,
    );
    expect(queryPlan(db, 'SELECT id FROM device_changes WHERE device_id = ? ORDER BY id DESC', [1])).toMatch(/USING (COVERING )?INDEX device_changes_device/);
  });

  it('reports its progress while it rewrites the devices', () => {
    const before = syncedAt(11, 30_000);
    const file = before.name;
    before.close();
    const events: [number, number][] = [];
    // Up to 12 alone: the later migrations that rewrite the devices add time (over vitest's 60 s at load 12), not checks.
    const { db } = openDatabase({ file, migrations: migrationsUpTo(12), onMigrationProgress: (p) => p.version === 12 && events.push([p.done, p.total]) });
    db.close();
    expect(events[0]).toEqual([0, 60_002]);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events[events.length - 1]).toEqual([60_002, 60_002]);
  });

  it('survives a SIGKILL mid-way: the database stays at schema 11, whole, and the next start merges it', async () => {
    const count = 30_000;
    const before = syncedAt(11, count);
    const snapshot = (db: Db) => ({
      devices: db.prepare('SELECT COUNT(*) AS n, SUM(id) AS ids FROM devices').get(),
      changes: db.prepare('SELECT COUNT(*) FROM device_changes').pluck().get(),
    });
    const db = await expectKillLeavesVersion(before, 11, {
      snapshot,
      untouched: (inspect) => expect(inspect.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'device_sightings'").pluck().get()).toBe(0),
    });
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(count + 2);
    expect(db.prepare('SELECT COUNT(*) FROM device_sightings').pluck().get()).toBe(2 * count + 2);
    db.close();
    // Builds, upgrades and inspects a 60,000-row database three times: slow on a loaded machine, not a timing check.
  }, 240_000);
});

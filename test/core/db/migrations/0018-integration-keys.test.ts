import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { DeviceStore } from '../../../../src-main/core/sync/device-store';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan, sqlPreparedDuring, statementsRunDuring } from '../../../support/query-plans';
import { expectKillLeavesVersion } from './kill-mid-migration';
import { ACME_ANDROID, ANDROID, seedFirstRun, seedIntegrations } from './seeded-integrations';
import { expectEveryDeviceIndexAnalyzed } from './device-index-statistics';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-11-28T12:00:00Z');
const TENANT = 'acmecorp.mobileiron.com';
const IOS = 'b2d7e9f0-1c3a-4e5b-8d6f-7a9b0c1d2e3f';

/** A console at schema 17 with `count` devices listed under two integrations (UUID ids, as the console makes them). */
function at17(count: number): Db {
  const db = databases.at(17);
  const api = { domain: TENANT, email: 'api@acme.example' };
  seedIntegrations(db, [{ ...ACME_ANDROID, ...api }, { id: IOS, name: 'Acme iOS', platform: 'ios-appconfig', ...api }]);
  seedFirstRun(db);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO devices (id, tenant, integration_id, guid, platform_type, registration_state, space_id, space_name, last_checkin, record_hash,
                          first_seen_at, last_seen_at, last_seen_run)
     SELECT i, '${TENANT}', CASE WHEN i % 3 = 0 THEN '${IOS}' ELSE '${ANDROID}' END, 'guid-' || i, CASE WHEN i % 3 = 0 THEN 'IOS' ELSE 'ANDROID' END,
            'ACTIVE', 1, 'Default Space', ${NOW} - i * 1000, 'h', 15, 20, 1 FROM n`,
  ).run(count);
  db.exec(`
    INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run)
      SELECT id, integration_id, 1, 'Default Space', 15, 20, 1 FROM devices;
  `);
  return db;
}

const indexSql = (db: Db) =>
  db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices' AND sql IS NOT NULL ORDER BY name").all() as {
    name: string;
    sql: string;
  }[];

describe('migration 0018: integration keys in the device indexes', () => {
  it('keys every integration and every device row, and the device indexes hold the key, not the 36-byte id', () => {
    const before = at17(300);
    const sortIndexes = indexSql(before).filter((i) => i.sql.includes('integration_id'));
    expect(sortIndexes.map((i) => i.name)).toContain('devices_facets');
    expect(sortIndexes.length).toBe(12);
    // As a bulk load that stopped before its index build left one: dropped, its definition listed to build again.
    before.exec("INSERT INTO deferred_indexes (name, table_name, sql) SELECT name, tbl_name, sql FROM sqlite_schema WHERE name = 'devices_by_model'");
    before.exec('DROP INDEX devices_by_model');
    const db = databases.upgrade(before, 18);

    expect(db.prepare('SELECT id, key FROM integrations ORDER BY key').all()).toEqual([
      { id: ANDROID, key: 1 },
      { id: IOS, key: 2 },
    ]);
    expect(db.prepare('SELECT COUNT(*) FROM devices d WHERE d.integration_key IS NOT (SELECT key FROM integrations i WHERE i.id = d.integration_id)').pluck().get()).toBe(0);
    expect(db.prepare('SELECT integration_key, COUNT(*) AS n FROM devices GROUP BY integration_key ORDER BY integration_key').all()).toEqual([
      { integration_key: 1, n: 200 },
      { integration_key: 2, n: 100 },
    ]);
    const after = indexSql(db);
    expect(after.filter((i) => i.sql.includes('integration_id'))).toEqual([]);
    expect(after.filter((i) => i.sql.includes('integration_key')).map((i) => i.name).sort()).toEqual(sortIndexes.map((i) => i.name).sort());
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'device_sightings_presence'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('keys a new integration next, and keeps a device row’s key with its integration whoever writes the row', () => {
    const db = databases.upgrade(at17(10), 18);
    const third = 'c3e8f1a2-2d4b-4f6c-9e7a-8b0c1d2e3f40';
    db.prepare(
      "INSERT INTO integrations (id, name, mdm, platform, created_at, updated_at) VALUES (?, 'Third', 'ivanti-neurons', 'android', 3, 3)",
    ).run(third);
    expect(db.prepare('SELECT key FROM integrations WHERE id = ?').pluck().get(third)).toBe(3);
    // A plain INSERT that names no key (a test seed, an older writer), and one that names a wrong key.
    db.prepare(
      `INSERT INTO devices (id, tenant, integration_id, guid, record_hash, first_seen_at, last_seen_at, last_seen_run) VALUES (1001, 't', ?, 'g1', 'h', 1, 1, 1)`,
    ).run(third);
    db.prepare(
      `INSERT INTO devices (id, tenant, integration_id, integration_key, guid, record_hash, first_seen_at, last_seen_at, last_seen_run) VALUES (1002, 't', ?, 1, 'g2', 'h', 1, 1, 1)`,
    ).run(third);
    db.prepare('UPDATE devices SET integration_id = ? WHERE id = 1').run(third);
    db.prepare('UPDATE devices SET integration_key = 2 WHERE id = 2').run();
    const keyOf = db.prepare('SELECT integration_key FROM devices WHERE id = ?').pluck();
    expect([keyOf.get(1001), keyOf.get(1002), keyOf.get(1), keyOf.get(2)]).toEqual([3, 3, 3, 1]);
  });

  it('still walks each sort index for a filtered, sorted page (no sort of its own), and the removal pass reads sightings in device order without the presence index', () => {
    // Today's repository expects the latest schema (migration 0019 keys the spaces too).
    const db = databases.upgrade(at17(300));
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    for (const column of ['lastCheckin', 'model', 'integration'] as const) {
      const ran = statementsRunDuring(db, () => undefined, () => repository.search({ integrationId: IOS, sort: { column, direction: 'desc' } }, { offset: 0, limit: 50 }));
      const page = ran.find(({ sql }) => sql.includes('LIMIT ? OFFSET ?'))!;
      // The integration filter is checked on the index entry's key as the walk goes (device-selection.ts).
      expect(page.sql, column).toMatch(/\+d\.integration_key = \?/);
      // With the parameters the page ran with: since 36a430a the sort index is also sought to the integration's key.
      const plan = queryPlan(db, page.sql, page.params);
      expect(plan, column).toMatch(column === 'integration' ? /devices_facets/ : /devices_by_/);
      expect(plan, column).not.toContain('TEMP B-TREE');
    }
    expect(repository.search({ integrationId: IOS, sort: { column: 'lastCheckin', direction: 'desc' } }, { offset: 0, limit: 500 }).length).toBe(100);

    // Every statement of the store that reads sightings by integration: none sorts, none needs the dropped index.
    const statements = sqlPreparedDuring(db, () => new DeviceStore(db));
    const removalPass = statements.find((sql) => sql.includes('s.device_id > ?'))!;
    expect(queryPlan(db, removalPass, [ANDROID, 0, 1024])).toMatch(/^SEARCH s USING PRIMARY KEY \(device_id>\?\)/);
    expect(queryPlan(db, removalPass, [ANDROID, 0, 1024])).not.toContain('TEMP B-TREE');
    const store = new DeviceStore(db);
    expect(store.currentCount(ANDROID)).toBe(200);
    expect(store.currentCount(IOS)).toBe(100);
  });

  it('leaves the planner statistics of every device index it rebuilt, as a synced console had them', () => {
    const before = at17(3_000);
    before.exec('ANALYZE');
    expectEveryDeviceIndexAnalyzed(before);
    // Dropping an index drops its statistics; the twelve rebuilt ones must have theirs again, not wait for a sync.
    expectEveryDeviceIndexAnalyzed(databases.upgrade(before, 18));
  });

  it('reports its progress while it keys the devices', () => {
    const events = progressOfUpgrade(at17(45_000), 18);
    expect(events[0]).toEqual([0, 45_000]);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events[events.length - 1]).toEqual([45_000, 45_000]);
  });

  it('survives a SIGKILL mid-way: the database stays at schema 17, whole, and the next start keys it', async () => {
    const count = 30_000;
    const before = at17(count);
    const snapshot = (db: Db) => ({
      rows: db.prepare('SELECT COUNT(*) AS n, SUM(id) AS ids FROM devices').get(),
      indexes: indexSql(db),
    });
    const db = await expectKillLeavesVersion(before, 17, {
      snapshot,
      untouched: (inspect) => {
        expect(inspect.prepare("SELECT COUNT(*) FROM pragma_table_info('devices') WHERE name = 'integration_key'").pluck().get()).toBe(0);
        expect(inspect.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'device_sightings_presence'").pluck().get()).toBe(1);
      },
    });
    expect(db.prepare('SELECT COUNT(*) FROM devices WHERE integration_key IS NULL').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(count);
    db.close();
    // Builds, upgrades and inspects a 30,000-row database twice: slow on a loaded machine, not a timing check.
  }, 240_000);
});

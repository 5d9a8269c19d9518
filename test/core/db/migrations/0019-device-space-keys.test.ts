import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan, sqlPreparedDuring } from '../../../support/query-plans';
import { expectKillLeavesVersion } from './kill-mid-migration';
import { ACME_ANDROID, ANDROID, seedFirstRun, seedIntegrations } from './seeded-integrations';
import { expectEveryDeviceIndexAnalyzed } from './device-index-statistics';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-12-06T12:00:00Z');
const TENANT = 'acmecorp.mobileiron.com';
const SPACES = ['Default Space', 'EU Field Staff', 'Marketing'];

/** A console at schema 18 with `count` devices in three spaces (every fifth removed), one in no space. */
function at18(count: number): Db {
  const db = databases.at(18);
  seedIntegrations(db, [{ ...ACME_ANDROID, domain: TENANT, email: 'api@acme.example' }]);
  seedFirstRun(db);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO devices (id, tenant, integration_id, guid, platform_type, registration_state, space_id, space_name, model, last_checkin, record_hash,
                          first_seen_at, last_seen_at, last_seen_run, removed_at)
     SELECT i, '${TENANT}', '${ANDROID}', 'guid-' || i, 'ANDROID', 'ACTIVE', i % 3, CASE WHEN i = 1 THEN NULL ELSE json_extract(?, '$[' || (i % 3) || ']') END,
            'Pixel ' || (i % 7), ${NOW} - i * 1000, 'h', 15, 20, 1, CASE WHEN i % 5 = 0 THEN 30 END FROM n`,
  ).run(count, JSON.stringify(SPACES));
  return db;
}

const indexSql = (db: Db) =>
  db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices' AND sql IS NOT NULL ORDER BY name").all() as {
    name: string;
    sql: string;
  }[];

describe('migration 0019: space keys in the device indexes', () => {
  it('keys every space name and every device row, and the device indexes hold the key where they held the name', () => {
    const before = at18(300);
    const withName = indexSql(before).filter((i) => i.sql.includes('space_name'));
    expect(withName.map((i) => i.name)).toContain('devices_facets');
    expect(withName.length).toBe(12);
    // As a bulk load that stopped before its index build left one: dropped, its definition listed to build again.
    before.exec("INSERT INTO deferred_indexes (name, table_name, sql) SELECT name, tbl_name, sql FROM sqlite_schema WHERE name = 'devices_by_model'");
    before.exec('DROP INDEX devices_by_model');
    const db = databases.upgrade(before, 19);

    expect(db.prepare('SELECT name FROM device_space_names ORDER BY key').pluck().all()).toEqual(SPACES);
    expect(db.prepare('SELECT COUNT(*) FROM devices d WHERE d.space_key IS NOT (SELECT key FROM device_space_names n WHERE n.name = d.space_name)').pluck().get()).toBe(0);
    expect(db.prepare('SELECT space_key FROM devices WHERE id = 1').pluck().get()).toBeNull();
    expect(db.prepare('SELECT COUNT(*) FROM devices WHERE space_key IS NOT NULL').pluck().get()).toBe(299);
    const after = indexSql(db);
    // Only the space's own sort index still holds the name, which it sorts by; every one holds the key.
    expect(after.filter((i) => i.sql.includes('space_name')).map((i) => i.name)).toEqual(['devices_by_space_name']);
    expect(after.filter((i) => i.sql.includes('space_key')).map((i) => i.name)).toEqual(withName.map((i) => i.name));
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('keys a new name next, and keeps a device row’s key with its space name whoever writes the row', () => {
    const db = databases.upgrade(at18(10), 19);
    // A plain INSERT that names no key (a test seed, an older writer) in a new space, and one that names a wrong key.
    db.prepare(
      "INSERT INTO devices (id, tenant, integration_id, guid, space_name, record_hash, first_seen_at, last_seen_at, last_seen_run) VALUES (1001, 't', ?, 'g1', 'Sales', 'h', 1, 1, 1)",
    ).run(ANDROID);
    db.prepare(
      "INSERT INTO devices (id, tenant, integration_id, guid, space_name, space_key, record_hash, first_seen_at, last_seen_at, last_seen_run) VALUES (1002, 't', ?, 'g2', 'Marketing', 1, 'h', 1, 1, 1)",
    ).run(ANDROID);
    db.prepare("UPDATE devices SET space_name = 'Sales' WHERE id = 2").run();
    db.prepare('UPDATE devices SET space_key = 1 WHERE id = 3').run();
    db.prepare('UPDATE devices SET space_name = NULL WHERE id = 4').run();
    expect(db.prepare("SELECT key FROM device_space_names WHERE name = 'Sales'").pluck().get()).toBe(4);
    const keyOf = db.prepare('SELECT space_key FROM devices WHERE id = ?').pluck();
    expect([keyOf.get(1001), keyOf.get(1002), keyOf.get(2), keyOf.get(3), keyOf.get(4)]).toEqual([4, 3, 4, 1, null]);
    expect(db.prepare('SELECT space_name FROM devices WHERE id = 3').pluck().get()).toBe('Default Space');
  });

  it('filters by space inside each sort index it walks (no sort of its own), and finds the same devices as by name', () => {
    // To the latest schema: today's repository asks for it.
    const db = databases.upgrade(at18(300));
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    const expected = db.prepare("SELECT id FROM devices WHERE space_name = 'Marketing' AND removed_at IS NULL ORDER BY id").pluck().all() as number[];
    for (const column of ['lastCheckin', 'model', 'spaceName', 'integration'] as const) {
      const query = { spaceName: 'Marketing', sort: { column, direction: 'desc' } } as const;
      const statements = sqlPreparedDuring(db, () => repository.search(query, { offset: 0, limit: 50 }));
      const page = statements.find((sql) => sql.includes('LIMIT ? OFFSET ?'))!;
      // The space filter is checked on the index entry's key as the walk goes (device-selection.ts).
      expect(page, column).toMatch(/\+d\.space_key = \(SELECT key FROM device_space_names WHERE name = \?\)/);
      const plan = queryPlan(db, page, ['Marketing', 50, 0]);
      expect(plan, column).toMatch(column === 'integration' ? /devices_facets/ : /devices_by_/);
      expect(plan, column).not.toContain('TEMP B-TREE');
      const found = repository.search(query, { offset: 0, limit: 500 });
      expect(found.map((d) => d.id).sort((a, b) => a - b), column).toEqual(expected);
    }
    expect(repository.count({ spaceName: 'Marketing' })).toBe(expected.length);
    expect(repository.count({ spaceName: 'Nowhere' })).toBe(0);
    const bySpace = (db.prepare('SELECT space_name AS value, COUNT(*) AS count FROM devices WHERE removed_at IS NULL GROUP BY space_name').all() as object[]);
    expect(repository.facets({}).spaces).toEqual(expect.arrayContaining(bySpace));
    expect(repository.facets({}).spaces.length).toBe(4);
  });

  it('gives the planner the space by its key beside its name, so the index of another filter checks the space in its entries', () => {
    const db = databases.upgrade(at18(300));
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    const query = { spaceName: 'EU Field Staff', platformType: 'ANDROID', sort: { column: 'model', direction: 'asc' } } as const;
    const statements = sqlPreparedDuring(db, () => repository.search(query, { offset: 0, limit: 50 }));
    // The statements left to the planner (no INDEXED BY): it may seek devices_by_space_name by the name or walk
    // devices_by_platform_type, which holds the key and not the name; without the key every device of the platform's
    // row was read to compare its space (1 s for a first page at a million devices).
    const chosen = statements.filter((sql) => sql.includes('space_name = ?') && !sql.includes('INDEXED BY'));
    expect(chosen.length).toBeGreaterThan(0);
    for (const sql of chosen) expect(sql).toMatch(/d\.space_name = \? AND d\.space_key = \(SELECT key FROM device_space_names WHERE name = \?\)/);
    const expected = db.prepare("SELECT COUNT(*) FROM devices WHERE space_name = 'EU Field Staff' AND platform_type = 'ANDROID' AND removed_at IS NULL").pluck().get();
    expect(repository.count(query)).toBe(expected);
    expect(repository.search(query, { offset: 0, limit: 500 }).length).toBe(expected);
  });

  it('leaves the planner statistics of every device index it rebuilt, as a synced console had them', () => {
    const before = at18(3_000);
    before.exec('ANALYZE');
    expectEveryDeviceIndexAnalyzed(before);
    expectEveryDeviceIndexAnalyzed(databases.upgrade(before, 19));
  });

  it('reports its progress while it keys the devices', () => {
    const events = progressOfUpgrade(at18(45_000), 19);
    expect(events[0]).toEqual([0, 45_000]);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events[events.length - 1]).toEqual([45_000, 45_000]);
  });

  it('survives a SIGKILL mid-way: the database stays at schema 18, whole, and the next start keys it', async () => {
    const count = 30_000;
    const before = at18(count);
    const snapshot = (db: Db) => ({
      rows: db.prepare('SELECT COUNT(*) AS n, SUM(id) AS ids FROM devices').get(),
      indexes: indexSql(db),
    });
    const db = await expectKillLeavesVersion(before, 18, {
      snapshot,
      untouched: (inspect) => {
        expect(inspect.prepare("SELECT COUNT(*) FROM pragma_table_info('devices') WHERE name = 'space_key'").pluck().get()).toBe(0);
        expect(inspect.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'device_space_names'").pluck().get()).toBe(0);
      },
    });
    expect(db.prepare('SELECT COUNT(*) FROM devices WHERE space_key IS NULL AND space_name IS NOT NULL').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(count);
    db.close();
    // Builds, upgrades and inspects a 30,000-row database twice: slow on a loaded machine, not a timing check.
  }, 240_000);
});

import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { codeOf, OTHER_VALUE, PLATFORM, REGISTRATION_STATE, valueOfCode } from '../../../../src-main/core/devices/device-codes';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan, sqlPreparedDuring, statementsRunDuring } from '../../../support/query-plans';
import { ANDROID, seedFirstRun, seedIntegrations } from './seeded-integrations';
import { expectEveryDeviceIndexAnalyzed } from './device-index-statistics';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-12-06T12:00:00Z');
/** Every value Ivanti documents, one it does not (a newer platform or state), and none at all. */
const PLATFORMS = ['ANDROID', 'IOS', 'OTHER', 'WINDOWS_PHONE', 'BLACKBERRY', null];
const STATES = ['ACTIVE', 'RETIRED', 'RETIRE_PENDING', 'WIPED', null];

/** A console at schema 27 with `count` devices over every platform and state (every seventh removed). */
function at27(count: number): Db {
  const db = databases.at(27);
  seedIntegrations(db);
  seedFirstRun(db);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO devices (id, tenant_key, integration_id, guid, client_device_identifier, platform_type, registration_state, space_id, space_name, model,
                          last_checkin, record_hash, first_seen_at, last_seen_at, last_seen_run, removed_at)
     SELECT i, 1, '${ANDROID}', 'guid-' || i, printf('%064x', i), json_extract(?, '$[' || (i % 6) || ']'), json_extract(?, '$[' || (i % 5) || ']'),
            1, 'Default Space', 'Model ' || (i % 7), ${NOW} - i * 1000, x'00', 15, 20, 1, CASE WHEN i % 7 = 0 THEN 30 END FROM n`,
  ).run(count, JSON.stringify(PLATFORMS), JSON.stringify(STATES));
  return db;
}

const deviceIndexes = (db: Db) =>
  db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices' AND sql IS NOT NULL ORDER BY name").all() as {
    name: string;
    sql: string;
  }[];

/** Whether running `sql` reads a column of a `devices` row (the codes are read back from the index entries instead). */
function readsDeviceRows(db: Db, sql: string, params: unknown[]): boolean {
  const root = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'devices'").pluck().get();
  const program = db.prepare(`EXPLAIN ${sql}`).all(...params) as { opcode: string; p1: number; p2: number }[];
  const cursors = new Set(program.filter((op) => op.opcode === 'OpenRead' && op.p2 === root).map((op) => op.p1));
  return program.some((op) => op.opcode === 'Column' && cursors.has(op.p1));
}

const bytesOf = (db: Db, name: string) => db.prepare('SELECT sum(pgsize) FROM dbstat WHERE name = ?').pluck().get(name) as number;

describe('migration 0028: platform and registration state codes in the device indexes', () => {
  it('puts the codes in every device index where the text was, without growing the rows, and the indexes shrink', () => {
    const before = at27(3_000);
    const withText = deviceIndexes(before).filter((i) => i.sql.includes('platform_type') && i.sql.includes('registration_state'));
    expect(withText.length).toBe(12);
    // As a bulk load that stopped before its index build left one: dropped, its definition listed to build again.
    before.exec("INSERT INTO deferred_indexes (name, table_name, sql) SELECT name, tbl_name, sql FROM sqlite_schema WHERE name = 'devices_by_model'");
    before.exec('DROP INDEX devices_by_model');
    const bytesBefore = Object.fromEntries(['devices', 'devices_facets', 'devices_by_last_checkin'].map((n) => [n, bytesOf(before, n)]));
    const db = databases.upgrade(before, 28);

    const after = deviceIndexes(db);
    // Only the two sort indexes of the text still hold it, which they sort by; every one of the twelve holds both codes.
    expect(after.filter((i) => /platform_type|registration_state/.test(i.sql)).map((i) => i.name)).toEqual(['devices_by_platform_type', 'devices_by_registration_state']);
    expect(after.filter((i) => i.sql.includes('platform_code') && i.sql.includes('state_code')).map((i) => i.name)).toEqual(withText.map((i) => i.name));
    expect(db.prepare('SELECT COUNT(*) FROM deferred_indexes').pluck().get()).toBe(0);
    expect(bytesOf(db, 'devices')).toBe(bytesBefore.devices);
    expect(bytesOf(db, 'devices_facets')).toBeLessThan(bytesBefore.devices_facets);
    expect(bytesOf(db, 'devices_by_last_checkin')).toBeLessThan(bytesBefore.devices_by_last_checkin);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('codes each value as device-codes.ts does, and every code but the one for other values stands for its value again', () => {
    const db = databases.upgrade(at27(60), 28);
    const rows = db.prepare('SELECT platform_type, platform_code, registration_state, state_code FROM devices').all() as {
      platform_type: string | null;
      platform_code: number | null;
      registration_state: string | null;
      state_code: number | null;
    }[];
    expect(new Set(rows.map((r) => r.platform_type))).toEqual(new Set(PLATFORMS));
    expect(new Set(rows.map((r) => r.registration_state))).toEqual(new Set(STATES));
    for (const r of rows) {
      expect(r.platform_code, String(r.platform_type)).toBe(codeOf(PLATFORM, r.platform_type));
      expect(r.state_code, String(r.registration_state)).toBe(codeOf(REGISTRATION_STATE, r.registration_state));
      if (r.platform_code !== OTHER_VALUE) expect(valueOfCode(PLATFORM, r.platform_code)).toBe(r.platform_type);
      if (r.state_code !== OTHER_VALUE) expect(valueOfCode(REGISTRATION_STATE, r.state_code)).toBe(r.registration_state);
    }
    expect(rows.filter((r) => r.platform_code === OTHER_VALUE).map((r) => r.platform_type)).toEqual(expect.arrayContaining(['BLACKBERRY']));
    expect(new Set(rows.filter((r) => r.state_code === OTHER_VALUE).map((r) => r.registration_state))).toEqual(new Set(['WIPED']));
    expect(() => valueOfCode(PLATFORM, OTHER_VALUE)).toThrow(/code 0/);
  });

  it('filters, counts and sorts by every platform and state as by their text, each sort index checking the codes in its entries', () => {
    // To the latest schema: today's repository asks for it.
    const db = databases.upgrade(at27(600));
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    const current = (where: string, ...params: unknown[]) =>
      db.prepare(`SELECT id FROM devices WHERE removed_at IS NULL AND ${where} ORDER BY id`).pluck().all(...params) as number[];
    const listed = (query: Parameters<DeviceRepository['search']>[0]) => repository.search(query, { offset: 0, limit: 1000 }).map((d) => d.id).sort((a, b) => a - b);
    let walked = 0;
    for (const platformType of ['ANDROID', 'BLACKBERRY']) {
      for (const registrationState of ['ACTIVE', 'WIPED']) {
        const expected = current('platform_type = ? AND registration_state = ?', platformType, registrationState);
        expect(expected.length).toBeGreaterThan(0);
        for (const column of ['model', 'lastCheckin', 'platformType', 'integration'] as const) {
          const query = { platformType, registrationState, sort: { column, direction: 'asc' } } as const;
          const ran = statementsRunDuring(db, () => undefined, () => repository.search(query, { offset: 0, limit: 10 }));
          const page = ran.find(({ sql }) => sql.includes('LIMIT ? OFFSET ?') && sql.includes('INDEXED BY'));
          if (page !== undefined) {
            walked += 1;
            expect(page.sql).toMatch(/\+d\.platform_code = \?/);
            expect(page.sql).toMatch(/\+d\.state_code = \?/);
            // With the parameters the page ran with (since 36a430a the sort index is also sought to what they pin).
            expect(queryPlan(db, page.sql, page.params), column).not.toContain('TEMP B-TREE');
          }
          expect(listed(query), `${platformType} ${registrationState} by ${column}`).toEqual(expected);
        }
        expect(new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW)).count({ platformType, registrationState })).toBe(expected.length);
      }
    }
    expect(walked).toBeGreaterThan(0);
    // A count by platform and state, and the facets' grouping, read the codes from devices_facets, not the rows.
    const counted = sqlPreparedDuring(db, () => new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW)).count({ platformType: 'IOS', registrationState: 'ACTIVE' }));
    const count = counted.find((sql) => sql.includes('INDEXED BY devices_facets'))!;
    expect(count).toMatch(/d\.platform_code = \? AND d\.state_code = \?/);
    expect(readsDeviceRows(db, count, [2, 1])).toBe(false);
    const grouped = sqlPreparedDuring(db, () => new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW)).facets({})).find((sql) => sql.includes('GROUP BY d.integration_key'))!;
    expect(readsDeviceRows(db, grouped, Array.from(grouped.matchAll(/\?/g), () => 0))).toBe(false);
    // The platform's own order is the text's, a platform Ivanti does not document included, NULL first.
    const byPlatform = repository.search({ sort: { column: 'platformType', direction: 'asc' } }, { offset: 0, limit: 1000 }).map((d) => d.platformType);
    expect([...new Set(byPlatform)]).toEqual([null, 'ANDROID', 'BLACKBERRY', 'IOS', 'OTHER', 'WINDOWS_PHONE']);
    const facets = repository.facets({});
    const textCounts = (column: string) =>
      Object.fromEntries((db.prepare(`SELECT ${column} AS value, COUNT(*) AS count FROM devices WHERE removed_at IS NULL GROUP BY ${column}`).all() as { value: string | null; count: number }[]).map((r) => [String(r.value), r.count]));
    expect(Object.fromEntries(facets.platforms.map((p) => [String(p.value), p.count]))).toEqual(textCounts('platform_type'));
    expect(Object.fromEntries(facets.registrationStates.map((p) => [String(p.value), p.count]))).toEqual(textCounts('registration_state'));
  });

  it('leaves the planner statistics of every device index it rebuilt, as a synced console had them', () => {
    const before = at27(3_000);
    before.exec('ANALYZE');
    expectEveryDeviceIndexAnalyzed(before);
    expectEveryDeviceIndexAnalyzed(databases.upgrade(before, 28));
  });
});

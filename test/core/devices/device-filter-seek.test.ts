import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/db/database';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import { orderDevices } from '../../../src-main/core/devices/device-selection';
import type { DeviceQuery, DeviceSort, DeviceSortColumn } from '../../../src-shared/domain/device';
import { queryPlan, statementsRunDuring } from '../../support/query-plans';
import { seedDevices, seedFollowUpRun } from '../../support/seed-devices';
import { useTempDir } from '../../support/temp-dir';
import { NOW, openDeviceDatabase, type StoredDevice } from './device-fixture';

/** The stored columns the filters compare, read straight from the table: the oracle. */
type Stored = Pick<StoredDevice, 'id' | 'integration_id' | 'space_name' | 'platform_type' | 'registration_state' | 'compliant' | 'last_checkin' | 'removed_at'>;

const DAY = 86_400_000;

/** The check-in age bucket of a device, as the filter's half-open bounds relative to now put it. */
function ageOf(lastCheckin: number | null): string {
  if (lastCheckin === null) return 'never';
  return lastCheckin >= NOW - DAY ? 'day' : lastCheckin >= NOW - 7 * DAY ? 'week' : lastCheckin >= NOW - 30 * DAY ? 'month' : 'older';
}

const suiteDir = useTempDir('tec-filter-seek-db-', { lives: 'file' });
let db: Db;
let android: string;
let ios: string;

beforeAll(() => {
  ({ db } = openDeviceDatabase(suiteDir()));
  android = seedDevices(db, { count: 1500, seed: 'seek-a', integration: { name: 'Android fleet', platform: 'android' }, referenceTime: NOW }).integrationId;
  ios = seedDevices(db, {
    count: 800,
    seed: 'seek-b',
    integration: { name: 'iOS fleet', platform: 'ios-appconfig' },
    referenceTime: NOW,
    spaces: [
      { id: 7001, name: 'Default Space', gdpr: false },
      { id: 7002, name: 'Sales', gdpr: false },
    ],
  }).integrationId;
  seedFollowUpRun(db, { integrationId: android, changed: 40, removed: 25, at: NOW - 3_600_000 });
});
afterAll(() => db.close());

/** A repository with nothing cached, as for a new filter set. */
function fresh(): DeviceRepository {
  return new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
}

/** Every current device the filters select, in the order's ORDER BY, from the table's rows compared in JS. */
function expectedIds(query: DeviceQuery & { sort: DeviceSort }): number[] {
  const stored = db.prepare('SELECT id, (SELECT id FROM integrations i WHERE i.key = devices.integration_key) AS integration_id, space_name, platform_type, registration_state, compliant, last_checkin, removed_at FROM devices').all() as Stored[];
  const ids = stored
    .filter(
      (d) =>
        d.removed_at === null &&
        (query.integrationId === undefined || d.integration_id === query.integrationId) &&
        (query.spaceName === undefined || d.space_name === query.spaceName) &&
        (query.platformType === undefined || d.platform_type === query.platformType) &&
        (query.registrationState === undefined || d.registration_state === query.registrationState) &&
        (query.compliance === undefined || d.compliant === (query.compliance === 'compliant' ? 1 : 0)) &&
        (query.checkinAge === undefined || ageOf(d.last_checkin) === query.checkinAge),
    )
    .map((d) => d.id);
  return db.prepare(`SELECT d.id FROM devices d NOT INDEXED WHERE d.id IN (SELECT value FROM json_each(?)) ${orderDevices(query.sort, false)}`).pluck().all(JSON.stringify(ids)) as number[];
}

/** The page's ids from a new repository, and the SQL of the seeking listing it ran, if any. */
function pageOf(query: DeviceQuery, page: { offset: number; limit: number }): { ids: number[]; sought: { sql: string; params: unknown[] } | undefined } {
  let ids: number[] = [];
  const ran = statementsRunDuring(db, fresh, (repository) => (ids = repository.search(query, page).map((r) => r.id)));
  // A walk's filters are written `+d.column` (checked in the entry); the seek's are plain, which SQLite seeks by.
  const seeks = (sql: string) => /LIMIT \? OFFSET \?/.test(sql) && /\+d\./.test(sql) && /[ (]d\.(registration_state|platform_type|integration_key|space_key|platform_code|state_code|compliant) (=|IN) /.test(sql);
  return { ids, sought: ran.find(({ sql }) => seeks(sql)) };
}

describe('the first page of a new filter set (issue 19: sought in the sort index, not walked)', () => {
  const sorts: DeviceSortColumn[] = ['registrationState', 'platformType', 'compliant', 'integration', 'spaceName', 'deviceName', 'lastCheckin'];
  const filters = (): DeviceQuery[] => [
    { platformType: 'IOS' },
    { registrationState: 'ACTIVE' },
    { registrationState: 'RETIRED', platformType: 'ANDROID' },
    { spaceName: 'Sales', platformType: 'IOS' },
    { spaceName: 'Sales' },
    { integrationId: android, registrationState: 'ACTIVE' },
    { integrationId: ios, compliance: 'compliant' },
    { compliance: 'non-compliant', platformType: 'ANDROID' },
  ];

  it('gives the rows and order of walking the sort index, in every order of few values, both directions, first page and later', () => {
    let sought = 0;
    for (const f of filters()) {
      for (const column of sorts) {
        for (const direction of ['asc', 'desc'] as const) {
          const query = { ...f, sort: { column, direction } };
          const expected = expectedIds(query);
          for (const page of [{ offset: 0, limit: 100 }, { offset: 150, limit: 50 }, { offset: Math.max(0, expected.length - 30), limit: 100 }]) {
            const got = pageOf(query, page);
            expect(got.ids, `${JSON.stringify(query)} at ${page.offset}`).toEqual(expected.slice(page.offset, page.offset + page.limit));
            if (got.sought !== undefined) sought += 1;
          }
        }
      }
    }
    expect(sought).toBeGreaterThan(50);
  });

  it('seeks the sort index to the values the filters pin, listing the values of the columns before them', () => {
    const { sought } = pageOf({ spaceName: 'Sales', platformType: 'IOS', sort: { column: 'registrationState', direction: 'asc' } }, { offset: 0, limit: 100 });
    expect(sought, 'a seeking listing ran').toBeDefined();
    const plan = queryPlan(db, sought!.sql, sought!.params);
    expect(plan).toContain('devices_by_registration_state (registration_state=? AND integration_key=? AND space_key=? AND platform_code=?)');
    expect(plan).not.toContain('TEMP B-TREE');
    const pinned = pageOf({ integrationId: android, registrationState: 'ACTIVE', sort: { column: 'registrationState', direction: 'desc' } }, { offset: 0, limit: 100 });
    expect(queryPlan(db, pinned.sought!.sql, pinned.sought!.params)).toContain('(registration_state=? AND integration_key=?)');
  });

  it('counts a rare registration state by seeking its sort index, with the count and rows of the code alone', () => {
    for (const registrationState of ['RETIRED', 'RETIRE_PENDING'] as const) {
      const query = { registrationState, sort: { column: 'uid', direction: 'desc' } } as const;
      const expected = expectedIds(query);
      expect(expected.length, registrationState).toBeGreaterThan(0);
      let ids: number[] = [];
      const ran = statementsRunDuring(db, fresh, (repository) => (ids = repository.search(query, { offset: 0, limit: 100 }).map((r) => r.id)));
      expect(ids, registrationState).toEqual(expected.slice(0, 100));
      const counted = ran.find(({ sql }) => sql.startsWith('SELECT count(*) FROM (SELECT 1 FROM devices d WHERE'))!;
      expect(queryPlan(db, counted.sql, counted.params), registrationState).toContain('devices_by_registration_state (registration_state=?)');
      expect(fresh().count(query), registrationState).toBe(expected.length);
    }
  });

  it('counts a check-in age without an integration in its range of the check-in index, with the rows and count of the filters', () => {
    for (const checkinAge of ['day', 'week', 'month', 'older', 'never'] as const) {
      for (const f of [{}, { platformType: 'ANDROID' }, { spaceName: 'Sales' }, { integrationId: ios }] as DeviceQuery[]) {
        for (const sort of [{ column: 'deviceName', direction: 'asc' }, { column: 'uid', direction: 'desc' }, { column: 'lastCheckin', direction: 'desc' }] as const) {
          const query = { ...f, checkinAge, sort };
          const at = JSON.stringify(query);
          const expected = expectedIds(query);
          let ids: number[] = [];
          const ran = statementsRunDuring(db, fresh, (repository) => (ids = repository.search(query, { offset: 0, limit: 100 }).map((r) => r.id)));
          expect(ids, at).toEqual(expected.slice(0, 100));
          expect(fresh().count(query), at).toBe(expected.length);
          const counted = ran.find(({ sql }) => sql.startsWith('SELECT count(*) FROM (SELECT 1 FROM devices d'))!;
          if (f.integrationId === undefined) expect(queryPlan(db, counted.sql, counted.params), at).toContain('devices_by_last_checkin (last_checkin');
        }
      }
    }
  });

  it('lists the page as before when a column whose values it would list holds a NULL, which no IN holds', () => {
    db.exec('BEGIN');
    try {
      const nulled = db.prepare("UPDATE devices SET registration_state = NULL WHERE removed_at IS NULL AND platform_type = 'IOS' AND space_name = 'Sales' AND id % 7 = 0").run().changes;
      expect(nulled).toBeGreaterThan(0);
      for (const direction of ['asc', 'desc'] as const) {
        const query = { spaceName: 'Sales', platformType: 'IOS', sort: { column: 'registrationState', direction } } as const;
        const expected = expectedIds(query);
        for (const page of [{ offset: 0, limit: 100 }, { offset: Math.max(0, expected.length - 100), limit: 100 }]) {
          expect(pageOf(query, page).ids, `${direction} at ${page.offset}`).toEqual(expected.slice(page.offset, page.offset + page.limit));
        }
      }
    } finally {
      db.exec('ROLLBACK');
    }
  });
});

describe('an unsorted page of a prefix FTS5 merges (issue 19: not merged before the first row)', () => {
  const oracle = (text: string, page: { offset: number; limit: number }) =>
    db
      .prepare(`SELECT d.id FROM devices_fts JOIN devices d ON d.id = devices_fts.rowid WHERE devices_fts MATCH ? AND d.removed_at IS NULL ORDER BY devices_fts.rowid LIMIT ? OFFSET ?`)
      .pluck()
      .all(`"${text}"*`, page.limit, page.offset) as number[];
  /** The page, and the MATCH expressions the statements that ran were given. */
  const search = (text: string, page: { offset: number; limit: number }) => {
    let ids: number[] = [];
    const ran = statementsRunDuring(db, fresh, (repository) => (ids = repository.search({ text }, page).map((r) => r.id)));
    return { ids, asked: ran.filter(({ sql }) => sql.includes('devices_fts MATCH ?')).flatMap(({ params }) => params.filter((p) => typeof p === 'string' && p.endsWith('*'))) };
  };

  it('lists it from the prefix index\'s superset, testing each candidate on its own text, with the rows of the prefix\'s own listing', () => {
    // `tur` stands for more terms than a search asks as terms (Turing's e-mail tokens): FTS5 merges it.
    expect(new DeviceSearchIndex(db).termsOfPrefix('tur')).toBeNull();
    const total = oracle('tur', { offset: 0, limit: 100_000 }).length;
    for (const page of [{ offset: 0, limit: 100 }, { offset: 37, limit: 29 }, { offset: total - 20, limit: 100 }]) {
      const { ids, asked } = search('tur', page);
      expect(ids.length, `at ${page.offset}`).toBeGreaterThan(0);
      expect(ids, `at ${page.offset}`).toEqual(oracle('tur', page));
      expect(asked, `at ${page.offset}`).not.toContain('"tur"*');
      expect(asked, `at ${page.offset}`).toContain('"tu"*');
    }
  });

  it('lists the prefix itself after a first sample when the superset\'s first candidates hold too few matches', () => {
    db.exec('BEGIN');
    try {
      // Devices named `Tuxedo…` (holding `tu*`, not `tur*`) among the first of the FTS order.
      db.prepare("UPDATE devices SET device_name = 'Tuxedo' || id WHERE id < 600 AND coalesce(display_name, '') NOT LIKE '%Turing%' AND coalesce(email, '') NOT LIKE '%turing%'").run();
      new DeviceSearchIndex(db).catchUp();
      const page = { offset: 0, limit: 100 };
      const { ids, asked } = search('tur', page);
      expect(ids).toEqual(oracle('tur', page));
      expect(asked).toEqual(['"tu"*', '"tur"*']);
    } finally {
      db.exec('ROLLBACK');
    }
  });
});

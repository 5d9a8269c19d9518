import { deviceNameSortKey } from '../../../src-shared/domain/device-name-key';
import { normalizeDeviceIdentifier } from '../../../src-shared/domain/device-identifier';
import { deviceNameKeyOverride } from '../../../src-main/core/sync/device-row';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAnotherConnection, type Db } from '../../../src-main/core/db/database';
import { DeviceRepository, DeviceRepository as DeviceRepositoryClass, withAnyToken } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex, INDEXED_TEXT_SQL } from '../../../src-main/core/devices/device-search-index';
import { DeviceRecordCodec, type RecordContext } from '../../../src-main/core/sync/device-record-codec';
import { orderDevices, SORT_COLUMNS, sortIndexName } from '../../../src-main/core/devices/device-selection';
import { devicesTextTokens, ftsMatchExpression, PHRASE_CHECK, searchWords } from '../../../src-main/core/devices/device-search-text';
import { sortMarkersOf, withSortMarkers } from '../../../src-main/core/devices/device-sort-markers';
import { DEVICE_SORT_COLUMNS, type DeviceQuery } from '../../../src-shared/domain/device';
import { AppError } from '../../../src-shared/errors';
import { DeferredIndexes } from '../../../src-main/core/db/deferred-indexes';
import { queryPlan, sqlPreparedDuring, statementsRunDuring } from '../../support/query-plans';
import { seedDevices, seedFollowUpRun } from '../../support/seed-devices';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useTempDir } from '../../support/temp-dir';
import { allPages, NOW, openDeviceDatabase, type StoredDevice } from './device-fixture';

const DAY = 86_400_000;

type Stored = StoredDevice;

/** SQLite's order for these columns: NULL first, then numbers, then text by UTF-8 bytes (BINARY collation). */
function compareSql(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return Buffer.compare(Buffer.from(String(a as string | number)), Buffer.from(String(b as string | number)));
}

function oracle(rows: Stored[], q: DeviceQuery): Stored[] {
  const presence = q.presence ?? 'current';
  return rows.filter(
    (d) =>
      (presence === 'all' || (presence === 'current') === (d.removed_at === null)) &&
      (q.integrationId === undefined || d.integration_id === q.integrationId) &&
      (q.spaceName === undefined || d.space_name === q.spaceName) &&
      (q.platformType === undefined || d.platform_type === q.platformType) &&
      (q.registrationState === undefined || d.registration_state === q.registrationState) &&
      (q.compliance === undefined ||
        (q.compliance === 'compliant' ? d.compliant === 1 : q.compliance === 'non-compliant' ? d.compliant === 0 : d.compliant === null)) &&
      (q.checkinAge === undefined || ageOf(d.last_checkin) === q.checkinAge),
  );
}

function ageOf(lastCheckin: number | null): string {
  if (lastCheckin === null) return 'never';
  const age = NOW - lastCheckin;
  return age <= DAY ? 'day' : age <= 7 * DAY ? 'week' : age <= 30 * DAY ? 'month' : 'older';
}

const tempDir = useTempDir('tec-devices-');
const suiteDir = useTempDir('tec-devices-db-', { lives: 'file' });
const closeAfterEach = useCloseAfterEach();
let db: Db;
let repository: DeviceRepository;
let stored: Stored[];
let android: string;
let ios: string;

beforeAll(() => {
  ({ db, repository } = openDeviceDatabase(suiteDir()));
  android = seedDevices(db, { count: 1500, seed: 'explorer-a', integration: { name: 'Android fleet', platform: 'android' }, referenceTime: NOW }).integrationId;
  ios = seedDevices(db, {
    count: 800,
    seed: 'explorer-b',
    integration: { name: 'iOS fleet', platform: 'ios-appconfig', status: 'test-group' },
    referenceTime: NOW - 2 * DAY,
    spaces: [
      { id: 7001, name: 'Default Space', gdpr: false },
      { id: 7002, name: 'Sales', gdpr: false },
    ],
  }).integrationId;
  seedFollowUpRun(db, { integrationId: android, changed: 40, removed: 25, at: NOW - 3_600_000 });
  stored = db
    .prepare(
      `SELECT id, (SELECT id FROM integrations i WHERE i.key = devices.integration_key) AS integration_id, integration_key, space_name, platform_type, registration_state, compliant, last_checkin, removed_at, device_name, device_name_key,
              display_name, uid, client_device_identifier, identifier_key, serial_number, model FROM devices`,
    )
    .all() as Stored[];
});
afterAll(() => db.close());

describe('device explorer pages', () => {
  it.each(DEVICE_SORT_COLUMNS.flatMap((column) => (['asc', 'desc'] as const).map((direction) => [column, direction] as const)))(
    'pages through every current device sorted by %s %s, each page continuing the one before',
    (column, direction) => {
      const query: DeviceQuery = { sort: { column, direction } };
      const small = allPages(repository, query, 97);
      const large = allPages(repository, query, 500);
      expect(large).toEqual(small);
      expect(new Set(small).size).toBe(small.length);
      expect([...small].sort((a, b) => a - b)).toEqual(oracle(stored, query).map((d) => d.id).sort((a, b) => a - b));
      const byId = new Map(stored.map((d) => [d.id, d]));
      const values = small.map((id) => byId.get(id)![SORT_COLUMNS[column]]);
      for (let i = 1; i < values.length; i++) {
        const order = compareSql(values[i - 1], values[i]);
        expect(direction === 'asc' ? order <= 0 : order >= 0, `${String(values[i - 1])} then ${String(values[i])}`).toBe(true);
      }
    },
  );

  it('sorts names as an admin reads them: case and accents do not change the order', () => {
    // The sync's row builder (which seeded these devices) gives every name its folded key (stored only where lower() is not it).
    const named = stored.filter((d) => d.device_name !== null);
    expect(named.length).toBeGreaterThan(100);
    for (const d of named) expect(d.device_name_key).toBe(deviceNameSortKey(d.device_name));
    const names = ['device-7', 'Ada laptop', 'Émile phone', 'ada-tablet', 'Zoë pad', 'emma watch', 'ÆGIR'];
    const ids = db
      .prepare('SELECT id FROM devices WHERE removed_at IS NULL AND integration_key = (SELECT key FROM integrations WHERE id = ?) ORDER BY id LIMIT ?')
      .pluck()
      .all(android, names.length) as number[];
    // Renamed as the sync writes a name: the folded key is stored where SQLite's lower() does not give it (migration 0033).
    const rename = db.prepare('UPDATE devices SET device_name = ?, device_name_key_override = ? WHERE id = ?');
    ids.forEach((id, i) => rename.run(names[i], deviceNameKeyOverride(names[i]!), id));
    try {
      const query: DeviceQuery = { integrationId: android, sort: { column: 'deviceName', direction: 'asc' } };
      const page = allPages(repository, query, 500);
      const renamed = new Set(ids);
      const order = page.filter((id) => renamed.has(id)).map((id) => names[ids.indexOf(id)]);
      expect(order).toEqual(['Ada laptop', 'ada-tablet', 'ÆGIR', 'device-7', 'Émile phone', 'emma watch', 'Zoë pad']);
    } finally {
      ids.forEach((id) => {
        const before = stored.find((d) => d.id === id)!;
        rename.run(before.device_name, deviceNameKeyOverride(before.device_name), id);
      });
    }
  });

  const filterCases: [string, (ids: { android: string; ios: string }) => DeviceQuery][] = [
    ['an integration', (i) => ({ integrationId: i.ios })],
    ['a space', () => ({ spaceName: 'Marketing' })],
    ['a platform', () => ({ platformType: 'WINDOWS_PHONE' })],
    ['a registration state', () => ({ registrationState: 'RETIRE_PENDING' })],
    ['compliant devices', () => ({ compliance: 'compliant' })],
    ['non-compliant devices', () => ({ compliance: 'non-compliant' })],
    ['devices that checked in within a day', () => ({ checkinAge: 'day' })],
    ['devices last seen 1 to 7 days ago', () => ({ checkinAge: 'week' })],
    ['devices out of contact for over 30 days', () => ({ checkinAge: 'older' })],
    ['devices that never checked in', () => ({ checkinAge: 'never' })],
    ['removed devices', () => ({ presence: 'removed' })],
    ['current and removed devices', () => ({ presence: 'all' })],
    ['several filters at once, sorted', (i) => ({ integrationId: i.android, platformType: 'ANDROID', registrationState: 'ACTIVE', compliance: 'compliant', sort: { column: 'deviceName', direction: 'asc' } })],
    ['a space and a state, sorted by user', () => ({ spaceName: 'EU Field Staff', registrationState: 'ACTIVE', sort: { column: 'uid', direction: 'desc' } })],
    ['removed devices, sorted', () => ({ presence: 'removed', sort: { column: 'lastCheckin', direction: 'desc' } })],
    ['an age bucket, sorted by another column', () => ({ checkinAge: 'older', sort: { column: 'model', direction: 'asc' } })],
  ];

  it.each(filterCases)('filters on %s select exactly the devices whose stored fields match, and count them', (_name, make) => {
    const query = make({ android, ios });
    const expected = oracle(stored, query).map((d) => d.id).sort((a, b) => a - b);
    expect(expected.length).toBeGreaterThan(0);
    const ids = allPages(repository, query, 113);
    expect([...ids].sort((a, b) => a - b)).toEqual(expected);
    expect(repository.count(query)).toBe(expected.length);
  });

  it('combines text with filters and order: the matches of the text that pass the filters, in order', () => {
    const textOnly = new Set(allPages(repository, { text: 'ada' }, 500));
    expect(textOnly.size).toBeGreaterThan(20);
    const query: DeviceQuery = { text: 'ada', platformType: 'IOS', sort: { column: 'lastCheckin', direction: 'desc' } };
    const expected = oracle(stored, query).filter((d) => textOnly.has(d.id));
    const ids = allPages(repository, query, 7);
    expect([...ids].sort((a, b) => a - b)).toEqual(expected.map((d) => d.id).sort((a, b) => a - b));
    const checkins = ids.map((id) => stored.find((d) => d.id === id)!.last_checkin);
    expect(checkins).toEqual([...checkins].sort((a, b) => compareSql(b, a)));
    expect(repository.count(query)).toBe(expected.length);
  });

  it('answers an empty page past the end, and counts nothing for a filter nothing matches', () => {
    expect(repository.search({}, { offset: 100_000, limit: 100 })).toEqual([]);
    expect(repository.search({ platformType: 'BLACKBERRY' }, { offset: 0, limit: 100 })).toEqual([]);
    expect(repository.count({ platformType: 'BLACKBERRY' })).toBe(0);
  });

  it('names each row\'s integration and shows times as ISO 8601', () => {
    const [row] = repository.search({ integrationId: ios, sort: { column: 'lastCheckin', direction: 'desc' } }, { offset: 0, limit: 1 });
    expect(row.integrationName).toBe('iOS fleet');
    expect(row.lastSeenAt).toBe(new Date(NOW - 2 * DAY).toISOString());
    expect(row.lastCheckin).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('device facets for the overview charts', () => {
  it('count each platform, state, compliance, check-in age, integration and space exactly as the filters would', () => {
    const current = oracle(stored, {});
    const facets = repository.facets({});
    expect(facets.total).toBe(current.length);
    const tally = (key: (d: Stored) => string | null) => {
      const m = new Map<string | null, number>();
      for (const d of current) m.set(key(d), (m.get(key(d)) ?? 0) + 1);
      return m;
    };
    expect(new Map(facets.platforms.map((f) => [f.value, f.count]))).toEqual(tally((d) => d.platform_type));
    expect(new Map(facets.registrationStates.map((f) => [f.value, f.count]))).toEqual(tally((d) => d.registration_state));
    expect(new Map(facets.spaces.map((f) => [f.value, f.count]))).toEqual(tally((d) => d.space_name));
    expect(new Map(facets.integrations.map((f) => [f.id, f.count]))).toEqual(tally((d) => d.integration_id));
    expect(facets.integrations.find((f) => f.id === ios)?.name).toBe('iOS fleet');
    for (const bucket of facets.checkinAges) expect(bucket.count, bucket.value).toBe(oracle(stored, { checkinAge: bucket.value }).length);
    for (const bucket of facets.compliance) expect(bucket.count, bucket.value).toBe(oracle(stored, { compliance: bucket.value }).length);
  });

  it('are never stale: writes from this connection or another one, and the clock moving, are reflected', () => {
    const dir = tempDir();
    const fresh = openDeviceDatabase(dir);
    closeAfterEach(fresh.db);
    const { integrationId } = seedDevices(fresh.db, { count: 300, seed: 'facets-cache', referenceTime: NOW });
    let now = NOW;
    const facetsOf = new DeviceRepository(fresh.db, fresh.index, () => new Date(now));
    const platform = (f: ReturnType<typeof facetsOf.facets>, value: string) => f.platforms.find((p) => p.value === value)?.count ?? 0;
    const first = facetsOf.facets({});
    expect(facetsOf.facets({})).toEqual(first);

    // Another connection (the sync worker's, or tec) commits.
    const other = closeAfterEach(openAnotherConnection(fresh.db.name));
    other.prepare("UPDATE devices SET platform_type = 'BLACKBERRY' WHERE id = (SELECT min(id) FROM devices)").run();
    other.close();
    expect(platform(facetsOf.facets({}), 'BLACKBERRY')).toBe(1);
    // This connection writes.
    fresh.db.prepare("UPDATE devices SET platform_type = 'BLACKBERRY' WHERE id = (SELECT max(id) FROM devices)").run();
    expect(platform(facetsOf.facets({}), 'BLACKBERRY')).toBe(2);
    expect(facetsOf.facets({}).total).toBe(first.total);

    // Nothing is written, but a day and a minute later every device checked in at least a day ago.
    fresh.db.prepare('UPDATE devices SET last_checkin = ? WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').run(NOW - 60_000, integrationId);
    expect(facetsOf.facets({}).checkinAges.find((a) => a.value === 'day')?.count).toBe(first.total);
    now = NOW + 86_400_000 + 60_000;
    expect(facetsOf.facets({}).checkinAges.find((a) => a.value === 'day')?.count).toBe(0);
  });

  it('count within a filter when one is given', () => {
    const facets = repository.facets({ integrationId: ios });
    expect(facets.total).toBe(oracle(stored, { integrationId: ios }).length);
    expect(facets.integrations.map((f) => f.id)).toEqual([ios]);
    expect(facets.spaces.map((f) => f.value).sort((a, b) => (a ?? '').localeCompare(b ?? ''))).toEqual(['Default Space', 'Sales']);
  });
});

describe('device detail', () => {
  it('holds every stored field, the raw record as the tenant sent it, and the change history newest first', () => {
    const changed = db
      .prepare("SELECT d.* FROM devices d JOIN device_changes c ON c.device_id = d.id AND c.kind = 'changed' LIMIT 1")
      .get() as RecordContext & { id: number; raw_record: Buffer };
    const detail = repository.detail(changed.id);
    expect(detail.raw).toEqual(JSON.parse(DeviceRecordCodec.of(db).decode(changed.raw_record, changed, changed.id)));
    expect(detail.guid).toBe(detail.raw.guid);
    expect(detail.clientDeviceIdentifier).toBe(detail.raw.clientDeviceIdentifier ?? null);
    expect(detail.integrationName).toBe('Android fleet');
    expect(detail.history.map((h) => h.kind)).toEqual(['changed']);
    expect(detail.history[0].fields).toHaveProperty('registrationState');
    expect(detail.history[0]).toMatchObject({ runTrigger: 'scheduled', runStatus: 'completed' });
    expect(detail.historyTruncated).toBe(false);
  });

  it('says plainly when a device is no longer stored', () => {
    expect(() => repository.detail(9_999_999)).toThrowError(AppError);
    try {
      repository.detail(9_999_999);
    } catch (error) {
      expect((error as AppError).code).toBe('NOT_FOUND');
    }
  });
});

describe('query plans at scale (what keeps a million devices fast, checked without timing anything)', () => {
  /** The SQL the repository prepares while running `fn`, with SQLite's plan for each. */
  function plansOf(fn: () => void): { sql: string; plan: string }[] {
    return sqlPreparedDuring(db, fn)
      .filter((sql) => /^\s*SELECT/.test(sql) && !/sqlite_schema|PRAGMA|integrations\b(?! i)/.test(sql))
      .map((sql) => ({ sql, plan: queryPlan(db, sql, Array((sql.match(/\?/g) ?? []).length).fill(null)) }));
  }

  it('fills a sorted, filtered page by walking the sort index, sorting nothing', () => {
    const plans = plansOf(() => repository.search({ platformType: 'ANDROID', compliance: 'compliant', sort: { column: 'deviceName', direction: 'desc' } }, { offset: 0, limit: 100 }));
    const page = plans.find((p) => /LIMIT \? OFFSET \?/.test(p.sql))!;
    expect(page.plan).toContain('devices_by_device_name');
    expect(page.plan).not.toContain('TEMP B-TREE');
  });

  it('fills a page in integration order by walking the facets index, sorting nothing', () => {
    for (const direction of ['asc', 'desc'] as const) {
      const plans = plansOf(() => repository.search({ platformType: 'IOS', compliance: 'compliant', sort: { column: 'integration', direction } }, { offset: 0, limit: 100 }));
      const page = plans.find((p) => /LIMIT \? OFFSET \?/.test(p.sql))!;
      expect(page.plan).toContain('devices_facets');
      expect(page.plan).not.toContain('TEMP B-TREE');
    }
  });

  it('fills a page of the Trust filter in any order by walking the sort index, sorting nothing', () => {
    // A trusted device is ACTIVE with a Device Client ID: taken for constants, those two conditions made SQLite sort each
    // run of equal leading columns (TEMP B-TREE FOR LAST n TERMS), reading all the trusted devices of an integration
    // before the first page in integration order (358 ms at 300,000 devices).
    for (const trust of ['trusted', 'not-trusted'] as const) {
      for (const column of DEVICE_SORT_COLUMNS) {
        for (const direction of ['asc', 'desc'] as const) {
          const plans = plansOf(() => repository.search({ trust, sort: { column, direction } }, { offset: 0, limit: 100 }));
          const page = plans.find((p) => /LIMIT \? OFFSET \?/.test(p.sql))!;
          expect(page.plan, `${trust} ${column} ${direction}`).toContain(sortIndexName(SORT_COLUMNS[column]));
          expect(page.plan, `${trust} ${column} ${direction}`).not.toContain('TEMP B-TREE');
        }
      }
    }
  });

  it('counts from the facets index, trusted devices included', () => {
    // SQLite reports an index holding a generated column (has_client_id, platform_code, state_code) as not covering,
    // though it reads the value from the index: each count is checked for the index it walks.
    for (const [query, plan] of [
      [{ platformType: 'IOS', registrationState: 'ACTIVE' }, /USING INDEX devices_facets/],
      [{ trust: 'trusted' as const }, /USING INDEX devices_facets/],
    ] as const) {
      const plans = plansOf(() => openDeviceDatabaseLike().count(query));
      expect(plans.some((p) => plan.test(p.plan)), JSON.stringify(plans)).toBe(true);
    }
  });

  it('counts trusted devices by gathering each integration\'s sightings once, and fills a trusted page by probing them', () => {
    // Probing the sightings for each device, in the random device order of devices_facets, missed the page cache at a
    // million devices (the Trust filter's first count: 4.6-4.8 s); a page's walk stops after a few hundred devices.
    const counted = plansOf(() => openDeviceDatabaseLike().count({ trust: 'trusted' })).find((p) => p.sql.includes('INDEXED BY devices_facets'))!;
    expect(counted.plan).toContain('LIST SUBQUERY');
    expect(counted.plan).not.toContain('CORRELATED');
    const paged = plansOf(() => openDeviceDatabaseLike().search({ trust: 'trusted', sort: { column: 'model', direction: 'asc' } }, { offset: 0, limit: 100 }));
    const page = paged.find((p) => /LIMIT \? OFFSET \?/.test(p.sql))!;
    expect(page.plan).toContain('CORRELATED');
    expect(page.plan).not.toContain('LIST SUBQUERY');
  });

  it('serves the page of a query nothing has counted yet, row for row as after counting, and never counts every match', () => {
    // A new repository per query: nothing is cached, as for each keystroke of a new search. Both ways of filling a page
    // occur: many matches (the sort index is walked) and few (the matches are read and sorted), first page and later.
    const queries: DeviceQuery[] = [
      { text: 'ada' },
      { text: 'ada', sort: { column: 'uid', direction: 'asc' } },
      { text: 'ada', platformType: 'IOS', sort: { column: 'lastCheckin', direction: 'desc' } },
      { platformType: 'ANDROID', compliance: 'compliant', sort: { column: 'deviceName', direction: 'desc' } },
      { platformType: 'WINDOWS_PHONE', sort: { column: 'model', direction: 'asc' } },
      { checkinAge: 'older', sort: { column: 'serialNumber', direction: 'desc' } },
      { integrationId: ios, spaceName: 'Sales', sort: { column: 'displayName', direction: 'asc' } },
      { platformType: 'IOS', sort: { column: 'integration', direction: 'desc' } },
      { text: 'ada', checkinAge: 'older', sort: { column: 'integration', direction: 'asc' } },
      { registrationState: 'RETIRE_PENDING' },
      {},
    ];
    for (const query of queries) {
      const expected = allPages(repository, query, 500);
      expect(repository.count(query), JSON.stringify(query)).toBe(expected.length);
      expect([...expected].sort((a, b) => a - b), JSON.stringify(query)).toEqual(oracleIds(query));
      for (const page of [{ offset: 0, limit: 100 }, { offset: 150, limit: 50 }, { offset: expected.length, limit: 100 }]) {
        let ids: number[] = [];
        const plans = plansOf(() => (ids = openDeviceDatabaseLike().search(query, page).map((r) => r.id)));
        expect(ids, `${JSON.stringify(query)} at ${page.offset}`).toEqual(expected.slice(page.offset, page.offset + page.limit));
        const counts = plans.filter((p) => /count\(\*\)/.test(p.sql));
        expect(counts.every((p) => p.sql.endsWith('LIMIT ?)')), JSON.stringify(counts)).toBe(true);
      }
    }
  });

  it('plans a keystroke without counting every device, even without planner statistics', () => {
    const kept = db.prepare("SELECT * FROM sqlite_stat1 WHERE tbl = 'devices'").all() as Record<string, unknown>[];
    db.exec("DELETE FROM sqlite_stat1 WHERE tbl = 'devices'");
    try {
      for (const sort of [undefined, { column: 'lastCheckin', direction: 'desc' } as const]) {
        const plans = plansOf(() => openDeviceDatabaseLike().search({ text: 'ada', sort }, { offset: 0, limit: 100 }));
        const counts = plans.filter((p) => /count\(\*\)/.test(p.sql));
        expect(counts.every((p) => p.sql.endsWith('LIMIT ?)')), JSON.stringify(counts)).toBe(true);
      }
    } finally {
      const restore = db.prepare('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (@tbl, @idx, @stat)');
      for (const row of kept) restore.run(row);
    }
  });

  it('sorts a text search\'s matches by walking the sort index when they are many', () => {
    const plans = plansOf(() => repository.search({ text: 'ada', sort: { column: 'uid', direction: 'asc' } }, { offset: 0, limit: 20 }));
    const page = plans.find((p) => /LIMIT \? OFFSET \?/.test(p.sql))!;
    expect(page.plan).toContain('devices_by_uid');
    expect(page.plan).not.toMatch(/TEMP B-TREE FOR (ORDER BY|LAST)/);
  });
});

describe('a sorted page of a common term (issue 19: no keystroke lists every match before its first row)', () => {
  let probeDb: Db;
  // A cost ratio of 1 lets a few hundred devices show the walk a million would take.
  const repositoryWithProbes = () => new DeviceRepositoryClass(probeDb, new DeviceSearchIndex(probeDb), () => new Date(NOW), 1);
  const listed = (text: string, sort: DeviceQuery['sort'] & object, page: { offset: number; limit: number }) =>
    probeDb
      .prepare(
        `SELECT d.id FROM devices d WHERE d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?) AND ${PHRASE_CHECK}(?, ${INDEXED_TEXT_SQL.join(', ')})
           AND d.removed_at IS NULL ${orderDevices(sort, false)} LIMIT ? OFFSET ?`,
      )
      .pluck()
      .all(ftsMatchExpression(text), JSON.stringify(searchWords(text)), page.limit, page.offset) as number[];
  /** Every current match of a text search with filters (on the stored text columns) in its order: the oracle. */
  const listedWith = (query: DeviceQuery & { text: string; sort: DeviceQuery['sort'] & object }) => {
    const stored: [string, unknown][] = [
      ['d.platform_type = ?', query.platformType],
      ['d.space_name = ?', query.spaceName],
      ['d.registration_state = ?', query.registrationState],
      ['d.compliant = ?', query.compliance === undefined ? undefined : query.compliance === 'compliant' ? 1 : 0],
    ];
    const given = stored.filter(([, value]) => value !== undefined);
    return probeDb
      .prepare(
        `SELECT d.id FROM devices d WHERE d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?) AND ${PHRASE_CHECK}(?, ${INDEXED_TEXT_SQL.join(', ')})
           AND d.removed_at IS NULL ${given.map(([sql]) => `AND ${sql}`).join(' ')} ${orderDevices(query.sort, false)}`,
      )
      .pluck()
      .all(ftsMatchExpression(query.text), JSON.stringify(searchWords(query.text)), ...given.map(([, value]) => value)) as number[];
  };
  const matches = (expression: string) => probeDb.prepare('SELECT count(*) FROM devices_fts WHERE devices_fts MATCH ?').pluck().get(expression) as number;
  const probedDuring = (sql: string[]) => sql.some((q) => q.includes('d.id = j.value') && q.includes(PHRASE_CHECK));
  /** A listing walks a sort index testing each entry against the matches: SQLite's list of them, or their byte array (matchSet). */
  const listsMatches = (q: string) => /IN \(SELECT rowid FROM devices_fts/.test(q) || q.includes("substr(?, d.id - ?, 1) = x'01'");
  const listedDuring = (sql: string[]) => sql.some((q) => listsMatches(q) || q.startsWith('SELECT d.id FROM devices_fts JOIN'));
  /** A database of its own for a test that changes devices: `count` seeded devices, changed by `change`, indexed. */
  const seededWith = (count: number, seed: string, change: string) => {
    const { db } = openDeviceDatabase(tempDir());
    closeAfterEach(db);
    seedDevices(db, { count, seed, referenceTime: NOW });
    db.prepare(change).run();
    new DeviceSearchIndex(db).catchUp();
    return db;
  };

  /**
   * The first page of `iphone` by device name ascending on a database whose Android devices were renamed by `renamed`
   * (an UPDATE of device_name), walking (cost ratio 1): the ids, checked against every iPhone in that order, and the
   * statements run.
   */
  const iphonesByRenamedName = (seed: string, renamed: string) => {
    const db = seededWith(600, seed, renamed);
    const sort = { column: 'deviceName', direction: 'asc' } as const;
    const all = db
      .prepare(`SELECT d.id FROM devices d WHERE d.model LIKE 'iPhone%' AND d.removed_at IS NULL ${orderDevices(sort, false)}`)
      .pluck()
      .all() as number[];
    let ids: number[] = [];
    const ran = statementsRunDuring(db, () => undefined, () => (ids = new DeviceRepositoryClass(db, new DeviceSearchIndex(db), () => new Date(NOW), 1).search({ text: 'iphone', sort }, { offset: 0, limit: 20 }).map((r) => r.id)));
    expect(ids).toEqual(all.slice(0, 20));
    return { db, ran };
  };

  beforeAll(() => {
    ({ db: probeDb } = openDeviceDatabase(tempDir()));
    const { integrationId } = seedDevices(probeDb, { count: 900, seed: 'probe', referenceTime: NOW });
    seedFollowUpRun(probeDb, { integrationId, changed: 10, removed: 30, at: NOW - 3_600_000 });
    // Devices whose name shares "acm" with the e-mail domain acmecorp but not "acmecorp": a search for "acmecorp" must
    // keep them out, though the index lists them under the prefix "ac".
    probeDb.prepare("UPDATE devices SET device_name = 'Acmeville kiosk ' || id WHERE id % 3 = 0 AND (email IS NULL OR email NOT LIKE '%acmecorp%')").run();
    // Devices named by a token of their own that starts with "tur" (`turnstile40`): with the family name Turing's e-mail
    // tokens (`turing283`), "tur" stands for more terms than a search asks as terms, so FTS5 merges it, as `lov`, `hop`
    // and `tur` at a million devices. None of them is a GDPR-masked user, which sort first by uid.
    probeDb.prepare("UPDATE devices SET device_name = 'Turnstile' || id WHERE id % 5 = 0 AND uid <> '********'").run();
    // A MAC address of a word (`quokka40`) for a tenth of the GDPR-masked users, which lead the order by uid, and for
    // every other device: "qu" matches the masked users sparsely and most devices.
    probeDb.prepare("UPDATE devices SET wifi_mac = 'quokka' || id WHERE uid <> '********' OR id % 10 = 0").run();
    new DeviceSearchIndex(probeDb).catchUp();
  });
  afterAll(() => probeDb.close());

  it('tests a row\'s own text as the index folds it: accents and case, in a column of other text than ASCII', () => {
    // The check skips a column of ASCII text that lacks a typed token (most rows a walk tests match nothing); a column of
    // other text is folded by the tokenizer first (`Renée` holds `renee`), so it is never skipped on its raw text.
    const db = seededWith(300, 'folded-check', "UPDATE devices SET device_name = 'Renée''s PIXEL', uid = 'renée.o' WHERE id = 7");
    const index = new DeviceSearchIndex(db);
    for (const text of ['renee', 'René', 'RENEE PIX', 'renée.o', 'ren'])
      expect(index.matchingAmong([6, 7, 8], text), text).toEqual(db.prepare('SELECT rowid FROM devices_fts WHERE devices_fts MATCH ? AND rowid IN (6, 7, 8)').pluck().all(ftsMatchExpression(text)!));
    expect(index.matchingAmong([6, 7, 8], 'renee')).toEqual([7]);
    expect(index.matchingAmong([7], 'renex')).toEqual([]);
  });

  it('walks the sort index testing each row it reaches, and gives the rows and order of listing every match', () => {
    const current = probeDb.prepare('SELECT count(*) FROM devices WHERE removed_at IS NULL').pluck().get() as number;
    expect(matches(ftsMatchExpression('acmecorp')!)).toBeGreaterThan(current / 2);
    // The walk tests each row's own text, whatever the prefix's length: an Acmeville device starts with "acm", not "acmecorp".
    const acmeville = probeDb.prepare("SELECT id FROM devices WHERE device_name LIKE 'Acmeville%' AND removed_at IS NULL LIMIT 1").pluck().get() as number;
    const index = new DeviceSearchIndex(probeDb);
    expect(index.matchingAmong([acmeville], 'acm')).toEqual([acmeville]);
    expect(index.matchingAmong([acmeville], 'acmecorp')).toEqual([]);
    for (const text of ['ac', 'acmecorp', 'acmecorp.example'])
      for (const sort of [{ column: 'lastCheckin', direction: 'desc' }, { column: 'deviceName', direction: 'asc' }, { column: 'uid', direction: 'desc' }] as const)
        for (const page of [{ offset: 0, limit: 100 }, { offset: 40, limit: 30 }]) {
          let ids: number[] = [];
          const sql = sqlPreparedDuring(probeDb, () => (ids = repositoryWithProbes().search({ text, sort }, page).map((r) => r.id)));
          expect(ids, `${text} by ${sort.column} at ${page.offset}`).toEqual(listed(text, sort, page));
          expect(probedDuring(sql), `${text} by ${sort.column} at ${page.offset}: probed`).toBe(true);
          // By name, the Acmeville devices come first and the exact check rejects them all: the walk hands over.
          if (sort.column !== 'deviceName') expect(listedDuring(sql), `${text} by ${sort.column} at ${page.offset}: listed every match`).toBe(false);
        }
  });

  it('gives the rows and order of listing every match in every sort order, direction and filter, walking or listing', () => {
    // The orders that correlate with a term are the hard ones: GDPR-masked names and users ('********') sort first and
    // hold no e-mail domain, one platform's models and integration come before the other's. Each page is checked row for
    // row against listing every match (FTS5's own prefix query, not the index's term list), on a repository that walks
    // (cost ratio 1) and on one that plans as at a million devices (mostly listing); offsets land inside runs of equal
    // sort values, where a walk that skipped or repeated a row would show.
    const rare = probeDb.prepare("SELECT serial_number FROM devices WHERE removed_at IS NULL AND serial_number NOT LIKE '*%' LIMIT 1").pluck().get() as string;
    const texts = ['ac', 'acmecorp', 'lovelace', 'iphone', 'ada lov', 'acmecorp.example', 'tur', rare];
    const filters: DeviceQuery[] = [{}, { platformType: 'IOS' }, { spaceName: 'EU Field Staff' }, { compliance: 'compliant', registrationState: 'ACTIVE' }];
    const planningAsAtScale = () => new DeviceRepositoryClass(probeDb, new DeviceSearchIndex(probeDb), () => new Date(NOW));
    const asked = [
      { repository: repositoryWithProbes, page: { offset: 0, limit: 100 } },
      { repository: repositoryWithProbes, page: { offset: 37, limit: 29 } },
      { repository: planningAsAtScale, page: { offset: 0, limit: 100 } },
    ];
    let compared = 0;
    for (const column of DEVICE_SORT_COLUMNS)
      for (const direction of ['asc', 'desc'] as const)
        for (const [t, text] of texts.entries()) {
          // Every text in every order; every filter set with two of the texts, in turn.
          for (const filter of filters.filter((_, f) => f === 0 || (t + f) % 4 === 0)) {
            const query = { ...filter, text, sort: { column, direction } };
            const expected = listedWith(query);
            for (const { repository, page } of asked) {
              const ids = repository().search(query, page).map((r) => r.id);
              expect(ids, `${JSON.stringify(query)} at ${page.offset}`).toEqual(expected.slice(page.offset, page.offset + page.limit));
              compared += 1;
            }
          }
        }
    expect(compared).toBeGreaterThan(DEVICE_SORT_COLUMNS.length * 2 * texts.length * asked.length);
  });

  it('steps over a run of equal sort values that holds no match, asking the index by the run\'s sort markers', () => {
    // GDPR-masked users ('********') sort first by uid and hold no e-mail domain; by platform, the Android devices come
    // before any iPhone. The walk asks the index whether the run holds a match (its markers AND the text) and, when
    // none does, seeks past the run's value instead of testing its rows.
    const masked = probeDb.prepare("SELECT count(*) FROM devices WHERE uid = '********' AND removed_at IS NULL").pluck().get() as number;
    expect(masked).toBeGreaterThan(100);
    const androidFirst = probeDb.prepare("SELECT platform_type FROM devices WHERE removed_at IS NULL ORDER BY platform_type LIMIT 1").pluck().get();
    expect(androidFirst).toBe('ANDROID');
    const asked = [
      { text: 'acmecorp', sort: { column: 'uid', direction: 'asc' }, past: /AND d\.uid > \?/ },
      { text: 'iphone', sort: { column: 'platformType', direction: 'asc' }, past: /AND d\.platform_type > \?/ },
    ] as const;
    for (const { text, sort, past } of asked) {
      let ids: number[] = [];
      const sql = sqlPreparedDuring(probeDb, () => (ids = repositoryWithProbes().search({ text, sort }, { offset: 0, limit: 20 }).map((r) => r.id)));
      expect(ids, `${text} by ${sort.column}`).toEqual(listed(text, sort, { offset: 0, limit: 20 }));
      expect(sql.some((q) => past.test(q)), `${text} by ${sort.column}: sought past the run`).toBe(true);
      expect(listedDuring(sql), `${text} by ${sort.column}: listed every match`).toBe(false);
    }
  });

  it('steps over the runs of models that hold no match, asking the index by the first word of each model', () => {
    // Models have no sort markers, but every device of a model holds the model's tokens in its indexed text. In
    // binary order the Android, Windows and other models and the iPads come before the iPhones (`iPad` < `iPhone`),
    // and every model before `moto g84 5G`: the walk asks `text AND "galaxy"` and so on, and seeks past each model
    // the index answers no for, the second Galaxy model without asking again.
    const models = probeDb.prepare('SELECT DISTINCT model FROM devices WHERE removed_at IS NULL ORDER BY model').pluck().all() as string[];
    expect(models.indexOf('Galaxy S23')).toBeGreaterThan(models.indexOf('Galaxy A54 5G'));
    expect(models.indexOf('iPhone 14 Pro')).toBeGreaterThan(models.indexOf('iPad (10th generation)'));
    expect(models.at(-1)).toBe('moto g84 5G');
    const sort = { column: 'model', direction: 'asc' } as const;
    for (const text of ['iphone', 'iph', 'mot'])
      for (const page of [{ offset: 0, limit: 20 }, { offset: 11, limit: 30 }]) {
        let ids: number[] = [];
        const sql = sqlPreparedDuring(probeDb, () => (ids = repositoryWithProbes().search({ text, sort }, page).map((r) => r.id)));
        expect(ids, `${text} by model at ${page.offset}`).toEqual(listed(text, sort, page));
        expect(sql.some((q) => /AND d\.model > \?/.test(q)), `${text} by model: sought past a model`).toBe(true);
        expect(listedDuring(sql), `${text} by model: listed every match`).toBe(false);
      }
  });

  it('steps over the values that start with letters no match holds, asking the index by the prefix they share', () => {
    // Serial numbers and uids are nearly unique: there is no run of one value to ask about. But descending, the Android
    // serials (`R5…`) come before the iOS ones (`F…Q`) and Tim's uids before Grace's; ascending (outside the GDPR
    // space, whose masked users lead), Alan's before Tim's. The walk asks the index whether a device that starts with the
    // prefix a run of values shares matches (by the prefix index's list, or by the index's terms of a longer prefix)
    // and seeks past every value that starts with it.
    const asked = [
      { query: { text: 'iphone', sort: { column: 'serialNumber', direction: 'desc' } }, question: '("iphone") AND "r5"*', past: /AND d\.serial_number < \?/, to: 'R5', walked: true },
      { query: { text: 'grace', sort: { column: 'uid', direction: 'desc' } }, question: '("grace") AND "tim"', past: /AND d\.uid < \?/, to: 'tim', walked: true },
      // The identifier's key is the identifier lower-cased: descending, the Windows phones' `wp-…` come first.
      { query: { text: 'iphone', sort: { column: 'clientDeviceIdentifier', direction: 'desc' } }, question: '("iphone") AND "wp"*', past: /AND d\.identifier_key < \?/, to: 'wp', walked: true },
      { query: { text: 'tim', spaceName: 'Default Space', sort: { column: 'uid', direction: 'asc' } }, question: '("tim") AND "alan"', past: /AND d\.uid >= \?/, to: 'alao', walked: false },
    ] as const;
    // Ascending, the page's questions run out before Radia's uids (PREFIX_QUESTIONS): a listing goes on from there.
    for (const { query, question, past, to, walked } of asked)
      for (const page of [{ offset: 0, limit: 20 }, { offset: 9, limit: 30 }]) {
        const at = `${query.text} by ${query.sort.column} ${query.sort.direction} at ${page.offset}`;
        let ids: number[] = [];
        const ran = statementsRunDuring(probeDb, () => undefined, () => (ids = repositoryWithProbes().search(query, page).map((r) => r.id)));
        expect(ids, at).toEqual(listedWith(query).slice(page.offset, page.offset + page.limit));
        expect(ran.some(({ params }) => params.includes(question)), `${at}: asked by the prefix`).toBe(true);
        expect(ran.some(({ sql, params }) => past.test(sql) && params.includes(to)), `${at}: sought past the prefix`).toBe(true);
        if (walked) expect(ran.some(({ sql }) => listedDuring([sql])), `${at}: listed every match`).toBe(false);
      }
  });

  it('steps over the folded device names that start with a character no match holds, asking the index by its marker', () => {
    // The index does not hold the folded name (migration 0011) whole, so no prefix of it can be asked as index terms;
    // its first-character marker (migration 0036) stands for every name that starts with that character. By name
    // ascending Ada's and Alan's devices lead, then Barbara's: none matches `ra` (Radia), and the walk seeks past each
    // first character the index answers no for, from its successor on. The desktops (`desktop-…`) hold Radia's.
    const sort = { column: 'deviceName', direction: 'asc' } as const;
    const firstMarker = (name: string) =>
      (probeDb.prepare(`SELECT ${sortMarkersOf('device_name_key')} FROM (SELECT ? AS device_name_key) d`).pluck().get(name) as string).split(' ')[0]!;
    const question = withSortMarkers(ftsMatchExpression('ra')!, firstMarker('ada'));
    for (const page of [{ offset: 0, limit: 20 }, { offset: 9, limit: 30 }]) {
      let ids: number[] = [];
      const ran = statementsRunDuring(probeDb, () => undefined, () => (ids = repositoryWithProbes().search({ text: 'ra', sort }, page).map((r) => r.id)));
      expect(ids, `at ${page.offset}`).toEqual(listed('ra', sort, page));
      expect(ran.some(({ params }) => params.includes(question)), `at ${page.offset}: asked by the marker of a`).toBe(true);
      for (const [character, next] of [['a', 'b'], ['b', 'c']])
        expect(ran.some(({ sql, params }) => /AND d\.device_name_key >= \?/.test(sql) && params.includes(next)), `at ${page.offset}: sought past ${character}`).toBe(true);
    }
  });

  it('asks about identifiers by their key\'s prefix only because every identifier holds an index token that starts with it', () => {
    // The key is the identifier trimmed and lower-cased (normalizeDeviceIdentifier): its leading ASCII letters and digits
    // must be those of a token the index holds, or a "no" would step over an identifier the text matches. JavaScript
    // lower-cases two other characters to ASCII letters (the Kelvin sign, the dotted capital I): the tokenizer folds them.
    const { db } = openDeviceDatabase(tempDir());
    closeAfterEach(db);
    const folding = Array.from({ length: 0x110000 - 128 }, (_, i) => i + 128)
      .filter((c) => c < 0xd800 || c > 0xdfff)
      .map((c) => String.fromCodePoint(c))
      .filter((c) => /^[a-z0-9]/.test(c.toLowerCase()));
    expect(folding.length).toBeGreaterThan(0);
    const identifiers = [...folding.map((c) => `${c}Bc-12`), '  WP-ffff8d23', '\u00a0\u3000Ab:cd', 'F2LXK0Q9HG7F'];
    const insert = db.prepare('INSERT INTO devices_fts (rowid, identifier) VALUES (?, ?)');
    const matches = db.prepare('SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?').pluck();
    for (const [i, identifier] of identifiers.entries()) {
      insert.run(i + 1, identifier);
      const prefix = /^[a-z0-9]{2}/.exec(normalizeDeviceIdentifier(identifier))?.[0];
      if (prefix === undefined) continue;
      expect(matches.all(`"${prefix}"*`), JSON.stringify(identifier)).toContain(i + 1);
    }
  });

  it('asks about a run of one folded device name by its length marker alone first, and steps over the run on its no', () => {
    // FTS5 reads an AND's lists through, and a first character's marker is the longest list: a run of one name is asked
    // `text AND <length>` first. Here the Android devices of every fourth id are named `Ab kiosk` and lead the order;
    // names starting with `a` hold iPhones (Ada's), but no name eight characters long does.
    const { db, ran } = iphonesByRenamedName('names-by-length', "UPDATE devices SET device_name = 'Ab kiosk' WHERE id % 4 = 0 AND platform_type = 'ANDROID'");
    const marks = db.prepare(`SELECT ${sortMarkersOf('device_name_key')} FROM (SELECT 'ab kiosk' AS device_name_key) d`).pluck().get() as string;
    const asked = ran.flatMap(({ params }) => params).filter((p): p is string => typeof p === 'string');
    const [first, length] = marks.split(' ') as [string, string];
    // The text is asked as its index terms (`("iphone")`), whatever its form.
    expect(asked.filter((p) => p.startsWith('(') && p.endsWith(`) AND "${length}"`)), 'asked by the length marker alone').toHaveLength(1);
    expect(asked.filter((p) => p.endsWith(`) AND "${first}" AND "${length}"`)), 'not again with both markers on its no').toEqual([]);
    expect(ran.some(({ sql, params }) => /AND d\.device_name_key > \?/.test(sql) && params.includes('ab kiosk')), 'sought past the run').toBe(true);
  });

  it('asks about up to five runs of one folded device name a page, each of another length, and steps over each on its no', () => {
    // Five names of the Android devices lead the order (`Ab kiosk`, `Ab kioskx` … `Ab kioskxxxx`), none of which
    // matches `iphone`: each is asked about (by its length marker, its own) and stepped over, and the walk finds the
    // iPhones after them without listing every match.
    const { ran } = iphonesByRenamedName('names-five-runs', "UPDATE devices SET device_name = 'Ab kiosk' || substr('xxxx', 1, id % 5) WHERE platform_type = 'ANDROID'");
    for (const name of ['ab kiosk', 'ab kioskx', 'ab kioskxx', 'ab kioskxxx', 'ab kioskxxxx'])
      expect(ran.some(({ sql, params }) => /AND d\.device_name_key > \?/.test(sql) && params.includes(name)), `sought past ${name}`).toBe(true);
    expect(ran.some(({ sql }) => listedDuring([sql])), 'listed every match').toBe(false);
  });

  it('hands a descending page over to a listing that goes on past the values it stepped over, then through the NULLs', () => {
    // Descending, NULLs sort last: past a prefix the walk goes on below it, then through the devices without a serial.
    // Planning as at a million devices, the walk steps over the Android and Windows serials and hands over a few dozen
    // rows later; the listing goes on from there, part by part, rather than walking those serials again.
    const db = seededWith(600, 'serials-null', 'UPDATE devices SET serial_number = NULL WHERE id % 4 = 0');
    const sort = { column: 'serialNumber', direction: 'desc' } as const;
    const all = db
      .prepare(`SELECT d.id FROM devices d WHERE d.model LIKE 'iPhone%' AND d.removed_at IS NULL ${orderDevices(sort, false)}`)
      .pluck()
      .all() as number[];
    const withSerial = db.prepare("SELECT count(*) FROM devices WHERE model LIKE 'iPhone%' AND removed_at IS NULL AND serial_number IS NOT NULL").pluck().get() as number;
    expect(all.length - withSerial).toBeGreaterThan(20);
    for (const page of [{ offset: 0, limit: 100 }, { offset: withSerial - 5, limit: 20 }]) {
      let ids: number[] = [];
      const sql = sqlPreparedDuring(db, () => (ids = new DeviceRepositoryClass(db, new DeviceSearchIndex(db), () => new Date(NOW)).search({ text: 'iphone', sort }, page).map((r) => r.id)));
      expect(ids, `at ${page.offset}`).toEqual(all.slice(page.offset, page.offset + page.limit));
      expect(sql.some((q) => listsMatches(q) && /AND d\.serial_number < \?/.test(q)), `at ${page.offset}: listed on from past the prefix`).toBe(true);
      if (page.offset > 0) expect(sql.some((q) => listsMatches(q) && /AND d\.serial_number IS NULL/.test(q)), `at ${page.offset}: then the NULLs`).toBe(true);
    }
  });

  it('asks about a model first by the prefix index\'s list when a typed prefix stands for several terms', () => {
    // `mot` is `moto` OR `motorola`: a "no" reads both lists through, where `mo*` is one list of the prefix index. The
    // models before `moto g84 5G` are asked with `mo*` and stepped over on its "no"; the moto run's "yes" (which may be
    // wrong for a superset) is asked again as the text itself.
    const terms = new DeviceSearchIndex(probeDb).termsOfPrefix('mot');
    expect(terms?.length).toBeGreaterThan(1);
    const exact = ftsMatchExpression('mot', () => terms);
    const sort = { column: 'model', direction: 'asc' } as const;
    const page = { offset: 0, limit: 20 };
    let ids: number[] = [];
    const ran = statementsRunDuring(probeDb, () => undefined, () => (ids = repositoryWithProbes().search({ text: 'mot', sort }, page).map((r) => r.id)));
    expect(ids).toEqual(listed('mot', sort, page));
    const asked = ran.flatMap(({ params }) => params).filter((p): p is string => typeof p === 'string');
    const before = firstTokensBefore('moto', sort);
    expect(before).toContain('galaxy');
    expect(asked, 'asked about the models before moto by mo*').toContain(withAnyToken('"mo"*', before));
    expect(asked, 'asked again by the text only on a yes').not.toContain(withAnyToken(exact!, before));
    expect(asked, 'the moto run asked by the text').toContain(withSortMarkers(exact!, 'moto'));
  });

  /** The first tokens of the models that come before the first model whose first token is `token`, in `sort`'s order, each once. */
  const firstTokensBefore = (token: string, sort: { column: 'model'; direction: 'asc' | 'desc' }) => {
    const models = probeDb.prepare(`SELECT DISTINCT model FROM devices WHERE removed_at IS NULL AND model IS NOT NULL ORDER BY model ${sort.direction}`).pluck().all() as string[];
    const tokens = models.map((m) => devicesTextTokens(m)[0]!);
    return [...new Set(tokens.slice(0, tokens.indexOf(token)))];
  };

  it('asks about the models before the first one a match has in one question, and steps over them all on its "no"', () => {
    // By model descending the Galaxies come last. A model's "no" reads the text's list through, so the walk asks about
    // the models before the first one the text's first matches have (the Galaxies) together, by any of their first
    // words, and none of them on its own.
    const sort = { column: 'model', direction: 'desc' } as const;
    const before = firstTokensBefore('galaxy', sort);
    expect(before.length).toBeGreaterThan(3);
    for (const text of ['ga', 'galaxy'])
      for (const page of [{ offset: 0, limit: 20 }, { offset: 13, limit: 30 }]) {
        const at = `${text} at ${page.offset}`;
        let ids: number[] = [];
        const ran = statementsRunDuring(probeDb, () => undefined, () => (ids = repositoryWithProbes().search({ text, sort }, page).map((r) => r.id)));
        expect(ids, at).toEqual(listed(text, sort, page));
        const asked = ran.filter(({ sql }) => sql.includes('devices_fts MATCH ? LIMIT 1')).map(({ params }) => params[0] as string);
        const match = ftsMatchExpression(text, (prefix) => new DeviceSearchIndex(probeDb).termsOfPrefix(prefix))!;
        expect(asked, `${at}: together`).toContain(withAnyToken(match, before));
        expect(asked.filter((q) => before.some((token) => q === withSortMarkers(match, token))), `${at}: one by one`).toEqual([]);
        expect(ran.some(({ sql }) => /AND d\.model < \?/.test(sql)), `${at}: sought past a model`).toBe(true);
        expect(ran.some(({ sql }) => listedDuring([sql])), `${at}: listed every match`).toBe(false);
      }
  });

  it('asks about each model on its own when the models asked about together hold a match after all', () => {
    // The text's first matches are all Galaxies, but one `moto g84 5G` device of a late id is named for one: the
    // question about the models before the Galaxies answers yes, and each is asked about again on its own, so that
    // the moto run is walked and its match comes first.
    const db = seededWith(
      900,
      'moto-named-galaxy',
      "UPDATE devices SET device_name = 'Galaxy spare' WHERE id = (SELECT max(id) FROM devices WHERE model = 'moto g84 5G' AND removed_at IS NULL)",
    );
    const sort = { column: 'model', direction: 'desc' } as const;
    const all = db
      .prepare(`SELECT d.id FROM devices d WHERE d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH 'galaxy') AND d.removed_at IS NULL ${orderDevices(sort, false)}`)
      .pluck()
      .all() as number[];
    const named = db.prepare("SELECT id FROM devices WHERE device_name = 'Galaxy spare'").pluck().get() as number;
    expect(all[0]).toBe(named);
    for (const page of [{ offset: 0, limit: 20 }, { offset: 7, limit: 30 }]) {
      let ids: number[] = [];
      const ran = statementsRunDuring(db, () => undefined, () => (ids = new DeviceRepositoryClass(db, new DeviceSearchIndex(db), () => new Date(NOW), 1).search({ text: 'galaxy', sort }, page).map((r) => r.id)));
      expect(ids, `at ${page.offset}`).toEqual(all.slice(page.offset, page.offset + page.limit));
      const asked = ran.filter(({ sql }) => sql.includes('devices_fts MATCH ? LIMIT 1')).map(({ params }) => params[0] as string);
      expect(asked.some((q) => q.includes(' OR ')), `at ${page.offset}: asked together`).toBe(true);
      expect(asked, `at ${page.offset}: then on its own`).toContain(withSortMarkers('"galaxy"', 'moto'));
    }
  });

  it('lists a sorted page of any text by testing each entry against a byte array of its matches, not SQLite\'s list', () => {
    // `gr` by device name at a million devices walks 252,000 entries (Ada's, Alan's and Barbara's devices) before the
    // first match: a lookup in SQLite's list of `d.id IN (SELECT rowid …)` cost ~170 ns an entry, the byte array ~20.
    const planningAsAtScale = () => new DeviceRepositoryClass(probeDb, new DeviceSearchIndex(probeDb), () => new Date(NOW));
    for (const text of ['iphone', 'ac', 'acmecorp.example'])
      for (const sort of [{ column: 'deviceName', direction: 'asc' }, { column: 'model', direction: 'desc' }] as const) {
        const page = { offset: 0, limit: 100 };
        let ids: number[] = [];
        const sql = sqlPreparedDuring(probeDb, () => (ids = planningAsAtScale().search({ text, sort }, page).map((r) => r.id)));
        expect(ids, `${text} by ${sort.column}`).toEqual(listed(text, sort, page));
        expect(sql.some((q) => q.includes("substr(?, d.id - ?, 1) = x'01'")), `${text} by ${sort.column}: the byte array`).toBe(true);
        expect(sql.some((q) => /IN \(SELECT rowid FROM devices_fts/.test(q)), `${text} by ${sort.column}: SQLite's list`).toBe(false);
      }
  });

  it('walks further before handing over a prefix FTS5 would merge, which a listing pays for twice', () => {
    // `lis` and `dij` stand for more index terms than a prefix is asked as here (liskov123 and every other e-mail token
    // of the family name), so listing them merges every term's list, for the plan's count and again for the listing. A
    // family name is a few percent of devices: its first rows found too few to project a page within the walk's
    // budget, and it was handed over to that listing; the walk now goes on, and finds the page itself.
    const index = new DeviceSearchIndex(probeDb);
    const merging = ['lis', 'dij'];
    for (const prefix of merging) expect(index.termsOfPrefix(prefix), prefix).toBeNull();
    for (const text of merging)
      for (const sort of [{ column: 'lastCheckin', direction: 'desc' }, { column: 'integration', direction: 'asc' }] as const) {
        const page = { offset: 0, limit: 10 };
        let ids: number[] = [];
        const sql = sqlPreparedDuring(probeDb, () => (ids = repositoryWithProbes().search({ text, sort }, page).map((r) => r.id)));
        expect(ids, `${text} by ${sort.column}`).toEqual(listed(text, sort, page));
        expect(listedDuring(sql), `${text} by ${sort.column}: listed every match`).toBe(false);
      }
  });

  it('hands a page over to a listing that goes on past the runs the walk stepped over', () => {
    // Planning as at a million devices, the walk's budget is a few dozen rows here: by uid it steps over the masked run,
    // finds too few past it and hands over; the listing walks on from past the run (`d.uid > ?`), skipping what the walk
    // already found there, instead of walking the run again.
    const planningAsAtScale = () => new DeviceRepositoryClass(probeDb, new DeviceSearchIndex(probeDb), () => new Date(NOW));
    let resumed = 0;
    for (const text of ['lovelace', 'ada', 'hopper', 'acmecorp'])
      for (const page of [{ offset: 0, limit: 100 }, { offset: 3, limit: 7 }, { offset: 45, limit: 30 }]) {
        const sort = { column: 'uid', direction: 'asc' } as const;
        let ids: number[] = [];
        const sql = sqlPreparedDuring(probeDb, () => (ids = planningAsAtScale().search({ text, sort }, page).map((r) => r.id)));
        expect(ids, `${text} at ${page.offset}`).toEqual(listed(text, sort, page));
        if (sql.some((q) => listsMatches(q) && /AND d\.uid > \?/.test(q))) resumed += 1;
      }
    expect(resumed).toBeGreaterThan(0);
  });

  it('steps over a run of equal sort value, integration, space and platform that holds no match, asking by their markers', () => {
    // By registration state (or space, or integration), each state's devices come by integration, space and platform: every
    // space's Android devices before its iPhones. No sort value there is a run that lacks `iphone`, but the Android
    // devices of a space are: the walk asks the index by the platform's marker, steps over them (a seek past the
    // run's platform) and leaves the platform out of the rest of the walk. Descending, a space's (or an integration's)
    // Windows and other devices (codes 4, 3) come before its iPhones (2): the walk seeks past them to the lower platforms.
    const states = probeDb.prepare("SELECT count(DISTINCT platform_code) FROM devices WHERE removed_at IS NULL AND registration_state = 'ACTIVE'").pluck().get() as number;
    expect(states).toBeGreaterThan(1);
    const walks = [
      { direction: 'asc', columns: ['registrationState', 'spaceName', 'integration'], past: /AND d\.platform_code > \?/ },
      { direction: 'desc', columns: ['spaceName', 'integration'], past: /AND d\.platform_code < \?/ },
    ] as const;
    for (const { direction, columns, past } of walks)
      for (const column of columns) {
        const sort = { column, direction } as const;
        for (const page of [{ offset: 0, limit: 20 }, { offset: 13, limit: 40 }]) {
          let ids: number[] = [];
          const sql = sqlPreparedDuring(probeDb, () => (ids = repositoryWithProbes().search({ text: 'iphone', sort }, page).map((r) => r.id)));
          const at = `iphone by ${column} ${direction} at ${page.offset}`;
          expect(ids, at).toEqual(listed('iphone', sort, page));
          expect(sql.some((q) => past.test(q)), `${at}: sought past a platform's run`).toBe(true);
          expect(sql.some((q) => /\+d\.platform_code IS NOT \?/.test(q)), `${at}: left the platform out`).toBe(true);
          expect(listedDuring(sql), `${at}: listed every match`).toBe(false);
        }
      }
  });

  it('goes on past a run in a descending walk to the NULLs of the filter column it stepped past, which sort last', () => {
    // By integration descending, each integration's devices come by platform from the highest code, devices without
    // a platform last. The only devices named `Zebra…` have none: the walk asks about the Windows, other, iOS and Android
    // runs by their markers, steps over each (none holds a Zebra) and finds the page among the NULLs.
    const db = seededWith(600, 'nulls-last', "UPDATE devices SET platform_type = NULL, device_name = 'Zebra' || id WHERE id % 25 = 0");
    const sort = { column: 'integration', direction: 'desc' } as const;
    const page = { offset: 0, limit: 10 };
    const expected = db
      .prepare(`SELECT d.id FROM devices d WHERE d.device_name LIKE 'Zebra%' AND d.removed_at IS NULL ${orderDevices(sort, false)} LIMIT 10`)
      .pluck()
      .all() as number[];
    expect(expected.length).toBe(10);
    let ids: number[] = [];
    const sql = sqlPreparedDuring(db, () => (ids = new DeviceRepositoryClass(db, new DeviceSearchIndex(db), () => new Date(NOW), 1).search({ text: 'zebra', sort }, page).map((r) => r.id)));
    expect(ids).toEqual(expected);
    expect(sql.some((q) => /AND d\.platform_code < \?/.test(q)), 'sought past a platform\'s run').toBe(true);
  });

  it('merges a prefix FTS5 merges once a keystroke, and tests each entry the listing walks against its matches', () => {
    expect(new DeviceSearchIndex(probeDb).termsOfPrefix('tur')).toBeNull();
    const planningAsAtScale = () => new DeviceRepositoryClass(probeDb, new DeviceSearchIndex(probeDb), () => new Date(NOW));
    let setTested = 0;
    for (const repository of [planningAsAtScale, repositoryWithProbes])
      for (const sort of [{ column: 'uid', direction: 'asc' }, { column: 'displayName', direction: 'asc' }, { column: 'lastCheckin', direction: 'desc' }, { column: 'uid', direction: 'desc' }] as const)
        for (const page of [{ offset: 0, limit: 100 }, { offset: 37, limit: 29 }]) {
          let ids: number[] = [];
          const ran = statementsRunDuring(probeDb, () => undefined, () => (ids = repository().search({ text: 'tur', sort }, page).map((r) => r.id)));
          const at = `tur by ${sort.column} ${sort.direction} at ${page.offset}`;
          expect(ids, at).toEqual(listed('tur', sort, page));
          // The plan's count and the listing asked the prefix query each; now they share one list of its matches.
          expect(ran.filter(({ params }) => params.some((p) => typeof p === 'string' && p.includes('"tur"*'))).length, at).toBeLessThanOrEqual(1);
          expect(ran.some(({ sql }) => /IN \(SELECT rowid FROM devices_fts/.test(sql)), `${at}: listed by FTS5`).toBe(false);
          if (ran.some(({ sql }) => sql.includes('substr(?, d.id'))) setTested += 1;
        }
    expect(setTested).toBeGreaterThan(0);
  });

  it('asks whether a long run holds a match of a prefix FTS5 merges by the prefix cut to the prefix index\'s length', () => {
    // "tu*" reads one list the prefix index holds merged: no device of the GDPR-masked users' run (a third, first by uid)
    // matches it, so none matches "tur*", which FTS5 would merge at each question. The walk steps over the run.
    const sort = { column: 'uid', direction: 'asc' } as const;
    const page = { offset: 0, limit: 20 };
    let ids: number[] = [];
    const ran = statementsRunDuring(probeDb, () => undefined, () => (ids = repositoryWithProbes().search({ text: 'tur', sort }, page).map((r) => r.id)));
    expect(ids).toEqual(listed('tur', sort, page));
    // By the run's first marker alone (its first character): each marker's list costs the question a read through.
    const masked = probeDb.prepare(`SELECT ${sortMarkersOf('uid')!} FROM devices d WHERE d.uid = '********' LIMIT 1`).pluck().get() as string;
    expect(ran.some(({ params }) => params.includes(withSortMarkers('"tu"*', masked.split(' ')[0]!))), 'asked about the masked run').toBe(true);
    expect(ran.some(({ params }) => params.some((p) => typeof p === 'string' && p.startsWith('("tur"*) AND')))).toBe(false);
    expect(ran.some(({ sql }) => /AND d\.uid > \?/.test(sql)), 'sought past the masked run').toBe(true);
  });

  it('walks on through a part of the order that holds few matches of a text whose listing costs more', () => {
    // By uid the masked users come first, a tenth of them matching "qu" (their MAC): the first rows' share projects to
    // too few matches within the walk's budget, but "qu" matches most other devices, whose listing costs more than
    // testing the rows to the page. With testing a row 3 times as dear as listing one match (a budget of ~76 rows
    // here), the walk finds the page itself.
    const sort = { column: 'uid', direction: 'asc' } as const;
    const repository = () => new DeviceRepositoryClass(probeDb, new DeviceSearchIndex(probeDb), () => new Date(NOW), 3);
    for (const page of [{ offset: 0, limit: 20 }, { offset: 5, limit: 10 }]) {
      let ids: number[] = [];
      const sql = sqlPreparedDuring(probeDb, () => (ids = repository().search({ text: 'qu', sort }, page).map((r) => r.id)));
      expect(ids, `at ${page.offset}`).toEqual(listed('qu', sort, page));
      expect(listedDuring(sql), `at ${page.offset}: listed every match`).toBe(false);
      // The matches the listing would list are estimated from those of the first eighth of the id span.
      expect(sql.some((q) => /MATCH \? AND rowid <= \? LIMIT \?/.test(q)), `at ${page.offset}: counted a sample`).toBe(true);
    }
  });

  it('walks on through a run of integration, space and platform that holds few matches, inside a long run of a sort value without markers', () => {
    // By compliance or registration state descending, the compliant (or the one state's) devices come by integration and
    // space from the highest key: the GDPR-masked users' space (EU Field Staff) first, a tenth of them matching "qu".
    // Neither column has markers, so no question is asked about the sort value's run; the index said the masked
    // space's run of filter columns holds matches, and the walk finds the page itself, as it does by uid.
    const repository = () => new DeviceRepositoryClass(probeDb, new DeviceSearchIndex(probeDb), () => new Date(NOW), 3);
    const masked = probeDb.prepare("SELECT max(space_key) = (SELECT space_key FROM devices WHERE uid = '********' LIMIT 1) FROM devices").pluck().get();
    expect(masked, 'the masked users\' space has the highest key').toBe(1);
    for (const column of ['compliant', 'registrationState'] as const)
      for (const page of [{ offset: 0, limit: 20 }, { offset: 5, limit: 10 }]) {
        const sort = { column, direction: 'desc' } as const;
        let ids: number[] = [];
        const sql = sqlPreparedDuring(probeDb, () => (ids = repository().search({ text: 'qu', sort }, page).map((r) => r.id)));
        const at = `qu by ${column} desc at ${page.offset}`;
        expect(ids, at).toEqual(listed('qu', sort, page));
        expect(listedDuring(sql), `${at}: listed every match`).toBe(false);
        expect(sql.some((q) => /MATCH \? AND rowid <= \? LIMIT \?/.test(q)), `${at}: counted a sample`).toBe(true);
      }
  });

  it('walks on through the masked users\' part of a run of names that start with one character, which the index said holds matches', () => {
    // By device name descending the GDPR-masked users' devices lead here, each a name of its own that starts with `t`
    // (as Tim's devices lead at a million, each of his names from the masked users' space first), a tenth of which
    // match "qu" (their MAC) where every other device does. No name is a run long enough to ask about, but the index
    // said names starting with `t` hold a match (their first-character marker, migration 0036): the walk finds the
    // page itself rather than list every match.
    const db = seededWith(600, 'names-walk-on', "UPDATE devices SET wifi_mac = 'quokka' || id WHERE uid <> '********' OR id % 10 = 0");
    db.prepare("UPDATE devices SET device_name = 'Tim''s zphone ' || id WHERE uid = '********'").run();
    new DeviceSearchIndex(db).catchUp();
    const repository = () => new DeviceRepositoryClass(db, new DeviceSearchIndex(db), () => new Date(NOW), 1);
    const sort = { column: 'deviceName', direction: 'desc' } as const;
    const all = db
      .prepare(`SELECT d.id FROM devices d WHERE (d.uid <> '********' OR d.id % 10 = 0) AND d.removed_at IS NULL ${orderDevices(sort, false)}`)
      .pluck()
      .all() as number[];
    const first = db.prepare(`SELECT d.device_name_key, d.uid FROM devices d WHERE d.removed_at IS NULL ${orderDevices(sort, false)} LIMIT 1`).get() as { device_name_key: string; uid: string };
    expect(first).toEqual({ device_name_key: expect.stringMatching(/^tim's zphone /), uid: '********' });
    for (const page of [{ offset: 0, limit: 20 }, { offset: 5, limit: 10 }]) {
      let ids: number[] = [];
      const sql = sqlPreparedDuring(db, () => (ids = repository().search({ text: 'qu', sort }, page).map((r) => r.id)));
      expect(ids, `at ${page.offset}`).toEqual(all.slice(page.offset, page.offset + page.limit));
      expect(listedDuring(sql), `at ${page.offset}: listed every match`).toBe(false);
      expect(sql.some((q) => /MATCH \? AND rowid <= \? LIMIT \?/.test(q)), `at ${page.offset}: counted a sample`).toBe(true);
    }
  });

  it('stops testing a batch\'s rows once the page is full, a slice of rows past its last match at most', () => {
    // The walk's batches double; one that reaches a part of the order where most rows match (past the masked users'
    // space, or deep in a page of a common term) fills the page in its first rows, and the rest of it is not tested.
    // Tested whole, `ac` by last check-in at offset 150 tested 172 rows past its page's last.
    const tested: number[] = [];
    const index = new DeviceSearchIndex(probeDb);
    const matchingAmong = index.matchingAmong.bind(index);
    index.matchingAmong = (ids, text) => (tested.push(...ids), matchingAmong(ids, text));
    let overshoots = 0;
    for (const [text, column, costRatio] of [['qu', 'registrationState', 3], ['qu', 'compliant', 3], ['ac', 'lastCheckin', 1]] as const)
      for (const page of [{ offset: 0, limit: 20 }, { offset: 40, limit: 100 }, { offset: 150, limit: 50 }]) {
        tested.length = 0;
        const sort = { column, direction: 'desc' } as const;
        const ids = new DeviceRepositoryClass(probeDb, index, () => new Date(NOW), costRatio).search({ text, sort }, page).map((r) => r.id);
        const at = `${text} by ${column} desc at ${page.offset}`;
        expect(ids, at).toEqual(listed(text, sort, page));
        // Only where the walk found the page itself (it tested the page's last row), not where a listing did.
        const last = tested.lastIndexOf(ids[ids.length - 1] ?? -1);
        if (last === -1) continue;
        // 128: PROBE_SLICE, the most rows tested at once.
        const pastLastMatch = tested.length - 1 - last;
        expect(pastLastMatch, `${at}: rows tested past the page`).toBeLessThan(128);
        overshoots = Math.max(overshoots, pastLastMatch);
      }
    expect(overshoots, 'a page filled inside a slice').toBeGreaterThan(0);
  });

  it('lists a text\'s matches as a byte array that selects exactly the devices the FTS table matches', () => {
    const index = new DeviceSearchIndex(probeDb);
    const one = probeDb.prepare("SELECT max(id) FROM devices WHERE device_name LIKE 'Turnstile%'").pluck().get() as number;
    // Ids of one to three digits, a single match (the array's first and last at once), none.
    const matchesOf = ['"ac"*', '"tur"*', ftsMatchExpression('acmecorp')!, `"turnstile${one}"`, '"zzzznothing"'];
    const sizes = matchesOf.map((match) => {
      const set = index.matchSet(match)!;
      const fts = probeDb.prepare('SELECT rowid FROM devices_fts WHERE devices_fts MATCH ? ORDER BY rowid').pluck().all(match) as number[];
      const selected = probeDb.prepare(`SELECT d.id FROM devices d WHERE ${set.condition.sql} ORDER BY d.id`).pluck().all(...set.condition.params) as number[];
      expect(selected, match).toEqual(fts);
      expect(set.size, match).toBe(fts.length);
      return set.size;
    });
    expect(sizes[0]).toBeGreaterThan(100);
    expect(sizes.slice(3)).toEqual([1, 0]);
  });

  it('counts no run of the order while a bulk load has set its index aside, with the same rows', () => {
    // A run's length is counted through the order's index (SortRuns.isLongRun); set aside, the count scans the table
    // for each value asked. `tur` asks it of each run worth a question, `qu` (probes 3 times a listing) when it would
    // walk on through a run. With the indexes present both count: the pattern below is the statement they run.
    const sort = { column: 'uid', direction: 'asc' } as const;
    const countsRun = (sql: string) => /^SELECT count\(\*\) FROM \(SELECT 1 FROM devices d (INDEXED BY \w+ )?WHERE d\.uid IS \?/.test(sql);
    const searches = [
      { text: 'tur', repository: repositoryWithProbes },
      { text: 'qu', repository: () => new DeviceRepositoryClass(probeDb, new DeviceSearchIndex(probeDb), () => new Date(NOW), 3) },
    ];
    const page = { offset: 0, limit: 20 };
    const run = (setAside: boolean) =>
      searches.map(({ text, repository }) => {
        let ids: number[] = [];
        const ran = statementsRunDuring(probeDb, () => undefined, () => (ids = repository().search({ text, sort }, page).map((r) => r.id)));
        expect(ids, `${text}${setAside ? ', index set aside' : ''}`).toEqual(listed(text, sort, page));
        return ran.filter(({ sql }) => countsRun(sql)).length;
      });
    expect(run(false).every((n) => n > 0), 'runs counted with the index').toBe(true);
    const deferred = new DeferredIndexes(probeDb);
    probeDb.transaction(() => deferred.defer('devices', new Set(['devices_ivanti_id'])))();
    try {
      expect(deferred.exists(sortIndexName('uid'))).toBe(false);
      expect(run(true)).toEqual([0, 0]);
    } finally {
      deferred.buildAll();
    }
  });

  it('lists a prefix FTS5 merges by the prefix index\'s superset, testing each candidate, and by the prefix itself when the superset holds too many others', () => {
    // `tur` stands for more terms than a search asks as terms (Turing's e-mail tokens, the Turnstiles): FTS5 merges it.
    // Its listing reads `tu*` from the prefix index and tests each device it passes on the device's own text. On a
    // database where devices named `Tuxedo…` (holding `tu*`, not `tur*`) lead the order, the superset's first candidates
    // hold too few matches for the page, and the listing lists `tur*` itself instead.
    const db = seededWith(700, 'superset', "UPDATE devices SET device_name = 'Turnstile' || id WHERE id % 5 = 0 AND uid <> '********'");
    expect(new DeviceSearchIndex(db).termsOfPrefix('tur')).toBeNull();
    const oracle = (sort: DeviceQuery['sort'] & object, page: { offset: number; limit: number }) =>
      db
        .prepare(
          `SELECT d.id FROM devices d WHERE d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH '"tur"*') AND d.removed_at IS NULL ${orderDevices(sort, false)} LIMIT ? OFFSET ?`,
        )
        .pluck()
        .all(page.limit, page.offset) as number[];
    // From the FTS table, or a merged prefix from the index's term instances (DeviceSearchIndex.matchSet).
    const listedAs = (ran: { sql: string; params: unknown[] }[]) =>
      ran.filter(({ sql }) => sql.includes('group_concat(rowid)') || sql.includes('group_concat(doc)')).map(({ sql, params }) => (sql.includes('group_concat(doc)') ? `"${String(params[0])}"*` : params[0]));
    const search = (sort: DeviceQuery['sort'] & object, page: { offset: number; limit: number }) => {
      let ids: number[] = [];
      const ran = statementsRunDuring(db, () => undefined, () => (ids = new DeviceRepositoryClass(db, new DeviceSearchIndex(db), () => new Date(NOW)).search({ text: 'tur', sort }, page).map((r) => r.id)));
      return { ids, listedAs: listedAs(ran) };
    };
    const sorts = [{ column: 'uid', direction: 'asc' }, { column: 'displayName', direction: 'asc' }] as const;
    const pages = [{ offset: 0, limit: 100 }, { offset: 37, limit: 29 }];
    for (const sort of sorts)
      for (const page of pages) {
        const at = `tur by ${sort.column} ${sort.direction} at ${page.offset}`;
        const { ids, listedAs } = search(sort, page);
        expect(ids.length, at).toBeGreaterThan(0);
        expect(ids, at).toEqual(oracle(sort, page));
        expect(listedAs, at).toEqual(['"tu"*']);
      }
    // Three fifths of the devices named `Tuxedo…`, first by device name descending (`tuxedo` > `turnstile`), none a match.
    db.prepare("UPDATE devices SET device_name = 'Tuxedo' || id WHERE id % 5 IN (1, 2, 3) AND uid <> '********' AND display_name NOT LIKE '%Turing%' AND email NOT LIKE '%turing%'").run();
    new DeviceSearchIndex(db).catchUp();
    for (const page of pages) {
      const sort = { column: 'deviceName', direction: 'desc' } as const;
      const { ids, listedAs } = search(sort, page);
      expect(ids, `at ${page.offset}`).toEqual(oracle(sort, page));
      expect(listedAs, `at ${page.offset}`).toEqual(['"tu"*', '"tur"*']);
    }
  });

  it('lists a prefix FTS5 merges by itself, not by its superset, when the superset is a prefix of hex digits', () => {
    // Identifiers are hex, so `da*` (the prefix index's cut of `dab`) holds MAC groups and UUID groups of devices that
    // do not match: the listing lists `dab*` itself at once, from the index's term instances.
    const db = seededWith(700, 'hex-superset', "UPDATE devices SET device_name = 'Dab' || id WHERE id % 3 = 0");
    expect(new DeviceSearchIndex(db).termsOfPrefix('dab')).toBeNull();
    for (const sort of [{ column: 'uid', direction: 'desc' }, { column: 'deviceName', direction: 'desc' }] as const)
      for (const page of [{ offset: 0, limit: 100 }, { offset: 37, limit: 29 }]) {
        const at = `dab by ${sort.column} ${sort.direction} at ${page.offset}`;
        let ids: number[] = [];
        const ran = statementsRunDuring(db, () => undefined, () => (ids = new DeviceRepositoryClass(db, new DeviceSearchIndex(db), () => new Date(NOW)).search({ text: 'dab', sort }, page).map((r) => r.id)));
        const expected = db
          .prepare(`SELECT d.id FROM devices d WHERE d.device_name LIKE 'Dab%' AND d.removed_at IS NULL ${orderDevices(sort, false)} LIMIT ? OFFSET ?`)
          .pluck()
          .all(page.limit, page.offset) as number[];
        expect(ids, at).toEqual(expected);
        expect(ran.some(({ sql }) => sql.includes('devices_fts_instances') && sql.includes('group_concat(doc)')), `${at}: listed dab*`).toBe(true);
        expect(ran.some(({ params }) => params.includes('"da"*')), `${at}: listed da*`).toBe(false);
      }
  });

  it('lists a merged prefix from the index\'s term instances as the FTS table matches it, once a device, without devices whose text changed', () => {
    // Two terms of `dab` a device (its name and its MAC), then a quarter renamed after they were indexed: the index keeps
    // their old terms until a merge, marked deleted.
    const db = seededWith(600, 'instances', "UPDATE devices SET device_name = 'Dab' || id, wifi_mac = 'dab' || (id + 1000) WHERE id % 2 = 0");
    db.prepare("UPDATE devices SET device_name = 'Other', wifi_mac = NULL WHERE id % 4 = 0").run();
    const index = new DeviceSearchIndex(db);
    index.catchUp();
    let set: ReturnType<DeviceSearchIndex['matchSet']> = null;
    const ran = statementsRunDuring(db, () => undefined, () => (set = index.matchSet('"dab"*')));
    expect(ran.some(({ sql }) => sql.includes('devices_fts_instances')), 'listed from the term instances').toBe(true);
    const fts = db.prepare('SELECT rowid FROM devices_fts WHERE devices_fts MATCH ? ORDER BY rowid').pluck().all('"dab"*') as number[];
    const renamed = db.prepare("SELECT count(*) FROM devices WHERE device_name = 'Other'").pluck().get() as number;
    expect(fts.length).toBeGreaterThan(100);
    expect(renamed).toBeGreaterThan(100);
    const { condition, size } = set!;
    expect(db.prepare(`SELECT d.id FROM devices d WHERE ${condition.sql} ORDER BY d.id`).pluck().all(...condition.params)).toEqual(fts);
    expect(size).toBe(fts.length);
  });

  it('hands a term too rare for the walk to the listing, with the same answer', () => {
    const rare = probeDb.prepare("SELECT serial_number FROM devices WHERE removed_at IS NULL AND serial_number NOT LIKE '*%' LIMIT 1").pluck().get() as string;
    const sort = { column: 'lastCheckin', direction: 'desc' } as const;
    let ids: number[] = [];
    const sql = sqlPreparedDuring(probeDb, () => (ids = repositoryWithProbes().search({ text: rare, sort }, { offset: 0, limit: 100 }).map((r) => r.id)));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(listed(rare, sort, { offset: 0, limit: 100 }));
    expect(listedDuring(sql)).toBe(true);
  });
});

/** The ids the oracle selects for a query, text aside (the text's matches are what FTS finds, checked elsewhere). */
function oracleIds(query: DeviceQuery): number[] {
  const { text, ...filters } = query;
  const matching = text === undefined ? undefined : new Set(allPages(openDeviceDatabaseLike(), { text, presence: 'all' }, 500));
  return oracle(stored, filters)
    .filter((d) => matching === undefined || matching.has(d.id))
    .map((d) => d.id)
    .sort((a, b) => a - b);
}

/** A repository over the same database with nothing cached, so its counts really run. */
function openDeviceDatabaseLike(): DeviceRepository {
  return new DeviceRepositoryClass(db, new DeviceSearchIndex(db), () => new Date(NOW));
}

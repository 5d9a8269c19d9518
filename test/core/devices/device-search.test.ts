import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/db/database';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex, MAX_PREFIX_TERMS } from '../../../src-main/core/devices/device-search-index';
import { ftsMatchExpression } from '../../../src-main/core/devices/device-search-text';
import { createDeviceServices } from '../../../src-main/core/devices/device-services';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { seedDevices } from '../../support/seed-devices';
import { useTempDir } from '../../support/temp-dir';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useShutDownAfterEach } from '../../support/shut-down-after-each';
import { SyncEngine } from '../../../src-main/core/sync/sync-engine';
import { INTEGRATION_ID, openSyncDatabase, quickRetryingClient } from '../sync/sync-fixture';
import { allPages, NOW, openDeviceDatabase } from './device-fixture';
import { sqlRunCountsDuring } from '../../support/query-plans';

interface Row {
  id: number;
  platform_type: string;
  client_device_identifier: string | null;
  serial_number: string | null;
  imei: string | null;
  udid: string | null;
  wifi_mac: string | null;
  uid: string | null;
  email: string | null;
  display_name: string | null;
  device_name: string | null;
  model: string | null;
}

const tempDir = useTempDir('tec-search-');
const suiteDir = useTempDir('tec-search-db-', { lives: 'file' });
const closeAfter = useCloseAfterEach();
let db: Db;
let index: DeviceSearchIndex;
let repository: DeviceRepository;

function found(text: string): number[] {
  return allPages(repository, { text }, 500);
}

function device(where: string): Row {
  return db.prepare(`SELECT * FROM devices WHERE ${where} AND removed_at IS NULL ORDER BY id LIMIT 1`).get() as Row;
}

beforeAll(() => {
  ({ db, index, repository } = openDeviceDatabase(suiteDir()));
  seedDevices(db, { count: 2000, seed: 'search', referenceTime: NOW });
});

describe('search as you type', () => {
  it('finds a device by a prefix of any of its identifiers, as written or with separators left out', () => {
    const androidDevice = device("platform_type = 'ANDROID' AND space_name = 'Default Space'");
    const iosDevice = device("platform_type = 'IOS' AND imei IS NOT NULL AND space_name = 'Default Space'");
    const cases: [string, Row, string][] = [
      ['Device Client ID (Android hex)', androidDevice, androidDevice.client_device_identifier!.slice(0, 12)],
      ['Device Client ID (iOS, with dashes)', iosDevice, iosDevice.client_device_identifier!.slice(0, 13)],
      ['Device Client ID (iOS, dashes left out)', iosDevice, iosDevice.client_device_identifier!.replaceAll('-', '').slice(0, 20)],
      ['serial number', androidDevice, androidDevice.serial_number!],
      ['IMEI', androidDevice, androidDevice.imei!.slice(0, 9)],
      ['IMEI as iOS writes it, with spaces', iosDevice, iosDevice.imei!],
      ['IMEI without its spaces', iosDevice, iosDevice.imei!.replaceAll(' ', '').slice(0, 12)],
      ['UDID', iosDevice, iosDevice.udid!.slice(0, 12)],
      ['UDID without its dash', iosDevice, iosDevice.udid!.replace('-', '').slice(0, 15)],
      ['Wi-Fi MAC, part of it', androidDevice, androidDevice.wifi_mac!.slice(0, 8)],
      ['Wi-Fi MAC without colons', androidDevice, androidDevice.wifi_mac!.replaceAll(':', '')],
      ['user', androidDevice, androidDevice.uid!.split('@')[0]],
      ['e-mail address', androidDevice, androidDevice.email!],
      ['display name', androidDevice, androidDevice.display_name!],
      ['device name', iosDevice, iosDevice.device_name!],
      ['model', iosDevice, `${iosDevice.model!} ${iosDevice.display_name!.split(' ')[1]}`],
    ];
    for (const [what, row, text] of cases) expect(found(text), `${what}: "${text}"`).toContain(row.id);
  });

  it('finds the device at every keystroke of its Device Client ID from the second character on', () => {
    const row = device("platform_type = 'ANDROID'");
    const id = row.client_device_identifier!;
    for (let length = 2; length <= id.length; length += 3) expect(found(id.slice(0, length)), id.slice(0, length)).toContain(row.id);
    expect(found(id)).toEqual([row.id]);
  });

  it('requires every typed word to match, in any field', () => {
    const row = device("platform_type = 'IOS'");
    const first = row.display_name!.split(' ')[0];
    const both = found(`${first} ${row.model!.split(' ')[0]}`);
    expect(both).toContain(row.id);
    expect(found(`${first} zzzznotaword`)).toEqual([]);
    expect(new Set(both).size).toBeLessThan(found(first).length);
  });

  it('matches case and accents loosely, as admins type them', () => {
    const row = device("platform_type = 'ANDROID'");
    expect(found(row.display_name!.toUpperCase())).toContain(row.id);
    expect(found(row.client_device_identifier!.slice(0, 10).toUpperCase())).toContain(row.id);
  });

  it('treats what the admin types as text, never as search syntax', () => {
    for (const text of ['"', 'ada"', '*', 'ada*', 'OR', 'ada OR grace', 'NEAR(ada grace)', '-ada', 'ada AND', '(((', "'; DROP TABLE devices; --", 'ä', '\u0000', '^ada', 'col:ada']) {
      expect(() => found(text), text).not.toThrow();
    }
    expect(found('ada OR zzzznotaword')).toEqual([]);
  });

  it('does not filter on a single character, and treats a trailing single character as not yet typed', () => {
    const everything = repository.count({});
    expect(repository.count({ text: 'a' })).toBe(everything);
    expect(ftsMatchExpression('a')).toBeNull();
    expect(ftsMatchExpression('ada.l')).toBe('"ada"');
    expect(ftsMatchExpression('aa:bb:c')).toBe('"aa" AND "bb"');
    expect(ftsMatchExpression('  ada   lovelace ')).toBe('"ada"* AND "lovelace"*');
  });
});

describe('a typed prefix asked as the index terms it stands for (migration 0030)', () => {
  /** Current devices whose text matches, by FTS5's own prefix query: what the search answered before it asked terms. */
  const byPrefixQuery = (text: string) =>
    db
      .prepare('SELECT d.id FROM devices_fts JOIN devices d ON d.id = devices_fts.rowid WHERE devices_fts MATCH ? AND d.removed_at IS NULL ORDER BY d.id')
      .pluck()
      .all(ftsMatchExpression(text)) as number[];
  /** Three-character starts of the index's terms, by how many terms start with each. */
  const prefixesByTermCount = () => {
    index.catchUp();
    const counts = new Map<string, number>();
    for (const term of db.prepare('SELECT term FROM devices_fts_terms').pluck().all() as string[]) {
      const start = Array.from(term).slice(0, 3).join('');
      if (Array.from(start).length === 3) counts.set(start, (counts.get(start) ?? 0) + 1);
    }
    return counts;
  };

  it('finds exactly what the prefix query finds, whether the prefix names one term, several, more than can be asked, or none', () => {
    const counts = [...prefixesByTermCount()];
    const one = counts.find(([, n]) => n === 1)?.[0];
    const several = counts.find(([, n]) => n > 1 && n <= MAX_PREFIX_TERMS)?.[0];
    const tooMany = counts.find(([, n]) => n > MAX_PREFIX_TERMS)?.[0];
    expect([one, several, tooMany]).not.toContain(undefined);
    expect(index.termsOfPrefix(one!)).toHaveLength(1);
    expect(index.termsOfPrefix(several!)!.length).toBe(counts.find(([p]) => p === several)![1]);
    expect(index.termsOfPrefix(tooMany!)).toBeNull();
    expect(index.termsOfPrefix('zqx')).toEqual([]);
    // Two characters are read from the prefix index, one list already merged: left to FTS5.
    expect(index.termsOfPrefix(one!.slice(0, 2))).toBeNull();
    for (const text of [one!, several!, tooMany!, 'zqx', `${several!} ${one!}`, 'loï', 'acmecorp', 'galax']) {
      const expected = byPrefixQuery(text);
      expect(found(text), text).toEqual(expected);
      expect(repository.count({ text }), text).toBe(expected.length);
    }
  });

  it('lists a prefix’s terms once while the database is unchanged, however many statements a search prepares', () => {
    const several = [...prefixesByTermCount()].find(([, n]) => n > 1 && n <= MAX_PREFIX_TERMS)![0];
    const listed = (ran: Map<string, number>) => [...ran].filter(([sql]) => /devices_fts_(terms|instances)/.test(sql)).reduce((n, [, times]) => n + times, 0);
    // What listing the prefix's terms once reads (a seek a term, migration 0031).
    const once = listed(sqlRunCountsDuring(db, () => new DeviceSearchIndex(db), (fresh) => fresh.termsOfPrefix(several)));
    expect(once).toBeGreaterThan(0);
    const sorted = { text: several, sort: { column: 'uid', direction: 'asc' } } as const;
    let fresh: DeviceRepository | undefined;
    const ran = sqlRunCountsDuring(
      db,
      () => (fresh = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW))),
      (repository) => {
        repository.search(sorted, { offset: 0, limit: 100 });
        repository.search(sorted, { offset: 100, limit: 100 });
        repository.count({ text: several });
      },
    );
    expect(listed(ran)).toBe(once);
    // A write that brings a new term of the prefix is searched with it: the kept list went with the change.
    const before = fresh!.count({ text: several });
    db.prepare(
      `INSERT INTO devices (tenant_key, integration_key, guid, platform_type, registration_state, device_name, record_hash, first_seen_at, last_seen_at, last_seen_run)
       SELECT tenant_key, integration_key, 'prefix-guid', 'ANDROID', 'ACTIVE', ?, x'', 0, 0, last_seen_run FROM devices LIMIT 1`,
    ).run(`${several}qqq phone`);
    expect(fresh!.count({ text: several })).toBe(before + 1);
  });

  it('seeks the terms of a prefix of a few, never counting their devices (a common term counted ~10 ms at a million)', () => {
    const counts = [...prefixesByTermCount()];
    const few = counts.filter(([, n]) => n >= 1 && n <= 3).map(([prefix]) => prefix);
    expect(few.length).toBeGreaterThan(2);
    const ran = sqlRunCountsDuring(db, () => new DeviceSearchIndex(db), (fresh) => few.forEach((prefix) => fresh.termsOfPrefix(prefix)));
    expect([...ran.keys()].filter((sql) => sql.includes('devices_fts_instances'))).toHaveLength(1);
    expect([...ran.keys()].filter((sql) => sql.includes('devices_fts_terms'))).toEqual([]);
  });

  it('asks a prefix of a few terms as those terms, which FTS5 reads lazily instead of merging them first', () => {
    const several = [...prefixesByTermCount()].find(([, n]) => n > 1 && n <= MAX_PREFIX_TERMS)![0];
    const [match] = repository.selection({ text: several }).params as string[];
    expect(match).toBe(`(${index.termsOfPrefix(several)!.map((t) => `"${t}"`).join(' OR ')})`);
  });
});

describe('the search index follows every write to devices', () => {
  it('finds a device another writer inserts, by its new text, without being told', () => {
    db.prepare(
      `INSERT INTO devices (integration_key, guid, client_device_identifier, platform_type, registration_state, device_name, record_hash,
                            first_seen_at, last_seen_at, last_seen_run)
       SELECT integration_key, 'new-guid', 'FRESHID0001', 'ANDROID', 'ACTIVE', 'Quokka Phone', x'', 0, 0, last_seen_run FROM devices LIMIT 1`,
    ).run();
    expect(index.isBehind()).toBe(true);
    expect(found('quokka')).toHaveLength(1);
    expect(found('freshid')).toHaveLength(1);
    expect(index.isBehind()).toBe(false);
  });

  it('forgets the old text of a changed device and finds the new one', () => {
    const row = device("platform_type = 'ANDROID'");
    db.prepare("UPDATE devices SET device_name = 'Wombat Tablet', serial_number = 'WMB42' WHERE id = ?").run(row.id);
    expect(found('wombat')).toEqual([row.id]);
    expect(found('wmb42')).toEqual([row.id]);
    expect(found(row.serial_number!)).not.toContain(row.id);
  });

  it('does not re-index a device when a sync only marks it seen', () => {
    index.catchUp();
    db.prepare('UPDATE devices SET last_seen_at = last_seen_at + 1, last_seen_run = last_seen_run, last_checkin = 1').run();
    expect(index.isBehind()).toBe(false);
  });

  it('waits for another connection that holds the write lock, and indexes after it commits', async () => {
    index.catchUp();
    const row = device("platform_type = 'ANDROID'");
    db.prepare("UPDATE devices SET device_name = 'Numbat Watch' WHERE id = ?").run(row.id);
    expect(index.isBehind()).toBe(true);
    db.exec('CREATE TABLE IF NOT EXISTS bystander (x)');
    // Another connection takes the write lock, writes, and commits while the catch-up waits for it: a catch-up that read
    // before it asked for the lock would find its snapshot stale and fail at once (SQLITE_BUSY_SNAPSHOT).
    const locked = new Int32Array(new SharedArrayBuffer(4));
    const other = new Worker(
      `const { workerData } = require('node:worker_threads');
       const db = new (require(workerData.modulePath))(workerData.file);
       db.exec('BEGIN IMMEDIATE; INSERT INTO bystander VALUES (1)');
       const locked = new Int32Array(workerData.locked);
       Atomics.store(locked, 0, 1);
       Atomics.notify(locked, 0);
       Atomics.wait(locked, 0, 1, 300);
       db.exec('COMMIT');
       db.close();`,
      { eval: true, workerData: { modulePath: require.resolve('better-sqlite3'), file: db.name, locked: locked.buffer } },
    );
    const exited = new Promise((resolve) => other.once('exit', resolve));
    Atomics.wait(locked, 0, 0, 10_000);
    expect(Atomics.load(locked, 0)).toBe(1);
    expect(index.catchUp()).toBe(1);
    await exited;
    expect(db.prepare('SELECT count(*) FROM bystander').pluck().get()).toBe(1);
    expect(found('numbat')).toEqual([row.id]);
  });

  it('drops a deleted device from the index', () => {
    const row = device("platform_type = 'IOS'");
    db.prepare("UPDATE devices SET device_name = 'Platypus Pad' WHERE id = ?").run(row.id);
    expect(found('platypus')).toEqual([row.id]);
    db.prepare('DELETE FROM devices WHERE id = ?').run(row.id);
    expect(found('platypus')).toEqual([]);
    expect(db.prepare("SELECT count(*) FROM devices_fts WHERE devices_fts MATCH 'platypus'").pluck().get()).toBe(0);
  });
});

describe('the search index after a large backlog', () => {
  /** FTS5's segments: each holds its terms in devices_fts_idx, and every lookup seeks each one. */
  const segments = (on: Db) => on.prepare('SELECT count(DISTINCT segid) FROM devices_fts_idx').pluck().get() as number;
  const searches = ['ada', 'lovelace', 'galaxy', 'ip', 'acmecorp', 'pixel 7'];
  const answers = (on: DeviceRepository) => searches.map((text) => allPages(on, { text, sort: { column: 'lastCheckin', direction: 'desc' } }, 500));

  it('merges the index into one segment after a large catch-up, and finds the same devices', () => {
    const opened = openDeviceDatabase(tempDir());
    closeAfter(opened.db);
    seedDevices(opened.db, { count: 1500, seed: 'merge', referenceTime: NOW });
    // Caught up a few hundred at a time, as a sync's pages are: one segment or more per commit.
    const small = new DeviceSearchIndex(opened.db);
    for (let from = 0; from < 1500; from += 300) {
      opened.db.prepare("UPDATE devices SET device_name = device_name || ' x' WHERE id > ? AND id <= ?").run(from, from + 300);
      small.catchUp();
    }
    expect(segments(opened.db)).toBeGreaterThan(1);
    const before = answers(opened.repository);
    opened.db.prepare("UPDATE devices SET device_name = device_name || ' y'").run();
    expect(new DeviceSearchIndex(opened.db).catchUp()).toBeGreaterThanOrEqual(1000);
    // FTS5's own merges may leave that in one segment (they do since the index keeps no positions, migration 0025):
    // a few more small catch-ups leave several.
    for (let from = 0; from < 900; from += 300) {
      opened.db.prepare("UPDATE devices SET device_name = device_name || ' z' WHERE id > ? AND id <= ?").run(from, from + 300);
      small.catchUp();
    }
    expect(segments(opened.db)).toBeGreaterThan(1);
    expect(opened.index.merge()).toBeGreaterThan(0);
    expect(segments(opened.db)).toBe(1);
    expect(answers(opened.repository)).toEqual(before);
    expect(opened.index.merge()).toBe(0);
  });
});

describe('search over a real sync', () => {
  const simulator = useSimulatorsAfterEach();
  // Inside this block, so it runs before the file's hooks close the database and remove its folder.
  const shutDownAfterEach = useShutDownAfterEach();

  it('finds what the sync engine stored, indexed while it synced, with nothing left to index at the end', { timeout: 120_000 }, async () => {
    const tenant = await simulator({ devices: 1500, seed: 'searchable-sync' });
    const syncDb = closeAfter(openSyncDatabase(tempDir()));
    // The same wiring as the composition root: the engine indexes between its writes (here every 300 devices), and
    // the device services take the last ones when it finishes.
    const events = new EventBus();
    const services = createDeviceServices({
      db: syncDb,
      audit: new AuditLog(syncDb, () => new Date()),
      events,
      dataDir: tempDir(),
      now: () => new Date(),
      actor: 'test',
      syncIndexing: null,
    });
    let indexedDuringRun = 0;
    const engine = shutDownAfterEach(
      new SyncEngine({
        db: syncDb,
        events,
        now: () => new Date(),
        credentials: async () => ({ domain: tenant.domain, ...tenant.credentials }),
        connect: quickRetryingClient,
        maintenance: () => (indexedDuringRun += services.searchIndex.catchUp()),
        maintenanceEveryDevices: 300,
      }),
    );
    const run = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(run.status).toBe('completed');
    expect(indexedDuringRun).toBeGreaterThanOrEqual(1200);
    expect(services.searchIndex.isBehind()).toBe(false);
    const stored = syncDb.prepare("SELECT id, serial_number FROM devices WHERE serial_number IS NOT NULL AND serial_number <> '********' LIMIT 1").get() as {
      id: number;
      serial_number: string;
    };
    expect(services.devices.search({ text: stored.serial_number }, { offset: 0, limit: 10 }).map((r) => r.id)).toContain(stored.id);
    expect(services.devices.count({})).toBe(1500);
  });
});

describe('catching up a backlog', () => {
  const setting = (on: Db, k: string) => on.prepare('SELECT v FROM devices_fts_config WHERE k = ?').pluck().get(k) as number | undefined;
  const automerge = (on: Db) => setting(on, 'automerge');
  const segments = (on: Db) => on.prepare('SELECT count(DISTINCT segid) FROM devices_fts_idx').pluck().get() as number;
  const queued = (on: Db) => on.prepare('SELECT COUNT(*) FROM devices_fts_pending').pluck().get() as number;

  /**
   * 300 devices to index, queued with the ids of 50,000 devices deleted before they were indexed (past the last id):
   * more than one whole chunk of a backlog, as at the end of a bulk load, for the cost of a small table.
   */
  function behind(): { db: Db; repository: DeviceRepository } {
    const opened = openDeviceDatabase(tempDir());
    closeAfter(opened.db);
    seedDevices(opened.db, { count: 300, seed: 'backlog', referenceTime: NOW });
    opened.db
      .prepare('WITH RECURSIVE n (id) AS (SELECT 100001 UNION ALL SELECT id + 1 FROM n WHERE id < 150000) INSERT INTO devices_fts_pending (device_id, indexed) SELECT id, 0 FROM n WHERE true ON CONFLICT DO NOTHING')
      .run();
    // The index's own setting, which a backlog's chunks must give back.
    opened.db.exec("INSERT INTO devices_fts (devices_fts, rank) VALUES ('automerge', 5)");
    return opened;
  }

  it('merges nothing while a backlog is indexed, then all of it into one segment, and gives the index its settings back', () => {
    const { db: on, repository: searched } = behind();
    // FTS5 flushes its in-memory terms every ~4 KB: many segments out of 300 devices, as ~1,800 devices make at 1 MB.
    on.exec("INSERT INTO devices_fts (devices_fts, rank) VALUES ('hashsize', 4096)");
    // What the setting is while a device leaves the queue: the first device in the first chunk (a backlog's: more
    // than a chunk queued), the last id in the second (the rest, fewer).
    on.exec(`CREATE TEMP TABLE automerge_seen (device_id INTEGER, v INTEGER);
      CREATE TEMP TRIGGER automerge_seen AFTER DELETE ON main.devices_fts_pending WHEN old.device_id IN (1, 150000) BEGIN
        INSERT INTO automerge_seen SELECT old.device_id, v FROM devices_fts_config WHERE k = 'automerge';
      END;`);
    const uid = on.prepare('SELECT uid FROM devices WHERE uid IS NOT NULL ORDER BY id LIMIT 1').pluck().get() as string;
    const index = new DeviceSearchIndex(on);
    expect(index.catchUp(undefined, 1)).toBe(50_000);
    // Between the backlog's chunks (a kill may come here): its segments unmerged, the index marked as behind it.
    const unmerged = segments(on);
    expect(unmerged).toBeGreaterThan(16);
    expect(setting(on, 'crisismerge')).toBe(1999);
    expect(setting(on, 'automerge')).toBe(5);
    expect(index.catchUp()).toBe(300);
    expect(segments(on)).toBe(1);
    expect(on.prepare('SELECT device_id, v FROM automerge_seen ORDER BY device_id').raw().all()).toEqual([
      [1, 0],
      [150000, 0],
    ]);
    expect(setting(on, 'automerge')).toBe(5);
    expect(setting(on, 'crisismerge')).toBe(16);
    expect(queued(on)).toBe(0);
    expect(allPages(searched, { text: uid }, 500).length).toBeGreaterThan(0);
    expect(() => on.prepare("INSERT INTO devices_fts (devices_fts, rank) VALUES ('integrity-check', 0)").run()).not.toThrow();
  });

  it('merges as the index’s own setting says when no more than a chunk is queued', () => {
    const { db: on } = behind();
    on.exec("INSERT INTO devices_fts (devices_fts, rank) VALUES ('hashsize', 4096)");
    on.prepare('DELETE FROM devices_fts_pending WHERE device_id > 149700').run();
    expect(new DeviceSearchIndex(on).catchUp()).toBe(50_000);
    expect(setting(on, 'crisismerge')).toBeUndefined();
    expect(segments(on)).toBeLessThan(16);
  });

  it('leaves the index’s setting and its queue as they were when a chunk of a backlog fails', () => {
    const { db: on } = behind();
    on.exec(`CREATE TEMP TRIGGER fail_dequeue AFTER DELETE ON main.devices_fts_pending WHEN old.device_id = 1 BEGIN
      SELECT RAISE(ABORT, 'disk gone');
    END;`);
    const before = queued(on);
    expect(() => new DeviceSearchIndex(on).catchUp()).toThrow('disk gone');
    expect(automerge(on)).toBe(5);
    expect(queued(on)).toBe(before);
  });
});

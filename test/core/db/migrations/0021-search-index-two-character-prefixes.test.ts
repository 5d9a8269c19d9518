import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import type { DeviceQuery } from '../../../../src-shared/domain/device';
import { useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();
const NOW = Date.parse('2026-11-28T12:00:00Z');
const FIRST = ['Ada', 'Acme', 'Grace', 'Alan', 'Adèle', 'Lovisa', 'Loïc', 'Acmeville'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Lovell', 'Acker'];
const MODELS = [['Galaxy S23', 'samsung'], ['iPhone 15', 'Apple'], ['moto g', 'motorola'], ['Pixel 8', 'Google']];

/** A console at schema 20 with `count` devices whose text shares two- and three-character starts in many ways, indexed. */
function at20(count: number): Db {
  const db = databases.at(20);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at)
      VALUES ('i-1', 'Acme Android', 'ivanti-neurons', 'android', 'all-users', 'acmecorp.mobileiron.com', 'api@acme.example', 1, 1);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, 'i-1', 'manual', 'completed', 10, 20, 1);
  `);
  const insert = db.prepare(
    `INSERT INTO devices (id, tenant, integration_id, integration_key, guid, platform_type, registration_state, space_id, space_name, last_checkin,
                          record_hash, first_seen_at, last_seen_at, last_seen_run, uid, email, display_name, device_name, model, manufacturer,
                          wifi_mac, client_device_identifier, removed_at)
     VALUES (@id, 't', 'i-1', 1, 'guid-' || @id, 'ANDROID', 'ACTIVE', 1, 'Default Space', @checkin, x'00', 15, 20, 1, @uid, @uid, @name, @device,
             @model, @maker, @mac, @client, @removed)`,
  );
  const sight = db.prepare("INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run) VALUES (?, 'i-1', 1, 'Default Space', 15, 20, 1)");
  for (let id = 1; id <= count; id++) {
    const first = FIRST[id % FIRST.length]!;
    const last = LAST[(id * 7) % LAST.length]!;
    const [model, maker] = MODELS[(id * 3) % MODELS.length]!;
    // GDPR-masked users (every fifth) sort first by uid and match no name.
    const masked = id % 5 === 0;
    const hex = ((id * 2654435761) >>> 0).toString(16).padStart(8, '0');
    insert.run({
      id,
      checkin: NOW - id * 60_000,
      uid: masked ? '********' : `${first.toLowerCase()}.${last.toLowerCase()}${id}@acmecorp.example`,
      name: masked ? '********' : `${first} ${last}`,
      device: `${first}'s ${model}`,
      model,
      maker,
      mac: hex.match(/../g)!.join(':') + ':ac:e1',
      client: `${hex}acm${id}`,
      removed: id % 17 === 0 ? NOW : null,
    });
    sight.run(id);
  }
  new DeviceSearchIndex(db).catchUp();
  return db;
}

const TEXTS = ['ac', 'acm', 'acme', 'acmecorp', 'lo', 'lov', 'lovel', 'ad', 'adè', 'ada.lov', 'ada love', 'ga', 'gal', 'ip', 'mo', 'ac:e', 'ace1'];
const SORTS: DeviceQuery['sort'][] = [undefined, { column: 'uid', direction: 'asc' }, { column: 'model', direction: 'asc' }, { column: 'lastCheckin', direction: 'desc' }];

/** Every page of every text in every order, and the counts: what an admin searching sees. */
function answers(db: Db, probeCostRatio?: number): unknown {
  const repository = () => new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW), probeCostRatio);
  return TEXTS.map((text) => ({
    text,
    count: repository().count({ text }),
    pages: SORTS.map((sort) => [0, 30].map((offset) => repository().search({ text, sort }, { offset, limit: 30 }).map((r) => r.id))),
  }));
}

const ftsBytes = (db: Db) => db.prepare("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'devices_fts%'").pluck().get() as number;

describe('migration 0021: the search index keeps two-character prefixes only', () => {
  it('makes the index again with two-character prefixes, queues every device for it, and every search answers as before', () => {
    const before = at20(1_500);
    expect(new DeviceSearchIndex(before).indexedPrefix).toBe(3);
    const expected = answers(before);
    // The sorted keystroke's walk (a cost ratio of 1 makes it walk at this size) tests rows against the indexed prefix.
    expect(answers(before, 1)).toEqual(expected);
    const bytesBefore = ftsBytes(before);

    const db = databases.upgrade(before, 21);
    const index = new DeviceSearchIndex(db);
    expect(index.indexedPrefix).toBe(2);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'devices_fts'").pluck().get()).toMatch(/prefix = '2',/);
    expect(db.prepare('SELECT count(*) FROM devices_fts_pending WHERE indexed = 0').pluck().get()).toBe(1_500);
    expect(index.isBehind()).toBe(true);
    expect(answers(db)).toEqual(expected);
    expect(index.isBehind()).toBe(false);
    expect(answers(db, 1)).toEqual(expected);
    expect(ftsBytes(db)).toBeLessThan(bytesBefore);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('forgets what the old index held: a device queued to be dropped from it is only indexed', () => {
    const before = at20(40);
    // Written by a sync that the index has not caught up with: the old index holds an entry to drop first.
    before.prepare("UPDATE devices SET display_name = 'Zelda Zimmer' WHERE id = 3").run();
    expect(before.prepare('SELECT indexed FROM devices_fts_pending WHERE device_id = 3').pluck().get()).toBe(1);
    const db = databases.upgrade(before, 21);
    expect(db.prepare('SELECT count(*) FROM devices_fts_pending WHERE indexed = 1').pluck().get()).toBe(0);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(repository.search({ text: 'zelda' }, { offset: 0, limit: 10 }).map((r) => r.id)).toEqual([3]);
    expect(repository.count({ text: 'acmecorp' })).toBe(db.prepare("SELECT count(*) FROM devices WHERE removed_at IS NULL AND uid LIKE '%acmecorp%'").pluck().get());
  });
});

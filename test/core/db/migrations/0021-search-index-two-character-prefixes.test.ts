import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { ftsBytes, indexAnswers, indexForSearch, seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();
const at20 = (count: number) => seedSearchableDevices(databases.at(20), count);

const ids = (db: Db) => db.prepare('SELECT id FROM devices WHERE removed_at IS NULL ORDER BY id').pluck().all() as number[];
const TEXTS = ['ac', 'acm', 'acme', 'acmecorp', 'lo', 'lov', 'lovel', 'ad', 'adè', 'ada.lov', 'ada love', 'ga', 'gal', 'ip', 'mo', 'ac:e', 'ace1'];

describe('migration 0021: the search index keeps two-character prefixes only', () => {
  it('makes the index again with two-character prefixes, queues every device for it, and every search answers as before', () => {
    const before = at20(1_500);
    expect(new DeviceSearchIndex(before).indexedPrefix).toBe(3);
    // Answered by the index and SQL alone: the repository reads columns of later schemas.
    const expected = indexAnswers(before, TEXTS);
    // The sorted keystroke's walk tests rows one by one against the indexed prefix, and checks exactly what it accepts.
    const walked = (db: Db) => TEXTS.map((text) => new DeviceSearchIndex(db).matchingAmong(ids(db), text));
    const walkedBefore = walked(before);
    expect(walkedBefore.map((found) => found.length)).toEqual(expected.map((a) => a.count));
    const bytesBefore = ftsBytes(before);

    const db = databases.upgrade(before, 21);
    const index = new DeviceSearchIndex(db);
    expect(index.indexedPrefix).toBe(2);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'devices_fts'").pluck().get()).toMatch(/prefix = '2',/);
    expect(db.prepare('SELECT count(*) FROM devices_fts_pending WHERE indexed = 0').pluck().get()).toBe(1_500);
    expect(index.isBehind()).toBe(true);
    indexForSearch(db);
    expect(index.isBehind()).toBe(false);
    expect(indexAnswers(db, TEXTS)).toEqual(expected);
    expect(walked(db)).toEqual(walkedBefore);
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
    indexForSearch(db);
    expect(indexAnswers(db, ['zelda'])[0]!.pages[0]![0]).toEqual([3]);
    expect(indexAnswers(db, ['acmecorp'])[0]!.count).toBe(db.prepare("SELECT count(*) FROM devices WHERE removed_at IS NULL AND uid LIKE '%acmecorp%'").pluck().get());
  });
});

import { describe, expect, it } from 'vitest';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { ftsBytes, indexAnswers, NOW, searchAnswers, seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();
/** At schema 24: today's search code answers only after the upgrade to today's schema. */
const at24 = (count: number) => seedSearchableDevices(databases.at(24), count);

const TEXTS = ['ac', 'acm', 'acme', 'acmecorp', 'lo', 'lov', 'lovel', 'ad', 'adè', 'ADÈLE.LOV', 'adele.lov', 'ada.lov', 'ada.lovelace', 'lovelace.ada', 'ada.acmecorp', 'ada acmecorp', 'ada love',
  'ga', 'gal', 'galaxy.s2', 's23.galaxy', 's23 galaxy', 'ip', 'mo', 'ac:e', 'ac:e1', 'e1:ac', 'ace1', 'acmecorp.example ada.l', "ada's.gal", 'loïc.hop', 'loïc.lovelace'];
describe('migration 0025: the search index keeps no token positions', () => {
  it('makes the index again without positions, queues every device for it, and every search answers as before', () => {
    const before = at24(1_500);
    expect(new DeviceSearchIndex(before).indexedPrefix).toBe(2);
    // What the old index answers, from SQL alone: today's search code needs today's schema (sightings keyed by
    // integration since migration 32), so it answers after the upgrade.
    const expected = indexAnswers(before, TEXTS);
    // The several-token words tell: some find devices, and the reversed or apart ones find none of those their tokens do.
    const counted = Object.fromEntries(expected.map((a) => [a.text, a.count]));
    for (const text of ['ada.lov', 'ADÈLE.LOV', 'adele.lov', 'galaxy.s2', 'ac:e1', 'loïc.hop']) expect(counted[text], text).toBeGreaterThan(0);
    for (const [apart, together] of [['ada acmecorp', 'ada.acmecorp'], ['s23 galaxy', 's23.galaxy']] as const) {
      expect(counted[apart], apart).toBeGreaterThan(0);
      expect(counted[together], together).toBe(0);
    }
    const bytesBefore = ftsBytes(before);

    const at25 = databases.upgrade(before, 25);
    expect(at25.prepare("SELECT sql FROM sqlite_schema WHERE name = 'devices_fts'").pluck().get()).toMatch(/detail = none,/);
    expect(at25.prepare('SELECT count(*) FROM devices_fts_pending WHERE indexed = 0').pluck().get()).toBe(1_500);
    const db = databases.upgrade(at25);
    const index = new DeviceSearchIndex(db);
    expect(index.indexedPrefix).toBe(2);
    expect(index.isBehind()).toBe(true);
    expect(searchAnswers(db, TEXTS)).toEqual(expected);
    expect(index.isBehind()).toBe(false);
    expect(searchAnswers(db, TEXTS, 1)).toEqual(expected);
    expect(ftsBytes(db)).toBeLessThan(bytesBefore * 0.7);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('forgets what the old index held: a device queued to be dropped from it is only indexed', () => {
    const before = at24(40);
    // Written by a sync that the index has not caught up with: the old index holds an entry to drop first.
    before.prepare("UPDATE devices SET display_name = 'Zelda Zimmer' WHERE id = 3").run();
    expect(before.prepare('SELECT indexed FROM devices_fts_pending WHERE device_id = 3').pluck().get()).toBe(1);
    const at25 = databases.upgrade(before, 25);
    expect(at25.prepare('SELECT count(*) FROM devices_fts_pending WHERE indexed = 1').pluck().get()).toBe(0);
    const db = databases.upgrade(at25);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date(NOW));
    expect(repository.search({ text: 'zelda' }, { offset: 0, limit: 10 }).map((r) => r.id)).toEqual([3]);
    expect(repository.count({ text: 'acmecorp' })).toBe(db.prepare("SELECT count(*) FROM devices WHERE removed_at IS NULL AND uid LIKE '%acmecorp%'").pluck().get());
  });
});

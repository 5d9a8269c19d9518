import { describe, expect, it } from 'vitest';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { sortMarkersOf } from '../../../../src-main/core/devices/device-sort-markers';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { devicesHoldingMarkers, indexAnswers, indexForSearch, NOW, searchAnswers, seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();
/** Seeded at schema 24 (the seed's insert is of that schema), upgraded to 34 and indexed as a console of 34 indexed. */
const at34 = (count: number) => indexForSearch(databases.upgrade(seedSearchableDevices(databases.at(24), count), 34));

const TEXTS = ['ac', 'acm', 'acmecorp', 'lov', 'ada.lov', 'ADÈLE.LOV', 'galaxy.s2', 's23 galaxy', 'ip', 'iphone', 'ac:e1', 'loïc.hop'];

describe('migration 0035: sort markers in the search index', () => {
  it('makes the index again with a column of sort markers, queues every device for it, and every search answers as before', () => {
    const before = at34(1_200);
    const expected = indexAnswers(before, TEXTS, false);
    expect(expected.filter((a) => a.count > 0).length).toBeGreaterThan(TEXTS.length / 2);

    const at35 = databases.upgrade(before, 35);
    expect(at35.prepare("SELECT sql FROM sqlite_schema WHERE name = 'devices_fts'").pluck().get()).toMatch(/model, sorts,[\s\S]*detail = none,[\s\S]*prefix = '2'/);
    expect(at35.prepare('SELECT count(*) FROM devices_fts_pending WHERE indexed = 0').pluck().get()).toBe(1_200);
    const db = databases.upgrade(at35);
    const index = new DeviceSearchIndex(db);
    expect(index.isBehind()).toBe(true);
    // Resumable: the queue is applied a chunk at a time, each its own transaction.
    expect(searchAnswers(db, TEXTS)).toEqual(expected);
    expect(index.isBehind()).toBe(false);
    expect(searchAnswers(db, TEXTS, 1)).toEqual(expected);
    // The vocabulary tables over the index (migrations 0030, 0031) read the new one.
    expect(index.termsOfPrefix('lovi')).toEqual(['lovisa']);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('gives every device the markers of its sort values, and keeps them when those values change', () => {
    const db = databases.upgrade(at34(60));
    const index = new DeviceSearchIndex(db);
    index.catchUp();
    const holding = (column: Parameters<typeof sortMarkersOf>[0], id: number) => {
      const marks = db.prepare(`SELECT ${sortMarkersOf(column)} FROM devices d WHERE id = ?`).pluck().get(id) as string;
      return devicesHoldingMarkers(db, marks);
    };
    const masked = db.prepare("SELECT id FROM devices WHERE uid = '********' ORDER BY id").pluck().all() as number[];
    expect(masked.length).toBe(12);
    // Masked users hold no e-mail domain and no family name: no device of their run matches.
    expect(holding('uid', masked[0]!)).toEqual([]);
    const queued = db.prepare('SELECT indexed FROM devices_fts_pending WHERE device_id = ?').pluck();
    for (const [column, change] of [
      ['platform_type', "platform_type = 'IOS'"],
      ['integration_key', 'integration_key = 2'],
      ['space_key', 'space_key = 2'],
      ['uid', "uid = 'ada.lovelace@acmecorp.example'"],
    ] as const) {
      db.prepare(`UPDATE devices SET ${change} WHERE id = ?`).run(masked[1]);
      expect(queued.get(masked[1]), column).toBe(1);
      index.catchUp();
    }
    const platformOf = (id: number) => holding('platform_type', id);
    expect(platformOf(masked[1]!)).toContain(masked[1]);
    // The masked device, now named, holds the markers of its new uid, and the masked run still holds no match.
    expect(holding('uid', masked[1]!)).toContain(masked[1]);
    expect(holding('uid', masked[0]!)).toEqual([]);
    // A check-in or a compliance change writes no marker: the device is not queued.
    db.prepare('UPDATE devices SET last_checkin = last_checkin + 1, compliant = 0 WHERE id = ?').run(masked[2]);
    expect(queued.get(masked[2])).toBeUndefined();
    const repository = new DeviceRepository(db, index, () => new Date(NOW), 1);
    expect(repository.search({ text: 'ada.lovelace@acmecorp', sort: { column: 'uid', direction: 'asc' } }, { offset: 0, limit: 5 }).map((r) => r.id)).toContain(masked[1]);
  });
});

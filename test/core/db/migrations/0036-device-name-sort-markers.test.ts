import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { DeviceRepository } from '../../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex, INDEXED_TEXT_SQL } from '../../../../src-main/core/devices/device-search-index';
import { ftsMatchExpression, PHRASE_CHECK, searchWords } from '../../../../src-main/core/devices/device-search-text';
import { orderDevices } from '../../../../src-main/core/devices/device-selection';
import { sortMarkersOf } from '../../../../src-main/core/devices/device-sort-markers';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { devicesHoldingMarkers, indexAnswers, indexForSearch, NOW, searchAnswers, seedSearchableDevices } from './searchable-devices';

const databases = useDatabaseAtVersion();
/** Seeded at schema 24 (the seed's insert is of that schema), upgraded to 35 and indexed as a console of 35 indexed. */
const at35 = (count: number) => indexForSearch(databases.upgrade(seedSearchableDevices(databases.at(24), count), 35));

const TEXTS = ['ac', 'acm', 'gr', 'grace', 'lov', 'ada.lov', 'ADÈLE.LOV', 'galaxy.s2', 'ip', 'iphone', "ada's", 'loïc.hop'];
const BY_NAME = [
  { column: 'deviceName', direction: 'asc' },
  { column: 'deviceName', direction: 'desc' },
] as const;

/** The first page of each text by device name, both directions, from SQL alone (the rows every search must keep). */
function pagesByName(db: Db, texts: readonly string[]): number[][] {
  return texts.flatMap((text) =>
    BY_NAME.map(
      (sort) =>
        db
          .prepare(
            `SELECT d.id FROM devices d WHERE d.id IN (SELECT rowid FROM devices_fts WHERE devices_fts MATCH ?) AND ${PHRASE_CHECK}(?, ${INDEXED_TEXT_SQL.join(', ')})
               AND d.removed_at IS NULL ${orderDevices(sort, false)} LIMIT 40`,
          )
          .pluck()
          .all(ftsMatchExpression(text), JSON.stringify(searchWords(text))) as number[],
    ),
  );
}

describe('migration 0036: sort markers of the folded device name', () => {
  it('makes the index again, queues every device for it, and every search answers as before, by device name too', () => {
    const before = at35(1_200);
    const expected = indexAnswers(before, TEXTS, false);
    const expectedByName = pagesByName(before, TEXTS);
    expect(expected.filter((a) => a.count > 0).length).toBeGreaterThan(TEXTS.length / 2);

    const at36 = databases.upgrade(before, 36);
    expect(at36.prepare("SELECT sql FROM sqlite_schema WHERE name = 'devices_fts'").pluck().get()).toMatch(/model, sorts,[\s\S]*detail = none,[\s\S]*prefix = '2'/);
    expect(at36.prepare('SELECT count(*) FROM devices_fts_pending WHERE indexed = 0').pluck().get()).toBe(1_200);
    expect(at36.prepare('SELECT count(*) FROM devices_fts').pluck().get()).toBe(0);
    const db = databases.upgrade(at36);
    const index = new DeviceSearchIndex(db);
    expect(index.isBehind()).toBe(true);
    expect(searchAnswers(db, TEXTS)).toEqual(expected);
    expect(index.isBehind()).toBe(false);
    expect(searchAnswers(db, TEXTS, 1)).toEqual(expected);
    for (const probeCostRatio of [undefined, 1]) {
      const repository = () => new DeviceRepository(db, index, () => new Date(NOW), probeCostRatio);
      const pages = TEXTS.flatMap((text) => BY_NAME.map((sort) => repository().search({ text, sort }, { offset: 0, limit: 40 }).map((r) => r.id)));
      expect(pages).toEqual(expectedByName);
    }
    expect(index.termsOfPrefix('lovi')).toEqual(['lovisa']);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('gives every device the markers of its folded name, and keeps them when the folded name changes without the name', () => {
    const db = databases.upgrade(at35(60));
    const index = new DeviceSearchIndex(db);
    index.catchUp();
    const markersOf = (id: number) => db.prepare(`SELECT ${sortMarkersOf('device_name_key')} FROM devices d WHERE id = ?`).pluck().get(id) as string;
    const holding = (marks: string) => devicesHoldingMarkers(db, marks);
    // `Grace's moto g`: the devices of one folded name (first character and length) hold its markers, others do not.
    const graces = db.prepare("SELECT id FROM devices WHERE device_name_key = 'grace''s moto g' AND uid <> '********' ORDER BY id").pluck().all() as number[];
    expect(graces.length).toBeGreaterThan(1);
    const grace = markersOf(graces[0]!);
    expect(grace.split(' ')).toHaveLength(2);
    expect(holding(grace)).toEqual(expect.arrayContaining(graces));
    const adas = db.prepare("SELECT id FROM devices WHERE device_name_key LIKE 'ada''s%' AND uid <> '********' ORDER BY id").pluck().all() as number[];
    expect(holding(grace).filter((id) => adas.includes(id))).toEqual([]);

    // A key of its own (the sync writes one where lower() does not fold the name as deviceNameSortKey does): the device
    // is queued, and once indexed holds the new key's markers and no longer the old ones.
    const queued = db.prepare('SELECT indexed FROM devices_fts_pending WHERE device_id = ?').pluck();
    const renamed = graces[1]!;
    db.prepare("UPDATE devices SET device_name_key_override = 'zoë''s iphone' WHERE id = ?").run(renamed);
    expect(queued.get(renamed)).toBe(1);
    index.catchUp();
    expect(holding(markersOf(renamed))).toContain(renamed);
    expect(markersOf(renamed)).not.toBe(grace);
    expect(holding(grace)).not.toContain(renamed);
    // A check-in or a compliance change writes no marker: the device is not queued.
    db.prepare('UPDATE devices SET last_checkin = last_checkin + 1, compliant = 0 WHERE id = ?').run(graces[0]);
    expect(queued.get(graces[0])).toBeUndefined();
  });
});

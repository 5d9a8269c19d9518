import { describe, expect, it } from 'vitest';
import { DeviceSearchIndex, MAX_PREFIX_TERMS } from '../../../../src-main/core/devices/device-search-index';
import { schemaDump, useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();

describe('migration 0031: the search index terms, one seek each', () => {
  it('yields each term the search index holds with its devices, from the index itself, storing nothing', () => {
    const db = databases.at(30);
    // Index entries as the catch-up writes them (the FTS table is contentless: its text lives only in the index).
    db.exec(`INSERT INTO devices_fts (rowid, user, name, model) VALUES (1, 'ada.lovelace1@acmecorp.example', 'Ada Lovelace', 'Pixel 8 Google'),
                                                                      (2, 'grace.hopper2@acmecorp.example', 'Grace Hopper', 'iPhone 15 Apple')`);
    const before = schemaDump(db);
    const upgraded = databases.upgrade(db, 31);
    // The first term from a given one on, one row: what the search asks it.
    const next = upgraded.prepare('SELECT term FROM devices_fts_instances WHERE term >= ? AND term < ? LIMIT 1').pluck();
    expect(next.get('acm', 'acn')).toBe('acmecorp');
    expect(next.get('acmecorp\0', 'acn')).toBeUndefined();
    expect(upgraded.prepare("SELECT term, doc FROM devices_fts_instances WHERE term IN ('acmecorp', 'ada', 'hopper2') ORDER BY term, doc").all()).toEqual([
      { term: 'acmecorp', doc: 1 },
      { term: 'acmecorp', doc: 2 },
      { term: 'ada', doc: 1 },
      { term: 'hopper2', doc: 2 },
    ]);
    // One virtual table, no shadow table of its own: it reads devices_fts.
    const added = schemaDump(upgraded).split('\n').filter((line) => !before.includes(line));
    expect(added.filter((line) => /CREATE/i.test(line))).toEqual([expect.stringMatching(/CREATE VIRTUAL TABLE devices_fts_instances USING fts5vocab\(devices_fts, instance\)/)]);
    const index = new DeviceSearchIndex(upgraded);
    expect(index.termsOfPrefix('lov')).toEqual(['lovelace', 'lovelace1']);
    expect(index.termsOfPrefix('acm')).toEqual(['acmecorp']);
    expect(index.termsOfPrefix('xyz')).toEqual([]);
    expect(index.termsOfPrefix('ac')).toBeNull();
  });

  it('lists exactly the terms of every prefix, sought or counted, with devices dropped from the index', () => {
    const db = databases.upgrade(databases.at(0));
    // Prefixes of 1 to 70 terms, around the sought terms' number and the most a prefix is asked as; one term of every
    // device, and one term left with no device at all once its only device is dropped.
    const insert = db.prepare('INSERT INTO devices_fts (rowid, user, name) VALUES (?, ?, ?)');
    let rowid = 0;
    for (let terms = 1; terms <= MAX_PREFIX_TERMS + 6; terms++) {
      for (let t = 0; t < terms; t++) insert.run(++rowid, `p${terms}q${String(t).padStart(2, '0')}`, `common p${terms}r`);
    }
    insert.run(++rowid, 'p1qgone', 'common');
    db.prepare('DELETE FROM devices_fts WHERE rowid = ?').run(rowid);
    db.prepare('DELETE FROM devices_fts WHERE rowid = ?').run(3);
    const counted = db.prepare('SELECT term FROM devices_fts_terms WHERE term >= ? AND term < ?').pluck();
    const index = new DeviceSearchIndex(db);
    for (let terms = 1; terms <= MAX_PREFIX_TERMS + 6; terms++) {
      const prefix = `p${terms}q`;
      const all = counted.all(prefix, `p${terms}r`) as string[];
      expect(all.length, prefix).toBe(terms - (terms === 2 ? 1 : 0));
      expect(index.termsOfPrefix(prefix), prefix).toEqual(all.length > MAX_PREFIX_TERMS ? null : all);
    }
    expect(index.termsOfPrefix('com')).toEqual(['common']);
    expect(index.termsOfPrefix('p1q')).toEqual(['p1q00']);
  });
});

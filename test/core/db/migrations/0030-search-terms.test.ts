import { describe, expect, it } from 'vitest';
import { DeviceSearchIndex } from '../../../../src-main/core/devices/device-search-index';
import { schemaDump, useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();

describe('migration 0030: the search index terms, readable', () => {
  it('lists the terms the search index holds, from the index itself, storing nothing', () => {
    const db = databases.at(29);
    // Index entries as the catch-up writes them (the FTS table is contentless: its text lives only in the index).
    db.exec(`INSERT INTO devices_fts (rowid, user, name, model) VALUES (1, 'ada.lovelace1@acmecorp.example', 'Ada Lovelace', 'Pixel 8 Google'),
                                                                      (2, 'grace.hopper2@acmecorp.example', 'Grace Hopper', 'iPhone 15 Apple')`);
    const before = schemaDump(db);
    const upgraded = databases.upgrade(db, 30);
    expect(upgraded.prepare('SELECT term FROM devices_fts_terms WHERE term >= ? AND term < ?').pluck().all('acm', 'acn')).toEqual(['acmecorp']);
    expect(upgraded.prepare("SELECT term, doc FROM devices_fts_terms WHERE term IN ('ada', 'google', 'lovelace1', 'pixel')").all()).toEqual([
      { term: 'ada', doc: 1 },
      { term: 'google', doc: 1 },
      { term: 'lovelace1', doc: 1 },
      { term: 'pixel', doc: 1 },
    ]);
    // One virtual table, no shadow table of its own: it reads devices_fts.
    const added = schemaDump(upgraded).split('\n').filter((line) => !before.includes(line));
    expect(added.filter((line) => /CREATE/i.test(line))).toEqual([expect.stringMatching(/CREATE VIRTUAL TABLE devices_fts_terms USING fts5vocab\(devices_fts, row\)/)]);
    // What the search asks it (with migration 0031's seeks, today's code): the terms a typed prefix stands for (the
    // prefix index answers two characters itself).
    const latest = databases.upgrade(upgraded);
    // Migration 0035 made the index again, empty, for the catch-up to fill: the same entries.
    latest.exec(`INSERT INTO devices_fts (rowid, user, name, model) VALUES (1, 'ada.lovelace1@acmecorp.example', 'Ada Lovelace', 'Pixel 8 Google'),
                                                                          (2, 'grace.hopper2@acmecorp.example', 'Grace Hopper', 'iPhone 15 Apple')`);
    const index = new DeviceSearchIndex(latest);
    expect(index.termsOfPrefix('lov')).toEqual(['lovelace', 'lovelace1']);
    expect(index.termsOfPrefix('hop')).toEqual(['hopper', 'hopper2']);
    expect(index.termsOfPrefix('xyz')).toEqual([]);
    expect(index.termsOfPrefix('ac')).toBeNull();
  });
});

import type { Migration } from '../migration';

/**
 * A smaller search index (issue 19): `devices_fts` keeps a prefix index of two characters only, no longer of three
 * (migration 0004 declared `prefix = '2 3'`). The three-character prefix index held a copy of every row id under
 * every three-character start of a token, about 80 bytes a device, and bought nothing measurable at a million devices:
 * a three-character keystroke lists its matches by merging the terms that start with it, and testing one row against
 * it (the sorted keystroke's walk) tests the two-character prefix and checks the few rows that pass exactly
 * (DeviceSearchIndex.matchingAmong reads the declared prefixes). Figures in the commit that added this migration.
 *
 * An FTS5 table's options cannot be altered: the table is made again, empty, and every device is queued for it as
 * migration 0004 queued them (`indexed = 0`: the new table holds no entry to drop first). The search index applies
 * the queue in bulk before the next search, in the sync worker when there is one (DeviceServices.indexReady).
 */
export const searchIndexTwoCharacterPrefixes: Migration = {
  version: 21,
  name: 'search index with two-character prefixes only',
  up(db) {
    db.exec(`
      DROP TABLE devices_fts;
      CREATE VIRTUAL TABLE devices_fts USING fts5(
        identifier, serial, imei, udid, mac, user, email, name, model,
        content = '',
        contentless_delete = 1,
        prefix = '2',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO devices_fts_pending (device_id, indexed) SELECT id, 0 FROM devices WHERE true
        ON CONFLICT (device_id) DO UPDATE SET indexed = 0;
    `);
  },
};

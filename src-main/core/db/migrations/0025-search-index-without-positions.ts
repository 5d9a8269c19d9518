import type { Migration } from '../migration';

/**
 * A smaller search index (issue 19): `devices_fts` keeps which devices hold each term and no longer where
 * (`detail = none`; it kept every token's column and offset). Measured on the search benchmark's 100,000 devices,
 * built as a catch-up builds it: 354 → 167 bytes a device (`detail = column`, which keeps the columns: 258). The
 * explorer never asks for a column, and the one thing positions answered, whether the tokens of a typed word such as
 * `ada.lov` or `aa:bb:cc` stand together in order, is now tested on the device's own text, for the rows the index
 * matched only (device-search-text.ts, registerPhraseCheck). `columnsize = 0` would save another 20 bytes but cannot
 * be combined with `contentless_delete`, which lets the index drop a changed device's entry without its old text.
 *
 * An FTS5 table's options cannot be altered: the table is made again, empty, and every device is queued for it as
 * migration 0021 did (`indexed = 0`: the new table holds no entry to drop first). The search index applies the queue in
 * bulk before the next search, in the sync worker when there is one (DeviceServices.indexReady).
 */
export const searchIndexWithoutPositions: Migration = {
  version: 25,
  name: 'search index without token positions',
  up(db) {
    db.exec(`
      DROP TABLE devices_fts;
      CREATE VIRTUAL TABLE devices_fts USING fts5(
        identifier, serial, imei, udid, mac, user, email, name, model,
        content = '',
        contentless_delete = 1,
        detail = none,
        prefix = '2',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO devices_fts_pending (device_id, indexed) SELECT id, 0 FROM devices WHERE true
        ON CONFLICT (device_id) DO UPDATE SET indexed = 0;
    `);
  },
};

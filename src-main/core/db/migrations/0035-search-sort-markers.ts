import type { Migration } from '../migration';

/**
 * Sort markers in the search index (issue 19, the sorted keystroke): `devices_fts` gets a tenth column, `sorts`, which
 * holds for each device one-character tokens standing for its values of the sort columns that have long runs of equal
 * values (the masked `********` users, a third of the devices; one platform's devices before the other's). The sorted keystroke's walk asks the index whether any device of such a run matches the text before it
 * tests the run's rows one by one, and steps over the run when none does (device-sort-markers.ts writes and reads the
 * tokens; this migration only makes room for them and keeps them current).
 *
 * An FTS5 table's columns cannot be altered: the table is made again, empty, and every device is queued for it as
 * migrations 0021 and 0025 did (`indexed = 0`: the new table holds no entry to drop first); the search index applies
 * the queue in chunks before the next search, each chunk its own transaction (resumable after a kill). The update
 * trigger also queues a device whose marked values change (platform, integration, space): a stale marker would
 * step over a run that does hold a match.
 */
export const searchSortMarkers: Migration = {
  version: 35,
  name: 'search index sort markers',
  up(db) {
    db.exec(`
      DROP TABLE devices_fts;
      CREATE VIRTUAL TABLE devices_fts USING fts5(
        identifier, serial, imei, udid, mac, user, email, name, model, sorts,
        content = '',
        contentless_delete = 1,
        detail = none,
        prefix = '2',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      DROP TRIGGER devices_fts_queue_update;
      CREATE TRIGGER devices_fts_queue_update AFTER UPDATE OF client_device_identifier, serial_number, imei, udid, wifi_mac, uid, email, display_name, device_name, model, manufacturer, platform_type, integration_key, space_key ON devices WHEN old.client_device_identifier IS NOT new.client_device_identifier OR old.serial_number IS NOT new.serial_number OR old.imei IS NOT new.imei OR old.udid IS NOT new.udid OR old.wifi_mac IS NOT new.wifi_mac OR old.uid IS NOT new.uid OR old.email IS NOT new.email OR old.display_name IS NOT new.display_name OR old.device_name IS NOT new.device_name OR old.model IS NOT new.model OR old.manufacturer IS NOT new.manufacturer OR old.platform_type IS NOT new.platform_type OR old.integration_key IS NOT new.integration_key OR old.space_key IS NOT new.space_key BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (new.id, 1) ON CONFLICT DO NOTHING;
      END;
      INSERT INTO devices_fts_pending (device_id, indexed) SELECT id, 0 FROM devices WHERE true
        ON CONFLICT (device_id) DO UPDATE SET indexed = 0;
    `);
  },
};

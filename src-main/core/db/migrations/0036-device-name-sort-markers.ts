import type { Migration } from '../migration';

/**
 * Sort markers for the device name order (issue 19, the sorted keystroke): the search index's `sorts` column (migration
 * 0035) also holds two markers of a device's folded name, `device_name_key` (migrations 0011, 0033): its first
 * character and its length. The sorted keystroke's walk by name then asks the index whether any device of a long run of
 * one name matches the text before it tests the run's rows, as it does by uid and display name (device-sort-markers.ts
 * writes and reads the tokens; this migration only makes room for them and keeps them current).
 *
 * Every device's markers change, so the index is made again, empty, and every device is queued for it as migration 0035
 * did (`indexed = 0`: the new table holds no entry to drop first, where dropping a million entries one by one from a
 * contentless_delete table would cost more than indexing them); the search index applies the queue in chunks before the
 * next search, each chunk its own transaction (resumable after a kill). The update trigger also queues a device whose
 * folded name changes without its name (`device_name_key_override`, which the sync writes beside the name): a stale
 * marker would step over a run that does hold a match.
 */
export const deviceNameSortMarkers: Migration = {
  version: 36,
  name: 'device name sort markers',
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
      CREATE TRIGGER devices_fts_queue_update AFTER UPDATE OF client_device_identifier, serial_number, imei, udid, wifi_mac, uid, email, display_name, device_name, device_name_key_override, model, manufacturer, platform_type, integration_key, space_key ON devices WHEN old.client_device_identifier IS NOT new.client_device_identifier OR old.serial_number IS NOT new.serial_number OR old.imei IS NOT new.imei OR old.udid IS NOT new.udid OR old.wifi_mac IS NOT new.wifi_mac OR old.uid IS NOT new.uid OR old.email IS NOT new.email OR old.display_name IS NOT new.display_name OR old.device_name IS NOT new.device_name OR old.device_name_key_override IS NOT new.device_name_key_override OR old.model IS NOT new.model OR old.manufacturer IS NOT new.manufacturer OR old.platform_type IS NOT new.platform_type OR old.integration_key IS NOT new.integration_key OR old.space_key IS NOT new.space_key BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (new.id, 1) ON CONFLICT DO NOTHING;
      END;
      INSERT INTO devices_fts_pending (device_id, indexed) SELECT id, 0 FROM devices WHERE true
        ON CONFLICT (device_id) DO UPDATE SET indexed = 0;
    `);
  },
};

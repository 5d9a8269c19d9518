import type { Migration } from '../migration';

/**
 * Device search: a full-text index over the fields an admin pastes or types, indexes for the explorer's filters and
 * sorts, and saved searches.
 *
 * - `devices_fts` is contentless (the text lives in `devices`) with `contentless_delete=1` (SQLite ≥ 3.43), so an entry
 *   can be dropped by rowid without replaying its old text. What goes into it is decided in one place,
 *   core/devices/device-search-index.ts.
 * - Triggers do not write the FTS table themselves: an FTS5 write inside a trigger runs under a statement savepoint,
 *   and FTS5 flushes its in-memory terms to disk at every savepoint, which made each device insert ~5x slower
 *   (measured: 116 µs vs 26 µs a row). Instead they queue the row id in `devices_fts_pending` (a plain table, written
 *   in the same transaction as the device, so a crash loses nothing), and the search index applies the queue in bulk
 *   before every search and after sync pages.
 * - The update trigger fires only when an indexed value really changed: a sync touches `last_seen_*` of every device
 *   on every run, and re-indexing a million rows for that would be waste.
 * - The update trigger's columns are those whose values feed the FTS index (core/devices/device-search-index.ts).
 * - Every sortable column has an index so a sorted page reads 100 index entries instead of sorting a million rows;
 *   SQLite appends the rowid to every index entry, which is exactly the explorer's tie-break (ORDER BY col, id). They
 *   are partial (current devices only, what the explorer shows unless asked otherwise): smaller, and skipping to a
 *   deep offset walks the index alone, without reading the 2 KB rows to check `removed_at`.
 * - `devices_facets` covers every filter column, so counts and chart facets never read the wide rows. Its last column,
 *   `has_client_id`, is a virtual generated column (whether the device has a Device Client ID): with it, counting
 *   trusted devices needs no row either (an index on the expression itself was not used as covering: 4.3 s vs 0.15 s
 *   for a million devices).
 * - Each sort index is the sorted column followed by the explorer's equality filters, so a filtered, sorted page is
 *   checked inside the index (why, and the runtime's copy of these names: core/devices/device-selection.ts).
 *
 * Written out literally (it was generated from lists the runtime imported until issue 16): a migration is
 * self-contained and never edited; test/core/db/migrations/schema-v5.test.ts holds the schema it creates to its hash.
 */
export const deviceSearch: Migration = {
  version: 4,
  name: 'device full-text search, explorer indexes, saved searches',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE devices_fts USING fts5(
        identifier, serial, imei, udid, mac, user, email, name, model,
        content = '',
        contentless_delete = 1,
        prefix = '2 3',
        tokenize = 'unicode61 remove_diacritics 2'
      );

      -- Devices whose index entry is missing or stale. indexed = 1: the FTS table holds an entry that must go first.
      CREATE TABLE devices_fts_pending (
        device_id INTEGER PRIMARY KEY,
        indexed   INTEGER NOT NULL
      ) STRICT;

      CREATE TRIGGER devices_fts_queue_insert AFTER INSERT ON devices BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (new.id, 0) ON CONFLICT DO NOTHING;
      END;

      CREATE TRIGGER devices_fts_queue_update AFTER UPDATE OF client_device_identifier, serial_number, imei, udid, wifi_mac, uid, email, display_name, device_name, model, manufacturer ON devices WHEN old.client_device_identifier IS NOT new.client_device_identifier OR old.serial_number IS NOT new.serial_number OR old.imei IS NOT new.imei OR old.udid IS NOT new.udid OR old.wifi_mac IS NOT new.wifi_mac OR old.uid IS NOT new.uid OR old.email IS NOT new.email OR old.display_name IS NOT new.display_name OR old.device_name IS NOT new.device_name OR old.model IS NOT new.model OR old.manufacturer IS NOT new.manufacturer BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (new.id, 1) ON CONFLICT DO NOTHING;
      END;

      CREATE TRIGGER devices_fts_queue_delete AFTER DELETE ON devices BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (old.id, 1) ON CONFLICT DO NOTHING;
      END;

      INSERT INTO devices_fts_pending (device_id, indexed) SELECT id, 0 FROM devices;

      -- Virtual (computed on read, stored only in the indexes below), for the trusted-device filter.
      ALTER TABLE devices ADD COLUMN has_client_id INTEGER AS (client_device_identifier IS NOT NULL) VIRTUAL;
      CREATE INDEX devices_by_device_name ON devices (device_name, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_display_name ON devices (display_name, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_uid ON devices (uid, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_client_device_identifier ON devices (client_device_identifier, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_serial_number ON devices (serial_number, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_model ON devices (model, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_platform_type ON devices (platform_type, integration_id, space_name, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_registration_state ON devices (registration_state, integration_id, space_name, platform_type, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_compliant ON devices (compliant, integration_id, space_name, platform_type, registration_state, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_space_name ON devices (space_name, integration_id, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_integration_id ON devices (integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_by_last_checkin ON devices (last_checkin, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
      CREATE INDEX devices_facets ON devices (removed_at, integration_id, platform_type, registration_state, compliant, last_checkin, space_name, has_client_id);

      CREATE TABLE saved_searches (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        -- JSON of a DeviceQuery (src-shared/domain/device.ts), parsed again on load
        query      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX saved_searches_name ON saved_searches (name COLLATE NOCASE);
    `);
  },
};

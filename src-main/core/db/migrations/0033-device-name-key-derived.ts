import type { Migration } from '../migration';

/**
 * The explorer's folded name computed from the name instead of stored beside it (issue 19), as migration 0024 did for
 * the identifier's key: migration 0011's `device_name_key` held the name a second time in every row (~21 bytes a
 * device), and for the names the tenants send (ASCII) deviceNameSortKey gives exactly SQLite's lower() of it. It
 * becomes a VIRTUAL column, `COALESCE(device_name_key_override, lower(device_name))`, still indexed by
 * `devices_by_device_name_key` (the name order reads and walks the index as before). `device_name_key_override` holds
 * the key only where lower(), which folds A-Z alone (better-sqlite3 builds SQLite without ICU), does not give
 * deviceNameSortKey's result: accents, non-ASCII capitals, folded letters (ß → ss), surrounding white space. The sync
 * writes it (device-row.ts deviceNameKeyOverride); here it is copied from the stored key, which that function computed.
 *
 * Dropping the stored column rewrites the devices table once; the sort index is built again after. All migrations run
 * in one transaction: a kill mid-way leaves schema 32 and the next start begins again.
 */
export const deviceNameKeyDerived: Migration = {
  version: 33,
  name: 'Device name sort key derived from the name',
  up(db, progress) {
    const total = db.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    progress(0, total, 'rewriting each device row with its name key derived, then indexing it');
    db.exec(`
      DROP INDEX devices_by_device_name_key;
      ALTER TABLE devices ADD COLUMN device_name_key_override TEXT;
      UPDATE devices SET device_name_key_override = device_name_key WHERE device_name_key IS NOT lower(device_name);
      ALTER TABLE devices DROP COLUMN device_name_key;
      ALTER TABLE devices ADD COLUMN device_name_key TEXT GENERATED ALWAYS AS (COALESCE(device_name_key_override, lower(device_name))) VIRTUAL;
      CREATE INDEX devices_by_device_name_key ON devices (device_name_key, integration_key, space_key, platform_code, state_code, compliant, has_client_id)
        WHERE removed_at IS NULL;
    `);
    progress(total, total);
  },
};

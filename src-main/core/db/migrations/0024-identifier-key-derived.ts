import type { Migration } from '../migration';

/**
 * The Device Client ID's lookup key computed from the identifier instead of stored beside it (issue 19): migration
 * 0007's `identifier_key` held the identifier a second time in every row (~65 bytes of the ~810-byte row), lower-cased
 * when the tenant sent it in capitals (iOS ids) and otherwise equal to it. It becomes a VIRTUAL column,
 * `COALESCE(identifier_key_override, lower(client_device_identifier))`, still indexed by `devices_identifier_key`, so
 * every lookup (`identifier_key = ?`) reads and seeks as before. `identifier_key_override` holds the key only where
 * SQLite's lower(), which folds ASCII letters alone (better-sqlite3 builds it without ICU), does not give
 * normalizeDeviceIdentifier's result: an identifier with surrounding white space or non-ASCII capitals. The sync writes
 * it (device-row.ts identifierKeyOverride); here it is copied from the stored key, which that function computed.
 *
 * Dropping the stored column rewrites the devices table once; the index is built again after (openDatabase has built
 * any index a crashed bulk load set aside before migrating). All migrations run in one transaction: a kill mid-way
 * leaves schema 23 and the next start begins again.
 */
export const identifierKeyDerived: Migration = {
  version: 24,
  name: 'Device Client ID key derived from the identifier',
  up(db, progress) {
    const total = db.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    progress(0, total, 'rewriting each device row with its Device Client ID key derived, then indexing it');
    db.exec(`
      DROP INDEX devices_identifier_key;
      ALTER TABLE devices ADD COLUMN identifier_key_override TEXT;
      UPDATE devices SET identifier_key_override = identifier_key WHERE identifier_key IS NOT lower(client_device_identifier);
      ALTER TABLE devices DROP COLUMN identifier_key;
      ALTER TABLE devices ADD COLUMN identifier_key TEXT GENERATED ALWAYS AS (COALESCE(identifier_key_override, lower(client_device_identifier))) VIRTUAL;
      CREATE INDEX devices_identifier_key ON devices (identifier_key);
    `);
    progress(total, total);
  },
};

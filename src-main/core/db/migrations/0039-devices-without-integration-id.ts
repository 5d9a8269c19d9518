import type { Migration } from '../migration';

/** The triggers of migration 0018 that set a device row's integration key from its integration id. */
const KEY_FROM_ID_TRIGGERS = ['devices_integration_key_insert', 'devices_integration_key_update'];

/**
 * A device row no longer carries its integration's id (issue 19). Since migration 0018 `devices.integration_key` (the
 * integration's small key, which every device index holds) named the integration the device is listed under, and
 * `devices.integration_id` (its 36-byte UUID) stayed beside it for code that spoke of integrations by id, kept in step
 * by two triggers. Readers now name the integration through its key (`integrations.key` is unique), and the sync
 * writes only the key. The column's foreign key (ON DELETE CASCADE) never fired: an integration is never deleted,
 * only marked deleted (IntegrationStore.markDeleted).
 *
 * `integration_spaces` is keyed by the integration's key too (it was by id, migration 13): the devices' sightings
 * name their integration by key (0032), and when a sighting's space was last read (sightingLastSeenAtSql, read for
 * every device the explorer shows or exports) sought the table through a lookup of the integration's id first. The
 * table is small (a row per integration and space): copied into its new form.
 *
 * The triggers go first: DROP COLUMN refuses a column a trigger names. One that a bulk load stopped by a crash set
 * aside (DeviceStore.deferIndexes) is back in the schema by now: openDatabase builds what `deferred_indexes` holds
 * before it migrates. DROP COLUMN then rewrites each row without the column, in place (no index holds it, so none is
 * rebuilt). Self-contained: names as migration 0018 made them.
 */
export const devicesWithoutIntegrationId: Migration = {
  version: 39,
  name: 'devices and space states without integration ids',
  up(db, progress) {
    const total = db.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    progress(0, total, 'rewriting each device row without its integration id');
    for (const trigger of KEY_FROM_ID_TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
    db.exec('ALTER TABLE devices DROP COLUMN integration_id');
    db.exec(`
      CREATE TABLE integration_spaces_by_key (
        integration_key INTEGER NOT NULL REFERENCES integrations (key) ON DELETE CASCADE,
        space_id        INTEGER NOT NULL,
        space_name      TEXT NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('current', 'stale')),
        reason          TEXT,
        last_read_at    INTEGER,
        checked_at      INTEGER NOT NULL,
        PRIMARY KEY (integration_key, space_id)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO integration_spaces_by_key (integration_key, space_id, space_name, state, reason, last_read_at, checked_at)
        SELECT i.key, s.space_id, s.space_name, s.state, s.reason, s.last_read_at, s.checked_at
          FROM integration_spaces s JOIN integrations i ON i.id = s.integration_id;
      DROP TABLE integration_spaces;
      ALTER TABLE integration_spaces_by_key RENAME TO integration_spaces;
    `);
    progress(total, total);
  },
};

import type { Migration } from '../migration';

/** Device ids per step; progress is reported after each. */
const BATCH = 50_000;

/**
 * A sighting names its space by the key of the space's name (issue 19), as the device row does since migration 0019:
 * `device_sightings.space_name` repeated the name (~13 bytes) in every sighting, one or more a device.
 * `space_key` (`device_space_names.key`) takes its place; the store reads the name through the key. A name only a
 * sighting held is keyed first.
 *
 * SQLite cannot drop a column of a WITHOUT ROWID table's row cheaply in place: the table is built again in primary-key
 * order, with the same columns otherwise. Nothing else names the table in a trigger or a foreign key.
 *
 * It copies every sighting, so it reports progress; all migrations run in one transaction, so a kill mid-way leaves
 * the previous schema and the next start begins again.
 */
export const sightingSpaceKeys: Migration = {
  version: 29,
  name: 'space keys in the device sightings',
  up(db, progress) {
    db.exec(`
      INSERT OR IGNORE INTO device_space_names (name) SELECT DISTINCT space_name FROM device_sightings WHERE space_name IS NOT NULL ORDER BY space_name;
      CREATE TABLE device_sightings_keyed (
        device_id      INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        space_id       INTEGER,
        -- device_space_names.key of the space's name
        space_key      INTEGER,
        first_seen_at  INTEGER NOT NULL,
        last_seen_at   INTEGER NOT NULL,
        last_seen_run  INTEGER NOT NULL,
        -- the run's page counter when last seen: a space re-read within a run counts only what its last pass saw
        last_seen_page INTEGER NOT NULL DEFAULT 0,
        removed_at     INTEGER,
        removed_run    INTEGER,
        PRIMARY KEY (device_id, integration_id)
      ) STRICT, WITHOUT ROWID;
    `);
    const { total, last } = db.prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices').get() as { total: number; last: number };
    const copy = db.prepare(
      `INSERT INTO device_sightings_keyed (device_id, integration_id, space_id, space_key, first_seen_at, last_seen_at, last_seen_run, last_seen_page, removed_at, removed_run)
       SELECT s.device_id, s.integration_id, s.space_id, (SELECT n.key FROM device_space_names n WHERE n.name = s.space_name), s.first_seen_at, s.last_seen_at,
              s.last_seen_run, s.last_seen_page, s.removed_at, s.removed_run
         FROM device_sightings s WHERE s.device_id > ? AND s.device_id <= ? ORDER BY s.device_id, s.integration_id`,
    );
    progress(0, total);
    for (let from = 0; from < last; from += BATCH) {
      copy.run(from, from + BATCH);
      progress(Math.floor((total * Math.min(from + BATCH, last)) / last), total);
    }
    db.exec(`
      DROP TABLE device_sightings;
      ALTER TABLE device_sightings_keyed RENAME TO device_sightings;
    `);
    progress(total, total);
  },
};

import type { Migration } from '../migration';

/** Device ids per step; progress is reported after each. */
const BATCH = 50_000;

/**
 * A sighting names its integration by the integration's small integer key (issue 19), as the device indexes (0018)
 * and the change history (0026) do: `device_sightings.integration_id` repeated the 36-byte UUID in every sighting, one
 * or more a device, in the table's primary key. `integration_key` (`integrations.key`, 1, 2, 3 … in creation order;
 * integrations are deleted softly, so a key is never given to another) takes its place, in the primary key
 * (device_id, integration_key) and as the foreign key, which the unique index integrations_key serves. Readers that
 * speak of integrations by id bind the key (IntegrationFacts.key) or read the id through integrationIdOfKeySql.
 *
 * SQLite cannot change a WITHOUT ROWID table's primary key in place: the table is built again in primary-key order,
 * with the same columns otherwise. A sighting whose integration row is gone (none: the foreign key cascades) is not
 * copied. Nothing else names the table in a trigger or a foreign key.
 *
 * It copies every sighting, so it reports progress; all migrations run in one transaction, so a kill mid-way leaves
 * the previous schema and the next start begins again.
 */
export const sightingIntegrationKeys: Migration = {
  version: 32,
  name: 'integration keys in the device sightings',
  up(db, progress) {
    db.exec(`
      CREATE TABLE device_sightings_keyed (
        device_id       INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        integration_key INTEGER NOT NULL REFERENCES integrations (key) ON DELETE CASCADE,
        space_id        INTEGER,
        -- device_space_names.key of the space's name
        space_key       INTEGER,
        first_seen_at   INTEGER NOT NULL,
        last_seen_at    INTEGER NOT NULL,
        last_seen_run   INTEGER NOT NULL,
        -- the run's page counter when last seen: a space re-read within a run counts only what its last pass saw
        last_seen_page  INTEGER NOT NULL DEFAULT 0,
        removed_at      INTEGER,
        removed_run     INTEGER,
        PRIMARY KEY (device_id, integration_key)
      ) STRICT, WITHOUT ROWID;
    `);
    const { total, last } = db.prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices').get() as { total: number; last: number };
    // The integrations are few: their keys are read once, not looked up for each sighting.
    const copy = db.prepare(
      `WITH k (id, key) AS MATERIALIZED (SELECT id, key FROM integrations)
       INSERT INTO device_sightings_keyed (device_id, integration_key, space_id, space_key, first_seen_at, last_seen_at, last_seen_run, last_seen_page, removed_at, removed_run)
       SELECT s.device_id, k.key, s.space_id, s.space_key, s.first_seen_at, s.last_seen_at, s.last_seen_run, s.last_seen_page, s.removed_at, s.removed_run
         FROM device_sightings s JOIN k ON k.id = s.integration_id
        WHERE s.device_id > ? AND s.device_id <= ? ORDER BY s.device_id, k.key`,
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

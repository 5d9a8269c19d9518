import type { Migration } from '../migration';

/** Change rows copied per step; progress is reported after each. */
const BATCH = 50_000;

/**
 * A recorded change names its integration by the integration's small integer key (issue 19), as the device indexes do
 * since migration 0018: `device_changes.integration_id` held the 36-byte UUID in every row (a first sync writes one
 * 'added' row a device). `integration_key` (`integrations.key`, 1, 2, 3 … in creation order; integrations are deleted
 * softly, so a key is never given to another) takes its place; readers join the integration for its id.
 *
 * SQLite cannot change a column's type in place: the table is built again (same ids, same columns otherwise) and its
 * two indexes after the copy. A change whose integration row is gone (none in practice: its run, and with it the
 * change, goes with a hard-deleted integration) keeps key 0, which no integration has. The trigger of migration 0023
 * names device_changes, so it is dropped before the old table and created again after the rename.
 *
 * It copies every change row, so it reports progress; all migrations run in one transaction, so a kill mid-way leaves
 * schema 25 and the next start begins again.
 */
export const changeIntegrationKeys: Migration = {
  version: 26,
  name: 'integration keys in the device change history',
  up(db, progress) {
    db.exec(`
      DROP TRIGGER IF EXISTS devices_detach_changes;
      CREATE TABLE device_changes_keyed (
        id              INTEGER PRIMARY KEY,
        run_id          INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
        integration_key INTEGER NOT NULL,
        guid            TEXT NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('added', 'changed', 'removed', 'restored')),
        -- JSON: for 'changed', {field: [before, after]} of the fields that differ
        fields          TEXT,
        at              INTEGER NOT NULL,
        device_id       INTEGER
      ) STRICT;
    `);
    // Progress counts devices, as start-up's line says; the copy walks the history in id ranges.
    const total = db.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    const last = db.prepare('SELECT COALESCE(MAX(id), 0) FROM device_changes').pluck().get() as number;
    const copy = db.prepare(
      `INSERT INTO device_changes_keyed (id, run_id, integration_key, guid, kind, fields, at, device_id)
       SELECT c.id, c.run_id, COALESCE((SELECT i.key FROM integrations i WHERE i.id = c.integration_id), 0), c.guid, c.kind, c.fields, c.at, c.device_id
         FROM device_changes c WHERE c.id > ? AND c.id <= ? ORDER BY c.id`,
    );
    progress(0, total);
    for (let from = 0; from < last; from += BATCH) {
      copy.run(from, from + BATCH);
      progress(Math.floor((total * Math.min(from + BATCH, last)) / last), total);
    }
    db.exec(`
      DROP TABLE device_changes;
      ALTER TABLE device_changes_keyed RENAME TO device_changes;
      CREATE INDEX device_changes_run ON device_changes (run_id);
      CREATE INDEX device_changes_device ON device_changes (device_id, id);
      CREATE TRIGGER devices_detach_changes BEFORE DELETE ON devices BEGIN
        UPDATE device_changes SET guid = IIF(guid = '', old.guid, guid), device_id = NULL WHERE device_id = old.id;
      END;
    `);
    progress(total, total);
  },
};

import type { Migration } from '../migration';

/** Change rows checked per step; progress is reported after each. */
const BATCH = 50_000;

/**
 * A deleted device's history never becomes another device's (issue 19). `devices.id` is not AUTOINCREMENT, so once the
 * row with the highest id is deleted SQLite gives that id to the next device inserted, and `device_changes.device_id`
 * (no ON DELETE action) still pointed at it: the new device showed the old one's history. Rebuilding the devices table
 * with AUTOINCREMENT would rewrite every row and index (minutes at a million devices); instead, before a device row is
 * deleted, this trigger detaches its changes (`device_id = NULL`) and writes its guid into those that left it to the row
 * (migration 0022), so the history of a device that is gone still names it and no later device inherits it.
 *
 * It replaces 0022's trigger, and detaches the changes a database already holds for a device that is gone, or whose id
 * a new device has taken since: a change row written before 0022 names its guid, so one that names another guid than
 * its device row's belongs to the device that held the id before. One pass over the history, reported as progress.
 */
export const deviceHistoryDetachedOnDelete: Migration = {
  version: 23,
  name: 'a deleted device’s history is detached from its id',
  up(db, progress) {
    db.exec(`
      DROP TRIGGER IF EXISTS devices_keep_guid_in_changes;
      CREATE TRIGGER devices_detach_changes BEFORE DELETE ON devices BEGIN
        UPDATE device_changes SET guid = IIF(guid = '', old.guid, guid), device_id = NULL WHERE device_id = old.id;
      END;
    `);
    // Progress counts devices, as start-up's line says; the pass walks the history in id ranges.
    const total = db.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    const changesLast = db.prepare('SELECT COALESCE(MAX(id), 0) FROM device_changes').pluck().get() as number;
    const detach = db.prepare(
      `UPDATE device_changes SET device_id = NULL
        WHERE id > ? AND id <= ? AND device_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = device_changes.device_id AND device_changes.guid IN ('', d.guid))`,
    );
    progress(0, total);
    for (let from = 0; from < changesLast; from += BATCH) {
      detach.run(from, from + BATCH);
      progress(Math.floor((total * Math.min(from + BATCH, changesLast)) / changesLast), total);
    }
    progress(total, total);
  },
};

import type { Migration } from '../migration';

/**
 * A recorded change names its device's guid only once the device row is gone (issue 19). Every change row carried the
 * device's 36-byte guid beside `device_id`, which points at the row that holds it: ~37 bytes a device after a first
 * sync (its 'added' rows) and per change after. The sync now records `guid = ''` (the column stays NOT NULL) and the
 * readers take the device row's guid; before a device row is deleted (a purge, its integration's cascade), this
 * trigger writes the guid into its changes, so the history of a device that is gone still names it.
 *
 * Rows recorded before keep their guid (both forms read the same). Nothing is rewritten, so no progress to report.
 */
export const changeGuidOnce: Migration = {
  version: 22,
  name: 'device changes name the guid only once the device is gone',
  up(db) {
    db.exec(`
      CREATE TRIGGER devices_keep_guid_in_changes BEFORE DELETE ON devices BEGIN
        UPDATE device_changes SET guid = old.guid WHERE device_id = old.id AND guid = '';
      END;
    `);
  },
};

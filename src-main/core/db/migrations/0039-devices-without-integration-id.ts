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
 * The triggers go first: DROP COLUMN refuses a column a trigger names. One that a bulk load stopped by a crash set
 * aside (DeviceStore.deferIndexes) is back in the schema by now: openDatabase builds what `deferred_indexes` holds
 * before it migrates. DROP COLUMN then rewrites each row without the column, in place (no index holds it, so none is
 * rebuilt). Self-contained: names as migration 0018 made them.
 */
export const devicesWithoutIntegrationId: Migration = {
  version: 39,
  name: 'devices without their integration id',
  up(db, progress) {
    const total = db.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    progress(0, total);
    for (const trigger of KEY_FROM_ID_TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
    db.exec('ALTER TABLE devices DROP COLUMN integration_id');
    progress(total, total);
  },
};

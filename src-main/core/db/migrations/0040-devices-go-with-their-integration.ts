import type { Migration } from '../migration';

/**
 * A device row goes when the integration it is listed under is deleted, as it did until migration 0039 (issue 19).
 *
 * `devices.integration_id` carried `REFERENCES integrations (id) ON DELETE CASCADE`. Migration 0039 dropped the column,
 * and `devices.integration_key` has no foreign key (SQLite cannot add one to a column without rebuilding the table).
 * The console only marks an integration deleted (IntegrationStore.markDeleted), but a row deleted by other means left
 * its devices behind, listed under a key that `integrations.key`'s trigger (migration 0018: MAX(key) + 1) gives the
 * next integration created: found by an end-to-end run, whose files share one database and delete the integrations
 * they made, where a second integration showed the first one's 2,000 devices, without sightings. The trigger deletes
 * them as the foreign key did, and each device's own dependants follow it by theirs (sightings, history, the search
 * index's queue). It walks the devices table (no index leads with the key): a deletion of a whole integration, never
 * on a sync's path.
 */
export const devicesGoWithTheirIntegration: Migration = {
  version: 40,
  name: 'devices deleted with their integration',
  up(db) {
    db.exec(`
      CREATE TRIGGER integrations_delete_devices AFTER DELETE ON integrations BEGIN
        DELETE FROM devices WHERE integration_key = old.key;
      END;
    `);
  },
};

import type { Migration } from '../migration';

/**
 * One index of the Device Client ID instead of two (issue 19): `devices_identifier_key` (migration 0007, the key every
 * lookup seeks: "has it synced?", the trust records; ~53 bytes a device) and `devices_by_client_device_identifier`
 * (migration 0004, the explorer's identifier order; ~60 bytes) held the same identifier twice. The lookups need every
 * device, removed ones too, so the one left is not partial: `devices_by_identifier_key` sorts by the key, carries the
 * explorer's filter columns like every sort index, and `removed_at` last, so that the walk in order checks presence in
 * the entry (device-selection.ts sortIndexColumns). The explorer's identifier order becomes the key's: letter case and
 * surrounding white space no longer split it, as they never split a lookup.
 *
 * Only indexes change: one index build over the table. openDatabase has built any index a crashed bulk load set aside
 * before migrating.
 */
export const identifierIndexMerged: Migration = {
  version: 34,
  name: 'One index of the Device Client ID',
  up(db, progress) {
    const total = db.prepare('SELECT COUNT(*) FROM devices').pluck().get() as number;
    progress(0, total, 'indexing the devices by their Device Client ID');
    db.exec(`
      DROP INDEX devices_identifier_key;
      DROP INDEX devices_by_client_device_identifier;
      CREATE INDEX devices_by_identifier_key
        ON devices (identifier_key, integration_key, space_key, platform_code, state_code, compliant, has_client_id, removed_at);
    `);
    progress(total, total);
  },
};

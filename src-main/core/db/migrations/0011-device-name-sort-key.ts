import { deviceNameSortKey } from '../../../../src-shared/domain/device-name-key';
import type { Migration } from '../migration';

/** Rows rewritten per step; progress is reported after each. */
const BATCH = 20_000;

/**
 * The explorer's name order, case- and accent-insensitive: `device_name_key` holds the folded name
 * (src-shared/domain/device-name-key.ts; SQLite here has no ICU), computed by the same function the sync uses for
 * new rows, and the name's sort index moves to it (same filter columns as every sort index, migration 0004).
 */
export const deviceNameSortKeyMigration: Migration = {
  version: 11,
  name: 'folded device name, indexed for sorting',
  up(db, progress) {
    db.exec('ALTER TABLE devices ADD COLUMN device_name_key TEXT');
    db.function('tec_device_name_key', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? deviceNameSortKey(value) : null));
    const { total, last } = db
      .prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices WHERE device_name IS NOT NULL')
      .get() as { total: number; last: number };
    const rewrite = db.prepare('UPDATE devices SET device_name_key = tec_device_name_key(device_name) WHERE id > ? AND id <= ? AND device_name IS NOT NULL');
    let done = 0;
    progress(0, total);
    for (let from = 0; from < last; from += BATCH) {
      done += rewrite.run(from, from + BATCH).changes;
      progress(done, total);
    }
    db.exec(`
      DROP INDEX IF EXISTS devices_by_device_name;
      CREATE INDEX devices_by_device_name_key ON devices (device_name_key, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL;
    `);
  },
};

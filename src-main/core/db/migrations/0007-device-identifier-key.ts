import { normalizeDeviceIdentifier } from '../../../../src-shared/domain/device-identifier';
import type { Migration } from '../migration';

/** Rows rewritten per step; progress is reported after each. */
const BATCH = 20_000;

/**
 * The Device Client ID as every lookup compares it (src-shared/domain/device-identifier.ts: trimmed, case-insensitive),
 * stored and indexed, so the synced check, search, trust and the CLI find a device whatever form the admin pasted, with
 * one index seek. It replaces the index on the raw value, which no lookup uses any more.
 *
 * Rewrites every device row that has an identifier: at a million devices that takes a while, so it reports progress
 * per batch. All migrations run in one transaction, so a kill mid-way leaves the previous schema intact, and the next start
 * begins again. The rule is computed by the same function the app uses (registered on this connection only): if the rule
 * changes, a later migration recomputes the column.
 */
export const deviceIdentifierKey: Migration = {
  version: 7,
  name: 'normalized Device Client ID, indexed',
  up(db, progress) {
    db.exec('ALTER TABLE devices ADD COLUMN identifier_key TEXT');
    db.function('tec_device_identifier_key', { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? normalizeDeviceIdentifier(value) : null,
    );
    const { total, last } = db
      .prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices WHERE client_device_identifier IS NOT NULL')
      .get() as { total: number; last: number };
    const rewrite = db.prepare(
      `UPDATE devices SET identifier_key = tec_device_identifier_key(client_device_identifier)
        WHERE id > ? AND id <= ? AND client_device_identifier IS NOT NULL`,
    );
    let done = 0;
    progress(0, total);
    for (let from = 0; from < last; from += BATCH) {
      done += rewrite.run(from, from + BATCH).changes;
      progress(done, total);
    }
    db.exec(`
      DROP INDEX devices_identifier;
      CREATE INDEX devices_identifier_key ON devices (identifier_key);
    `);
  },
};

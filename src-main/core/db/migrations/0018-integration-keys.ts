import type { Migration } from '../migration';

/** Rows rewritten per step; progress is reported after each. */
const BATCH = 20_000;

/** The explorer's filter columns after the sort column (device-selection.ts FILTER_COLUMNS), integration by its key. */
const FILTERS = ['integration_key', 'space_name', 'platform_type', 'registration_state', 'compliant', 'has_client_id'];

/** Every sort index of migration 0004 (0011 for the folded name) still there after 0017, by its column. */
const SORTED = [
  'display_name',
  'uid',
  'client_device_identifier',
  'serial_number',
  'model',
  'platform_type',
  'registration_state',
  'compliant',
  'space_name',
  'last_checkin',
  'device_name_key',
];

const FACETS = 'devices_facets';
const FACETS_COLUMNS = ['removed_at', 'integration_key', 'platform_type', 'registration_state', 'compliant', 'last_checkin', 'space_name', 'has_client_id'];

/**
 * A small integer key per integration in the device indexes (issue 19). An integration's id is a UUID (36 bytes), and
 * every sort index and devices_facets carried it in each entry as the explorer's integration filter column: about 37
 * bytes a device in each of 12 indexes. `integrations.key` (1, 2, 3 … in creation order, never reused while the
 * integration exists) takes its place as `devices.integration_key`; `devices.integration_id` stays in the row for the
 * code that speaks of integrations by id.
 *
 * The two columns of a device row always agree: the sync writes the key with the id (DeviceStore, from
 * IntegrationDirectory.facts), and a trigger corrects any other write (a test's plain INSERT, an older writer), so a
 * row's key is never stale. Its WHEN clause is one primary-key read of the few integration rows, so a sync that wrote
 * the right key pays no second write.
 *
 * Also drops device_sightings_presence (integration_id, last_seen_run, space_id, last_seen_page of current
 * sightings, ~60 bytes a device): the removal pass reads the sightings in device order through the primary key (a
 * seek past the last one it read), and no statement reads last_seen_run or last_seen_page through it any more.
 *
 * It rewrites every device row (its key), so it reports progress; the indexes are dropped first and built once after.
 * All migrations run in one transaction: a kill mid-way leaves schema 17 and the next start begins again.
 */
export const integrationKeys: Migration = {
  version: 18,
  name: 'integration keys in the device indexes',
  up(db, progress) {
    const indexes = [...SORTED.map((c) => `devices_by_${c}`), FACETS];
    const quoted = indexes.map((n) => `'${n}'`).join(', ');
    db.exec(`
      ${indexes.map((n) => `DROP INDEX IF EXISTS ${n};`).join('\n')}
      DROP INDEX IF EXISTS device_sightings_presence;
      DELETE FROM deferred_indexes WHERE name IN (${quoted}, 'device_sightings_presence');

      ALTER TABLE integrations ADD COLUMN key INTEGER;
      UPDATE integrations SET key = rowid;
      CREATE UNIQUE INDEX integrations_key ON integrations (key);
      CREATE TRIGGER integrations_key AFTER INSERT ON integrations WHEN new.key IS NULL BEGIN
        UPDATE integrations SET key = (SELECT COALESCE(MAX(key), 0) + 1 FROM integrations) WHERE rowid = new.rowid;
      END;

      ALTER TABLE devices ADD COLUMN integration_key INTEGER;
      CREATE TRIGGER devices_integration_key_insert AFTER INSERT ON devices
        WHEN new.integration_key IS NOT (SELECT key FROM integrations WHERE id = new.integration_id) BEGIN
        UPDATE devices SET integration_key = (SELECT key FROM integrations WHERE id = new.integration_id) WHERE id = new.id;
      END;
      CREATE TRIGGER devices_integration_key_update AFTER UPDATE OF integration_id, integration_key ON devices
        WHEN new.integration_key IS NOT (SELECT key FROM integrations WHERE id = new.integration_id) BEGIN
        UPDATE devices SET integration_key = (SELECT key FROM integrations WHERE id = new.integration_id) WHERE id = new.id;
      END;
    `);
    const { total, last } = db.prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices').get() as { total: number; last: number };
    const rewrite = db.prepare(
      'UPDATE devices SET integration_key = (SELECT key FROM integrations i WHERE i.id = devices.integration_id) WHERE id > ? AND id <= ?',
    );
    let done = 0;
    progress(0, total);
    for (let from = 0; from < last; from += BATCH) {
      done += rewrite.run(from, from + BATCH).changes;
      progress(done, total);
    }
    for (const column of SORTED) {
      const columns = [column, ...FILTERS.filter((c) => c !== column)];
      db.exec(`CREATE INDEX devices_by_${column} ON devices (${columns.join(', ')}) WHERE removed_at IS NULL`);
    }
    db.exec(`CREATE INDEX ${FACETS} ON devices (${FACETS_COLUMNS.join(', ')})`);
  },
};

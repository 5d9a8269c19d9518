import type { Migration } from '../migration';

/** Rows rewritten per step; progress is reported after each. */
const BATCH = 20_000;

/** The explorer's filter columns after the sort column (device-selection.ts FILTER_COLUMNS), the space by its key. */
const FILTERS = ['integration_key', 'space_key', 'platform_type', 'registration_state', 'compliant', 'has_client_id'];

/** Every sort index of migration 0018, by its column. */
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

/** A row's key is wrong: set without a name, or not the key of its name (a name not keyed yet has none). */
const KEY_IS_WRONG = `CASE WHEN new.space_name IS NULL THEN new.space_key IS NOT NULL
  ELSE new.space_key IS NOT COALESCE((SELECT key FROM device_space_names WHERE name = new.space_name), -1) END`;

/** What both triggers do to a row whose key is wrong: key its name if it is new, then set the row's key. */
const SET_KEY = `INSERT OR IGNORE INTO device_space_names (name) SELECT new.space_name WHERE new.space_name IS NOT NULL;
        UPDATE devices SET space_key = (SELECT key FROM device_space_names WHERE name = new.space_name) WHERE id = new.id;`;

const FACETS = 'devices_facets';
const FACETS_COLUMNS = ['removed_at', 'integration_key', 'platform_type', 'registration_state', 'compliant', 'last_checkin', 'space_key', 'has_client_id'];

/**
 * A small integer key per space name in the device indexes (issue 19), as migration 0018 did for the integration. The
 * explorer's space filter column was the space's name (~13 bytes) in ten sort indexes and devices_facets; its key
 * (`device_space_names.key`, 1 or 2 bytes) takes its place there. `devices.space_name` stays in the row and leads
 * devices_by_space_name, which sorts by name and now carries the key too, so every index checks the space filter in
 * its entries. One key per distinct name, whatever the tenant: the filter is by name (`space_name = ?`), and a name and
 * its key stand for each other exactly.
 *
 * The sync writes the key with the name (DeviceStore); a trigger adds a name it has not seen and corrects any other
 * writer, so a row's key always matches its name. Its WHEN clause is one read of the small names table's unique index,
 * so a writer that passed the right key pays no second write.
 *
 * It rewrites every device row (its key), so it reports progress; the indexes are dropped first and built once after.
 * All migrations run in one transaction: a kill mid-way leaves schema 18 and the next start begins again.
 */
export const deviceSpaceKeys: Migration = {
  version: 19,
  name: 'space keys in the device indexes',
  up(db, progress) {
    const indexes = [...SORTED.map((c) => `devices_by_${c}`), FACETS];
    db.exec(`
      ${indexes.map((n) => `DROP INDEX IF EXISTS ${n};`).join('\n')}
      DELETE FROM deferred_indexes WHERE name IN (${indexes.map((n) => `'${n}'`).join(', ')});

      CREATE TABLE device_space_names (
        key  INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
      ) STRICT;
      INSERT INTO device_space_names (name) SELECT DISTINCT space_name FROM devices WHERE space_name IS NOT NULL ORDER BY space_name;

      ALTER TABLE devices ADD COLUMN space_key INTEGER;
      CREATE TRIGGER devices_space_key_insert AFTER INSERT ON devices
        WHEN ${KEY_IS_WRONG} BEGIN
        ${SET_KEY}
      END;
      CREATE TRIGGER devices_space_key_update AFTER UPDATE OF space_name, space_key ON devices
        WHEN ${KEY_IS_WRONG} BEGIN
        ${SET_KEY}
      END;
    `);
    const { total, last } = db.prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices').get() as { total: number; last: number };
    const rewrite = db.prepare(
      'UPDATE devices SET space_key = (SELECT key FROM device_space_names n WHERE n.name = devices.space_name) WHERE id > ? AND id <= ?',
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

import type { Migration } from '../migration';

/**
 * Device search: a full-text index over the fields an admin pastes or types, indexes for the explorer's filters and
 * sorts, and saved searches.
 *
 * - `devices_fts` is contentless (the text lives in `devices`) with `contentless_delete=1` (SQLite ≥ 3.43), so an entry
 *   can be dropped by rowid without replaying its old text. What goes into it is decided in one place,
 *   core/devices/device-search-index.ts.
 * - Triggers do not write the FTS table themselves: an FTS5 write inside a trigger runs under a statement savepoint,
 *   and FTS5 flushes its in-memory terms to disk at every savepoint, which made each device insert ~5x slower
 *   (measured: 116 µs vs 26 µs a row). Instead they queue the row id in `devices_fts_pending` (a plain table, written
 *   in the same transaction as the device, so a crash loses nothing), and the search index applies the queue in bulk
 *   before every search and after sync pages.
 * - The update trigger fires only when an indexed value really changed: a sync touches `last_seen_*` of every device
 *   on every run, and re-indexing a million rows for that would be waste.
 * - Every sortable column has an index so a sorted page reads 100 index entries instead of sorting a million rows;
 *   SQLite appends the rowid to every index entry, which is exactly the explorer's tie-break (ORDER BY col, id). They
 *   are partial (current devices only, what the explorer shows unless asked otherwise): smaller, and skipping to a
 *   deep offset walks the index alone, without reading the 2 KB rows to check `removed_at`.
 * - `devices_facets` covers every filter column, so counts and chart facets never read the wide rows. Its last column,
 *   `has_client_id`, is a virtual generated column (whether the device has a Device Client ID): with it, counting
 *   trusted devices needs no row either (an index on the expression itself was not used as covering: 4.3 s vs 0.15 s
 *   for a million devices).
 */

/** Columns whose values feed the FTS index (see device-search-index.ts). */
const INDEXED_SOURCE_COLUMNS = [
  'client_device_identifier',
  'serial_number',
  'imei',
  'udid',
  'wifi_mac',
  'uid',
  'email',
  'display_name',
  'device_name',
  'model',
  'manufacturer',
];

/**
 * The explorer's sortable columns, each with an index of its own. Rows are ~2 KB (the raw record), so sorting a
 * million of them without an index reads gigabytes; an index reads 100 entries. Not indexed on purpose:
 * `last_seen_at`, which every sync rewrites for every device, and fields shown only in the device drawer (IMEI, UDID,
 * MAC: they are found by search, not browsed in order).
 */
export const SORTED_COLUMNS = [
  'device_name',
  'display_name',
  'uid',
  'client_device_identifier',
  'serial_number',
  'model',
  'platform_type',
  'registration_state',
  'compliant',
  'space_name',
  'integration_id',
  'last_checkin',
] as const;

/**
 * The explorer's equality filters, appended to every sort index. A filtered, sorted page walks the sort index and
 * checks the filters inside it, never reading a row it will not show; without them, a filter that correlates with the
 * order (GDPR-masked `********` users all sort first and all live in one space) meant reading hundreds of thousands
 * of rows to fill one page. `has_client_id` is there for the trusted filter (with it, trust for integrations enabled
 * for all users is decided in the index too). The order within equal sort values follows these columns, then the row
 * id: a total order, which the repository's ORDER BY repeats so that the index alone delivers it.
 */
const FILTER_COLUMNS = ['integration_id', 'space_name', 'platform_type', 'registration_state', 'compliant', 'has_client_id'];

export function sortIndexName(column: (typeof SORTED_COLUMNS)[number]): string {
  return `devices_by_${column}`;
}

export function sortIndexColumns(column: (typeof SORTED_COLUMNS)[number]): string[] {
  return [column, ...FILTER_COLUMNS.filter((c) => c !== column)];
}

export const deviceSearch: Migration = {
  version: 4,
  name: 'device full-text search, explorer indexes, saved searches',
  up(db) {
    const changed = INDEXED_SOURCE_COLUMNS.map((c) => `old.${c} IS NOT new.${c}`).join(' OR ');
    db.exec(`
      CREATE VIRTUAL TABLE devices_fts USING fts5(
        identifier, serial, imei, udid, mac, user, email, name, model,
        content = '',
        contentless_delete = 1,
        prefix = '2 3',
        tokenize = 'unicode61 remove_diacritics 2'
      );

      -- Devices whose index entry is missing or stale. indexed = 1: the FTS table holds an entry that must go first.
      CREATE TABLE devices_fts_pending (
        device_id INTEGER PRIMARY KEY,
        indexed   INTEGER NOT NULL
      ) STRICT;

      CREATE TRIGGER devices_fts_queue_insert AFTER INSERT ON devices BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (new.id, 0) ON CONFLICT DO NOTHING;
      END;

      CREATE TRIGGER devices_fts_queue_update AFTER UPDATE OF ${INDEXED_SOURCE_COLUMNS.join(', ')} ON devices WHEN ${changed} BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (new.id, 1) ON CONFLICT DO NOTHING;
      END;

      CREATE TRIGGER devices_fts_queue_delete AFTER DELETE ON devices BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (old.id, 1) ON CONFLICT DO NOTHING;
      END;

      INSERT INTO devices_fts_pending (device_id, indexed) SELECT id, 0 FROM devices;

      -- Virtual (computed on read, stored only in the indexes below), for the trusted-device filter.
      ALTER TABLE devices ADD COLUMN has_client_id INTEGER AS (client_device_identifier IS NOT NULL) VIRTUAL;
      ${SORTED_COLUMNS.map((c) => `CREATE INDEX ${sortIndexName(c)} ON devices (${sortIndexColumns(c).join(', ')}) WHERE removed_at IS NULL;`).join('\n      ')}
      CREATE INDEX devices_facets ON devices (removed_at, integration_id, platform_type, registration_state, compliant, last_checkin, space_name, has_client_id);

      CREATE TABLE saved_searches (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        -- JSON of a DeviceQuery (src-shared/domain/device.ts), parsed again on load
        query      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX saved_searches_name ON saved_searches (name COLLATE NOCASE);
    `);
  },
};

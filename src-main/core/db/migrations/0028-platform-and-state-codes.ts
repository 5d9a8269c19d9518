import type { Migration } from '../migration';

/**
 * The explorer's filter columns after the sort column (device-selection.ts FILTER_COLUMNS): the platform and the
 * registration state by their codes.
 */
const FILTERS = ['integration_key', 'space_key', 'platform_code', 'state_code', 'compliant', 'has_client_id'];

/** Every sort index of migration 0019, by its column. */
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
const FACETS_COLUMNS = ['removed_at', 'integration_key', 'platform_code', 'state_code', 'compliant', 'last_checkin', 'space_key', 'has_client_id'];

/**
 * A small integer per value Ivanti documents (ivanti-wire.ts), numbered in the values' alphabetical order; 0 for any
 * other value (a query for one also compares the text, in the row), NULL for none. The codes are frozen here:
 * src-main/core/devices/device-codes.ts encodes a filter's value the same way (a test compares the two). INTEGER, not
 * ANY (which would let any other value stand for itself): SQLite 3.53 computes a generated column typed ANY of this
 * STRICT table from the row even where an index entry holds it (counting 100,000 devices from devices_facets by
 * platform read every row: 1.2 s instead of ~20 ms), and reads an INTEGER one back from the entry.
 */
const PLATFORM_CODE = `CASE WHEN platform_type IS NULL THEN NULL
  ELSE CASE platform_type WHEN 'ANDROID' THEN 1 WHEN 'IOS' THEN 2 WHEN 'OTHER' THEN 3 WHEN 'WINDOWS_PHONE' THEN 4 ELSE 0 END END`;
const STATE_CODE = `CASE WHEN registration_state IS NULL THEN NULL
  ELSE CASE registration_state WHEN 'ACTIVE' THEN 1 WHEN 'RETIRED' THEN 2 WHEN 'RETIRE_PENDING' THEN 3 ELSE 0 END END`;

/**
 * The platform and the registration state by a small integer code in the device indexes (issue 19), as migrations
 * 0018 and 0019 did for the integration and the space. Each of the eleven sort indexes and devices_facets carried both
 * as text ('ANDROID', 'ACTIVE': ~8 and ~7 bytes); a code is one byte (SQLite stores the integers 1 and 2 in the record
 * header alone). The codes are VIRTUAL generated columns: the row does not grow, no writer changes and no trigger runs;
 * SQLite computes a code when it writes an index entry and reads it back from the entry when a query names the column.
 * devices_by_platform_type and devices_by_registration_state still lead with the text, which they sort by (values
 * Ivanti does not document share code 0), and carry the code as a filter column like the other indexes.
 *
 * Nothing is rewritten in the rows (the columns are computed); the indexes are dropped and built once. All migrations
 * run in one transaction: a kill mid-way leaves schema 27 and the next start begins again.
 */
export const platformAndStateCodes: Migration = {
  version: 28,
  name: 'platform and registration state codes in the device indexes',
  up(db) {
    const indexes = [...SORTED.map((c) => `devices_by_${c}`), FACETS];
    db.exec(`
      ${indexes.map((n) => `DROP INDEX IF EXISTS ${n};`).join('\n')}
      DELETE FROM deferred_indexes WHERE name IN (${indexes.map((n) => `'${n}'`).join(', ')});
      ALTER TABLE devices ADD COLUMN platform_code INTEGER GENERATED ALWAYS AS (${PLATFORM_CODE}) VIRTUAL;
      ALTER TABLE devices ADD COLUMN state_code INTEGER GENERATED ALWAYS AS (${STATE_CODE}) VIRTUAL;
    `);
    for (const column of SORTED) {
      const columns = [column, ...FILTERS.filter((c) => c !== column)];
      db.exec(`CREATE INDEX devices_by_${column} ON devices (${columns.join(', ')}) WHERE removed_at IS NULL`);
    }
    db.exec(`CREATE INDEX ${FACETS} ON devices (${FACETS_COLUMNS.join(', ')})`);
  },
};

import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { ANDROID, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();
/** Identifiers in the forms a tenant sends them; the third device is removed, the fourth has none. */
const IDENTIFIERS = ['02ABAAD9-848D-404B-ADE9-B487DE84BC7C', 'ebaf88433fbfbfcc', '01abaad9-848d-404b-ade9-b487de84bc7c', null];

/** A console at schema 33 with one device per identifier form. */
function at33(): Db {
  const db = databases.at(33);
  seedIntegrations(db);
  db.exec(`INSERT INTO device_tenants (key, tenant) VALUES (1, 't')`);
  const insert = db.prepare(
    `INSERT INTO devices (tenant_key, integration_id, guid, client_device_identifier, removed_at, record_hash, first_seen_at, last_seen_at, last_seen_run)
     VALUES (1, ?, ?, ?, ?, x'00', 1, 1, 1)`,
  );
  IDENTIFIERS.forEach((identifier, i) => insert.run(ANDROID, `guid-${i}`, identifier, i === 2 ? 5 : null));
  return db;
}

const planOf = (db: Db, sql: string, ...params: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join('\n');

describe('migration 0034: one index of the Device Client ID', () => {
  it('drops the pair and seeks every lookup, removed devices included, in the one left', () => {
    const db = databases.upgrade(at33(), 34);
    const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'devices'").pluck().all();
    expect(names).toContain('devices_by_identifier_key');
    expect(names).not.toContain('devices_identifier_key');
    expect(names).not.toContain('devices_by_client_device_identifier');
    const lookup = 'SELECT guid FROM devices d WHERE d.identifier_key = ?';
    expect(planOf(db, lookup, 'x')).toBe('SEARCH d USING INDEX devices_by_identifier_key (identifier_key=?)');
    expect(db.prepare(lookup).pluck().all('01abaad9-848d-404b-ade9-b487de84bc7c')).toEqual(['guid-2']);
    expect(db.prepare(lookup).pluck().all('02abaad9-848d-404b-ade9-b487de84bc7c')).toEqual(['guid-0']);
  });

  it('walks the explorer’s identifier order in it, by the key, the removed device left out, sorting nothing', () => {
    const db = databases.upgrade(at33(), 34);
    // The explorer's order (orderDevices) and its presence check written as the walk in order writes it.
    const walk = `SELECT guid FROM devices d INDEXED BY devices_by_identifier_key WHERE +d.removed_at IS NULL
      ORDER BY d.identifier_key, d.integration_key, d.space_key, d.platform_code, d.state_code, d.compliant, d.has_client_id, d.removed_at, d.id`;
    expect(planOf(db, walk)).toBe('SCAN d USING INDEX devices_by_identifier_key');
    expect(db.prepare(walk).pluck().all()).toEqual(['guid-3', 'guid-0', 'guid-1']);
  });

  it('reports its progress over the devices: one step that runs whole, then done', () => {
    expect(progressOfUpgrade(at33(), 34)).toEqual([
      [0, IDENTIFIERS.length, 'indexing the devices by their Device Client ID'],
      [IDENTIFIERS.length, IDENTIFIERS.length],
    ]);
  });
});

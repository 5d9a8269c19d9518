import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();

/** The sort indexes migration 4 creates, by sorted column; each carries the filter columns after it. */
const SORT_INDEXES = {
  device_name: 'device_name, integration_id, space_name, platform_type, registration_state, compliant, has_client_id',
  display_name: 'display_name, integration_id, space_name, platform_type, registration_state, compliant, has_client_id',
  uid: 'uid, integration_id, space_name, platform_type, registration_state, compliant, has_client_id',
  client_device_identifier: 'client_device_identifier, integration_id, space_name, platform_type, registration_state, compliant, has_client_id',
  serial_number: 'serial_number, integration_id, space_name, platform_type, registration_state, compliant, has_client_id',
  model: 'model, integration_id, space_name, platform_type, registration_state, compliant, has_client_id',
  platform_type: 'platform_type, integration_id, space_name, registration_state, compliant, has_client_id',
  registration_state: 'registration_state, integration_id, space_name, platform_type, compliant, has_client_id',
  compliant: 'compliant, integration_id, space_name, platform_type, registration_state, has_client_id',
  space_name: 'space_name, integration_id, platform_type, registration_state, compliant, has_client_id',
  integration_id: 'integration_id, space_name, platform_type, registration_state, compliant, has_client_id',
  last_checkin: 'last_checkin, integration_id, space_name, platform_type, registration_state, compliant, has_client_id',
};

/** A schema-3 database with 30 synced devices (every third without a Device Client ID, the last two removed). */
function schemaThreeWithDevices(): Db {
  const db = databases.at(3);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at) VALUES ('int-a', 'Android', 'ivanti-neurons', 'android', 'all-users', 1, 1);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, complete) VALUES (1, 'int-a', 'manual', 'completed', 1, 1);
  `);
  const insert = db.prepare(
    `INSERT INTO devices (integration_id, guid, client_device_identifier, serial_number, device_name, space_name, platform_type, compliant, last_checkin,
                          raw, record_hash, first_seen_at, last_seen_at, last_seen_run, removed_at)
     VALUES ('int-a', ?, ?, ?, ?, 'Default Space', 'ANDROID', 1, ?, '{}', 'h', 1, 1, 1, ?)`,
  );
  for (let i = 0; i < 30; i += 1) {
    insert.run(`g-${i}`, i % 3 === 0 ? null : `client-${i}`, `SN${1000 + i}`, `Phone ${i}`, 1000 + i, i >= 28 ? 5 : null);
  }
  return db;
}

describe('migration 0004: device full-text search, explorer indexes, saved searches', () => {
  it('keeps every device and queues every one of them for the search index', () => {
    const before = schemaThreeWithDevices();
    const devices = before.prepare('SELECT * FROM devices ORDER BY id').all();
    const db = databases.upgrade(before, 4);
    const after = db.prepare('SELECT * FROM devices ORDER BY id').all() as { has_client_id: number }[];
    expect(after.map(({ has_client_id: _computed, ...stored }) => stored)).toEqual(devices);
    expect(db.prepare('SELECT device_id, indexed FROM devices_fts_pending ORDER BY device_id').all()).toEqual(
      (devices as { id: number }[]).map((d) => ({ device_id: d.id, indexed: 0 })),
    );
    expect(db.prepare('SELECT COUNT(*) AS n FROM devices_fts').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM devices WHERE has_client_id = 0').get()).toEqual({ n: 10 });
  });

  it('queues a device for re-indexing when a searched field changes, not when a sync only sees it again', () => {
    const db = databases.upgrade(schemaThreeWithDevices(), 4);
    db.exec('DELETE FROM devices_fts_pending');
    db.prepare(`UPDATE devices SET last_seen_at = 99, last_seen_run = 2, record_hash = 'h2' WHERE guid = 'g-1'`).run();
    db.prepare(`UPDATE devices SET serial_number = serial_number WHERE guid = 'g-2'`).run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM devices_fts_pending').get()).toEqual({ n: 0 });
    db.prepare(`UPDATE devices SET serial_number = 'SN-NEW' WHERE guid = 'g-1'`).run();
    db.prepare(`DELETE FROM devices WHERE guid = 'g-4'`).run();
    const inserted = db
      .prepare(
        `INSERT INTO devices (integration_id, guid, raw, record_hash, first_seen_at, last_seen_at, last_seen_run) VALUES ('int-a', 'g-new', '{}', 'h', 1, 1, 1)`,
      )
      .run().lastInsertRowid;
    const id = (guid: string) => (db.prepare('SELECT id FROM devices WHERE guid = ?').get(guid) as { id: number }).id;
    expect(db.prepare('SELECT device_id, indexed FROM devices_fts_pending ORDER BY device_id').all()).toEqual([
      { device_id: id('g-1'), indexed: 1 },
      { device_id: 5, indexed: 1 },
      { device_id: Number(inserted), indexed: 0 },
    ]);
  });

  it('has one partial index per sorted column that delivers a sorted, filtered page of current devices without sorting', () => {
    const db = databases.upgrade(schemaThreeWithDevices(), 4);
    for (const [column, columns] of Object.entries(SORT_INDEXES)) {
      const name = `devices_by_${column}`;
      expect(db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name)).toEqual({
        sql: `CREATE INDEX ${name} ON devices (${columns}) WHERE removed_at IS NULL`,
      });
      const order = [...columns.split(', '), 'id'].map((c) => `d.${c}`).join(', ');
      // The repository names the index (INDEXED BY): the index must deliver the whole order and the filters itself.
      const plan = queryPlan(db, `SELECT d.id FROM devices d INDEXED BY ${name} WHERE d.removed_at IS NULL AND +d.platform_type = ? ORDER BY ${order} LIMIT 100 OFFSET 200`, [
        'ANDROID',
      ]);
      expect(plan, column).toBe(`SCAN d USING INDEX ${name}`);
    }
  });

  it('counts and facets from the facets index, never sorting the rows', () => {
    const db = databases.upgrade(schemaThreeWithDevices(), 4);
    const trusted = 'SELECT count(*) AS n FROM devices d INDEXED BY devices_facets WHERE d.removed_at IS NULL AND d.has_client_id = 1';
    expect(db.prepare(trusted).get()).toEqual({ n: 18 });
    expect(queryPlan(db, trusted, [])).toBe('SEARCH d USING INDEX devices_facets (removed_at=?)');
    expect(
      queryPlan(
        db,
        'SELECT platform_type, registration_state, compliant, count(*) FROM devices d WHERE d.removed_at IS NULL GROUP BY integration_id, platform_type, registration_state, compliant',
        [],
      ),
    ).toBe('SEARCH d USING COVERING INDEX devices_facets (removed_at=?)');
  });

  it('keeps saved search names unique whatever their case', () => {
    const db = databases.upgrade(schemaThreeWithDevices(), 4);
    const insert = db.prepare(`INSERT INTO saved_searches (name, query, created_at, updated_at) VALUES (?, '{}', 1, 1)`);
    insert.run('Stale Androids');
    expect(() => insert.run('stale androids')).toThrow(/UNIQUE constraint/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();

/** A schema-1 database as the first console left it: two integrations, a test group, settings, an audit entry. */
function schemaOneWithRows(): Db {
  const db = databases.at(1);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, domain, email, password_ref, config_key, created_at, updated_at)
      VALUES ('int-a', 'Android fleet', 'ivanti-neurons', 'android', 'test-group', 'acme.mobileiron.com', 'api@acme.test', 'int-a/password', 'DPK0W0KLPJLOGSKHTDD', 10, 20),
             ('int-i', 'iPhones', 'ivanti-neurons', 'ios-appconfig', 'disabled', NULL, NULL, NULL, NULL, 30, 30);
    INSERT INTO integration_test_group (integration_id, username) VALUES ('int-a', 'pat');
    INSERT INTO settings (key, value) VALUES ('syncIntervalMinutes', '60');
    INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash) VALUES (1, 40, 'admin', 'integration.created', 'int-a', '{}', '', 'h1');
  `);
  return db;
}

function insertDevice(db: Db, integrationId: string, guid: string, extra: { identifier?: string; run: number; space?: number; page?: number }): void {
  db.prepare(
    `INSERT INTO devices (integration_id, guid, space_id, client_device_identifier, raw, record_hash, first_seen_at, last_seen_at, last_seen_run, last_seen_page)
     VALUES (?, ?, ?, ?, '{}', 'hash', 1, 1, ?, ?)`,
  ).run(integrationId, guid, extra.space ?? 1, extra.identifier ?? null, extra.run, extra.page ?? 0);
}

describe('migration 0002: devices, sync runs, device changes', () => {
  it('keeps every row of schema 1 as it was', () => {
    const before = schemaOneWithRows();
    const snapshot = (db: Db) => ({
      integrations: db.prepare('SELECT * FROM integrations ORDER BY id').all(),
      testGroup: db.prepare('SELECT * FROM integration_test_group').all(),
      settings: db.prepare('SELECT * FROM settings').all(),
      audit: db.prepare('SELECT * FROM audit_log').all(),
    });
    const rows = snapshot(before);
    const db = databases.upgrade(before, 2);
    expect(databases.lastUpgrade().schemaVersion).toBe(2);
    expect(databases.lastUpgrade().backupFile).toMatch(/before-v1-upgrade/);
    expect(snapshot(db)).toEqual(rows);
  });

  it('stores one device per integration and tenant guid, and drops the devices and runs of a deleted integration', () => {
    const db = databases.upgrade(schemaOneWithRows(), 2);
    const run = db
      .prepare(`INSERT INTO sync_runs (integration_id, trigger, status, started_at) VALUES ('int-a', 'manual', 'running', 50)`)
      .run().lastInsertRowid as number;
    insertDevice(db, 'int-a', 'guid-1', { run });
    insertDevice(db, 'int-i', 'guid-1', { run }); // the same guid under another integration is another row
    expect(() => insertDevice(db, 'int-a', 'guid-1', { run })).toThrow(/UNIQUE constraint failed: devices.integration_id, devices.guid/);
    db.prepare(`INSERT INTO device_changes (run_id, integration_id, guid, kind, at) VALUES (?, 'int-a', 'guid-1', 'added', 50)`).run(run);
    expect(() => db.prepare(`INSERT INTO sync_runs (integration_id, trigger, status, started_at) VALUES ('int-a', 'boot', 'running', 1)`).run()).toThrow(/CHECK/);

    db.prepare(`DELETE FROM integrations WHERE id = 'int-a'`).run();
    expect(db.prepare('SELECT integration_id FROM devices').all()).toEqual([{ integration_id: 'int-i' }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM sync_runs').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM device_changes').get()).toEqual({ n: 0 });
  });

  it('serves the sync engine and the trust lookup from indexes, never by scanning the wide device rows', () => {
    const db = databases.upgrade(schemaOneWithRows(), 2);
    for (let i = 0; i < 50; i += 1) insertDevice(db, 'int-a', `guid-${i}`, { identifier: `id-${i}`, run: 1 + (i % 3), space: i % 2, page: i });
    // The engine's lookup of a record it just read.
    expect(queryPlan(db, 'SELECT id, record_hash FROM devices WHERE integration_id = ? AND guid = ?', ['int-a', 'guid-3'])).toMatch(
      /SEARCH devices USING INDEX devices_key \(integration_id=\? AND guid=\?\)/,
    );
    // A complete run looking for devices it did not see: the partial presence index alone.
    expect(
      queryPlan(db, 'SELECT id, guid FROM devices WHERE integration_id = ? AND last_seen_run < ? AND removed_at IS NULL LIMIT ?', ['int-a', 3, 500]),
    ).toMatch(/SEARCH devices USING INDEX devices_presence \(integration_id=\? AND last_seen_run<\?\)/);
    // "Has this device synced?" by Device Client ID.
    expect(queryPlan(db, 'SELECT guid FROM devices WHERE client_device_identifier = ?', ['id-7'])).toMatch(/USING INDEX devices_identifier/);
    // A run's history and a device's history.
    expect(queryPlan(db, 'SELECT * FROM device_changes WHERE run_id = ?', [1])).toMatch(/USING INDEX device_changes_run/);
    expect(queryPlan(db, 'SELECT * FROM device_changes WHERE integration_id = ? AND guid = ? ORDER BY id', ['int-a', 'guid-1'])).toMatch(
      /USING INDEX device_changes_device/,
    );
    expect(queryPlan(db, 'SELECT * FROM sync_runs WHERE integration_id = ? ORDER BY started_at DESC LIMIT 1', ['int-a'])).toMatch(
      /USING INDEX sync_runs_integration/,
    );
  });
});

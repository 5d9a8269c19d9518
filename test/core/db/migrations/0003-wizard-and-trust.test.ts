import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();

/** A schema-2 database with synced devices: an Android and a legacy certificate integration, one run each. */
function schemaTwoWithRows(): Db {
  const db = databases.at(2);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at)
      VALUES ('int-a', 'Android fleet', 'ivanti-neurons', 'android', 'all-users', 10, 10),
             ('int-c', 'Legacy iOS', 'ivanti-neurons', 'ios-certs', 'test-group', 20, 20);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete) VALUES (1, 'int-a', 'manual', 'completed', 30, 40, 1);
    INSERT INTO devices (integration_id, guid, client_device_identifier, raw, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES ('int-a', 'g-1', 'abc', '{}', 'h', 30, 40, 1), ('int-a', 'g-2', NULL, '{}', 'h', 30, 40, 1);
    INSERT INTO device_changes (run_id, integration_id, guid, kind, at) VALUES (1, 'int-a', 'g-1', 'added', 35);
  `);
  return db;
}

describe('migration 0003: wizard drafts, integration tombstones, legacy migration link', () => {
  it('keeps every integration live (not deleted, not migrated) with its devices, runs and changes', () => {
    const before = schemaTwoWithRows();
    const devices = before.prepare('SELECT * FROM devices ORDER BY id').all();
    const db = databases.upgrade(before, 3);
    expect(db.prepare('SELECT id, status, deleted_at, migrated_from FROM integrations ORDER BY id').all()).toEqual([
      { id: 'int-a', status: 'all-users', deleted_at: null, migrated_from: null },
      { id: 'int-c', status: 'test-group', deleted_at: null, migrated_from: null },
    ]);
    expect(db.prepare('SELECT * FROM devices ORDER BY id').all()).toEqual(devices);
    expect(db.prepare('SELECT COUNT(*) AS n FROM sync_runs').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM device_changes').get()).toEqual({ n: 1 });
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it("lets a tombstone's name be reused while live names stay unique", () => {
    const db = databases.upgrade(schemaTwoWithRows(), 3);
    const insert = db.prepare(`INSERT INTO integrations (id, name, mdm, platform, created_at, updated_at) VALUES (?, ?, 'ivanti-neurons', 'android', 50, 50)`);
    expect(() => insert.run('int-b', 'ANDROID FLEET')).toThrow(/UNIQUE constraint/);
    db.prepare(`UPDATE integrations SET deleted_at = 60 WHERE id = 'int-a'`).run();
    insert.run('int-b', 'Android fleet');
    expect(db.prepare('SELECT id FROM integrations WHERE name = ? COLLATE NOCASE AND deleted_at IS NULL').all('android fleet')).toEqual([{ id: 'int-b' }]);
    // The tombstone keeps its devices: nothing cascaded.
    expect(db.prepare(`SELECT COUNT(*) AS n FROM devices WHERE integration_id = 'int-a'`).get()).toEqual({ n: 2 });
  });

  it('links an App Config integration to the legacy one it replaces, and unlinks it when the legacy row goes', () => {
    const db = databases.upgrade(schemaTwoWithRows(), 3);
    db.prepare(
      `INSERT INTO integrations (id, name, mdm, platform, migrated_from, created_at, updated_at) VALUES ('int-i', 'iOS', 'ivanti-neurons', 'ios-appconfig', 'int-c', 50, 50)`,
    ).run();
    expect(() => db.prepare(`UPDATE integrations SET migrated_from = 'nope' WHERE id = 'int-i'`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`DELETE FROM integrations WHERE id = 'int-c'`).run();
    expect(db.prepare(`SELECT migrated_from FROM integrations WHERE id = 'int-i'`).get()).toEqual({ migrated_from: null });
  });

  it('lists open wizard drafts newest first from their index, and drops a draft with its integration', () => {
    const db = databases.upgrade(schemaTwoWithRows(), 3);
    db.exec(`
      INSERT INTO wizard_drafts (id, integration_id, step, state, created_at, updated_at, finished_at) VALUES
        ('d-1', NULL, 'platform', '{}', 1, 1, NULL),
        ('d-2', 'int-a', 'test', '{}', 2, 3, NULL),
        ('d-3', NULL, 'done', '{}', 2, 4, 4);
    `);
    expect(db.prepare('SELECT id FROM wizard_drafts WHERE finished_at IS NULL ORDER BY updated_at DESC').all()).toEqual([{ id: 'd-2' }, { id: 'd-1' }]);
    expect(queryPlan(db, 'SELECT * FROM wizard_drafts WHERE finished_at IS NULL ORDER BY updated_at DESC', [])).toMatch(
      /SEARCH wizard_drafts USING INDEX wizard_drafts_open \(finished_at=\?\)/,
    );
    db.prepare(`DELETE FROM integrations WHERE id = 'int-a'`).run();
    expect(db.prepare('SELECT id FROM wizard_drafts ORDER BY id').all()).toEqual([{ id: 'd-1' }, { id: 'd-3' }]);
  });
});

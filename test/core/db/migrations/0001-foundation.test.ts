import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queryPlan } from '../../../support/query-plans';
import { useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();

describe('migration 0001: settings, integrations, audit log', () => {
  it('turns an empty file into schema 1 without a backup (there was nothing to keep)', () => {
    const empty = databases.at(0);
    fs.truncateSync(empty.name, 0);
    const db = databases.upgrade(empty, 1);
    expect(databases.lastUpgrade()).toMatchObject({ schemaVersion: 1, backupFile: null });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(['audit_log', 'integration_test_group', 'integrations', 'settings']);
  });

  it('refuses an integration of an unknown platform or status, and a second one with the same name in another case', () => {
    const db = databases.upgrade(databases.at(0), 1);
    const insert = db.prepare(
      `INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at) VALUES (?, ?, 'ivanti-neurons', ?, ?, 1, 1)`,
    );
    insert.run('a', 'Android fleet', 'android', 'disabled');
    expect(() => insert.run('b', 'Windows fleet', 'windows', 'disabled')).toThrow(/CHECK constraint/);
    expect(() => insert.run('c', 'iOS', 'ios-appconfig', 'enabled')).toThrow(/CHECK constraint/);
    expect(() => insert.run('d', 'ANDROID FLEET', 'android', 'disabled')).toThrow(/UNIQUE constraint/);
  });

  it('drops the test group of an integration with it, and finds an integration by name through its index', () => {
    const db = databases.upgrade(databases.at(0), 1);
    db.prepare(`INSERT INTO integrations (id, name, mdm, platform, created_at, updated_at) VALUES ('a', 'Android', 'ivanti-neurons', 'android', 1, 1)`).run();
    db.prepare(`INSERT INTO integration_test_group (integration_id, username) VALUES ('a', 'Pat'), ('a', 'sam')`).run();
    expect(() => db.prepare(`INSERT INTO integration_test_group (integration_id, username) VALUES ('a', 'PAT')`).run()).toThrow(/UNIQUE/);
    db.prepare(`DELETE FROM integrations WHERE id = 'a'`).run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM integration_test_group').get()).toEqual({ n: 0 });
    expect(queryPlan(db, 'SELECT id FROM integrations WHERE name = ? COLLATE NOCASE', ['android'])).toMatch(/SEARCH integrations USING INDEX integrations_name/);
  });
});

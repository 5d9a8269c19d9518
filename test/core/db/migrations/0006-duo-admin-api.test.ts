import { describe, expect, it } from 'vitest';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();

describe('migration 0006: Duo Admin API connection and read copies', () => {
  it('keeps every integration and device, and starts with no connection and empty copies', () => {
    const before = databases.at(5);
    before.exec(`
      INSERT INTO integrations (id, name, mdm, platform, status, password_ref, created_at, updated_at)
        VALUES ('int-a', 'Android', 'ivanti-neurons', 'android', 'test-group', 'int-a/password', 1, 1);
      INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, complete) VALUES (1, 'int-a', 'manual', 'completed', 1, 1);
      INSERT INTO devices (integration_id, guid, client_device_identifier, raw, record_hash, first_seen_at, last_seen_at, last_seen_run)
        VALUES ('int-a', 'g-1', 'client-1', '{}', 'h', 1, 1, 1);
    `);
    const rows = { integrations: before.prepare('SELECT * FROM integrations').all(), devices: before.prepare('SELECT * FROM devices').all() };
    const db = databases.upgrade(before, 6);
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    expect(db.prepare('SELECT * FROM integrations').all()).toEqual(rows.integrations);
    expect(db.prepare('SELECT * FROM devices').all()).toEqual(rows.devices);
    for (const table of ['duo_connection', 'duo_users', 'duo_groups', 'duo_group_members', 'duo_endpoints', 'duo_reads']) {
      expect(db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
  });

  it('holds one connection at most, with a keychain reference and no column for the secret key', () => {
    const db = databases.upgrade(databases.at(5), 6);
    const insert = db.prepare("INSERT INTO duo_connection (id, api_hostname, integration_key, secret_ref, created_at, updated_at) VALUES (?, 'api-1.duosecurity.com', 'DI1', 'duo:admin-api:secret-key', 1, 1)");
    insert.run(1);
    expect(() => insert.run(2)).toThrow(/CHECK/);
    const columns = (db.prepare('PRAGMA table_info(duo_connection)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(columns.filter((c) => /secret/.test(c))).toEqual(['secret_ref']);
  });

  it('keeps an absent trusted_endpoint as NULL, refuses other values, and finds a user\'s endpoints by index', () => {
    const db = databases.upgrade(databases.at(5), 6);
    const insert = db.prepare('INSERT INTO duo_endpoints (epkey, username, trusted_endpoint, fetched_at) VALUES (?, ?, ?, 1)');
    insert.run('EP1', 'ada', null);
    insert.run('EP2', 'ada', 'yes');
    expect(() => insert.run('EP3', 'ada', 'maybe')).toThrow(/CHECK/);
    expect(queryPlan(db, 'SELECT * FROM duo_endpoints WHERE username = ? COLLATE NOCASE', ['ada'])).toMatch(/duo_endpoints_username/);
  });
});

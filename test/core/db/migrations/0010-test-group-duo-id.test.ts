import { describe, expect, it } from 'vitest';
import { useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();

describe('migration 0010: the Duo group id of the test group', () => {
  it('keeps every integration and its test group, with no Duo group recorded for those saved before', () => {
    const before = databases.at(9);
    before.exec(`
      INSERT INTO integrations (id, name, mdm, platform, status, created_at, updated_at)
        VALUES ('int-a', 'Android', 'ivanti-neurons', 'android', 'test-group', 1, 1),
               ('int-b', 'iOS', 'ivanti-neurons', 'ios-appconfig', 'all-users', 1, 1);
      INSERT INTO integration_test_group (integration_id, username) VALUES ('int-a', 'alice'), ('int-a', 'bob');
    `);
    const integrations = before.prepare('SELECT id, name, status FROM integrations ORDER BY id').all();
    const members = before.prepare('SELECT integration_id, username FROM integration_test_group ORDER BY username').all();
    const db = databases.upgrade(before, 10);
    expect(db.prepare('SELECT id, name, status FROM integrations ORDER BY id').all()).toEqual(integrations);
    expect(db.prepare('SELECT integration_id, username FROM integration_test_group ORDER BY username').all()).toEqual(members);
    expect(db.prepare('SELECT id, test_group_duo_id, test_group_duo_name FROM integrations ORDER BY id').all()).toEqual([
      { id: 'int-a', test_group_duo_id: null, test_group_duo_name: null },
      { id: 'int-b', test_group_duo_id: null, test_group_duo_name: null },
    ]);
  });
});

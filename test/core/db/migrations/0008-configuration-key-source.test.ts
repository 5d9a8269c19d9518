import { describe, expect, it } from 'vitest';
import { useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();

describe('migration 0008: configuration keys entered from Duo', () => {
  it('keeps every integration and its key, and marks every key stored before as not entered from Duo', () => {
    const before = databases.at(7);
    before.exec(`
      INSERT INTO integrations (id, name, mdm, platform, status, config_key, created_at, updated_at)
        VALUES ('int-a', 'Android', 'ivanti-neurons', 'android', 'disabled', 'DPKGENERATEDBYOLDAPP', 1, 1),
               ('int-b', 'No key', 'ivanti-neurons', 'ios-appconfig', 'disabled', NULL, 1, 1);
    `);
    const rows = before.prepare('SELECT id, name, config_key FROM integrations ORDER BY id').all();
    const db = databases.upgrade(before, 8);
    expect(db.prepare('SELECT id, name, config_key FROM integrations ORDER BY id').all()).toEqual(rows);
    expect(db.prepare('SELECT id, config_key_entered_at FROM integrations ORDER BY id').all()).toEqual([
      { id: 'int-a', config_key_entered_at: null },
      { id: 'int-b', config_key_entered_at: null },
    ]);
  });
});

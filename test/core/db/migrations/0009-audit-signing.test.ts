import { describe, expect, it } from 'vitest';
import { useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();

describe('migration 0009: audit chain signing', () => {
  it('keeps the audit log as it was and starts with no signing recorded (the next start signs the head)', () => {
    const before = databases.at(8);
    before.exec(`
      INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash)
        VALUES (1, 1, 'admin', 'settings.changed', NULL, '{}', '${'0'.repeat(64)}', '${'a'.repeat(64)}');
    `);
    const rows = before.prepare('SELECT * FROM audit_log').all();
    const db = databases.upgrade(before, 9);
    expect(db.prepare('SELECT * FROM audit_log').all()).toEqual(rows);
    expect(db.prepare('SELECT count(*) FROM audit_signing').pluck().get()).toBe(0);
    expect(() => db.prepare("INSERT INTO audit_signing (id, public_key, started_seq) VALUES (2, 'k', 1)").run()).toThrow(/CHECK constraint/);
  });
});

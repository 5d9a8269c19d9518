import type { Migration } from '../migration';

/**
 * Remembers that this database's audit chain is signed (core/audit/audit-signature.ts): once a signed head was stored
 * in the keychain, a keychain without one means it was removed, not that signing never started. One row at most.
 */
export const auditSigning: Migration = {
  version: 9,
  name: 'Audit chain signing',
  up(db) {
    db.exec(`
      CREATE TABLE audit_signing (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        public_key  TEXT NOT NULL,
        started_seq INTEGER NOT NULL
      ) STRICT;
    `);
  },
};

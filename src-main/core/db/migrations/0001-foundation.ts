import type { Migration } from '../migration';

export const foundation: Migration = {
  version: 1,
  name: 'settings, integrations, audit log',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE integrations (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        mdm         TEXT NOT NULL CHECK (mdm IN ('ivanti-neurons')),
        platform    TEXT NOT NULL CHECK (platform IN ('android', 'ios-appconfig', 'ios-certs')),
        status      TEXT NOT NULL DEFAULT 'disabled' CHECK (status IN ('disabled', 'test-group', 'all-users')),
        domain      TEXT,
        email       TEXT,
        -- keychain account names; the secrets themselves never touch this file
        password_ref TEXT,
        config_key  TEXT,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX integrations_name ON integrations (name COLLATE NOCASE);

      CREATE TABLE integration_test_group (
        integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        username       TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (integration_id, username)
      ) STRICT;

      -- Append-only, hash-chained: hash = sha256(prev_hash || canonical entry). See core/audit/audit-log.ts.
      CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        target    TEXT,
        details   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
      ) STRICT;
    `);
  },
};

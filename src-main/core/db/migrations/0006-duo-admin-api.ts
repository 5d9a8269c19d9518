import type { Migration } from '../migration';

/**
 * What the console reads from the Duo Admin API (read-only; reference/duo-admin-api.md), and the connection to it.
 *
 * - `duo_connection` has one row at most: the API hostname and integration key (not secret: Duo shows them in the
 *   Admin Panel to any admin) and `secret_ref`, the keychain account of the secret key. The secret key itself never
 *   touches this file.
 * - `duo_users`, `duo_groups`, `duo_group_members`, `duo_endpoints` hold the last complete read of each list, replaced
 *   whole in one transaction when a read finishes, so a cancelled or failed read leaves the previous copy.
 *   `fetched_at` says when. Personal fields are Duo's; nothing is derived here.
 * - `duo_endpoints.trusted_endpoint` is NULL when Duo did not send the field (non-Premier accounts): absent, not "no".
 * - `duo_reads` records each list's last read (when, how many, or the error), one row per kind.
 */
export const duoAdminApi: Migration = {
  version: 6,
  name: 'Duo Admin API connection and read copies',
  up(db) {
    db.exec(`
      CREATE TABLE duo_connection (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        api_hostname     TEXT NOT NULL,
        integration_key  TEXT NOT NULL,
        -- keychain account name; the secret key itself never touches this file
        secret_ref       TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE duo_users (
        user_id     TEXT PRIMARY KEY,
        username    TEXT NOT NULL,
        realname    TEXT,
        email       TEXT,
        status      TEXT,
        -- JSON array of Duo's aliases (alias1..4 and aliases)
        aliases     TEXT NOT NULL DEFAULT '[]',
        fetched_at  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX duo_users_username ON duo_users (username COLLATE NOCASE);
      CREATE INDEX duo_users_email ON duo_users (email COLLATE NOCASE);

      CREATE TABLE duo_groups (
        group_id     TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        description  TEXT,
        status       TEXT,
        fetched_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE duo_group_members (
        group_id  TEXT NOT NULL REFERENCES duo_groups (group_id) ON DELETE CASCADE,
        user_id   TEXT NOT NULL,
        username  TEXT,
        PRIMARY KEY (group_id, user_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE duo_endpoints (
        epkey                   TEXT PRIMARY KEY,
        username                TEXT,
        email                   TEXT,
        os_family               TEXT,
        os_version              TEXT,
        model                   TEXT,
        device_name             TEXT,
        trusted_endpoint        TEXT CHECK (trusted_endpoint IS NULL OR trusted_endpoint IN ('yes', 'no', 'unknown')),
        device_identifier       TEXT,
        device_identifier_type  TEXT,
        device_udid             TEXT,
        last_updated            INTEGER,
        fetched_at              INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX duo_endpoints_username ON duo_endpoints (username COLLATE NOCASE);
      CREATE INDEX duo_endpoints_udid ON duo_endpoints (device_udid) WHERE device_udid IS NOT NULL AND device_udid <> '';

      CREATE TABLE duo_reads (
        kind           TEXT PRIMARY KEY CHECK (kind IN ('users', 'groups', 'endpoints')),
        status         TEXT NOT NULL CHECK (status IN ('completed', 'failed', 'cancelled')),
        started_at     INTEGER NOT NULL,
        finished_at    INTEGER NOT NULL,
        count          INTEGER,
        error_code     TEXT,
        error_message  TEXT
      ) STRICT;
    `);
  },
};

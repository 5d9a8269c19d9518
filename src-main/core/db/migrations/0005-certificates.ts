import type { Migration } from '../migration';

/**
 * The legacy iOS certificate integration's CA profile and the certificate inventory.
 *
 * - `ca_profiles.password_ref` is the keychain account of the CA (NDES) password; the password itself never touches
 *   this file. The identity certificate's key size, signature algorithm and key usage are what Ivanti's identity
 *   certificate configuration uses for Duo; they are columns (with the only allowed value) so the database says what
 *   was configured.
 * - `certificates` keeps the DER of every certificate recorded (public data) and never a private key: there is no
 *   column for one. A test certificate (Test Configuration) has no device.
 * - Status is derived when read: invalidated when `invalidated_at` is set (the integration was deleted), else expired
 *   when `not_after` has passed, else active. Storing it would go stale at each certificate's expiry.
 * - Certificates stay on record when their integration is deleted (integrations are tombstoned, see migration 3), so
 *   "why was this device's certificate refused?" keeps an answer.
 */
export const certificatesSchema: Migration = {
  version: 5,
  name: 'CA profiles and certificate inventory',
  up(db) {
    db.exec(`
      CREATE TABLE ca_profiles (
        integration_id TEXT PRIMARY KEY REFERENCES integrations (id) ON DELETE CASCADE,
        name           TEXT NOT NULL,
        ca_type        TEXT NOT NULL DEFAULT 'microsoft' CHECK (ca_type IN ('microsoft')),
        scep_url       TEXT NOT NULL,
        username       TEXT NOT NULL,
        -- keychain account name; the password itself never touches this file
        password_ref   TEXT,
        challenge_url  TEXT,
        subject        TEXT NOT NULL,
        key_size       INTEGER NOT NULL DEFAULT 2048 CHECK (key_size = 2048),
        signature_algorithm TEXT NOT NULL DEFAULT 'sha256WithRSA' CHECK (signature_algorithm = 'sha256WithRSA'),
        key_usage      TEXT NOT NULL DEFAULT 'digitalSignature' CHECK (key_usage = 'digitalSignature'),
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE certificates (
        id                 INTEGER PRIMARY KEY,
        integration_id     TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        purpose            TEXT NOT NULL CHECK (purpose IN ('test', 'device')),
        device_guid        TEXT,
        device_identifier  TEXT,
        serial_number      TEXT NOT NULL,
        subject            TEXT NOT NULL,
        issuer             TEXT NOT NULL,
        not_before         INTEGER NOT NULL,
        not_after          INTEGER NOT NULL,
        -- comma-separated RFC 5280 names; empty when the certificate has no keyUsage extension
        key_usage          TEXT NOT NULL,
        -- SHA-256 of the DER, upper-case hex pairs joined by colons
        sha256_fingerprint TEXT NOT NULL,
        der                BLOB NOT NULL,
        invalidated_at     INTEGER,
        invalidated_reason TEXT,
        created_at         INTEGER NOT NULL,
        CHECK ((invalidated_at IS NULL) = (invalidated_reason IS NULL)),
        CHECK (purpose = 'device' OR (device_guid IS NULL AND device_identifier IS NULL))
      ) STRICT;
      CREATE UNIQUE INDEX certificates_fingerprint ON certificates (sha256_fingerprint);
      -- The inventory page pages newest first, per integration or across all.
      CREATE INDEX certificates_integration ON certificates (integration_id, id);
      -- Expiry warnings: still-valid device certificates of an integration by expiry.
      CREATE INDEX certificates_expiry ON certificates (integration_id, not_after) WHERE purpose = 'device' AND invalidated_at IS NULL;
      -- Trust verification: the certificates of one device, by Device Client ID or tenant guid.
      CREATE INDEX certificates_device_identifier ON certificates (integration_id, device_identifier) WHERE device_identifier IS NOT NULL;
      CREATE INDEX certificates_device_guid ON certificates (integration_id, device_guid) WHERE device_guid IS NOT NULL;
    `);
  },
};

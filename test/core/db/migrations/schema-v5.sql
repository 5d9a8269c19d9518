index certificates_device_guid ON certificates
CREATE INDEX certificates_device_guid ON certificates (integration_id, device_guid) WHERE device_guid IS NOT NULL

index certificates_device_identifier ON certificates
CREATE INDEX certificates_device_identifier ON certificates (integration_id, device_identifier) WHERE device_identifier IS NOT NULL

index certificates_expiry ON certificates
CREATE INDEX certificates_expiry ON certificates (integration_id, not_after) WHERE purpose = 'device' AND invalidated_at IS NULL

index certificates_fingerprint ON certificates
CREATE UNIQUE INDEX certificates_fingerprint ON certificates (sha256_fingerprint)

index certificates_integration ON certificates
CREATE INDEX certificates_integration ON certificates (integration_id, id)

index device_changes_device ON device_changes
CREATE INDEX device_changes_device ON device_changes (integration_id, guid, id)

index device_changes_run ON device_changes
CREATE INDEX device_changes_run ON device_changes (run_id)

index devices_by_client_device_identifier ON devices
CREATE INDEX devices_by_client_device_identifier ON devices (client_device_identifier, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_compliant ON devices
CREATE INDEX devices_by_compliant ON devices (compliant, integration_id, space_name, platform_type, registration_state, has_client_id) WHERE removed_at IS NULL

index devices_by_device_name ON devices
CREATE INDEX devices_by_device_name ON devices (device_name, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_display_name ON devices
CREATE INDEX devices_by_display_name ON devices (display_name, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_integration_id ON devices
CREATE INDEX devices_by_integration_id ON devices (integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_last_checkin ON devices
CREATE INDEX devices_by_last_checkin ON devices (last_checkin, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_model ON devices
CREATE INDEX devices_by_model ON devices (model, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_platform_type ON devices
CREATE INDEX devices_by_platform_type ON devices (platform_type, integration_id, space_name, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_registration_state ON devices
CREATE INDEX devices_by_registration_state ON devices (registration_state, integration_id, space_name, platform_type, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_serial_number ON devices
CREATE INDEX devices_by_serial_number ON devices (serial_number, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_space_name ON devices
CREATE INDEX devices_by_space_name ON devices (space_name, integration_id, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_by_uid ON devices
CREATE INDEX devices_by_uid ON devices (uid, integration_id, space_name, platform_type, registration_state, compliant, has_client_id) WHERE removed_at IS NULL

index devices_facets ON devices
CREATE INDEX devices_facets ON devices (removed_at, integration_id, platform_type, registration_state, compliant, last_checkin, space_name, has_client_id)

index devices_identifier ON devices
CREATE INDEX devices_identifier ON devices (client_device_identifier)

index devices_ivanti_id ON devices
CREATE INDEX devices_ivanti_id ON devices (integration_id, ivanti_id)

index devices_key ON devices
CREATE UNIQUE INDEX devices_key ON devices (integration_id, guid)

index devices_presence ON devices
CREATE INDEX devices_presence ON devices (integration_id, last_seen_run, space_id, last_seen_page) WHERE removed_at IS NULL

index integrations_live_name ON integrations
CREATE UNIQUE INDEX integrations_live_name ON integrations (name COLLATE NOCASE) WHERE deleted_at IS NULL

index saved_searches_name ON saved_searches
CREATE UNIQUE INDEX saved_searches_name ON saved_searches (name COLLATE NOCASE)

index sync_runs_integration ON sync_runs
CREATE INDEX sync_runs_integration ON sync_runs (integration_id, started_at DESC)

index wizard_drafts_open ON wizard_drafts
CREATE INDEX wizard_drafts_open ON wizard_drafts (finished_at, updated_at DESC)

table audit_log ON audit_log
CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        target    TEXT,
        details   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
      ) STRICT

table ca_profiles ON ca_profiles
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
      ) STRICT

table certificates ON certificates
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
      ) STRICT

table device_changes ON device_changes
CREATE TABLE device_changes (
        id             INTEGER PRIMARY KEY,
        run_id         INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
        integration_id TEXT NOT NULL,
        guid           TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('added', 'changed', 'removed', 'restored')),
        -- JSON: for 'changed', {field: [before, after]} of the fields that differ
        fields         TEXT,
        at             INTEGER NOT NULL
      ) STRICT

table devices ON devices
CREATE TABLE devices (
        id             INTEGER PRIMARY KEY,
        integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        guid           TEXT NOT NULL,
        ivanti_id      INTEGER,
        space_id       INTEGER,
        space_name     TEXT,
        client_device_identifier TEXT,
        platform_type  TEXT,
        platform_version TEXT,
        registration_state TEXT,
        compliant      INTEGER,
        quarantined    INTEGER,
        jailbroken     INTEGER,
        uid            TEXT,
        email          TEXT,
        display_name   TEXT,
        serial_number  TEXT,
        imei           TEXT,
        udid           TEXT,
        wifi_mac       TEXT,
        model          TEXT,
        device_name    TEXT,
        manufacturer   TEXT,
        last_checkin   INTEGER,
        raw            TEXT NOT NULL,
        record_hash    TEXT NOT NULL,
        first_seen_at  INTEGER NOT NULL,
        last_seen_at   INTEGER NOT NULL,
        last_seen_run  INTEGER NOT NULL,
        -- the run's page counter when last seen: a space re-read within a run counts only what its last pass saw
        last_seen_page INTEGER NOT NULL DEFAULT 0,
        removed_at     INTEGER,
        removed_run    INTEGER
      , has_client_id INTEGER AS (client_device_identifier IS NOT NULL) VIRTUAL) STRICT

table devices_fts ON devices_fts
CREATE VIRTUAL TABLE devices_fts USING fts5(
        identifier, serial, imei, udid, mac, user, email, name, model,
        content = '',
        contentless_delete = 1,
        prefix = '2 3',
        tokenize = 'unicode61 remove_diacritics 2'
      )

table devices_fts_config ON devices_fts_config
CREATE TABLE 'devices_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID

table devices_fts_data ON devices_fts_data
CREATE TABLE 'devices_fts_data'(id INTEGER PRIMARY KEY, block BLOB)

table devices_fts_docsize ON devices_fts_docsize
CREATE TABLE 'devices_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB, origin INTEGER)

table devices_fts_idx ON devices_fts_idx
CREATE TABLE 'devices_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID

table devices_fts_pending ON devices_fts_pending
CREATE TABLE devices_fts_pending (
        device_id INTEGER PRIMARY KEY,
        indexed   INTEGER NOT NULL
      ) STRICT

table integration_test_group ON integration_test_group
CREATE TABLE integration_test_group (
        integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        username       TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (integration_id, username)
      ) STRICT

table integrations ON integrations
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
      , deleted_at INTEGER, migrated_from TEXT REFERENCES integrations (id) ON DELETE SET NULL) STRICT

table saved_searches ON saved_searches
CREATE TABLE saved_searches (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        -- JSON of a DeviceQuery (src-shared/domain/device.ts), parsed again on load
        query      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT

table settings ON settings
CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT

table sync_runs ON sync_runs
CREATE TABLE sync_runs (
        id             INTEGER PRIMARY KEY,
        integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        trigger        TEXT NOT NULL CHECK (trigger IN ('manual', 'scheduled', 'cli', 'wizard')),
        status         TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
        started_at     INTEGER NOT NULL,
        finished_at    INTEGER,
        -- 1 only when every visible space was read to the end: the only kind of run allowed to mark removals
        complete       INTEGER NOT NULL DEFAULT 0,
        spaces_total   INTEGER NOT NULL DEFAULT 0,
        pages          INTEGER NOT NULL DEFAULT 0,
        devices_seen   INTEGER NOT NULL DEFAULT 0,
        added          INTEGER NOT NULL DEFAULT 0,
        changed        INTEGER NOT NULL DEFAULT 0,
        removed        INTEGER NOT NULL DEFAULT 0,
        restored       INTEGER NOT NULL DEFAULT 0,
        -- time spent actually syncing, summed over resumes (finished_at - started_at also counts the pauses)
        active_ms      INTEGER NOT NULL DEFAULT 0,
        -- "pid@host" of the process running it and its last sign of life: a 'running' run whose process is gone
        -- crashed and is resumed; one whose process lives belongs to another console or tec (SYNC_ALREADY_RUNNING)
        owner          TEXT,
        heartbeat_at   INTEGER,
        -- JSON: where to resume; written in the same transaction as the page of devices it covers
        checkpoint     TEXT,
        -- JSON array of {code, message, space?}
        errors         TEXT NOT NULL DEFAULT '[]'
      ) STRICT

table wizard_drafts ON wizard_drafts
CREATE TABLE wizard_drafts (
        id             TEXT PRIMARY KEY,
        integration_id TEXT REFERENCES integrations (id) ON DELETE CASCADE,
        step           TEXT NOT NULL,
        -- JSON, never a secret (see WizardDraftState in src-shared/contract/wizard.ts)
        state          TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        finished_at    INTEGER
      ) STRICT

trigger devices_fts_queue_delete ON devices
CREATE TRIGGER devices_fts_queue_delete AFTER DELETE ON devices BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (old.id, 1) ON CONFLICT DO NOTHING;
      END

trigger devices_fts_queue_insert ON devices
CREATE TRIGGER devices_fts_queue_insert AFTER INSERT ON devices BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (new.id, 0) ON CONFLICT DO NOTHING;
      END

trigger devices_fts_queue_update ON devices
CREATE TRIGGER devices_fts_queue_update AFTER UPDATE OF client_device_identifier, serial_number, imei, udid, wifi_mac, uid, email, display_name, device_name, model, manufacturer ON devices WHEN old.client_device_identifier IS NOT new.client_device_identifier OR old.serial_number IS NOT new.serial_number OR old.imei IS NOT new.imei OR old.udid IS NOT new.udid OR old.wifi_mac IS NOT new.wifi_mac OR old.uid IS NOT new.uid OR old.email IS NOT new.email OR old.display_name IS NOT new.display_name OR old.device_name IS NOT new.device_name OR old.model IS NOT new.model OR old.manufacturer IS NOT new.manufacturer BEGIN
        INSERT INTO devices_fts_pending (device_id, indexed) VALUES (new.id, 1) ON CONFLICT DO NOTHING;
      END

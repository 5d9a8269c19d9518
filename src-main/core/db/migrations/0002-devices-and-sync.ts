import type { Migration } from '../migration';

/**
 * Synced devices, sync runs and per-device change history.
 * Devices are keyed by (integration, tenant guid): never by serial or IMEI, which GDPR privacy profiles obfuscate.
 * A device missing from a complete run is marked removed (removed_at), never deleted, so audits keep it.
 */
export const devicesAndSync: Migration = {
  version: 2,
  name: 'devices, sync runs, device changes',
  up(db) {
    db.exec(`
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
      ) STRICT;
      CREATE INDEX sync_runs_integration ON sync_runs (integration_id, started_at DESC);

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
      ) STRICT;
      CREATE UNIQUE INDEX devices_key ON devices (integration_id, guid);
      CREATE INDEX devices_identifier ON devices (client_device_identifier);
      -- A record the tenant sent in a shape the console cannot store is known by its numeric id alone.
      CREATE INDEX devices_ivanti_id ON devices (integration_id, ivanti_id);
      -- What a complete run reads to find devices it did not see, without touching the wide rows.
      CREATE INDEX devices_presence ON devices (integration_id, last_seen_run, space_id, last_seen_page) WHERE removed_at IS NULL;

      CREATE TABLE device_changes (
        id             INTEGER PRIMARY KEY,
        run_id         INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
        integration_id TEXT NOT NULL,
        guid           TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('added', 'changed', 'removed', 'restored')),
        -- JSON: for 'changed', {field: [before, after]} of the fields that differ
        fields         TEXT,
        at             INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX device_changes_run ON device_changes (run_id);
      CREATE INDEX device_changes_device ON device_changes (integration_id, guid, id);
    `);
  },
};

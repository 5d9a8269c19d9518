import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { SyncRunStore } from '../../../../src-main/core/sync/sync-run-store';
import { useDatabaseAtVersion } from '../../../support/database-at-version';

const databases = useDatabaseAtVersion();

const CURSOR = { pass: 1, drifted: false, passStartPage: 1, start: 0, lastId: null, seenInPass: 10, totalCount: 10, unparsed: 0 };
const FORBIDDEN = 'The API user may not read devices in the space "Restricted" (HTTP 403).';

/** A finished run's checkpoint as the sync engine of schema 12 left it: each space and how far it was read. */
function checkpoint(spaces: [number, string, 'verified' | 'failed' | 'pending'][]): string {
  return JSON.stringify({ version: 1, phase: 'finalizing', round: 1, roundChanged: false, spaces: spaces.map(([id, name, state]) => ({ ...CURSOR, id, name, state })) });
}

/**
 * A database at schema 12 with synced devices, their history and these runs:
 * - Acme Android (int-a): read both spaces at 1000; "Restricted" answered 403 at 2000 and 3000 (stale since 1000).
 * - Acme iOS (int-i): same API user, so it received a copy of the 3000 fetch (`shared_from`), and before that read
 *   both spaces itself at 1500 (stale since 1500 for it).
 * - North (int-n): a complete run at 50 whose checkpoint was not kept (every space read), then a 403 at 60.
 * - Failing (int-f): a 403 at 100, then a run that failed before reading any space at 200 (nothing stale: the latest
 *   finished run marked no space failed).
 * - Gone (int-g): deleted, with a stale space: no rows.
 */
function syncedAt12(): Db {
  const db = databases.at(12);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at, deleted_at) VALUES
      ('int-a', 'Acme Android', 'ivanti-neurons', 'android', 'all-users', 'acme.mobileiron.com', 'api@acme.example', 1, 1, NULL),
      ('int-i', 'Acme iOS', 'ivanti-neurons', 'ios-appconfig', 'all-users', 'acme.mobileiron.com', 'api@acme.example', 1, 1, NULL),
      ('int-n', 'North', 'ivanti-neurons', 'android', 'all-users', 'north.mobileiron.com', 'api@north.example', 1, 1, NULL),
      ('int-f', 'Failing', 'ivanti-neurons', 'android', 'all-users', 'fail.mobileiron.com', 'api@fail.example', 1, 1, NULL),
      ('int-g', 'Gone', 'ivanti-neurons', 'android', 'disabled', 'gone.mobileiron.com', 'api@gone.example', 1, 1, 5000);
  `);
  const run = db.prepare(
    `INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, finished_at, complete, checkpoint, errors, shared_from)
     VALUES (@id, @integration, 'manual', @status, @finished - 10, @finished, @complete, @checkpoint, @errors, @sharedFrom)`,
  );
  const both = checkpoint([[1, 'Default', 'verified'], [2, 'Restricted', 'verified']]);
  const restricted = checkpoint([[1, 'Default', 'verified'], [2, 'Restricted', 'failed']]);
  const forbidden = JSON.stringify([{ code: 'IVANTI_SPACE_FORBIDDEN', message: FORBIDDEN, space: 'Restricted' }]);
  const completed = { status: 'completed', errors: '[]', sharedFrom: null };
  for (const r of [
    { ...completed, id: 1, integration: 'int-a', finished: 1000, complete: 1, checkpoint: both },
    { ...completed, id: 2, integration: 'int-i', finished: 1500, complete: 1, checkpoint: both },
    { ...completed, id: 3, integration: 'int-a', finished: 2000, complete: 0, checkpoint: restricted, errors: forbidden },
    { ...completed, id: 4, integration: 'int-a', finished: 3000, complete: 0, checkpoint: restricted, errors: forbidden },
    { ...completed, id: 5, integration: 'int-i', finished: 3000, complete: 0, checkpoint: restricted, errors: forbidden, sharedFrom: 4 },
    { ...completed, id: 6, integration: 'int-n', finished: 50, complete: 1, checkpoint: null },
    { ...completed, id: 7, integration: 'int-n', finished: 60, complete: 0, checkpoint: checkpoint([[1, 'Default', 'verified'], [5, 'North Lab', 'failed']]), errors: '[]' },
    { ...completed, id: 8, integration: 'int-f', finished: 100, complete: 0, checkpoint: restricted, errors: forbidden },
    { ...completed, id: 9, integration: 'int-f', status: 'failed', finished: 200, complete: 0, checkpoint: null, errors: '[{"code":"IVANTI_AUTH_REJECTED","message":"no"}]' },
    { ...completed, id: 10, integration: 'int-g', finished: 100, complete: 0, checkpoint: restricted, errors: forbidden },
    // A run still going, and one cancelled: neither is a finished run.
    { ...completed, id: 11, integration: 'int-a', status: 'cancelled', finished: 4000, complete: 0, checkpoint: checkpoint([[1, 'Default', 'pending'], [2, 'Restricted', 'pending']]) },
  ]) {
    run.run(r);
  }
  // Devices synced by the Acme fetch, in both spaces, seen by both integrations, with their history.
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
    INSERT INTO devices (tenant, integration_id, guid, space_id, space_name, client_device_identifier, identifier_key, platform_type, registration_state,
                         device_name, raw, record_hash, first_seen_at, last_seen_at, last_seen_run)
    SELECT 'acme.mobileiron.com', CASE WHEN i % 2 = 0 THEN 'int-a' ELSE 'int-i' END, 'guid-' || i, 1 + i % 3 / 2, CASE WHEN i % 3 = 2 THEN 'Restricted' ELSE 'Default' END,
           'CLIENT-' || i, 'client-' || i, CASE WHEN i % 2 = 0 THEN 'ANDROID' ELSE 'IOS' END, 'ACTIVE', 'Device ' || i, '{}', 'h', 900, 1000, 1 FROM n;
    INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run)
      SELECT d.id, i.integration, d.space_id, d.space_name, 900, 1000, 1 FROM devices d, (SELECT 'int-a' AS integration UNION ALL SELECT 'int-i') i;
    INSERT INTO device_changes (run_id, integration_id, guid, device_id, kind, at) SELECT 1, 'int-a', guid, id, 'added', 1000 FROM devices;
  `);
  return db;
}

interface SpaceRow {
  integration_id: string;
  space_id: number;
  space_name: string;
  state: string;
  reason: string | null;
  last_read_at: number | null;
  checked_at: number;
}

describe('migration 0013: the stored state of each integration per device space', () => {
  it('backfills each space as the run checkpoints derived it, and keeps the devices and their history', () => {
    const before = syncedAt12();
    const snapshot = (db: Db) => ({
      devices: db.prepare('SELECT * FROM devices ORDER BY id').all(),
      sightings: db.prepare('SELECT * FROM device_sightings ORDER BY device_id, integration_id').all(),
      changes: db.prepare('SELECT * FROM device_changes ORDER BY id').all(),
      runs: db.prepare('SELECT * FROM sync_runs ORDER BY id').all(),
    });
    const kept = snapshot(before);
    const db = databases.upgrade(before, 13);
    expect(databases.lastUpgrade().schemaVersion).toBe(13);
    expect(snapshot(db)).toEqual(kept);

    const rows = db.prepare('SELECT * FROM integration_spaces ORDER BY integration_id, space_id').all() as SpaceRow[];
    expect(rows).toEqual([
      { integration_id: 'int-a', space_id: 1, space_name: 'Default', state: 'current', reason: null, last_read_at: 3000, checked_at: 3000 },
      { integration_id: 'int-a', space_id: 2, space_name: 'Restricted', state: 'stale', reason: FORBIDDEN, last_read_at: 1000, checked_at: 3000 },
      // The latest finished run failed before reading a space: no space is stale (as the derivation said).
      { integration_id: 'int-f', space_id: 1, space_name: 'Default', state: 'current', reason: null, last_read_at: 100, checked_at: 200 },
      { integration_id: 'int-f', space_id: 2, space_name: 'Restricted', state: 'current', reason: null, last_read_at: null, checked_at: 200 },
      { integration_id: 'int-i', space_id: 1, space_name: 'Default', state: 'current', reason: null, last_read_at: 3000, checked_at: 3000 },
      { integration_id: 'int-i', space_id: 2, space_name: 'Restricted', state: 'stale', reason: FORBIDDEN, last_read_at: 1500, checked_at: 3000 },
      { integration_id: 'int-n', space_id: 1, space_name: 'Default', state: 'current', reason: null, last_read_at: 60, checked_at: 60 },
      // Read to its end by the complete run whose checkpoint was not kept; no error names it.
      { integration_id: 'int-n', space_id: 5, space_name: 'North Lab', state: 'stale', reason: 'The API user could not read it.', last_read_at: 50, checked_at: 60 },
    ]);

    // Today's readers answer from the stored state, on today's schema (keyed by the integration's key since 39).
    const runs = new SyncRunStore(databases.upgrade(db));
    expect(runs.staleSpaces('int-a')).toEqual([{ spaceId: 2, spaceName: 'Restricted', reason: FORBIDDEN, since: 1000 }]);
    expect(runs.staleSpaces('int-i')).toEqual([{ spaceId: 2, spaceName: 'Restricted', reason: FORBIDDEN, since: 1500 }]);
    expect(runs.staleSpaces('int-f')).toEqual([]);
    expect(runs.staleSpaces('int-g')).toEqual([]);
  });

  it('lets a deleted integration row take its spaces with it', () => {
    const db = databases.upgrade(syncedAt12(), 13);
    db.prepare("DELETE FROM device_sightings WHERE integration_id = 'int-a'").run();
    db.prepare("DELETE FROM device_changes WHERE integration_id = 'int-a'").run();
    db.prepare("DELETE FROM sync_runs WHERE integration_id = 'int-a'").run();
    db.prepare("DELETE FROM devices WHERE integration_id = 'int-a'").run();
    db.prepare("DELETE FROM integrations WHERE id = 'int-a'").run();
    expect(db.prepare("SELECT COUNT(*) FROM integration_spaces WHERE integration_id = 'int-a'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM integration_spaces').pluck().get()).toBe(6);
  });
});

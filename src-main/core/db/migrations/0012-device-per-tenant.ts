import type { Migration } from '../migration';

/** Rows handled per step; progress is reported after each. */
const BATCH = 20_000;

/** Ivanti's regional clusters, shared by many tenants (reference/ivanti-api.md, "Hosts and auth"). */
const SHARED_HOST = /^(na|eu|ap)\d+\.mobileiron\.com(:443)?$/;

/**
 * One device per tenant (issue 14 point 3; docs/architecture.md, "One device per tenant"). Until now a device was keyed
 * by (integration, guid), so an Android and an iOS integration of one tenant each stored every device of the tenant.
 *
 * - `devices.tenant`: the host entered, lower-cased; on a shared regional host (na1.mobileiron.com, …) the host and the
 *   API user, since only the credentials tell the tenant there. Devices are keyed by (tenant, guid). The rule is
 *   written here literally (the runtime's copy is core/integrations/device-inventory.ts): a migration imports nothing.
 * - `device_sightings`: which integration saw the device, in which space, when, and whether it is still there for that
 *   integration. Presence lives here, in narrow rows, not in the wide device row: `devices.removed_at` is set only when
 *   no integration still sees the device. `devices.integration_id` is the integration the device is listed under: one
 *   whose platform covers it when there is one.
 * - Copies of one device in several integrations are merged into one row: the newest record (latest seen) is kept,
 *   with the earliest first-seen time; every copy becomes a sighting of the kept row, and the change history of every
 *   copy points at it (`device_changes.device_id`).
 * - `sync_runs.shared_from`: integrations that use the same API user on one tenant share one fetch; the run of the one
 *   that fetched is recorded for each of the others as a copy pointing at it.
 *
 * It rewrites every device row, so it reports progress; all migrations run in one transaction, so a kill mid-way
 * leaves the previous schema intact and the next start begins again.
 */
export const devicePerTenant: Migration = {
  version: 12,
  name: 'one device per tenant, with sightings per integration',
  up(db, progress) {
    db.exec(`
      ALTER TABLE devices ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
      ALTER TABLE device_changes ADD COLUMN device_id INTEGER;
      ALTER TABLE sync_runs ADD COLUMN shared_from INTEGER REFERENCES sync_runs (id) ON DELETE CASCADE;

      CREATE TABLE device_sightings (
        device_id      INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
        space_id       INTEGER,
        space_name     TEXT,
        first_seen_at  INTEGER NOT NULL,
        last_seen_at   INTEGER NOT NULL,
        last_seen_run  INTEGER NOT NULL,
        -- the run's page counter when last seen: a space re-read within a run counts only what its last pass saw
        last_seen_page INTEGER NOT NULL DEFAULT 0,
        removed_at     INTEGER,
        removed_run    INTEGER,
        PRIMARY KEY (device_id, integration_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TEMP TABLE migration_tenant (integration_id TEXT PRIMARY KEY, tenant TEXT NOT NULL);
    `);
    const tenantOf = db.prepare('INSERT INTO temp.migration_tenant (integration_id, tenant) VALUES (?, ?)');
    for (const row of db.prepare('SELECT id, domain, email FROM integrations').all() as { id: string; domain: string | null; email: string | null }[]) {
      tenantOf.run(row.id, tenantKey(row));
    }

    const { total, last } = db.prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices').get() as { total: number; last: number };
    const changesLast = db.prepare('SELECT COALESCE(MAX(id), 0) FROM device_changes').pluck().get() as number;
    // Five passes over id ranges (devices, or the history for the third); progress moves after each range.
    const ranges = (end: number) => Math.ceil(end / BATCH);
    const steps = 4 * ranges(last) + ranges(changesLast);
    let done = 0;
    const batched = (statement: string, end: number) => {
      const run = db.prepare(statement);
      for (let from = 0; from < end; from += BATCH) {
        run.run(from, from + BATCH);
        done += 1;
        progress(Math.min(total, Math.floor((total * done) / steps)), total);
      }
    };
    progress(0, total);
    batched(
      `UPDATE devices SET tenant = (SELECT t.tenant FROM temp.migration_tenant t WHERE t.integration_id = devices.integration_id)
        WHERE id > ? AND id <= ?`,
      last,
    );

    // The copy kept for each (tenant, guid): the newest record.
    db.exec(`
      CREATE TEMP TABLE migration_keeper (id INTEGER PRIMARY KEY, keep INTEGER NOT NULL);
      INSERT INTO temp.migration_keeper (id, keep)
        SELECT id, first_value(id) OVER (PARTITION BY tenant, guid ORDER BY last_seen_at DESC, id DESC) FROM devices;
      CREATE INDEX temp.migration_keeper_keep ON migration_keeper (keep);
    `);
    batched(
      `INSERT INTO device_sightings (device_id, integration_id, space_id, space_name, first_seen_at, last_seen_at, last_seen_run, last_seen_page, removed_at, removed_run)
       SELECT k.keep, d.integration_id, d.space_id, d.space_name, d.first_seen_at, d.last_seen_at, d.last_seen_run, d.last_seen_page, d.removed_at, d.removed_run
         FROM devices d JOIN temp.migration_keeper k ON k.id = d.id
        WHERE d.id > ? AND d.id <= ?`,
      last,
    );
    // History of every copy points at the kept row (found through the old key, still indexed here).
    batched(
      `UPDATE device_changes SET device_id = (
         SELECT k.keep FROM devices d JOIN temp.migration_keeper k ON k.id = d.id
          WHERE d.integration_id = device_changes.integration_id AND d.guid = device_changes.guid)
        WHERE id > ? AND id <= ?`,
      changesLast,
    );
    // The copies merged away (their history and sightings now point at the kept row).
    batched('DELETE FROM devices WHERE id IN (SELECT id FROM temp.migration_keeper WHERE keep <> id AND id > ? AND id <= ?)', last);
    // The kept row of a merged device: first seen by any copy; removed only if every copy was; listed under an
    // integration of its platform.
    batched(
      `UPDATE devices SET
        first_seen_at = (SELECT MIN(s.first_seen_at) FROM device_sightings s WHERE s.device_id = devices.id),
        removed_at = CASE WHEN EXISTS (SELECT 1 FROM device_sightings s WHERE s.device_id = devices.id AND s.removed_at IS NULL) THEN NULL
                          ELSE (SELECT MAX(s.removed_at) FROM device_sightings s WHERE s.device_id = devices.id) END,
        removed_run = CASE WHEN EXISTS (SELECT 1 FROM device_sightings s WHERE s.device_id = devices.id AND s.removed_at IS NULL) THEN NULL
                          ELSE (SELECT MAX(s.removed_run) FROM device_sightings s WHERE s.device_id = devices.id) END,
        integration_id = COALESCE((
          SELECT s.integration_id FROM device_sightings s JOIN integrations i ON i.id = s.integration_id
           WHERE s.device_id = devices.id
             AND ((devices.platform_type = 'ANDROID' AND i.platform = 'android') OR (devices.platform_type = 'IOS' AND i.platform IN ('ios-appconfig', 'ios-certs')))
           ORDER BY i.deleted_at IS NOT NULL, s.removed_at IS NOT NULL, i.platform = 'ios-certs', i.created_at
           LIMIT 1), integration_id)
       WHERE id IN (SELECT keep FROM temp.migration_keeper WHERE keep <> id AND keep > ? AND keep <= ?)`,
      last,
    );

    db.exec(`
      DROP INDEX devices_key;
      CREATE UNIQUE INDEX devices_key ON devices (tenant, guid);
      DROP INDEX devices_ivanti_id;
      CREATE INDEX devices_ivanti_id ON devices (tenant, ivanti_id);
      -- Presence is judged on the sightings now.
      DROP INDEX devices_presence;
      CREATE INDEX device_sightings_presence ON device_sightings (integration_id, last_seen_run, space_id, last_seen_page) WHERE removed_at IS NULL;
      DROP INDEX device_changes_device;
      CREATE INDEX device_changes_device ON device_changes (device_id, id);

      DROP TABLE temp.migration_keeper;
      DROP TABLE temp.migration_tenant;
    `);
    progress(total, total);
  },
};

/** The tenant of an integration's devices; an integration without API details keeps its devices to itself. */
function tenantKey(row: { id: string; domain: string | null; email: string | null }): string {
  if (row.domain === null || row.domain.trim() === '') return `integration:${row.id}`;
  const host = row.domain
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '');
  return SHARED_HOST.test(host) ? `${host}/${(row.email ?? '').trim().toLowerCase()}` : host;
}

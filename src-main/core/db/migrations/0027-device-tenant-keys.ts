import type { Migration } from '../migration';

/** Rows rewritten per step; progress is reported after each. */
const BATCH = 20_000;

/**
 * A small integer key per tenant in the device rows and their keys (issue 19), as migrations 0018 and 0019 did for the
 * integration and the space. Migration 0012's `devices.tenant` is the tenant's domain (or domain/user on a shared
 * host, device-inventory.ts), ~24 bytes held in every row and again in each entry of `devices_key` (tenant, guid) and
 * `devices_ivanti_id` (tenant, ivanti_id). `device_tenants` (owned by DeviceStore) names each tenant once;
 * `devices.tenant_key` (1 byte for the first 127 tenants) takes the text's place in the row and both indexes, which keep
 * their names, uniqueness and use: the sync's upsert and the "has it synced?" lookup seek (key, guid) as they sought
 * (tenant, guid). The sync writes the key with the row (DeviceStore); the column's default 0 names no tenant.
 *
 * It rewrites every device row twice (the key, then dropping the text), so it reports progress; both indexes are built
 * again after. All migrations run in one transaction: a kill mid-way leaves schema 26 and the next start begins again.
 */
export const deviceTenantKeys: Migration = {
  version: 27,
  name: 'tenant keys in the device rows',
  up(db, progress) {
    db.exec(`
      CREATE TABLE device_tenants (
        key    INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL UNIQUE
      ) STRICT;
      INSERT INTO device_tenants (tenant) SELECT DISTINCT tenant FROM devices ORDER BY tenant;
      DROP INDEX devices_key;
      DROP INDEX devices_ivanti_id;
      ALTER TABLE devices ADD COLUMN tenant_key INTEGER NOT NULL DEFAULT 0;
    `);
    const { total, last } = db.prepare('SELECT COUNT(*) AS total, COALESCE(MAX(id), 0) AS last FROM devices').get() as { total: number; last: number };
    const rewrite = db.prepare('UPDATE devices SET tenant_key = (SELECT key FROM device_tenants t WHERE t.tenant = devices.tenant) WHERE id > ? AND id <= ?');
    let done = 0;
    progress(0, total);
    for (let from = 0; from < last; from += BATCH) {
      done += rewrite.run(from, from + BATCH).changes;
      progress(done, total);
    }
    db.exec(`
      ALTER TABLE devices DROP COLUMN tenant;
      CREATE UNIQUE INDEX devices_key ON devices (tenant_key, guid);
      CREATE INDEX devices_ivanti_id ON devices (tenant_key, ivanti_id);
    `);
  },
};

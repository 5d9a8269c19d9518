import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { deviceNameKeyOverride } from '../../../../src-main/core/sync/device-row';
import { deviceNameSortKey } from '../../../../src-shared/domain/device-name-key';
import { progressOfUpgrade, useDatabaseAtVersion } from '../../../support/database-at-version';
import { ANDROID, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();

/** Every form a tenant may send a name in: plain ASCII, capitals, accents, letters folded by hand, padded, none. */
const NAMES: (string | null)[] = ['ada-pixel-7', 'Grace Hopper’s iPhone', 'Ádám’s Pixel', 'STRAẞE Tablet', 'Œuvre-ÆGIR', '  padded name\t', 'İstanbul', null];

/** A console at schema 32 with one device per name form, its folded key stored as the sync and migration 0011 wrote it. */
function at32(): Db {
  const db = databases.at(32);
  seedIntegrations(db);
  db.exec(`INSERT INTO device_tenants (key, tenant) VALUES (1, 't')`);
  const insert = db.prepare(
    `INSERT INTO devices (tenant_key, integration_id, guid, device_name, device_name_key, removed_at, record_hash, first_seen_at, last_seen_at, last_seen_run)
     VALUES (1, ?, ?, ?, ?, ?, x'00', 1, 1, 1)`,
  );
  NAMES.forEach((name, i) => insert.run(ANDROID, `guid-${i}`, name, deviceNameSortKey(name), i === 1 ? 5 : null));
  return db;
}

const columnsOf = (db: Db) =>
  db.prepare("SELECT name, hidden FROM pragma_table_xinfo('devices') WHERE name LIKE 'device_name%' ORDER BY name").all() as { name: string; hidden: number }[];

describe('migration 0033: the device name sort key is derived from the name', () => {
  it('keeps every device’s key and stores it only where lower() of the name does not give it', () => {
    const db = databases.upgrade(at32(), 33);
    // device_name_key is a VIRTUAL generated column (hidden = 2): the row holds the name once.
    expect(columnsOf(db)).toEqual([
      { name: 'device_name', hidden: 0 },
      { name: 'device_name_key', hidden: 2 },
      { name: 'device_name_key_override', hidden: 0 },
    ]);
    const rows = db.prepare('SELECT device_name_key AS key, device_name_key_override AS override FROM devices ORDER BY id').all() as {
      key: string | null;
      override: string | null;
    }[];
    expect(rows.map((r) => r.key)).toEqual(NAMES.map((n) => deviceNameSortKey(n)));
    // Plain ASCII names, capitals included, keep no stored key; accents, hand-folded letters and padding keep one.
    expect(rows.map((r) => r.override !== null)).toEqual([false, false, true, true, true, true, true, false]);
  });

  it('walks the name order in devices_by_device_name_key as before, the removed device left out', () => {
    const db = databases.upgrade(at32(), 33);
    // The explorer's order (orderDevices): the index's columns, then the row id.
    const sql = `SELECT device_name FROM devices d INDEXED BY devices_by_device_name_key WHERE d.removed_at IS NULL
      ORDER BY d.device_name_key, d.integration_key, d.space_key, d.platform_code, d.state_code, d.compliant, d.has_client_id, d.id`;
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((p) => p.detail).join('\n');
    expect(plan).toBe('SCAN d USING INDEX devices_by_device_name_key');
    expect(db.prepare(sql).pluck().all()).toEqual([null, 'ada-pixel-7', 'Ádám’s Pixel', 'İstanbul', 'Œuvre-ÆGIR', '  padded name\t', 'STRAẞE Tablet']);
  });

  it('gives the row the sync writes after it the key deviceNameSortKey gives, for every form', () => {
    const db = databases.upgrade(at32(), 33);
    const insert = db.prepare(
      `INSERT INTO devices (tenant_key, integration_id, guid, device_name, device_name_key_override, record_hash, first_seen_at, last_seen_at, last_seen_run)
       VALUES (1, ?, ?, ?, ?, x'00', 1, 1, 1)`,
    );
    const forms = NAMES.flatMap((n) => (n === null ? [] : [n, n.toUpperCase(), n.toLowerCase(), ` ${n} `]));
    forms.forEach((form, i) => insert.run(ANDROID, `new-${i}`, form, deviceNameKeyOverride(form)));
    expect(db.prepare("SELECT device_name_key FROM devices WHERE guid LIKE 'new-%' ORDER BY id").pluck().all()).toEqual(forms.map((f) => deviceNameSortKey(f)));
    expect(deviceNameKeyOverride(null)).toBeNull();
  });

  it('reports its progress over the devices: one step that runs whole, then done', () => {
    expect(progressOfUpgrade(at32(), 33)).toEqual([
      [0, NAMES.length, 'rewriting each device row with its name key derived, then indexing it'],
      [NAMES.length, NAMES.length],
    ]);
  });
});

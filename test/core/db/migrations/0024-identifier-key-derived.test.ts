import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { identifierKeyOverride } from '../../../../src-main/core/sync/device-row';
import { normalizeDeviceIdentifier } from '../../../../src-shared/domain/device-identifier';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { ANDROID, seedIntegrations } from './seeded-integrations';

const databases = useDatabaseAtVersion();

/** Every form the tenant may send an identifier in: Android hex, iOS upper-case UUID, padded, non-ASCII capitals, none. */
const IDENTIFIERS: (string | null)[] = [
  'ebaf88433fbfbfccb000e05ddf27052dc6aba19e28c91dc0dc64e1fa30602157',
  '02ABAAD9-848D-404B-ADE9-B487DE84BC7C',
  '  Padded-ID\t',
  'ÄÖÜ-ÉTÉ-42',
  'straße-İd',
  null,
];

/** A console at schema 23 with one device per identifier form, its key stored as the sync and migration 0007 wrote it. */
function at23(): Db {
  const db = databases.at(23);
  seedIntegrations(db);
  const insert = db.prepare(
    `INSERT INTO devices (tenant, integration_id, guid, client_device_identifier, identifier_key, record_hash, first_seen_at, last_seen_at, last_seen_run)
     VALUES ('t', ?, ?, ?, ?, x'00', 1, 1, 1)`,
  );
  IDENTIFIERS.forEach((identifier, i) => insert.run(ANDROID, `guid-${i}`, identifier, identifier === null ? null : normalizeDeviceIdentifier(identifier)));
  return db;
}

const lookup = (db: Db, key: string) => db.prepare('SELECT guid FROM devices WHERE identifier_key = ?').pluck().all(key);

describe('migration 0024: the Device Client ID key is derived from the identifier', () => {
  it('keeps every device’s key and stores it only where lower() of the identifier does not give it', () => {
    const db = databases.upgrade(at23(), 24);
    const rows = db.prepare('SELECT guid, client_device_identifier AS identifier, identifier_key AS key, identifier_key_override AS override FROM devices ORDER BY id').all() as {
      guid: string;
      identifier: string | null;
      key: string | null;
      override: string | null;
    }[];
    expect(rows.map((r) => r.key)).toEqual(IDENTIFIERS.map((i) => (i === null ? null : normalizeDeviceIdentifier(i))));
    // Only the padded identifier and the two with non-ASCII capitals keep a stored key; the hex and the UUID keep none.
    expect(rows.map((r) => r.override !== null)).toEqual([false, false, true, true, true, false]);
    // Every key is found by one seek of the index, whichever form the tenant sent.
    for (const row of rows.filter((r) => r.key !== null)) expect(lookup(db, row.key!)).toEqual([row.guid]);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT guid FROM devices WHERE identifier_key = ?').all('x') as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/SEARCH devices USING INDEX devices_identifier_key \(identifier_key=\?\)/);
  });

  it('gives the row the sync writes after it the key normalizeDeviceIdentifier gives, for every form', () => {
    const db = databases.upgrade(at23(), 24);
    const insert = db.prepare(
      `INSERT INTO devices (tenant, integration_id, guid, client_device_identifier, identifier_key_override, record_hash, first_seen_at, last_seen_at, last_seen_run)
       VALUES ('t', ?, ?, ?, ?, x'00', 1, 1, 1)`,
    );
    const forms = IDENTIFIERS.flatMap((i) => (i === null ? [] : [i, i.toUpperCase(), i.toLowerCase(), ` ${i} `]));
    forms.forEach((form, n) => insert.run(ANDROID, `new-${n}`, form, identifierKeyOverride(form)));
    const keys = db.prepare("SELECT identifier_key FROM devices WHERE guid LIKE 'new-%' ORDER BY id").pluck().all();
    expect(keys).toEqual(forms.map(normalizeDeviceIdentifier));
    expect(identifierKeyOverride(null)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { Db } from '../../../../src-main/core/db/database';
import { useDatabaseAtVersion } from '../../../support/database-at-version';
import { queryPlan } from '../../../support/query-plans';

const databases = useDatabaseAtVersion();

/** A schema-4 database with a legacy certificate integration, a tombstoned one, devices and a saved search. */
function schemaFourWithRows(): Db {
  const db = databases.at(4);
  db.exec(`
    INSERT INTO integrations (id, name, mdm, platform, status, password_ref, created_at, updated_at, deleted_at)
      VALUES ('int-c', 'Legacy iOS', 'ivanti-neurons', 'ios-certs', 'test-group', 'int-c/password', 1, 1, NULL),
             ('int-old', 'Old legacy', 'ivanti-neurons', 'ios-certs', 'disabled', NULL, 1, 2, 2);
    INSERT INTO sync_runs (id, integration_id, trigger, status, started_at, complete) VALUES (1, 'int-c', 'manual', 'completed', 1, 1);
    INSERT INTO devices (integration_id, guid, client_device_identifier, raw, record_hash, first_seen_at, last_seen_at, last_seen_run)
      VALUES ('int-c', 'g-1', 'client-1', '{}', 'h', 1, 1, 1);
    INSERT INTO saved_searches (name, query, created_at, updated_at) VALUES ('iPhones', '{"platformType":"IOS"}', 1, 1);
  `);
  return db;
}

function insertCertificate(db: Db, values: { integration?: string; purpose: 'test' | 'device'; guid?: string | null; identifier?: string | null; fingerprint: string; invalidated?: [number, string] }): void {
  db.prepare(
    `INSERT INTO certificates (integration_id, purpose, device_guid, device_identifier, serial_number, subject, issuer, not_before, not_after, key_usage,
                               sha256_fingerprint, der, invalidated_at, invalidated_reason, created_at)
     VALUES (?, ?, ?, ?, '01', 'CN=device', 'CN=Acme CA', 1, 2000, 'digitalSignature', ?, x'3000', ?, ?, 1)`,
  ).run(values.integration ?? 'int-c', values.purpose, values.guid ?? null, values.identifier ?? null, values.fingerprint, values.invalidated?.[0] ?? null, values.invalidated?.[1] ?? null);
}

describe('migration 0005: CA profiles and certificate inventory', () => {
  it('keeps every integration, tombstone, device and saved search, and starts with no profile and no certificate', () => {
    const before = schemaFourWithRows();
    const snapshot = (db: Db) => ({
      integrations: db.prepare('SELECT * FROM integrations ORDER BY id').all(),
      devices: db.prepare('SELECT * FROM devices').all(),
      saved: db.prepare('SELECT * FROM saved_searches').all(),
    });
    const rows = snapshot(before);
    const db = databases.upgrade(before, 5);
    expect(snapshot(db)).toEqual(rows);
    expect(db.prepare('SELECT (SELECT COUNT(*) FROM ca_profiles) AS profiles, (SELECT COUNT(*) FROM certificates) AS certificates').get()).toEqual({
      profiles: 0,
      certificates: 0,
    });
  });

  it('records a CA profile with the only key size, signature and key usage Duo accepts, and refuses any other', () => {
    const db = databases.upgrade(schemaFourWithRows(), 5);
    db.prepare(
      `INSERT INTO ca_profiles (integration_id, name, scep_url, username, subject, created_at, updated_at)
       VALUES ('int-c', 'Acme NDES', 'https://ndes.acme.test/certsrv/mscep/mscep.dll', 'svc-scep', 'CN=Duo', 1, 1)`,
    ).run();
    expect(db.prepare('SELECT ca_type, key_size, signature_algorithm, key_usage, password_ref FROM ca_profiles').get()).toEqual({
      ca_type: 'microsoft',
      key_size: 2048,
      signature_algorithm: 'sha256WithRSA',
      key_usage: 'digitalSignature',
      password_ref: null,
    });
    expect(() => db.prepare(`UPDATE ca_profiles SET key_size = 4096`).run()).toThrow(/CHECK constraint/);
    expect(() => db.prepare(`UPDATE ca_profiles SET ca_type = 'ejbca'`).run()).toThrow(/CHECK constraint/);
  });

  it('keeps certificate rows consistent: one per fingerprint, a test certificate without a device, invalidation with its reason', () => {
    const db = databases.upgrade(schemaFourWithRows(), 5);
    insertCertificate(db, { purpose: 'device', guid: 'g-1', identifier: 'client-1', fingerprint: 'AA' });
    insertCertificate(db, { purpose: 'test', fingerprint: 'BB' });
    insertCertificate(db, { integration: 'int-old', purpose: 'device', guid: 'g-9', fingerprint: 'CC', invalidated: [2, 'integration deleted'] });
    expect(() => insertCertificate(db, { purpose: 'device', fingerprint: 'AA' })).toThrow(/UNIQUE constraint/);
    expect(() => insertCertificate(db, { purpose: 'test', guid: 'g-1', fingerprint: 'DD' })).toThrow(/CHECK constraint/);
    expect(() => db.prepare(`UPDATE certificates SET invalidated_at = 3 WHERE sha256_fingerprint = 'AA'`).run()).toThrow(/CHECK constraint/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM certificates').get()).toEqual({ n: 3 });
  });

  it('finds the certificates of an integration, of a device and about to expire through their indexes', () => {
    const db = databases.upgrade(schemaFourWithRows(), 5);
    insertCertificate(db, { purpose: 'device', guid: 'g-1', identifier: 'client-1', fingerprint: 'AA' });
    expect(queryPlan(db, 'SELECT id FROM certificates WHERE integration_id = ? ORDER BY id DESC LIMIT 50', ['int-c'])).toMatch(
      /SEARCH certificates USING COVERING INDEX certificates_integration \(integration_id=\?\)/,
    );
    expect(
      queryPlan(
        db,
        `SELECT id FROM certificates WHERE integration_id = ? AND purpose = 'device' AND invalidated_at IS NULL AND not_after < ? ORDER BY not_after`,
        ['int-c', 5000],
      ),
    ).toMatch(/SEARCH certificates USING (COVERING )?INDEX certificates_expiry \(integration_id=\? AND not_after<\?\)/);
    expect(queryPlan(db, 'SELECT * FROM certificates WHERE integration_id = ? AND device_identifier = ?', ['int-c', 'client-1'])).toMatch(
      /USING INDEX certificates_device_identifier/,
    );
    expect(queryPlan(db, 'SELECT * FROM certificates WHERE integration_id = ? AND device_guid = ?', ['int-c', 'g-1'])).toMatch(
      /USING INDEX certificates_device_guid/,
    );
    expect(queryPlan(db, 'SELECT * FROM certificates WHERE sha256_fingerprint = ?', ['AA'])).toMatch(/USING INDEX certificates_fingerprint/);
  });
});

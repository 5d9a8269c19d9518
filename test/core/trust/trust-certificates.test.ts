import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateInventory } from '../../../src-main/core/certificates/certificate-inventory';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
import { useTempDir } from '../../support/temp-dir';
import { certificatesFor, clearScenarios, expectedReasons, IDENTIFIER, label, NOW, scenarios, USER, writeScenario, type Scenario } from './trust-scenario';

const tempDir = useTempDir();
let db: Db;
let inventory: CertificateInventory;
let verifier: TrustVerifier;
/** Before Duo's end of life for Ivanti certificates, where the certificate alone decides. */
const BEFORE_END_OF_LIFE = Date.UTC(2024, 5, 1);
let verifierBeforeEndOfLife: TrustVerifier;

beforeAll(() => {
  db = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db;
  inventory = new CertificateInventory(db, () => new Date(NOW));
  verifier = new TrustVerifier(db, inventory, () => new Date(NOW));
  verifierBeforeEndOfLife = new TrustVerifier(db, inventory, () => new Date(BEFORE_END_OF_LIFE));
});
afterAll(() => db.close());

/** Writes the scenario's certificates as real inventory rows, issued to the device by its Device Client ID. */
function recordCertificates(integrationId: string, state: NonNullable<Scenario['certificate']>, now = NOW): void {
  for (const cert of certificatesFor(state, now)) {
    const fingerprint = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
    const record = inventory.record({
      integrationId,
      purpose: 'device',
      der: randomBytes(64),
      summary: {
        subject: 'CN=device',
        issuer: 'CN=Duo CA',
        serialNumber: cert.serialNumber,
        notBefore: new Date(now - 400 * 86_400_000).toISOString(),
        notAfter: new Date(cert.notAfter).toISOString(),
        keyUsage: ['digitalSignature'],
        isCa: false,
        sha256Fingerprint: fingerprint,
      },
      device: { guid: null, identifier: IDENTIFIER },
    });
    if (cert.invalidatedAt !== null) {
      db.prepare("UPDATE certificates SET invalidated_at = ?, invalidated_reason = 'revoked in test' WHERE id = ?").run(cert.invalidatedAt, record.id);
    }
  }
}

describe('TrustVerifier on the real certificate inventory (schema 5)', () => {
  const legacy = scenarios(['ios-certs']);

  it.each(legacy.map((s) => [label(s), s] as [string, Scenario]))('%s', (_name, scenario) => {
    db.exec('DELETE FROM certificates');
    clearScenarios(db);
    const id = writeScenario(db, scenario);
    recordCertificates(id, scenario.certificate!);
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'ios-certs' });
    expect(verdict.reasons.map((r) => r.code).sort()).toEqual(expectedReasons(scenario).sort());
    expect(verdict.trusted).toBe(expectedReasons(scenario).length === 0);
  });
});

describe('TrustVerifier on the real certificate inventory, before Duo ended certificate verification (2024-10-07)', () => {
  const legacy = scenarios(['ios-certs']);

  it.each(legacy.map((s) => [label(s), s] as [string, Scenario]))('%s', (_name, scenario) => {
    db.exec('DELETE FROM certificates');
    clearScenarios(db);
    const id = writeScenario(db, scenario, undefined, { now: BEFORE_END_OF_LIFE });
    recordCertificates(id, scenario.certificate!, BEFORE_END_OF_LIFE);
    const verdict = verifierBeforeEndOfLife.verify({ user: USER, identifier: IDENTIFIER, platform: 'ios-certs' });
    const expected = expectedReasons(scenario, BEFORE_END_OF_LIFE);
    expect(expected).not.toContain('legacy-end-of-life');
    expect(verdict.reasons.map((r) => r.code).sort()).toEqual(expected.sort());
    expect(verdict.trusted).toBe(expected.length === 0);
  });
});

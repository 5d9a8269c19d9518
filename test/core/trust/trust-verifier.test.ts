import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
import { DEFAULT_SETTINGS } from '../../../src-shared/contract/app';
import { useTempDir } from '../../support/temp-dir';
import {
  CertificateTable,
  clearScenarios,
  expectedReasons,
  IDENTIFIER,
  label,
  NOW,
  scenarios,
  USER,
  writeScenario,
  type Scenario,
} from './trust-scenario';

const tempDir = useTempDir();
let db: Db;
let certificates: CertificateTable;
let verifier: TrustVerifier;

beforeAll(() => {
  db = openDatabase({ file: path.join(tempDir(), 'console.sqlite'), migrations }).db;
  certificates = new CertificateTable();
  verifier = new TrustVerifier(db, () => DEFAULT_SETTINGS, certificates, () => new Date(NOW));
});
afterAll(() => db.close());

function fresh(): void {
  clearScenarios(db);
  certificates.rows.clear();
}

describe('TrustVerifier over every combination of its reasons', () => {
  const all = scenarios();

  it('covers every combination (4 statuses × 5 device states × 3 sync ages, × 5 certificate states for ios-certs)', () => {
    expect(all).toHaveLength(60 + 60 + 300);
  });

  it.each(all.map((s) => [label(s), s] as [string, Scenario]))('%s', (_name, scenario) => {
    fresh();
    const id = writeScenario(db, scenario, certificates);
    const expected = expectedReasons(scenario);
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER, platform: scenario.platform });

    expect(verdict.reasons.map((r) => r.code).sort()).toEqual([...expected].sort());
    expect(verdict.trusted).toBe(expected.length === 0);
    expect(verdict.trustedBy?.integrationId ?? null).toBe(expected.length === 0 ? id : null);
    for (const reason of verdict.reasons) {
      expect(reason.integrationId).toBe(id);
      expect(reason.message.length).toBeGreaterThan(20);
    }
  });
});

describe('TrustVerifier across integrations and platforms', () => {
  const good: Scenario = { platform: 'android', status: 'all-users', device: 'active', sync: 'fresh', certificate: null };

  it('answers "no integration for the platform" when none exists for it, even if others do', () => {
    fresh();
    writeScenario(db, good);
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'ios' });
    expect(verdict.trusted).toBe(false);
    expect(verdict.reasons.map((r) => r.code)).toEqual(['no-integration']);
    expect(verdict.reasons[0]!.message).toContain('iOS');
  });

  it('answers "no integration" when there is none at all', () => {
    fresh();
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER }).reasons.map((r) => r.code)).toEqual(['no-integration']);
  });

  it('trusts when one of several integrations for the platform passes, and names it', () => {
    fresh();
    writeScenario(db, { ...good, status: 'disabled' });
    const passing = writeScenario(db, good);
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'android' });
    expect(verdict.trusted).toBe(true);
    expect(verdict.reasons).toEqual([]);
    expect(verdict.trustedBy?.integrationId).toBe(passing);
    expect(verdict.integrations).toHaveLength(2);
  });

  it('lists the reasons of every integration considered when none passes', () => {
    fresh();
    writeScenario(db, { ...good, status: 'disabled' });
    writeScenario(db, { ...good, sync: 'stale' });
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'android' });
    expect(verdict.reasons.map((r) => r.code).sort()).toEqual(['integration-disabled', 'sync-too-old']);
    expect(new Set(verdict.reasons.map((r) => r.integrationId)).size).toBe(2);
  });

  it('learns the platform from the synced record when none is given, and "ios" covers both iOS integrations', () => {
    fresh();
    writeScenario(db, good);
    const ios = writeScenario(db, { ...good, platform: 'ios-appconfig', device: 'never-synced' });
    const inferred = verifier.verify({ user: USER, identifier: IDENTIFIER });
    expect(inferred.platform).toBe('android');
    expect(inferred.integrations.map((i) => i.platform)).toEqual(['android']);
    const asked = verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'ios' });
    expect(asked.integrations.map((i) => i.integrationId)).toEqual([ios]);
    expect(asked.trusted).toBe(false);
  });

  it('ignores deleted integrations', () => {
    fresh();
    const id = writeScenario(db, good);
    db.prepare('UPDATE integrations SET deleted_at = ? WHERE id = ?').run(NOW, id);
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'android' }).reasons.map((r) => r.code)).toEqual(['no-integration']);
  });

  it('uses the stale-sync limit from the settings', () => {
    fresh();
    writeScenario(db, { ...good, sync: 'stale' });
    const lenient = new TrustVerifier(db, () => ({ ...DEFAULT_SETTINGS, staleSyncHours: 48 }), certificates, () => new Date(NOW));
    expect(lenient.verify({ user: USER, identifier: IDENTIFIER }).trusted).toBe(true);
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER }).trusted).toBe(false);
  });
});

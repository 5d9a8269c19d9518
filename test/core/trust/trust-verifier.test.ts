import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
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
  verifier = new TrustVerifier(db, certificates, () => new Date(NOW));
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
    expect(verdict.answer).toBe(expected.length === 0 ? 'trusted' : expected.every((c) => c === 'space-stale') ? 'cant-tell' : 'not-trusted');
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
    const verdict = verifier.verify({ user: USER, identifier: 'some-ios-device', platform: 'ios' });
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
    writeScenario(db, { ...good, device: 'retired' });
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'android' });
    expect(verdict.reasons.map((r) => r.code).sort()).toEqual(['device-retired', 'integration-disabled']);
    expect(new Set(verdict.reasons.map((r) => r.integrationId)).size).toBe(2);
  });

  it('learns the platform from the synced record when none is given, and "ios" covers both iOS integrations', () => {
    fresh();
    writeScenario(db, good);
    const ios = writeScenario(db, { ...good, platform: 'ios-appconfig', device: 'never-synced' });
    const inferred = verifier.verify({ user: USER, identifier: IDENTIFIER });
    expect(inferred.platform).toBe('android');
    expect(inferred.integrations.map((i) => i.platform)).toEqual(['android']);
    const legacy = writeScenario(db, { ...good, platform: 'ios-certs', device: 'never-synced' });
    const asked = verifier.verify({ user: USER, identifier: 'some-ios-device', platform: 'ios' });
    expect(asked.integrations.map((i) => i.integrationId).sort()).toEqual([ios, legacy].sort());
    expect(asked.trusted).toBe(false);
    // The Android device asked about as an iOS one: its platform is the reason, not the iOS integrations.
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'ios' }).lead.code).toBe('platform-not-covered');
  });

  it('ignores deleted integrations', () => {
    fresh();
    const id = writeScenario(db, good);
    db.prepare('UPDATE integrations SET deleted_at = ? WHERE id = ?').run(NOW, id);
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'android' }).reasons.map((r) => r.code)).toEqual(['no-integration']);
  });

  it('the age of our copy does not change the answer: a device read 30 hours ago is trusted whatever the stale-sync setting', () => {
    fresh();
    writeScenario(db, { ...good, sync: 'old' });
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER }).answer).toBe('trusted');
  });
});

describe('TrustVerifier: an integration covers only the devices of its own platform', () => {
  const good: Scenario = { platform: 'android', status: 'all-users', device: 'active', sync: 'fresh', certificate: null };

  it.each(['WINDOWS_PHONE', 'OTHER'])('never trusts a %s device through an Android integration enabled for all users', (platformType) => {
    fresh();
    const id = writeScenario(db, good, undefined, { name: 'Acme Android' });
    db.prepare('UPDATE devices SET platform_type = ? WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').run(platformType, id);
    for (const platform of [undefined, 'android'] as const) {
      const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER, ...(platform ? { platform } : {}) });
      expect(verdict.trusted).toBe(false);
      expect(verdict.lead.code).toBe('platform-not-covered');
      expect(verdict.lead.message).toContain(platformType === 'OTHER' ? 'platform OTHER' : 'Windows device');
      expect(verdict.lead.action).toBeTruthy();
    }
  });

  it('does not trust an iOS device through an Android integration that also synced it, and names the right platform', () => {
    fresh();
    const android = writeScenario(db, good);
    db.prepare('UPDATE devices SET platform_type = ? WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').run('IOS', android);
    const asAndroid = verifier.verify({ user: USER, identifier: IDENTIFIER, platform: 'android' });
    expect(asAndroid.trusted).toBe(false);
    expect(asAndroid.lead.code).toBe('platform-not-covered');
    expect(asAndroid.lead.action).toContain('an iOS device');
    // Asked without a platform, it is an iOS device with no iOS integration.
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER }).lead.code).toBe('no-integration');
  });
});

describe('TrustVerifier: the verdict leads with the deciding reason and the action', () => {
  const good: Scenario = { platform: 'android', status: 'all-users', device: 'active', sync: 'fresh', certificate: null };

  it('an unknown identifier: "no device with this Device Client ID was synced", with the managed configuration as the action', () => {
    fresh();
    writeScenario(db, good, undefined, { name: 'Acme Android' });
    writeScenario(db, { ...good, platform: 'ios-appconfig', status: 'disabled' });
    const verdict = verifier.verify({ user: USER, identifier: 'made-up-identifier' });
    expect(verdict.lead.code).toBe('identifier-never-synced');
    expect(verdict.lead.message).toContain('No device with Device Client ID made-up-identifier was synced');
    expect(verdict.lead.action).toContain('managed configuration');
  });

  it('an Android device only in a disabled integration: "not in any enabled Android integration", enable it in Duo', () => {
    fresh();
    writeScenario(db, { ...good, status: 'disabled' }, undefined, { name: 'Acme Android' });
    writeScenario(db, { ...good, device: 'never-synced' }, undefined, { name: 'Other Android' });
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER });
    expect(verdict.lead.code).toBe('integration-disabled');
    expect(verdict.lead.integrationName).toBe('Acme Android');
    expect(verdict.lead.message).toBe('This Android device is not in any Android integration enabled for alice@acme.example.');
    expect(verdict.lead.action).toContain('Enable "Acme Android" in Duo');
    // Supporting checks follow, for both Android integrations.
    expect(verdict.integrations.map((i) => i.integrationName)).toEqual(['Acme Android', 'Other Android']);
  });

  it('mentions other platforms\' integrations and unfinished setups only when they are the reason', () => {
    fresh();
    writeScenario(db, good, undefined, { name: 'Acme Android' });
    writeScenario(db, { ...good, platform: 'ios-appconfig', device: 'never-synced' }, undefined, { name: 'Acme iOS' });
    const unfinished = writeScenario(db, { ...good, status: 'disabled', device: 'never-synced' }, undefined, { name: 'Half-done Android' });
    db.prepare(`INSERT INTO wizard_drafts (id, integration_id, step, state, created_at, updated_at) VALUES ('d1', ?, 'values', '{}', ?, ?)`).run(
      unfinished,
      NOW,
      NOW,
    );
    const trusted = verifier.verify({ user: USER, identifier: IDENTIFIER });
    expect(trusted.trusted).toBe(true);
    expect(trusted.lead.code).toBe('trusted');
    expect(trusted.integrations.map((i) => i.integrationName)).toEqual(['Acme Android']);

    // With only an unfinished Android integration, it is the reason.
    fresh();
    const only = writeScenario(db, { ...good, status: 'disabled' }, undefined, { name: 'Half-done Android' });
    db.prepare(`INSERT INTO wizard_drafts (id, integration_id, step, state, created_at, updated_at) VALUES ('d2', ?, 'values', '{}', ?, ?)`).run(only, NOW, NOW);
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER });
    expect(verdict.lead.integrationName).toBe('Half-done Android');
  });

  it('legacy certificates: from 2024-10-07 a device relying only on ios-certs is not trusted, migration is the action', () => {
    fresh();
    writeScenario(db, { platform: 'ios-certs', status: 'all-users', device: 'active', sync: 'fresh', certificate: 'valid' }, certificates, { name: 'Old iOS' });
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER });
    expect(verdict.trusted).toBe(false);
    expect(verdict.lead.code).toBe('legacy-end-of-life');
    expect(verdict.lead.message).toContain('Duo no longer verifies Ivanti certificates');
    expect(verdict.lead.message).toContain('2024-10-07');
    expect(verdict.lead.action).toContain('Migrate to iOS App Config');
    // An App Config integration beside it decides instead.
    writeScenario(db, { platform: 'ios-appconfig', status: 'all-users', device: 'active', sync: 'fresh', certificate: null }, undefined, { name: 'New iOS' });
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER }).trustedBy?.integrationName).toBe('New iOS');
  });

  it('the day before the end of life the certificate alone still decides', () => {
    fresh();
    const dayBefore = Date.UTC(2024, 9, 6, 23, 59);
    const id = writeScenario(db, { platform: 'ios-certs', status: 'all-users', device: 'active', sync: 'fresh', certificate: 'valid' }, certificates, {
      now: dayBefore,
    });
    expect(id).toBeTruthy();
    const before = new TrustVerifier(db, certificates, () => new Date(dayBefore));
    expect(before.verify({ user: USER, identifier: IDENTIFIER }).trusted).toBe(true);
    const onTheDay = new TrustVerifier(db, certificates, () => new Date(Date.UTC(2024, 9, 7)));
    expect(onTheDay.verify({ user: USER, identifier: IDENTIFIER }).lead.code).toBe('legacy-end-of-life');
  });
});

describe('TrustVerifier: informational findings', () => {
  const good: Scenario = { platform: 'android', status: 'all-users', device: 'active', sync: 'fresh', certificate: null };

  it('says so when the device is registered to another user, without changing the answer', () => {
    fresh();
    writeScenario(db, good);
    db.prepare('UPDATE devices SET uid = ?').run('bob@acme.example');
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER });
    expect(verdict.trusted).toBe(true);
    expect(verdict.findings.map((f) => f.code)).toEqual(['owner-mismatch']);
    expect(verdict.findings[0]!.message).toContain('registered to bob@acme.example, not to alice@acme.example');
    db.prepare('UPDATE devices SET uid = ?').run(USER.toUpperCase());
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER }).findings).toEqual([]);
  });

  it('explains a masked ******** owner instead of calling it a mismatch', () => {
    fresh();
    writeScenario(db, good);
    db.prepare('UPDATE devices SET uid = ?, email = ?').run('********', '********');
    const verdict = verifier.verify({ user: USER, identifier: IDENTIFIER });
    expect(verdict.findings.map((f) => f.code)).toEqual(['masked-values']);
    expect(verdict.findings[0]!.message).toContain('GDPR privacy profile');
  });
});

describe("TrustVerifier.deviceJudge: the Trust column gives the verdict for the device's own user", () => {
  const synced = scenarios().filter((s) => s.device !== 'never-synced');

  function judged(id: string) {
    const row = db.prepare('SELECT id, client_device_identifier, uid FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').get(id) as { id: number; client_device_identifier: string | null; uid: string | null };
    return verifier.deviceJudge()({ id: row.id, identifier: row.client_device_identifier, uid: row.uid });
  }

  it.each(synced.map((s) => [label(s), s] as [string, Scenario]))('%s', (_name, scenario) => {
    fresh();
    const id = writeScenario(db, scenario, certificates);
    // The device is registered in Ivanti to USER: it is judged for USER, test group included.
    db.prepare('UPDATE devices SET uid = ? WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').run(USER, id);
    const expected = expectedReasons(scenario);
    const trust = judged(id);
    expect(trust.answer).toBe(expected.length === 0 ? 'trusted' : expected.every((c) => c === 'space-stale') ? 'cant-tell' : 'not-trusted');
    if (expected.length === 0) {
      expect(trust.label).toBe(scenario.status === 'all-users' ? 'Trusted: all users' : 'Trusted: the test group');
      return;
    }
    expect(expected).toContain(trust.code);
    // The verifier asked about the device's user leads with the same deciding reason.
    expect(trust.code).toBe(verifier.verify({ user: USER, identifier: IDENTIFIER }).lead.code);
    expect(trust.detail.length).toBeGreaterThan(20);
  });

  it('a device registered to no user is trusted through an integration enabled for all users, never through a test group', () => {
    for (const [status, answer] of [['all-users', 'trusted'], ['test-group-member', 'not-trusted']] as const) {
      fresh();
      const id = writeScenario(db, { platform: 'android', status, device: 'active', sync: 'fresh', certificate: null }, certificates);
      expect(judged(id), status).toMatchObject({ answer });
    }
  });

  it('a device without a Device Client ID, or of a platform no integration covers, is not trusted and says why', () => {
    fresh();
    const id = writeScenario(db, { platform: 'android', status: 'all-users', device: 'active', sync: 'fresh', certificate: null }, certificates);
    db.prepare('UPDATE devices SET client_device_identifier = NULL WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').run(id);
    expect(judged(id)).toMatchObject({ answer: 'not-trusted', code: 'identifier-never-synced' });
    // An iOS device seen only by an Android integration: as the verifier says, no integration covers iOS devices.
    db.prepare("UPDATE devices SET client_device_identifier = ?, platform_type = 'IOS' WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)").run(IDENTIFIER, id);
    expect(judged(id)).toMatchObject({ answer: 'not-trusted', code: 'no-integration' });
    expect(verifier.verify({ user: USER, identifier: IDENTIFIER }).lead.code).toBe('no-integration');
    db.prepare("UPDATE devices SET platform_type = 'WINDOWS_PHONE' WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)").run(id);
    expect(judged(id)).toMatchObject({ answer: 'not-trusted', code: 'platform-not-covered' });
  });
});

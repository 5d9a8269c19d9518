import { beforeAll, describe, expect, it } from 'vitest';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
import { seedDevices, seedFollowUpRun } from '../../support/seed-devices';
import { useTempDir } from '../../support/temp-dir';
import { CertificateTable, clearScenarios, expectedReasons, label, scenarios, USER, writeScenario } from '../trust/trust-scenario';
import { allPages, NOW, openDeviceDatabase, type DeviceDatabase } from './device-fixture';

const HOUR = 3_600_000;
const tempDir = useTempDir('tec-trust-filter-');

describe('the explorer\'s trusted filter', () => {
  let fixture: DeviceDatabase;
  beforeAll(() => {
    fixture = openDeviceDatabase(tempDir());
  });

  it.each(scenarios(['android', 'ios-appconfig']).map((s) => [label(s), s] as const))(
    'agrees with the trust decision rules for %s',
    (_label, scenario) => {
      const { db, repository } = fixture;
      clearScenarios(db);
      writeScenario(db, scenario, undefined, { now: NOW });
      // The filter judges each record for its own user.
      db.prepare('UPDATE devices SET uid = ?').run(USER);
      const counts = {
        trusted: repository.count({ trust: 'trusted', presence: 'all' }),
        'not-trusted': repository.count({ trust: 'not-trusted', presence: 'all' }),
        'cant-tell': repository.count({ trust: 'cant-tell', presence: 'all' }),
      };
      const reasons = expectedReasons(scenario);
      // The verifier's answer: "can't tell" when the stale space is all that stands in the way.
      const answer = scenario.device === 'never-synced' ? null : reasons.length === 0 ? 'trusted' : reasons.every((r) => r === 'space-stale') ? 'cant-tell' : 'not-trusted';
      expect(counts).toEqual({ trusted: answer === 'trusted' ? 1 : 0, 'not-trusted': answer === 'not-trusted' ? 1 : 0, 'cant-tell': answer === 'cant-tell' ? 1 : 0 });
    },
  );

  it('never counts legacy certificate integrations: their verdict needs the device\'s certificate', () => {
    const { db, repository } = fixture;
    clearScenarios(db);
    writeScenario(db, { platform: 'ios-certs', status: 'all-users', device: 'active', sync: 'fresh', certificate: 'valid' }, undefined, { now: NOW });
    expect(repository.count({ trust: 'trusted' })).toBe(0);
    expect(repository.count({ trust: 'not-trusted' })).toBe(1);
  });

  it('matches the trust verifier\'s verdict for every device of a seeded fleet with several integrations', () => {
    const { db, repository } = openDeviceDatabase(tempDir());
    const fresh = { referenceTime: NOW - HOUR };
    const android = seedDevices(db, { ...fresh, count: 300, seed: 'trust-android', integration: { name: 'Android', platform: 'android' } });
    const ios = seedDevices(db, { ...fresh, count: 300, seed: 'trust-ios', integration: { name: 'iOS', platform: 'ios-appconfig', status: 'test-group' } });
    seedDevices(db, { ...fresh, count: 100, seed: 'trust-off', integration: { name: 'Off', platform: 'android', status: 'disabled' } });
    seedDevices(db, { referenceTime: NOW - 48 * HOUR, count: 100, seed: 'trust-stale', integration: { name: 'Stale', platform: 'android' } });
    seedFollowUpRun(db, { integrationId: android.integrationId, changed: 30, removed: 20, at: NOW - HOUR / 2 });
    const members = db.prepare('SELECT uid FROM devices WHERE integration_id = ? AND uid IS NOT NULL LIMIT 60').pluck().all(ios.integrationId) as string[];
    const addMember = db.prepare('INSERT OR IGNORE INTO integration_test_group (integration_id, username) VALUES (?, ?)');
    for (const uid of members) addMember.run(ios.integrationId, uid);

    const verifier = new TrustVerifier(db, new CertificateTable(), () => new Date(NOW));
    const filtered = new Set(allPages(repository, { trust: 'trusted', presence: 'all' }, 500));
    const devices = db
      .prepare('SELECT id, uid, client_device_identifier FROM devices WHERE uid IS NOT NULL AND client_device_identifier IS NOT NULL')
      .all() as { id: number; uid: string; client_device_identifier: string }[];
    const disagreements = devices
      .filter((d) => verifier.verify({ user: d.uid, identifier: d.client_device_identifier }).trusted !== filtered.has(d.id))
      .map((d) => d.id);
    expect(disagreements).toEqual([]);
    expect(filtered.size).toBeGreaterThan(100);
    expect(filtered.size).toBeLessThan(devices.length);
    expect(repository.count({ trust: 'trusted' }) + repository.count({ trust: 'not-trusted' }) + repository.count({ trust: 'cant-tell' })).toBe(repository.count({}));
  });
});

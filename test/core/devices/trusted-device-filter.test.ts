import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/db/database';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DuoStore, type DuoUserRow } from '../../../src-main/core/duo/duo-store';
import { SyncRunStore } from '../../../src-main/core/sync/sync-run-store';
import type { SyncCheckpoint } from '../../../src-main/core/sync/sync-checkpoint';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
import type { TrustFilter } from '../../../src-shared/domain/device';
import { LEGACY_CERTIFICATE_END_OF_LIFE_MS } from '../../../src-shared/domain/integration';
import { DEFAULT_SPACES, seedDevices, seedFollowUpRun, seedSharedSightings } from '../../support/seed-devices';
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
      // A page tests each device's sightings one by one, a count gathers them once: both give the same answer.
      for (const trust of ['trusted', 'not-trusted', 'cant-tell'] as const) expect(allPages(repository, { trust, presence: 'all' }, 10).length, trust).toBe(counts[trust]);
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
    const members = db.prepare('SELECT uid FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND uid IS NOT NULL LIMIT 60').pluck().all(ios.integrationId) as string[];
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

  it('filter, Trust column and verdict give one answer for every device: its own user, Duo aliases, a test group, app-config beside legacy past its end of life, stale spaces', () => {
    const { db, repository } = openDeviceDatabase(tempDir());
    expect(NOW).toBeGreaterThan(LEGACY_CERTIFICATE_END_OF_LIFE_MS);
    const fresh = { referenceTime: NOW - HOUR };
    const acme = { domain: 'acmecorp.mobileiron.com', email: 'api@acmecorp.example' };
    const android = seedDevices(db, { ...fresh, count: 200, seed: 'one-android', integration: { name: 'Android', platform: 'android', ...acme } });
    const appConfig = seedDevices(db, { ...fresh, count: 400, seed: 'one-ios', integration: { name: 'iOS', platform: 'ios-appconfig', status: 'test-group', ...acme } });
    // The legacy integration shares the App Config fetch: it sees the same iOS devices, and alone would trust none.
    const legacy = seedSharedSightings(db, { of: appConfig.integrationId, integration: { name: 'Legacy', platform: 'ios-certs', ...acme }, referenceTime: NOW });
    seedFollowUpRun(db, { integrationId: appConfig.integrationId, changed: 20, removed: 10, at: NOW - HOUR / 2 });
    // The App Config integration's API user could not read "Marketing" in its latest sync; another App Config
    // integration, with an API user of its own that reads only "Marketing", trusts its devices for all users.
    const marketing = marketingReadElsewhere(db, appConfig.integrationId, { name: 'iOS Marketing', platform: 'ios-appconfig', domain: acme.domain });

    // The test group lists Duo usernames; the devices' Ivanti users are, for some, a name Duo knows them by.
    const uids = db
      .prepare("SELECT DISTINCT uid FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND platform_type = 'IOS' AND uid IS NOT NULL AND uid <> '********' ORDER BY uid")
      .pluck()
      .all(appConfig.integrationId) as string[];
    expect(uids.length).toBeGreaterThan(90);
    const users: DuoUserRow[] = [];
    const listed: string[] = [];
    uids.slice(0, 90).forEach((uid, i) => {
      if (i % 3 === 0) listed.push(uid.toUpperCase()); // listed as typed, another case
      if (i % 3 === 1) {
        users.push({ userId: `DA${i}`, username: `duo-alias-${i}`, realname: null, email: null, status: 'active', aliases: [uid] });
        listed.push(`duo-alias-${i}`);
      }
      if (i % 3 === 2) {
        users.push({ userId: `DE${i}`, username: `duo-mail-${i}`, realname: null, email: uid, status: 'active', aliases: [] });
        listed.push(`duo-mail-${i}`);
      }
    });
    const addMember = db.prepare('INSERT INTO integration_test_group (integration_id, username) VALUES (?, ?)');
    for (const name of listed) addMember.run(appConfig.integrationId, name);
    const duo = new DuoStore(db);
    duo.replaceUsers(users, NOW, { kind: 'users', status: 'completed', startedAt: NOW - 1, finishedAt: NOW, count: users.length, error: null });

    const verifier = new TrustVerifier(db, new CertificateTable(), () => new Date(NOW), duo);
    const judge = verifier.deviceJudge();
    const filtered = new Map<number, TrustFilter>();
    for (const answer of ['trusted', 'not-trusted', 'cant-tell'] as const) {
      for (const id of allPages(repository, { trust: answer, presence: 'all' }, 500)) filtered.set(id, answer);
    }
    const devices = db.prepare('SELECT id, uid, client_device_identifier AS identifier, space_id AS spaceId FROM devices').all() as {
      id: number;
      uid: string | null;
      identifier: string | null;
      spaceId: number | null;
    }[];
    expect(filtered.size).toBe(devices.length);
    const disagreements = devices.flatMap((d) => {
      const column = judge(d).answer;
      const verdict = d.uid === null || d.identifier === null ? column : verifier.verify({ user: d.uid, identifier: d.identifier }).answer;
      return column === filtered.get(d.id) && column === verdict ? [] : [{ ...d, filter: filtered.get(d.id), column, verdict }];
    });
    expect(disagreements).toEqual([]);

    // Each part of the definition decided some device (outside "Marketing", where the second integration trusts all).
    const answerOf = (uid: string) => {
      const d = devices.find((x) => x.uid === uid && x.identifier !== null && x.spaceId !== DEFAULT_SPACES[1]!.id);
      return d === undefined ? null : { filter: filtered.get(d.id), column: judge(d).label };
    };
    const byAlias = uids.slice(0, 90).filter((_, i) => i % 3 === 1).map(answerOf);
    expect(byAlias.filter((a) => a?.filter === 'trusted').length, JSON.stringify(byAlias)).toBeGreaterThan(5);
    expect(byAlias.some((a) => a?.column === 'Trusted: the test group')).toBe(true);
    const outsideGroup = uids.slice(90).map(answerOf);
    expect(outsideGroup.filter((a) => a?.filter === 'trusted')).toEqual([]);
    const counts = Object.fromEntries((['trusted', 'not-trusted', 'cant-tell'] as const).map((a) => [a, [...filtered.values()].filter((f) => f === a).length]));
    expect(counts['cant-tell']).toBeGreaterThan(0);
    // Trusted through the Marketing integration, though the first one cannot tell: trusted leads.
    expect(repository.count({ trust: 'trusted', integrationId: marketing })).toBeGreaterThan(5);
    // The legacy integration covers every iOS device the App Config one trusts; past its end of life it changes nothing.
    const trustedIos = db
      .prepare(`SELECT COUNT(*) FROM devices d JOIN device_sightings s ON s.device_id = d.id AND s.integration_key = (SELECT key FROM integrations WHERE id = ?) WHERE d.platform_type = 'IOS' AND d.id IN (SELECT value FROM json_each(?))`)
      .pluck()
      .get(legacy, JSON.stringify([...filtered].filter(([, a]) => a === 'trusted').map(([id]) => id))) as number;
    expect(trustedIos).toBeGreaterThan(5);
    expect(repository.count({ trust: 'trusted', integrationId: legacy })).toBe(trustedIos);
    expect(android.inserted).toBe(200);
  });

  it('judges each integration of a platform on its own readable spaces and its own users where they share one sighting test', () => {
    const { db, repository } = openDeviceDatabase(tempDir());
    const { everyone, marketing, group } = integrationsAskingAlike(db);

    const verifier = new TrustVerifier(db, new CertificateTable(), () => new Date(NOW));
    const judge = verifier.deviceJudge();
    const filtered = new Map<number, TrustFilter>();
    for (const answer of ['trusted', 'not-trusted', 'cant-tell'] as const) {
      for (const id of allPages(repository, { trust: answer, presence: 'all' }, 500)) filtered.set(id, answer);
      // The count gathers the sightings once, the pages probe them device by device: one answer.
      expect(repository.count({ trust: answer, presence: 'all' }), answer).toBe([...filtered.values()].filter((f) => f === answer).length);
    }
    const devices = db.prepare('SELECT id, uid, client_device_identifier AS identifier, (SELECT id FROM integrations i WHERE i.key = devices.integration_key) AS integrationId, space_id AS spaceId FROM devices').all() as {
      id: number;
      uid: string | null;
      identifier: string | null;
      integrationId: string;
      spaceId: number | null;
    }[];
    expect(filtered.size).toBe(devices.length);
    expect(devices.filter((d) => judge(d).answer !== filtered.get(d.id)).map((d) => ({ ...d, filter: filtered.get(d.id), column: judge(d).answer }))).toEqual([]);

    // Each integration decided some device: "Marketing" trusted through the second integration alone, the group's
    // members trusted and the others not, though the integrations for all users trust every other device like theirs.
    const answers = (integrationId: string, spaceId?: number) =>
      new Set(devices.filter((d) => d.integrationId === integrationId && (spaceId === undefined || d.spaceId === spaceId)).map((d) => filtered.get(d.id)));
    expect(repository.count({ trust: 'trusted', integrationId: marketing })).toBeGreaterThan(5);
    expect(answers(everyone.integrationId, DEFAULT_SPACES[1]!.id)).toContain('trusted');
    expect([...answers(group.integrationId)]).toEqual(expect.arrayContaining(['trusted', 'not-trusted']));
  });

  it('counts a first page\'s "not trusted" and "can\'t tell" with the sightings gathered once, to the verifier\'s answers', () => {
    const { db, index } = openDeviceDatabase(tempDir());
    integrationsAskingAlike(db);
    const judge = new TrustVerifier(db, new CertificateTable(), () => new Date(NOW)).deviceJudge();
    const current = db.prepare('SELECT id, uid, client_device_identifier AS identifier, (SELECT id FROM integrations i WHERE i.key = devices.integration_key) AS integrationId, space_id AS spaceId FROM devices WHERE removed_at IS NULL').all() as Parameters<typeof judge>[0][];
    const counted: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      if (sql.startsWith('SELECT count(*) FROM (SELECT 1 FROM devices d')) counted.push(sql);
      return prepare(sql);
    }) as typeof db.prepare;
    for (const trust of ['trusted', 'not-trusted', 'cant-tell'] as const) {
      counted.length = 0;
      // Nothing cached; unsorted, the page plans with a count up to more than the fleet, so the count is exact and kept.
      const repository = new DeviceRepository(db, index, () => new Date(NOW));
      repository.search({ trust }, { offset: 0, limit: 100 });
      expect(counted, trust).toHaveLength(1);
      // "Trusted" probes each device's sightings (its matches come first), the others gather them once (the walk steps
      // over the trusted devices to find theirs).
      expect(counted[0], trust).toContain(trust === 'trusted' ? 'EXISTS (SELECT 1 FROM device_sightings' : 'IN (SELECT s.device_id FROM device_sightings');
      expect(repository.count({ trust }), trust).toBe(current.filter((d) => judge(d).answer === trust).length);
      expect(counted, trust).toHaveLength(1);
    }
  });

  it('gives a name in another case one verdict in the filter, the Trust column and verify, in every script (\'ÉLODIE\' is \'élodie\')', () => {
    const fleet = testGroupFleet('one-fold');
    // Listed as Duo spells the user, registered in Ivanti in capitals or mixed case; one listed name Duo does not know.
    for (const name of ['élodie', 'zoë ångström', 'Åsa Öberg']) fleet.addMember(name);
    const users: DuoUserRow[] = ['élodie', 'zoë ångström'].map((username, i) => ({ userId: `DU${i}`, username, realname: null, email: null, status: 'active', aliases: [] }));
    // 'Zoë Ångström' differs from Duo's spelling in non-ASCII letters both ways: no ASCII-only fold of either matches.
    fleet.expectAllTrusted(users, ['ÉLODIE', 'Élodie', 'Zoë Ångström', 'åSA öBERG']);
  });

  it('gives a name with whitespace around it one verdict in the filter, the Trust column and verify (\' élodie \' is \'élodie\')', () => {
    const fleet = testGroupFleet('one-trim');
    // 'bob' listed and unknown to Duo (the ASCII path); 'élodie' listed and known to Duo under an alias only.
    for (const name of ['bob', 'élodie']) fleet.addMember(name);
    const users: DuoUserRow[] = [{ userId: 'DU1', username: 'elodie.m', realname: null, email: null, status: 'active', aliases: ['élodie'] }];
    fleet.expectAllTrusted(users, [' bob', 'Bob\t', ' élodie ', 'ELODIE.M\n']);
  });

  /**
   * A test-group integration's fleet, and the devices the group can make trusted (those trusted while every device's
   * user, 'control', is listed); the group is then emptied for the test to list its own names.
   */
  function testGroupFleet(seed: string) {
    const { db, repository } = openDeviceDatabase(tempDir());
    const ios = seedDevices(db, { referenceTime: NOW - HOUR, count: 60, seed, integration: { name: 'iOS', platform: 'ios-appconfig', status: 'test-group' } });
    const insertMember = db.prepare('INSERT INTO integration_test_group (integration_id, username) VALUES (?, ?)');
    insertMember.run(ios.integrationId, 'control');
    db.prepare("UPDATE devices SET uid = 'control'").run();
    const eligible = allPages(repository, { trust: 'trusted', presence: 'all' }, 500);
    expect(eligible.length).toBeGreaterThan(4);
    db.prepare('DELETE FROM integration_test_group').run();
    return {
      addMember: (name: string) => insertMember.run(ios.integrationId, name),
      /** Registers the first eligible devices to `uids` in Ivanti: the filter, the Trust column and verify each say trusted for each, and for no other device. */
      expectAllTrusted(users: DuoUserRow[], uids: string[]) {
        const duo = new DuoStore(db);
        duo.replaceUsers(users, NOW, { kind: 'users', status: 'completed', startedAt: NOW - 1, finishedAt: NOW, count: users.length, error: null });
        const setUid = db.prepare('UPDATE devices SET uid = ? WHERE id = ?');
        uids.forEach((uid, i) => setUid.run(uid, eligible[i]));
        const verifier = new TrustVerifier(db, new CertificateTable(), () => new Date(NOW), duo);
        const judge = verifier.deviceJudge();
        const trusted = new Set(allPages(repository, { trust: 'trusted', presence: 'all' }, 500));
        const chosen = eligible.slice(0, uids.length);
        const devices = db.prepare(`SELECT id, uid, client_device_identifier AS identifier FROM devices WHERE id IN (${chosen.map(() => '?').join(', ')})`).all(...chosen) as {
          id: number;
          uid: string;
          identifier: string;
        }[];
        const answers = devices.map((d) => ({
          uid: d.uid,
          filter: trusted.has(d.id) ? 'trusted' : 'not',
          column: judge(d).answer,
          verify: verifier.verify({ user: d.uid, identifier: d.identifier }).answer,
        }));
        expect(answers).toEqual(uids.map((uid) => ({ uid, filter: 'trusted', column: 'trusted', verify: 'trusted' })));
        // Every other device's user ('control') is no longer listed.
        expect(trusted.size).toBe(uids.length);
      },
    };
  }
});

/**
 * Three Android integrations: two for all users (a count gathers their sightings as one set), one for a test group. The
 * first could not read "Marketing" in its latest sync; the second, with an API user of its own, reads only it. The test
 * group's integration sees devices of its own, and trusts only those of its members (half of its users).
 */
function integrationsAskingAlike(db: Db): { everyone: { integrationId: string }; marketing: string; group: { integrationId: string } } {
  const fresh = { referenceTime: NOW - HOUR };
  const mail = { domain: 'acmecorp.mobileiron.com', email: 'api@acmecorp.example' };
  const everyone = seedDevices(db, { ...fresh, count: 240, seed: 'alike-all', integration: { name: 'Android', platform: 'android', ...mail } });
  const marketing = marketingReadElsewhere(db, everyone.integrationId, { name: 'Android Marketing', platform: 'android', domain: mail.domain });
  const group = seedDevices(db, { ...fresh, count: 120, seed: 'alike-group', integration: { name: 'Android group', platform: 'android', status: 'test-group', ...mail } });
  const groupUids = db.prepare("SELECT DISTINCT uid FROM devices WHERE integration_key = (SELECT key FROM integrations WHERE id = ?) AND uid IS NOT NULL AND uid <> '********' ORDER BY uid").pluck().all(group.integrationId) as string[];
  const addMember = db.prepare('INSERT INTO integration_test_group (integration_id, username) VALUES (?, ?)');
  for (const uid of groupUids.slice(0, groupUids.length / 2)) addMember.run(group.integrationId, uid);
  return { everyone, marketing, group };
}

/**
 * The integration `of` could not read "Marketing" in its latest sync; another integration of the same platform, with
 * an API user of its own that reads only "Marketing", sees its devices there. Returns the second one's id.
 */
function marketingReadElsewhere(db: Db, of: string, integration: { name: string; platform: 'android' | 'ios-appconfig'; domain: string }): string {
  markSpaceStale(db, of, DEFAULT_SPACES[1]!);
  return seedSharedSightings(db, {
    of,
    spaceId: DEFAULT_SPACES[1]!.id,
    integration: { ...integration, email: 'marketing-api@acmecorp.example' },
    referenceTime: NOW,
  });
}

/** Records a run of the integration whose API user could not read `space` (403), as the sync engine records it. */
function markSpaceStale(db: Db, integrationId: string, space: { id: number; name: string }): void {
  const runs = new SyncRunStore(db);
  const runId = runs.create(integrationId, 'manual', 'trust-filter-test', NOW - HOUR / 4);
  const pass = { pass: 1, drifted: false, passStartPage: 1, start: 0, lastId: null, seenInPass: 0, totalCount: null, unparsed: 0 };
  const checkpoint: SyncCheckpoint = {
    version: 1,
    phase: 'finalizing',
    round: 1,
    roundChanged: false,
    spaces: DEFAULT_SPACES.map((s) => ({ ...pass, id: s.id, name: s.name, state: s.id === space.id ? 'failed' : 'verified' })),
  };
  const errors = [{ code: 'IVANTI_SPACE_FORBIDDEN' as const, message: `Ivanti answered 403 for the space "${space.name}".`, space: space.name }];
  const counters = { spacesTotal: DEFAULT_SPACES.length, pages: 1, devicesSeen: 1, added: 0, changed: 0, removed: 0, restored: 0, activeMs: 1, errors };
  runs.finish(runId, 'completed', false, counters, checkpoint, NOW - HOUR / 5);
}

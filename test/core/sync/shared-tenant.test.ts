/**
 * Issue 14 point 3: a device is one device of one tenant, whatever the number of integrations that cover it. Two
 * integrations of one tenant with the same API user share one fetch; with different API users each fetches what its
 * own user can read, into the same rows, and a space one of them cannot read is stale for that one only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../src-main/core/audit/audit-log';
import { openDatabase, type Db } from '../../../src-main/core/db/database';
import { migrations } from '../../../src-main/core/db/migrations';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import { retireSightings } from '../../../src-main/core/sync/device-store';
import { EventBus } from '../../../src-main/core/events/event-bus';
import { ExportService } from '../../../src-main/core/export/export-service';
import { SyncEngine } from '../../../src-main/core/sync/sync-engine';
import { SyncRunStore } from '../../../src-main/core/sync/sync-run-store';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
import { DEFAULT_AND_RESTRICTED_SPACES, type RunningSimulator } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { useShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { CertificateTable } from '../trust/trust-scenario';
import { quickRetryingClient } from './sync-fixture';

const tempDir = useTempDir('tec-shared-tenant-');
const closeAfterEach = useCloseAfterEach();
const shutDownAfterEach = useShutDownAfterEach();
const simulator = useSimulatorsAfterEach();

const OTHER_USER = { email: 'ios-api@acmecorp.example', password: 'another-api-password' };

interface Setup {
  db: Db;
  engine: SyncEngine;
  runs: SyncRunStore;
  repository: DeviceRepository;
  verifier: TrustVerifier;
}

/** A console with an Android and an iOS App Config integration on the simulated tenant, enabled for all users. */
function consoleFor(tenant: RunningSimulator, users: { android: { email: string; password: string }; ios: { email: string; password: string } }): Setup {
  const dir = path.join(tempDir(), String(Math.random()).slice(2));
  const db = closeAfterEach(openDatabase({ file: path.join(dir, 'console.sqlite'), migrations }).db);
  const insert = db.prepare(
    "INSERT INTO integrations (id, name, mdm, platform, status, domain, email, created_at, updated_at) VALUES (?, ?, 'ivanti-neurons', ?, 'all-users', ?, ?, ?, ?)",
  );
  // The domain as entered may differ in case: still one tenant.
  insert.run('int-a', 'Acme Android', 'android', tenant.domain, users.android.email, 1, 1);
  insert.run('int-i', 'Acme iOS', 'ios-appconfig', tenant.domain.toUpperCase(), users.ios.email.toUpperCase(), 2, 2);
  const byId: Record<string, { email: string; password: string }> = { 'int-a': users.android, 'int-i': users.ios };
  const engine = shutDownAfterEach(
    new SyncEngine({
      db,
      events: new EventBus(),
      now: () => new Date(),
      credentials: async (id) => ({ domain: tenant.domain, ...byId[id]! }),
      connect: quickRetryingClient,
    }),
  );
  const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date());
  return { db, engine, runs: new SyncRunStore(db), repository, verifier: new TrustVerifier(db, new CertificateTable(), () => new Date()) };
}

interface Device {
  id: number;
  identifier: string;
  uid: string;
}

/** An ACTIVE device of the platform with a Device Client ID and a user, in the given space. */
function deviceOf(db: Db, platformType: 'ANDROID' | 'IOS', spaceId: number): Device {
  const row = db
    .prepare(
      `SELECT id, client_device_identifier AS identifier, uid FROM devices
        WHERE space_id = ? AND platform_type = ? AND registration_state = 'ACTIVE' AND removed_at IS NULL
          AND client_device_identifier IS NOT NULL AND uid IS NOT NULL AND uid <> '********' ORDER BY id LIMIT 1`,
    )
    .get(spaceId, platformType) as Device | undefined;
  if (!row) throw new Error(`no ACTIVE ${platformType} device with a user in space ${spaceId}`);
  return row;
}

describe('one device per tenant', () => {
  it('two integrations with the same API user share one fetch: the tenant is read and stored once, and each device shown once with the integration that covers it', async () => {
    const tenant = await simulator({ devices: 900, seed: 'shared-tenant', spaces: DEFAULT_AND_RESTRICTED_SPACES });
    const expected = tenant.deviceCount();

    // What one integration's sync alone asks of Ivanti.
    const alone = consoleFor(tenant, { android: tenant.credentials, ios: OTHER_USER });
    const before = tenant.stats().requests;
    await (await alone.engine.start('int-a', 'manual')).finished;
    const oneFetch = tenant.stats().requests - before;

    const { db, engine, runs, repository, verifier } = consoleFor(tenant, { android: tenant.credentials, ios: tenant.credentials });
    const start = tenant.stats().requests;
    const android = await engine.start('int-a', 'manual');
    const ios = await engine.start('int-i', 'manual');
    // The second joins the first's run instead of reading the tenant again.
    expect(ios.runId).toBe(android.runId);
    const [run] = await Promise.all([android.finished, ios.finished]);
    expect(run).toMatchObject({ status: 'completed', complete: true });
    expect(tenant.stats().requests - start).toBe(oneFetch);

    // Stored once: one row per device, a sighting per integration.
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(expected);
    expect(db.prepare('SELECT COUNT(*) FROM device_sightings').pluck().get()).toBe(2 * expected);
    expect(db.prepare("SELECT COUNT(*) FROM device_changes WHERE kind = 'added'").pluck().get()).toBe(expected);

    // Shown once everywhere: explorer count, overview facets, search.
    expect(repository.count({})).toBe(expected);
    const facets = repository.facets({});
    expect(facets.total).toBe(expected);
    const byPlatform = (type: string) => db.prepare('SELECT COUNT(*) FROM devices WHERE platform_type = ?').pluck().get(type) as number;
    expect(facets.integrations.find((i) => i.id === 'int-i')?.count).toBe(byPlatform('IOS'));
    expect(facets.integrations.reduce((n, i) => n + i.count, 0)).toBe(expected);
    const iphone = deviceOf(db, 'IOS', 1);
    expect(repository.count({ text: iphone.identifier })).toBe(1);

    // "Has it synced?": once, with the integration that covers it.
    const found = engine.devices.find(iphone.identifier);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ integrationId: 'int-i', coveredBy: [{ integrationId: 'int-i', integrationName: 'Acme iOS', removedAt: null }] });

    // The iOS integration's own record of the run: it has synced, from the shared fetch.
    expect(runs.latest('int-i')).toMatchObject({ status: 'completed', complete: true, devicesSeen: run.devicesSeen });
    expect(runs.lastCompletedAt('int-i')).not.toBeNull();
    expect(verifier.verify({ user: iphone.uid, identifier: iphone.identifier })).toMatchObject({ answer: 'trusted', trustedBy: { integrationId: 'int-i' } });
    const phone = deviceOf(db, 'ANDROID', 2);
    expect(verifier.verify({ user: phone.uid, identifier: phone.identifier })).toMatchObject({ answer: 'trusted', trustedBy: { integrationId: 'int-a' } });

    // A re-sync of the pair finds nothing new and rewrites no device row.
    const rowsBefore = db.prepare('SELECT COUNT(*) FROM devices').pluck().get();
    const again = await (await engine.start('int-i', 'manual')).finished;
    expect(again).toMatchObject({ status: 'completed', added: 0, changed: 0, removed: 0 });
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(rowsBefore);
    expect(db.prepare('SELECT COUNT(*) FROM devices WHERE last_seen_run = ?').pluck().get(again.id)).toBe(0);
  });

  it("a change export filtered by integration lists, for each member of a shared fetch, the fetch's changes of the devices it covers", async () => {
    const tenant = await simulator({ devices: 600, seed: 'shared-changes', spaces: DEFAULT_AND_RESTRICTED_SPACES });
    const { db, engine, runs, repository } = consoleFor(tenant, { android: tenant.credentials, ios: tenant.credentials });
    // The Android integration fetches first, the iOS one next: each fetch's changes are recorded once, under the run
    // and integration that fetched, and the other member gets a copy of the run.
    const first = await (await engine.start('int-a', 'manual')).finished;
    tenant.mutate({ add: 30, remove: 30, update: 60 });
    const second = await (await engine.start('int-i', 'manual')).finished;
    expect(second).toMatchObject({ status: 'completed', complete: true });
    const recorded = (platform: string) =>
      db
        .prepare('SELECT c.id FROM device_changes c JOIN devices d ON d.id = c.device_id WHERE c.run_id IN (?, ?) AND d.platform_type = ? ORDER BY c.id')
        .pluck()
        .all(first.id, second.id, platform) as number[];
    const secondOf = (platform: string) =>
      db.prepare('SELECT COUNT(*) FROM device_changes c JOIN devices d ON d.id = c.device_id WHERE c.run_id = ? AND d.platform_type = ?').pluck().get(second.id, platform);
    // Both fetches recorded changes of both platforms' devices (the second: added, removed and changed ones).
    expect(secondOf('ANDROID')).toBeGreaterThan(0);
    expect(secondOf('IOS')).toBeGreaterThan(0);

    const exports = new ExportService(db, repository, new AuditLog(db, () => new Date()), new EventBus().emit, tempDir(), () => new Date(), 'tester');
    const exported = async (request: { integrationId?: string; runId?: number }) => {
      const file = path.join(tempDir(), `changes-${Math.random().toString(36).slice(2)}.json`);
      await exports.write({ kind: 'changes', format: 'json', ...request }, file);
      return (JSON.parse(fs.readFileSync(file, 'utf8')) as { changes: { changeId: number }[] }).changes.map((c) => c.changeId);
    };
    const covered = (ids: number[], platform: string) => {
      const ofPlatform = new Set(recorded(platform));
      return ids.filter((id) => ofPlatform.has(id));
    };
    // Each member's export holds every change the two fetches recorded for the devices it covers, whoever fetched.
    const android = await exported({ integrationId: 'int-a' });
    const ios = await exported({ integrationId: 'int-i' });
    expect(covered(android, 'ANDROID')).toEqual(recorded('ANDROID'));
    expect(covered(ios, 'IOS')).toEqual(recorded('IOS'));
    // A received fetch brings only the devices the member covers: no iOS change of the iOS integration's fetch is the
    // Android integration's.
    const iosOfSecond = new Set(db.prepare("SELECT c.id FROM device_changes c JOIN devices d ON d.id = c.device_id WHERE c.run_id = ? AND d.platform_type = 'IOS'").pluck().all(second.id) as number[]);
    expect(android.filter((id) => iosOfSecond.has(id))).toEqual([]);
    // The copy of the second fetch in the Android integration's history exports the changes that fetch recorded, as
    // its run history shows them.
    const copy = runs.latest('int-a')!;
    expect(copy.id).not.toBe(second.id);
    expect(await exported({ runId: copy.id })).toEqual(await exported({ runId: second.id }));
    expect((await exported({ runId: copy.id })).length).toBe(repository.changesOfFetch(runs.fetchOf(copy.id), { limit: 10_000 }).total);
  });

  it('a space the shared API user cannot read is stale for every member of the fetch, since the fetch that last read it', async () => {
    const tenant = await simulator({ devices: 300, seed: 'shared-stale', spaces: DEFAULT_AND_RESTRICTED_SPACES });
    const { engine, runs, verifier, db } = consoleFor(tenant, { android: tenant.credentials, ios: tenant.credentials });
    const read = await (await engine.start('int-a', 'manual')).finished;
    // Checked first: this test failed twice at load ~10-15 at a later step, and a first sync that did not read every
    // space to its end would be the cause it names.
    expect(read).toMatchObject({ status: 'completed', complete: true });
    tenant.setDeviceRead(2, false);
    // The iOS integration fetches this time; the Android one gets the copy.
    expect(await (await engine.start('int-i', 'manual')).finished).toMatchObject({ status: 'completed', complete: false });
    const since = new Date(read.finishedAt as string).getTime();
    for (const member of ['int-a', 'int-i']) {
      expect(runs.staleSpaces(member)).toEqual([{ spaceId: 2, spaceName: 'Restricted', reason: expect.stringContaining('Restricted'), since }]);
    }
    const phone = deviceOf(db, 'ANDROID', 2);
    expect(verifier.verify({ user: phone.uid, identifier: phone.identifier })).toMatchObject({ answer: 'cant-tell', lead: { code: 'space-stale', integrationId: 'int-a' } });
    // Readable again, through a fetch of the Android integration: current for both.
    tenant.setDeviceRead(2, true);
    expect(await (await engine.start('int-a', 'manual')).finished).toMatchObject({ status: 'completed', complete: true });
    expect([runs.staleSpaces('int-a'), runs.staleSpaces('int-i')]).toEqual([[], []]);
  });

  it('with different API users each fetches what its own user reads, into the same rows; a space one cannot read is stale for that one only', async () => {
    const tenant = await simulator({ devices: 600, seed: 'two-users', spaces: DEFAULT_AND_RESTRICTED_SPACES, otherUsers: [{ ...OTHER_USER, deniedSpaces: [2] }] });
    const { db, engine, runs, verifier } = consoleFor(tenant, { android: tenant.credentials, ios: OTHER_USER });
    const android = await (await engine.start('int-a', 'manual')).finished;
    const ios = await (await engine.start('int-i', 'manual')).finished;
    expect(android).toMatchObject({ status: 'completed', complete: true });
    expect(ios).toMatchObject({ status: 'completed', complete: false });
    expect(ios.id).not.toBe(android.id);

    const expected = tenant.deviceCount();
    const inSpace = (spaceId: number) => db.prepare('SELECT COUNT(*) FROM devices WHERE space_id = ?').pluck().get(spaceId) as number;
    expect(db.prepare('SELECT COUNT(*) FROM devices').pluck().get()).toBe(expected);
    const sightings = (integration: string) => db.prepare('SELECT COUNT(*) FROM device_sightings WHERE integration_key = (SELECT key FROM integrations WHERE id = ?)').pluck().get(integration);
    expect(sightings('int-a')).toBe(expected);
    expect(sightings('int-i')).toBe(inSpace(1));
    // The Android fetch stored the iOS devices first; the iOS fetch that saw them lists them under itself, so the
    // explorer shows them under the integration that covers them (core/devices/device-coverage.ts).
    const listedUnder = (platformType: string, spaceId: number) =>
      db.prepare('SELECT DISTINCT (SELECT id FROM integrations i WHERE i.key = devices.integration_key) FROM devices WHERE platform_type = ? AND space_id = ?').pluck().all(platformType, spaceId);
    expect(listedUnder('IOS', 1)).toEqual(['int-i']);
    expect(listedUnder('ANDROID', 1)).toEqual(['int-a']);

    expect(runs.staleSpaces('int-a')).toEqual([]);
    expect(runs.staleSpaces('int-i')).toEqual([{ spaceId: 2, spaceName: 'Restricted', reason: expect.stringContaining('Restricted'), since: null }]);

    // An iOS device in the space the iOS integration's user cannot read: can't tell, for that integration.
    const hidden = deviceOf(db, 'IOS', 2);
    const verdict = verifier.verify({ user: hidden.uid, identifier: hidden.identifier });
    expect(verdict).toMatchObject({ answer: 'cant-tell', lead: { code: 'space-stale', integrationId: 'int-i' } });
    // The Android integration read that space: its devices there are judged on their merits.
    const phone = deviceOf(db, 'ANDROID', 2);
    expect(verifier.verify({ user: phone.uid, identifier: phone.identifier })).toMatchObject({ answer: 'trusted', trustedBy: { integrationId: 'int-a' } });
    const iphone = deviceOf(db, 'IOS', 1);
    expect(verifier.verify({ user: iphone.uid, identifier: iphone.identifier })).toMatchObject({ answer: 'trusted', trustedBy: { integrationId: 'int-i' } });

    // Devices deleted in the tenant: the Android integration (which reads every space) marks them removed; the iOS
    // integration keeps its last known state of the space it cannot read.
    tenant.mutate({ remove: 30 });
    await (await engine.start('int-a', 'manual')).finished;
    await (await engine.start('int-i', 'manual')).finished;
    const live = new Set(tenant.expectedGuids());
    const current = db.prepare('SELECT guid FROM devices WHERE removed_at IS NULL').pluck().all() as string[];
    expect(current.filter((g) => !live.has(g))).toEqual([]);
    expect(current).toHaveLength(tenant.deviceCount());
  });

  it('an integration deleted with its devices kept no longer keeps them alive: the one that remains marks them removed', async () => {
    const tenant = await simulator({ devices: 400, seed: 'deleted-sibling', spaces: DEFAULT_AND_RESTRICTED_SPACES, otherUsers: [OTHER_USER] });
    const { db, engine } = consoleFor(tenant, { android: tenant.credentials, ios: OTHER_USER });
    await (await engine.start('int-a', 'manual')).finished;
    await (await engine.start('int-i', 'manual')).finished;
    // IntegrationService.delete(…, { purgeDevices: false }) retires the deleted one's sightings (integration-lifecycle).
    retireSightings(db, 'int-i', Date.now());

    tenant.mutate({ remove: 40 });
    expect(await (await engine.start('int-a', 'manual')).finished).toMatchObject({ status: 'completed', complete: true });
    const live = new Set(tenant.expectedGuids());
    const current = db.prepare('SELECT guid FROM devices WHERE removed_at IS NULL').pluck().all() as string[];
    expect(current.filter((g) => !live.has(g))).toEqual([]);
    expect(current).toHaveLength(tenant.deviceCount());
  });
});

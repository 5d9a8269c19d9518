/**
 * Issue 14 point 4, the trust side, against a real sync of the simulated tenant: a space the API user cannot read
 * (403) is stale since the last run that read it to its end, its devices' verdict is "can't tell", the readable
 * space's devices are judged on their own merits, and once the space is readable again its devices are too. The
 * explorer's trusted filter stays in step with the verdict.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../src-main/core/db/database';
import { trustedDeviceCondition } from '../../../src-main/core/devices/trusted-device-filter';
import { IntegrationStore } from '../../../src-main/core/integrations/integration-store';
import { DeviceRepository } from '../../../src-main/core/devices/device-repository';
import { DeviceSearchIndex } from '../../../src-main/core/devices/device-search-index';
import type { TrustFilter } from '../../../src-shared/domain/device';
import { SyncRunStore } from '../../../src-main/core/sync/sync-run-store';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';
import { DEFAULT_AND_RESTRICTED_SPACES } from '../../simulator/ivanti-simulator';
import { useCloseAfterEach } from '../../support/close-after-each';
import { withShutDownAfterEach } from '../../support/shut-down-after-each';
import { useTempDir } from '../../support/temp-dir';
import { useSimulatorsAfterEach } from '../../support/simulators-after-each';
import { engineFor as newEngine, INTEGRATION_ID, openSyncDatabase } from '../sync/sync-fixture';
import { CertificateTable } from './trust-scenario';

const tempDir = useTempDir('tec-trust-stale-');
const closeAfterEach = useCloseAfterEach();
const engineFor = withShutDownAfterEach(newEngine);
const simulator = useSimulatorsAfterEach();

interface Row {
  id: number;
  identifier: string;
  uid: string;
}

/** An ACTIVE Android device with a Device Client ID and a user, in the given space. */
function deviceIn(db: Db, spaceId: number): Row {
  const row = db
    .prepare(
      `SELECT id, client_device_identifier AS identifier, uid FROM devices
        WHERE space_id = ? AND platform_type = 'ANDROID' AND registration_state = 'ACTIVE' AND removed_at IS NULL
          AND client_device_identifier IS NOT NULL AND uid IS NOT NULL ORDER BY id LIMIT 1`,
    )
    .get(spaceId) as Row | undefined;
  if (!row) throw new Error(`no ACTIVE Android device with a user in space ${spaceId}`);
  return row;
}

function trustedIds(db: Db): Set<number> {
  const condition = trustedDeviceCondition(db, new IntegrationStore(db));
  return new Set(db.prepare(`SELECT d.id FROM devices d WHERE ${condition.sql}`).pluck().all(...condition.params) as number[]);
}

describe("a tenant with one space the API user cannot read: the verdict can't tell for its devices only", () => {
  it('a 403 space is stale since the last run that read it; its device gets "can\'t tell", a readable space\'s device is trusted; readable again, judged on its merits', async () => {
    const tenant = await simulator({
      devices: 600,
      seed: 'trust-stale',
      spaces: DEFAULT_AND_RESTRICTED_SPACES,
    });
    const db = closeAfterEach(openSyncDatabase(tempDir()));
    db.prepare("UPDATE integrations SET status = 'all-users', name = 'Acme Android' WHERE id = ?").run(INTEGRATION_ID);
    const { engine } = engineFor(db, tenant);
    const verifier = new TrustVerifier(db, new CertificateTable(), () => new Date());
    const runs = new SyncRunStore(db);

    const first = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(first).toMatchObject({ status: 'completed', complete: true });
    expect(runs.staleSpaces(INTEGRATION_ID)).toEqual([]);
    const restricted = deviceIn(db, 2);
    const readable = deviceIn(db, 1);
    const ask = (d: Row) => verifier.verify({ user: d.uid, identifier: d.identifier });
    expect(ask(restricted).answer).toBe('trusted');

    // The API user loses Device Read Only in "Restricted".
    tenant.setDeviceRead(2, false);
    const second = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(second).toMatchObject({ status: 'completed', complete: false });
    const readAt = new Date(first.finishedAt as string).getTime();
    expect(runs.staleSpaces(INTEGRATION_ID)).toEqual([
      { spaceId: 2, spaceName: 'Restricted', reason: expect.stringContaining('Restricted'), since: readAt },
    ]);

    const cantTell = ask(restricted);
    expect(cantTell).toMatchObject({ trusted: false, answer: 'cant-tell', trustedBy: null });
    expect(cantTell.lead.code).toBe('space-stale');
    expect(cantTell.lead.message).toContain(`Our copy of the space "Restricted" in "Acme Android" is stale since ${first.finishedAt}`);
    expect(cantTell.lead.action).toContain('assign the Device Read Only role in that space to the API user of "Acme Android"');
    expect(cantTell.reasons.map((r) => r.code)).toEqual(['space-stale']);
    expect(ask(readable)).toMatchObject({ trusted: true, answer: 'trusted' });
    // The explorer's trust filter agrees: the readable space's device is trusted, the stale space's is "can't tell",
    // not "not trusted".
    expect(trustedIds(db).has(readable.id)).toBe(true);
    expect(trustedIds(db).has(restricted.id)).toBe(false);
    const repository = new DeviceRepository(db, new DeviceSearchIndex(db), () => new Date());
    const filtered = (trust: TrustFilter) => new Set(repository.search({ trust, presence: 'all' }, { offset: 0, limit: 500 }).map((r) => r.id));
    expect(filtered('cant-tell').has(restricted.id)).toBe(true);
    expect(filtered('not-trusted').has(restricted.id)).toBe(false);
    expect(filtered('cant-tell').has(readable.id)).toBe(false);
    const verdicts = db.prepare('SELECT id, client_device_identifier AS identifier, uid FROM devices WHERE uid IS NOT NULL AND client_device_identifier IS NOT NULL').all() as Row[];
    const cantTellIds = verdicts.filter((d) => ask(d).answer === 'cant-tell').map((d) => d.id).sort((a, b) => a - b);
    expect(cantTellIds.length).toBeGreaterThan(10);
    expect([...filtered('cant-tell')].sort((a, b) => a - b)).toEqual(cantTellIds);

    // A run after it still can't read the space: stale since the same moment, not since the last run.
    const third = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(third).toMatchObject({ status: 'completed', complete: false });
    expect(runs.staleSpaces(INTEGRATION_ID).map((s) => s.since)).toEqual([readAt]);

    // The run that read it to its end pruned from the history (its changes go with it): still stale since then, and the
    // verdict still says so. The state is stored when each run finishes, not derived from the runs that remain.
    db.prepare('DELETE FROM sync_runs WHERE id = ?').run(first.id);
    expect(runs.staleSpaces(INTEGRATION_ID)).toEqual([
      { spaceId: 2, spaceName: 'Restricted', reason: expect.stringContaining('Restricted'), since: readAt },
    ]);
    expect(ask(restricted).lead.message).toContain(`is stale since ${first.finishedAt}`);

    // A sync that fails before reading any space (the password was changed) learns nothing about the space: still
    // stale, still "can't tell" (deriving it from the latest run cleared it, and the device read as trusted).
    const wrongPassword = engineFor(db, tenant, { credentials: async () => ({ domain: tenant.domain, ...tenant.credentials, password: 'not-the-password' }) });
    const failed = await (await wrongPassword.engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(failed).toMatchObject({ status: 'failed', errors: [{ code: 'IVANTI_AUTH_REJECTED' }] });
    expect(runs.staleSpaces(INTEGRATION_ID).map((s) => [s.spaceName, s.since])).toEqual([['Restricted', readAt]]);
    expect(ask(restricted)).toMatchObject({ answer: 'cant-tell', lead: { code: 'space-stale' } });

    // Readable again: the device is judged on its merits, retired in Ivanti meanwhile or not.
    tenant.setDeviceRead(2, true);
    const fourth = await (await engine.start(INTEGRATION_ID, 'manual')).finished;
    expect(fourth).toMatchObject({ status: 'completed', complete: true });
    expect(runs.staleSpaces(INTEGRATION_ID)).toEqual([]);
    expect(ask(restricted)).toMatchObject({ trusted: true, answer: 'trusted' });
    expect(trustedIds(db).has(restricted.id)).toBe(true);
    db.prepare("UPDATE devices SET registration_state = 'RETIRED' WHERE id = ?").run(restricted.id);
    expect(ask(restricted)).toMatchObject({ answer: 'not-trusted', lead: { code: 'device-retired' } });
  });
});

import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PILOT_GROUP_NAME, type DuoDoubleOptions } from '../../duo/duo-admin-double';
import { syncedTenantComparedWithDuo } from '../../duo/compared-tenant';
import { requirePrivateKeyring } from '../../support/keyring';
import { useTempDir } from '../../support/temp-dir';
import { closeAfterEach } from '../ivanti/close-after-each';
import { DuoComparison } from '../../../src-main/core/duo/duo-comparison';
import { DuoStore } from '../../../src-main/core/duo/duo-store';
import { TrustVerifier } from '../../../src-main/core/trust/trust-verifier';

const tempDir = useTempDir();
const track = closeAfterEach();
const signal = new AbortController().signal;
const compared = (options: Partial<DuoDoubleOptions> = {}) => syncedTenantComparedWithDuo(track, tempDir(), options);

describe("Duo's view beside the console's prediction", () => {
  beforeAll(() => requirePrivateKeyring());

  it('shows each Duo endpoint of a user next to the prediction for the device it matches, with disagreements and their cause', async () => {
    const { core, duo, tenant } = await compared();
    const byGuid = new Map([...tenant.expectedDevices()].map((d) => [d.guid as string, d]));
    const list = await core.handlers['duo.disagreements'](undefined, { signal });
    expect(list.trustedEndpointAvailable).toBe(true);
    expect(list.compared).toBeGreaterThan(0);
    expect(list.items.length).toBeGreaterThan(0);
    // The double seeds a disagreement where its flag differs from "active in Ivanti"; every reported one is such a device.
    const seeded = duo.endpoints().filter((e) => (e.trusted_endpoint === 'yes') !== (byGuid.get(e.ivantiGuid)!.registrationState === 'ACTIVE'));
    for (const item of list.items.filter((i) => i.match.kind === 'identifier')) {
      expect(seeded.map((e) => e.epkey)).toContain(item.epkey);
    }
    const item = list.items[0]!;
    expect(item.disagreement).toMatch(/Duo counts this endpoint as managed|Duo does not count this endpoint as managed/);

    const view = await core.handlers['duo.userView']({ user: item.username }, { signal });
    expect(view.duoUser).toMatchObject({ username: item.username, matchedBy: 'username' });
    expect(view.ivantiMatch).toMatch(/Ivanti (uid|emailAddress) = Duo (email|alias|username)/);
    const endpoint = view.endpoints.find((e) => e.epkey === item.epkey)!;
    expect(endpoint.predicted).not.toBeNull();
    expect(endpoint.trustedEndpoint === 'yes').not.toBe(endpoint.predicted);
  });

  it('matches by identifier only where Duo returns device_udid, and labels every other match "likely"', async () => {
    const { core, duo } = await compared();
    const withUdid = new Set(duo.endpoints().filter((e) => (e as { device_udid?: string }).device_udid).map((e) => e.epkey));
    for (const user of new Set(duo.endpoints().map((e) => e.username))) {
      for (const endpoint of (await core.handlers['duo.userView']({ user }, { signal })).endpoints) {
        if (endpoint.match.kind === 'identifier') expect(withUdid.has(endpoint.epkey)).toBe(true);
        if (endpoint.match.kind === 'likely') {
          expect(withUdid.has(endpoint.epkey)).toBe(false);
          expect(endpoint.match.note).toMatch(/^Likely:/);
        }
      }
    }
  });

  it('says trusted_endpoint is absent on a non-Premier account and compares nothing', async () => {
    const { core, duo } = await compared({ premier: false });
    const list = await core.handlers['duo.disagreements'](undefined, { signal });
    expect(list).toMatchObject({ trustedEndpointAvailable: false, compared: 0, items: [] });
    const view = await core.handlers['duo.userView']({ user: duo.users()[0]!.username }, { signal });
    expect(view.note).toContain('Premier');
    expect(view.endpoints.every((e) => e.trustedEndpoint === null && e.disagreement === null)).toBe(true);
  });

  it('finds the Duo user by alias or email as well, and says so', async () => {
    const { core, duo } = await compared();
    const aliased = duo.users().find((u) => u.alias1)!;
    expect((await core.handlers['duo.userView']({ user: aliased.alias1!.toUpperCase() }, { signal })).duoUser?.matchedBy).toBe('alias');
    const plain = duo.users().find((u) => !u.alias1)!;
    expect((await core.handlers['duo.userView']({ user: plain.email }, { signal })).duoUser?.matchedBy).toBe('email');
    expect((await core.handlers['duo.userView']({ user: 'nobody-at-all' }, { signal })).note).toContain('Duo has no user');
  });

  it('matches test-group names across the systems by Duo username, alias or email, and says which matched', async () => {
    const { core, duo, tenant } = await compared();
    const users = duo.users();
    const aliased = users.find((u) => u.alias1)!;
    const plain = users.find((u) => !u.alias1)!;
    const ivantiOnly = [...tenant.expectedDevices()].map((d) => d.uid as string).find((uid) => uid && !uid.includes('*') && !users.some((u) => u.email.toLowerCase() === uid.toLowerCase()));
    expect(ivantiOnly, 'the tenant has Ivanti users the Duo double does not serve').toBeDefined();
    const names = [plain.username, aliased.alias1!.toUpperCase(), plain.email, 'nobody-at-all', ivantiOnly!];
    const [byUsername, byAlias, byEmail, nobody, notInDuo] = await core.handlers['duo.matchUsers']({ names }, { signal });
    expect(byUsername).toMatchObject({ name: plain.username, duoUser: { username: plain.username, matchedBy: 'username' } });
    expect(byUsername!.ivanti?.how).toMatch(/^Ivanti (uid|emailAddress) = Duo (username|alias|email)$/);
    expect(byAlias).toMatchObject({ duoUser: { username: aliased.username, matchedBy: 'alias' } });
    expect(byEmail).toMatchObject({ duoUser: { username: plain.username, matchedBy: 'email' } });
    expect(byEmail!.ivanti).toEqual(byUsername!.ivanti);
    expect(nobody).toEqual({ name: 'nobody-at-all', duoUser: null, ivanti: null });
    expect(notInDuo).toMatchObject({ duoUser: null, ivanti: { how: expect.stringContaining('= the name as written') } });
  });

  it("names a test group that drifted from its Duo group (found by id, even renamed) as the likely cause of a disagreement", async () => {
    const { core, duo } = await compared();
    const pilot = duo.groups().find((g) => g.name === PILOT_GROUP_NAME)!;
    const trustedInDuo = new Set(duo.endpoints().filter((e) => e.trusted_endpoint === 'yes').map((e) => e.username as string));
    const member = duo.users().find((u) => pilot.members.includes(u.user_id) && trustedInDuo.has(u.username))!;
    expect(member, 'a pilot member with an endpoint Duo counts as managed').toBeDefined();
    duo.renameGroup(pilot.group_id, 'Pilot, renamed in Duo');
    expect((await core.services.duo.read(undefined)).ok).toBe(true);
    // Recorded here from the pilot group, but with members that left out this user (Duo's group changed since).
    for (const integration of await core.services.integrations.list()) {
      await core.services.integrations.setStatus(integration.id, 'test-group', ['someone-else'], { groupId: pilot.group_id, name: PILOT_GROUP_NAME });
    }
    const view = await core.handlers['duo.userView']({ user: member.username }, { signal });
    const drift = view.endpoints.filter((e) => e.disagreement?.includes(`Duo's group “${PILOT_GROUP_NAME}” (group id ${pilot.group_id}) has this user`));
    expect(drift.length).toBeGreaterThan(0);
    expect(drift[0]!.disagreement).toContain('save it to record Duo\'s members');
  });

  it("reads Duo's users and the test groups once for the whole list of disagreements, not once per user or endpoint", async () => {
    const { core, duo } = await compared();
    const { db, certificates, now, integrations, devices } = core.services;
    const store = new DuoStore(db);
    let reads = 0;
    const userNames = store.userNames.bind(store);
    store.userNames = () => {
      reads += 1;
      return userNames();
    };
    const trust = new TrustVerifier(db, certificates, now, store);
    const comparison = new DuoComparison({
      store,
      recordedTestGroup: (id) => integrations.recordedTestGroup(id),
      devicesOfUser: (ids) => devices.ofUser(ids),
      verifier: () => trust.verifier(),
    });
    const list = comparison.disagreements();
    expect(new Set(duo.endpoints().map((e) => e.username)).size).toBeGreaterThan(10);
    expect(list.compared).toBeGreaterThan(10);
    expect(list).toEqual(await core.handlers['duo.disagreements'](undefined, { signal }));
    // One for the names, one for the verifier's test-group rule.
    expect(reads).toBe(2);
  });

  it('exports the disagreement list as CSV', async () => {
    const { core } = await compared();
    const { file, count } = await core.handlers['duo.exportDisagreements']({ format: 'csv' }, { signal });
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^username,epkey,/);
    expect(lines).toHaveLength(count + 1);
  });
});

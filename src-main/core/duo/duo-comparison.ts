/**
 * Duo's view beside ours: for a user, Duo's endpoints (from the last read) next to the console's prediction for the
 * synced Ivanti device each one most plausibly is, and where Duo's `trusted_endpoint` flag and the prediction differ,
 * a disagreement with its likely cause (DESIGN.md, "Trust prediction").
 *
 * Honest matching (reference §6): no documented key joins a Duo endpoint to an Ivanti device. An endpoint is tied to a
 * device by identifier only when Duo returns one (`device_udid`, certificate-trusted iOS); otherwise by user and
 * platform (and model), labelled "likely". `trusted_endpoint` is "a Duo-managed endpoint", not Duo's sign-in
 * decision, and Duo sends it on Premier accounts only; where it is absent nothing is compared.
 */
import type { DevicePlatform, TrustVerdict } from '../../../src-shared/domain/trust';
import type { DuoDisagreements, DuoEndpointView, DuoRead, DuoUserView, TestGroupUserMatch } from '../../../src-shared/domain/duo';
import type { UserDeviceRecord } from '../devices/device-repository';
import type { RecordedTestGroup } from '../integrations/integration-service';
import { nameKey } from './name-key';
import { userIdentities, type DuoEndpointRow, type DuoStore, type DuoUserNames } from './duo-store';

export interface DuoComparisonDeps {
  store: DuoStore;
  /** The integration's test group as recorded here, with the Duo group (by id) it was read from. */
  recordedTestGroup(integrationId: string): RecordedTestGroup | null;
  devicesOfUser(identities: readonly string[]): UserDeviceRecord[];
  /** TrustVerifier.verifier: one read of the integrations, test groups and Duo's users for many questions. */
  verifier(): (query: { user: string; identifier: string; platform?: DevicePlatform }) => TrustVerdict;
}

/** What every user's view shares, read once for a view or for the whole list of disagreements. */
interface ViewContext {
  connected: boolean;
  endpointsRead: DuoRead | null;
  trustedEndpointAvailable: boolean;
  users: DuoUserNames;
  verify: ReturnType<DuoComparisonDeps['verifier']>;
}

type Family = 'ANDROID' | 'IOS';

/** Duo's os_family values for mobile devices (examples show "iOS"; the Android spelling is [unknown], so both cases). */
function familyOf(osFamily: string | null): Family | null {
  const family = (osFamily ?? '').toLowerCase();
  if (family === 'ios' || family === 'ipados') return 'IOS';
  if (family.includes('android')) return 'ANDROID';
  return null;
}

export class DuoComparison {
  constructor(private readonly deps: DuoComparisonDeps) {}

  userView(user: string): DuoUserView {
    return this.#userView(user, this.#context());
  }

  #context(): ViewContext {
    const { store } = this.deps;
    return {
      connected: store.connection() !== null,
      endpointsRead: store.reads().find((r) => r.kind === 'endpoints' && r.status === 'completed') ?? null,
      trustedEndpointAvailable: store.trustedEndpointAvailable(),
      users: store.userNames(),
      verify: this.deps.verifier(),
    };
  }

  #userView(user: string, context: ViewContext): DuoUserView {
    const { store } = this.deps;
    const { connected, endpointsRead } = context;
    const base = { connected, readAt: endpointsRead?.finishedAt ?? null, duoUser: null, ivantiMatch: null, trustedEndpointAvailable: context.trustedEndpointAvailable, endpoints: [] };
    if (!connected) return { ...base, note: 'Not connected to the Duo Admin API: connect it in Settings to see Duo\'s own record of this user\'s devices.' };
    if (!endpointsRead) return { ...base, note: 'Nothing has been read from Duo yet: Settings → Duo Admin API → Read from Duo now.' };
    const found = context.users.find(user);
    if (!found) return { ...base, note: `Duo has no user "${user}" (looked up by username, alias and email in the last read).` };
    const duoUser = { userId: found.user.userId, username: found.user.username, matchedBy: found.matchedBy };
    const devices = this.deps.devicesOfUser(userIdentities(found.user));
    const ivantiMatch = devices.length === 0 ? null : describeIdentityMatch(devices[0]!, found.user.username, found.user.aliases, found.user.email);
    const endpoints = store.endpointsOf(found.user.username).map((endpoint) => this.#view(user, endpoint, devices, userIdentities(found.user), context.verify));
    const note = base.trustedEndpointAvailable
      ? endpoints.length === 0
        ? `Duo has no endpoint for ${found.user.username}.`
        : null
      : 'Duo did not send trusted_endpoint for these endpoints: Duo returns it on Premier accounts only, so Duo\'s view can\'t be compared with the prediction.';
    return { ...base, duoUser, ivantiMatch, endpoints, note };
  }

  /**
   * How each test-group name matches across the systems (issue 15 point 2): the Duo user (username, then alias, then
   * email, in the last read), then that user's synced Ivanti devices by uid or emailAddress. A name Duo does not know
   * is still looked up in Ivanti as written, and said so.
   */
  matchUsers(names: readonly string[]): TestGroupUserMatch[] {
    const found = this.deps.store.findUsers(names);
    return names.map((name, index) => {
      const duo = found[index] ?? null;
      if (duo) {
        const devices = this.deps.devicesOfUser(userIdentities(duo.user));
        return {
          name,
          duoUser: { username: duo.user.username, matchedBy: duo.matchedBy },
          ivanti: devices.length === 0 ? null : { devices: devices.length, how: describeIdentityMatch(devices[0]!, duo.user.username, duo.user.aliases, duo.user.email) },
        };
      }
      const devices = this.deps.devicesOfUser([name]);
      const field = devices[0]?.uid?.toLowerCase() === name.trim().toLowerCase() ? 'Ivanti uid' : 'Ivanti emailAddress';
      return { name, duoUser: null, ivanti: devices.length === 0 ? null : { devices: devices.length, how: `${field} = the name as written (not a Duo user in the last read)` } };
    });
  }

  disagreements(): DuoDisagreements {
    const { store } = this.deps;
    const context = this.#context();
    const items: DuoDisagreements['items'] = [];
    let compared = 0;
    for (const username of store.endpointUsernames()) {
      for (const endpoint of this.#userView(username, context).endpoints) {
        if (endpoint.trustedEndpoint !== null && endpoint.predicted !== null) compared++;
        if (endpoint.disagreement) items.push({ ...endpoint, username });
      }
    }
    return { connected: context.connected, readAt: context.endpointsRead?.finishedAt ?? null, trustedEndpointAvailable: context.trustedEndpointAvailable, compared, items };
  }

  #view(user: string, endpoint: DuoEndpointRow, devices: UserDeviceRecord[], identities: string[], verify: ViewContext['verify']): DuoEndpointView {
    const family = familyOf(endpoint.osFamily);
    const common = {
      epkey: endpoint.epkey,
      osFamily: endpoint.osFamily,
      osVersion: endpoint.osVersion,
      model: endpoint.model,
      trustedEndpoint: endpoint.trustedEndpoint,
      lastSeenAt: endpoint.lastUpdated === null ? null : endpoint.lastUpdated * 1000,
    };
    const match = matchDevice(endpoint, family, devices);
    if (!match.device) return { ...common, match: { kind: 'none', note: match.note, deviceId: null, deviceGuid: null, identifier: null, deviceModel: null }, predicted: null, predictionNote: null, disagreement: null };
    const device = match.device;
    const matchView = { kind: match.kind, note: match.note, deviceId: device.id, deviceGuid: device.guid, identifier: device.client_device_identifier, deviceModel: device.model };
    if (!device.client_device_identifier) {
      return { ...common, match: matchView, predicted: false, predictionNote: 'The synced device has no Device Client ID, so it cannot be trusted.', disagreement: disagreementOf(endpoint.trustedEndpoint, false, match.kind, 'it has no Device Client ID in Ivanti') };
    }
    const verdict = verify({ user, identifier: device.client_device_identifier, platform: family === 'IOS' ? 'ios' : 'android' });
    // "Can't tell": our copy of the device's space is stale (DESIGN.md); nothing to compare then.
    const predicted = verdict.answer === 'cant-tell' ? null : verdict.trusted;
    const disagreement = predicted === null ? null : disagreementOf(endpoint.trustedEndpoint, predicted, match.kind, verdict.lead.message);
    return {
      ...common,
      match: matchView,
      predicted,
      predictionNote: verdict.lead.message,
      disagreement: disagreement === null ? null : [disagreement, this.#testGroupDrift(device.integration_id, identities)].filter(Boolean).join(' '),
    };
  }

  /**
   * A likely cause named outright: the integration's test group was read from a Duo group, and Duo's members of that
   * group (found by its id, whatever it is called now) and the members recorded here disagree about this user.
   */
  #testGroupDrift(integrationId: string, identities: string[]): string | null {
    const recorded = this.deps.recordedTestGroup(integrationId);
    if (recorded?.status !== 'test-group' || recorded.duoGroup === null) return null;
    const inDuoGroup = this.deps.store.groupMemberUsernames(recorded.duoGroup.groupId);
    if (inDuoGroup === null) return null;
    const names = new Set(identities.map(nameKey));
    const inDuo = inDuoGroup.some((u) => names.has(nameKey(u)));
    const inHere = recorded.members.some((u) => names.has(nameKey(u)));
    if (inDuo === inHere) return null;
    const group = `Duo's group “${recorded.duoGroup.name}” (group id ${recorded.duoGroup.groupId})`;
    return inDuo
      ? `${group} has this user, but the test group recorded here does not: open the integration's status and save it to record Duo's members.`
      : `The test group recorded here has this user, but ${group} no longer does in the last read: save the integration's status again to record Duo's members.`;
  }
}

function matchDevice(endpoint: DuoEndpointRow, family: Family | null, devices: UserDeviceRecord[]): { kind: 'identifier' | 'likely'; device: UserDeviceRecord; note: string } | { kind: 'none'; device: null; note: string } {
  const udid = endpoint.deviceUdid || (endpoint.deviceIdentifierType === 'device_udid' ? endpoint.deviceIdentifier : null);
  if (udid) {
    const wanted = udid.toLowerCase();
    const device = devices.find((d) => d.udid?.toLowerCase() === wanted || d.client_device_identifier?.toLowerCase() === wanted);
    if (device) return { kind: 'identifier', device, note: `Duo's device_udid equals the synced device's ${device.udid?.toLowerCase() === wanted ? 'UDID' : 'Device Client ID'}.` };
    return { kind: 'none', device: null, note: `Duo names device_udid ${udid}, which no synced device of this user has.` };
  }
  if (family === null) return { kind: 'none', device: null, note: `Not a mobile device (${endpoint.osFamily ?? 'unknown OS'}): no Ivanti integration covers it.` };
  const platformName = family === 'IOS' ? 'iOS' : 'Android';
  const ofPlatform = devices.filter((d) => d.platform_type === family);
  if (ofPlatform.length === 0) return { kind: 'none', device: null, note: `No synced ${platformName} device of this user.` };
  const model = endpoint.model?.toLowerCase() ?? '';
  const sameModel = model === '' ? [] : ofPlatform.filter((d) => d.model?.toLowerCase() === model);
  const candidates = sameModel.length > 0 ? sameModel : ofPlatform;
  const newest = [...candidates].sort((a, b) => (b.last_checkin ?? 0) - (a.last_checkin ?? 0))[0]!;
  const by = sameModel.length > 0 ? `${platformName} device of this user with model ${endpoint.model}` : `${platformName} device of this user`;
  const note = candidates.length === 1 ? `Likely: the only ${by} (no identifier from Duo).` : `Likely: the most recently seen of ${candidates.length} ${by}s (no identifier from Duo).`;
  return { kind: 'likely', device: newest, note };
}

function disagreementOf(duo: DuoEndpointView['trustedEndpoint'], predicted: boolean, kind: 'identifier' | 'likely', why: string): string | null {
  if (duo === null || duo === 'unknown') return null;
  const duoManaged = duo === 'yes';
  if (duoManaged === predicted) return null;
  const uncertain = kind === 'likely' ? ' The match is only likely: this endpoint may be another device of the same user.' : '';
  if (duoManaged) {
    return `Duo counts this endpoint as managed, but the console predicts not trusted: ${why} Duo may not have re-checked the device since Ivanti changed, or the console's status or test group for the integration differs from Duo's.${uncertain}`;
  }
  return `The console predicts trusted, but Duo does not count this endpoint as managed: Duo Mobile may not have reported the identifier yet, or the integration is not enabled for this user in Duo as recorded here.${uncertain}`;
}

function describeIdentityMatch(device: UserDeviceRecord, username: string, aliases: string[], email: string | null): string {
  const uid = device.uid?.toLowerCase() ?? '';
  const mail = device.email?.toLowerCase() ?? '';
  const is = (value: string | null) => value !== null && value !== '' && (uid === value.toLowerCase() || mail === value.toLowerCase());
  const field = (value: string) => (uid === value.toLowerCase() ? 'Ivanti uid' : 'Ivanti emailAddress');
  if (is(username)) return `${field(username)} = Duo username`;
  const alias = aliases.find((a) => is(a));
  if (alias) return `${field(alias)} = Duo alias`;
  if (email && is(email)) return `${field(email)} = Duo email`;
  return 'Ivanti user';
}

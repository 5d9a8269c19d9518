/**
 * Generates one simulated device record from (seed, index), in the shape and with the quirks of the documented API
 * (../shared/reference/ivanti-api.md): epoch-ms timestamps, `""` for absent identifiers on Android where Windows
 * sends `null`, Windows desktops as WINDOWS_PHONE + windowsDeviceType WINDOWS_DESKTOP with a null
 * clientDeviceIdentifier, 64-hex Android client ids, IMSI "Not Present", GDPR-obfuscated personal fields in spaces
 * with a privacy profile, and a few fields the console does not know (they must survive as `raw`).
 */
import { Draw, hash32, uniqueHex8 } from './seeded-random';

export interface DeviceSpaceLayout {
  id: number;
  name: string;
  /** The space has a GDPR privacy profile: personal fields come back obfuscated. */
  gdpr: boolean;
}

/** Device ids start here (the reference's example is 1000001) and grow with the index, with gaps. */
const FIRST_DEVICE_ID = 1_000_001;

/** Every device's id: increasing with `index`, never contiguous (a client must not assume id arithmetic). */
export function deviceIdOf(seedHash: number, index: number): number {
  return FIRST_DEVICE_ID + index * 2 + (hash32(seedHash, index, 0x1d) & 1);
}

/** The index whose id this is, or null when no device ever had that id. */
export function indexOfDeviceId(seedHash: number, id: number): number | null {
  if (!Number.isInteger(id) || id < FIRST_DEVICE_ID) return null;
  const index = Math.floor((id - FIRST_DEVICE_ID) / 2);
  return deviceIdOf(seedHash, index) === id ? index : null;
}

const KEY_GUID = 0x6a09e667;
const KEY_CHANNEL = 0xbb67ae85;
const KEY_CLIENT = 0x3c6ef372;
const KEY_SERIAL = 0xa54ff53a;

const ANDROID_MODELS = [
  ['samsung', 'SM-S911B', 'Galaxy S23'],
  ['samsung', 'SM-A546B', 'Galaxy A54 5G'],
  ['Google', 'Pixel 8', 'Pixel 8'],
  ['motorola', 'moto g84 5G', 'moto g84 5G'],
] as const;
const IOS_MODELS = [
  ['iPhone15,2', 'iPhone 14 Pro'],
  ['iPhone16,1', 'iPhone 15 Pro'],
  ['iPad13,18', 'iPad (10th generation)'],
] as const;
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Margaret', 'Linus', 'Radia', 'Tim'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman', 'Berners-Lee'];
const POLICIES = ['Out of Contact', 'Jailbroken / Rooted', 'OS Version', 'Passcode Not Set'];

/** What a GDPR privacy profile shows instead of the value (the exact mask is undocumented: a constant stands in). */
const OBFUSCATED = '********';

const DAY_MS = 86_400_000;

export interface GeneratedDeviceContext {
  seedHash: number;
  /** Epoch ms the tenant treats as "now"; fixed so that records do not depend on the wall clock. */
  referenceTime: number;
}

/**
 * One device record. `version` > 0 marks a device the churn overlay updated: it checked in later, its compliance
 * toggled (so every update is a recorded change), and every fifth update flips its registration state. `checkIns` > 0
 * moves its check-in times only.
 */
export function generateDevice(ctx: GeneratedDeviceContext, index: number, space: DeviceSpaceLayout, version = 0, checkIns = 0): Record<string, unknown> {
  const draw = new Draw(hash32(ctx.seedHash, index, 0x5eed));
  const id = deviceIdOf(ctx.seedHash, index);
  const guid = uuid(uniqueHex8(index, ctx.seedHash ^ KEY_GUID), draw);
  const mdmChannelId = uuid(uniqueHex8(index, ctx.seedHash ^ KEY_CHANNEL), draw);
  const roll = draw.next();
  const platform = roll < 0.45 ? 'ANDROID' : roll < 0.85 ? 'IOS' : roll < 0.97 ? 'WINDOWS_PHONE' : 'OTHER';
  const first = draw.pick(FIRST_NAMES);
  const last = draw.pick(LAST_NAMES);
  const login = `${first}.${last}${draw.int(1000)}`.toLowerCase();
  const registered = ctx.referenceTime - (30 + draw.int(700)) * DAY_MS - draw.int(DAY_MS);
  const outOfContact = draw.chance(0.05);
  const neverCheckedIn = draw.chance(0.02);
  const lastCheckinBase = neverCheckedIn ? null : ctx.referenceTime - (outOfContact ? 20 + draw.int(60) : draw.int(3)) * DAY_MS - draw.int(DAY_MS);
  const lastCheckin = lastCheckinBase === null ? null : version + checkIns > 0 ? ctx.referenceTime + (version + checkIns) * 60_000 : lastCheckinBase;
  const stateRoll = draw.next();
  let registrationState = stateRoll < 0.9 ? 'ACTIVE' : stateRoll < 0.97 ? 'RETIRED' : 'RETIRE_PENDING';
  if (version > 0 && version % 5 === 0) registrationState = registrationState === 'ACTIVE' ? 'RETIRED' : 'ACTIVE';
  const violated = outOfContact ? ['Out of Contact'] : draw.chance(0.05) ? [draw.pick(POLICIES)] : [];
  // Each update also toggles compliance (the device falls out of policy, or back in): a change a sync records, unlike
  // the check-in times alone. Computed apart from `violated`, which later draws depend on.
  const compliant = (violated.length === 0) !== (version % 2 === 1);
  const policies = compliant ? [] : violated.length > 0 ? violated : ['OS Version'];
  const serialUnique = uniqueHex8(index, ctx.seedHash ^ KEY_SERIAL).toUpperCase();

  const record: Record<string, unknown> = {
    id,
    guid,
    mdmChannelId,
    platformType: platform,
    registrationState,
    lastCheckin,
    clientLastCheckin: lastCheckin === null ? null : lastCheckin - draw.int(3_600_000),
    lastRegistrationTime: registered,
    complianceState: compliant,
    policyViolationCount: policies.length,
    violatedPolicies: policies,
    quarantined: violated.length > 0 && draw.chance(0.3),
    uid: `${login}@acmecorp.example`,
    emailAddress: `${login}@acmecorp.example`,
    displayName: `${first} ${last}`,
    firstName: first,
    lastName: last,
    ownerId: null,
    ownershipType: draw.pick(['COMPANY', 'EMPLOYEE', 'UNKNOWN']),
    dmPartitionId: space.id,
    dmPartitionName: space.name,
    customAttributes: { attrs: draw.chance(0.3) ? { costCenter: [String(4000 + draw.int(100))] } : {} },
    // Not in the reference's table: present on real records and unknown to the console, kept as raw.
    homeCarrierNetwork: draw.chance(0.5) ? draw.pick(['Vodafone', 'T-Mobile', 'Orange']) : null,
    deviceEncryptionStatus: draw.pick(['ENCRYPTED', 'NOT_ENCRYPTED']),
  };

  if (platform === 'ANDROID') {
    const [manufacturer, model, pretty] = draw.pick(ANDROID_MODELS);
    Object.assign(record, {
      // 64 hex characters [reference]; the first 8 are unique per device so no two devices collide.
      clientDeviceIdentifier: uniqueHex8(index, ctx.seedHash ^ KEY_CLIENT) + draw.hex(56),
      platformVersion: draw.pick(['13', '14', '15']),
      osBuildVersion: `UP1A.${230000 + draw.int(9999)}.0${draw.int(10)}`,
      manufacturer,
      deviceModel: model,
      prettyModel: pretty,
      deviceName: `${first}'s ${pretty}`,
      entityName: `${first}'s ${pretty}`,
      serialNumber: `R5${serialUnique}`,
      imei: `35${draw.digits(13)}`,
      imei2: '', // Android sends "" where Windows sends null [reference]
      meid: '',
      imsi: draw.chance(0.4) ? 'Not Present' : `2620${draw.digits(11)}`,
      iccid: `8949${draw.digits(15)}`,
      udid: '',
      wifiMacAddress: macAddress(draw),
      phoneNumber: draw.chance(0.5) ? `+49${draw.digits(10)}` : '',
      ipAddress: `10.${draw.int(256)}.${draw.int(256)}.${draw.int(256)}`,
      jailbroken: draw.chance(0.01),
      blocked: false,
      supervised: null,
      depEnrolled: false,
      mamOnly: false,
      authOnly: false,
    });
  } else if (platform === 'IOS') {
    const [model, pretty] = draw.pick(IOS_MODELS);
    Object.assign(record, {
      clientDeviceIdentifier: uuid(uniqueHex8(index, ctx.seedHash ^ KEY_CLIENT), draw).toUpperCase(),
      platformVersion: draw.pick(['17.6.1', '18.1', '18.2']),
      osBuildVersion: `22B${draw.int(100)}`,
      manufacturer: 'Apple',
      deviceModel: model,
      prettyModel: pretty,
      deviceName: `${first}'s ${pretty}`,
      entityName: `${first}'s ${pretty}`,
      serialNumber: `F${serialUnique}Q`,
      imei: draw.chance(0.8) ? `35 ${draw.digits(6)} ${draw.digits(6)} ${draw.digits(1)}` : null,
      udid: `00008${draw.digits(3)}-00${draw.hex(14).toUpperCase()}`,
      wifiMacAddress: macAddress(draw),
      iccid: draw.chance(0.8) ? `8949 ${draw.digits(4)} ${draw.digits(4)} ${draw.digits(4)} ${draw.digits(3)}` : null,
      phoneNumber: null,
      jailbroken: draw.chance(0.005),
      blocked: null,
      supervised: draw.chance(0.6),
      depEnrolled: draw.chance(0.6),
      mamOnly: false,
      authOnly: false,
    });
  } else if (platform === 'WINDOWS_PHONE') {
    // Windows desktops are reported as WINDOWS_PHONE with windowsDeviceType WINDOWS_DESKTOP, and have no
    // Device Client ID [reference]; Windows sends null for absent identifiers.
    const desktop = draw.chance(0.9);
    Object.assign(record, {
      windowsDeviceType: desktop ? 'WINDOWS_DESKTOP' : 'WINDOWS_PHONE',
      clientDeviceIdentifier: desktop ? null : `WP-${uniqueHex8(index, ctx.seedHash ^ KEY_CLIENT)}`,
      platformVersion: '10.0.22631',
      osBuildVersion: `22631.${4000 + draw.int(500)}`,
      manufacturer: draw.pick(['LENOVO', 'Dell Inc.', 'HP']),
      deviceModel: draw.pick(['20XW', 'Latitude 7440', 'EliteBook 840 G10']),
      prettyModel: 'Windows PC',
      deviceName: `DESKTOP-${serialUnique}`,
      entityName: `DESKTOP-${serialUnique}`,
      serialNumber: `PF${serialUnique}`,
      imei: null,
      imei2: null,
      meid: null,
      imsi: null,
      iccid: null,
      udid: null,
      wifiMacAddress: macAddress(draw),
      phoneNumber: null,
      jailbroken: false,
      blocked: null,
      supervised: null,
      depEnrolled: null,
      mamOnly: false,
      authOnly: false,
    });
  } else {
    // OTHER: minimal records; several optional fields are simply absent.
    Object.assign(record, {
      clientDeviceIdentifier: draw.chance(0.5) ? `OT-${uniqueHex8(index, ctx.seedHash ^ KEY_CLIENT)}` : null,
      platformVersion: '',
      manufacturer: '',
      deviceModel: 'Unknown',
      deviceName: `device-${serialUnique.toLowerCase()}`,
      serialNumber: '',
      jailbroken: false,
      mamOnly: draw.chance(0.5),
      authOnly: false,
    });
  }

  if (space.gdpr) {
    for (const field of ['uid', 'displayName', 'firstName', 'lastName', 'emailAddress', 'phoneNumber', 'imei', 'serialNumber', 'iccid', 'imsi', 'meid', 'ipAddress']) {
      if (record[field] !== undefined && record[field] !== null && record[field] !== '') record[field] = OBFUSCATED;
    }
  }
  return record;
}

/** A record as `/device/{id}` returns it: a superset of the search record [reference]. */
export function generateDeviceDetail(ctx: GeneratedDeviceContext, index: number, space: DeviceSpaceLayout, version = 0, checkIns = 0): Record<string, unknown> {
  const record = generateDevice(ctx, index, space, version, checkIns);
  const draw = new Draw(hash32(ctx.seedHash, index, 0xde7a));
  return { ...record, storageCapacity: 64 * 2 ** draw.int(4), batteryLevel: draw.int(101), lastScannedTime: record.lastCheckin };
}

/** A UUID whose first group is unique per device. */
function uuid(uniqueFirst: string, draw: Draw): string {
  const rest = draw.hex(24);
  return `${uniqueFirst}-${rest.slice(0, 4)}-4${rest.slice(5, 8)}-${'89ab'[draw.int(4)]}${rest.slice(9, 12)}-${rest.slice(12, 24)}`;
}

function macAddress(draw: Draw): string {
  return draw
    .hex(12)
    .match(/../g)!
    .join(':');
}
